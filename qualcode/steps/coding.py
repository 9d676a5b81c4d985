"""The coding steps: blank coding sheets, Word transcripts to code with comments, collecting
every coder's files, the disagreements workbook and the consensus.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.coding import human_codings, summarise_coders
from qualcode.decisions import Typed, merge_typed, unchanged, workbook_rows
from qualcode.errors import CodingError, QualcodeError, UndecidedError
from qualcode.io.decisions import write_decisions, write_disagreements
from qualcode.io.files import write_atomic, write_csv
from qualcode.io.sheets import read_sheet, sheet_segments, write_sheet
from qualcode.io.suggestions import write_kept_suggestions
from qualcode.io.worddocs import write_transcript_docx
from qualcode.paths import CODINGS, DECISIONS_FILE
from qualcode.report.document import new_document
from qualcode.steps.collect import (
    CodingStage,
    add_consensus,
    coding_stage,
    typed_decisions,
    workbook_path,
)
from qualcode.steps.transcripts import prepare
from qualcode.study import Study
from qualcode.textdiff import same_passage


def write_coding(stage: CodingStage, study: Study, codebook: Codebook, *,
                 list_disagreements: bool = False, into: Path | None = None) -> list[Path]:
    """``codings.csv``, ``spans.csv``, ``coders.csv`` and, with a consensus,
    ``consensus-log.csv``, in ``into`` (default: ``analyses/``); the decisions typed since
    the last run recorded in ``codings/consensus.csv`` and ``codings/suggest.csv``; and the
    disagreements workbook ``codings/decisions/disagreements.xlsx`` with the new
    disagreements added, when it exists, when a disagreement is undecided, or with
    ``list_disagreements``."""
    analyses = into or study.paths.analyses
    humans = human_codings(stage.codings.codings)
    written = [write_csv(analyses / "codings.csv", stage.codings.codings),
               write_csv(analyses / "spans.csv", stage.codings.spans),
               write_csv(analyses / "coders.csv", summarise_coders(humans, codebook))]
    if stage.log is not None:
        written.append(write_csv(analyses / "consensus-log.csv", stage.log))
    if stage.decisions is not None:
        written += record(study, stage.decisions, stage.decisions.merged, write_decisions)
        if list_disagreements or stage.decisions.listed is not None or \
                (stage.log is None and not stage.disagreements.empty):
            labels = {code.id: codebook.text(code.label, study.language)
                      for code in codebook.codes}
            current = stage.disagreements.assign(
                label=stage.disagreements["code_id"].map(labels).fillna(""))
            written += refresh_workbook(study, stage.decisions, current, write_disagreements)
    if stage.review is not None and stage.suggestions is not None:
        written += record(study, stage.review, stage.suggestions, write_kept_suggestions)
    return written


def record(study: Study, typed: Typed, table: pd.DataFrame, write) -> list[Path]:
    """Record ``table`` (the decisions of ``typed``, with what qualcode keeps beside them) in
    the kind's CSV file under ``codings/``, when it differs from what is recorded."""
    if unchanged(typed.recorded, table):
        return []
    return [write(study.paths.codings / typed.kind.record, table)]


def refresh_workbook(study: Study, typed: Typed, current: pd.DataFrame, write) -> list[Path]:
    """Add the ``current`` rows not listed yet to the kind's workbook under
    ``codings/decisions/`` (making it when there is none), keeping every typed cell; the
    workbook is written only when something changed."""
    kind = typed.kind
    rows = workbook_rows(typed.listed, current, typed.merged, keys=kind.keys,
                         filled=kind.filled)
    if unchanged(typed.listed, rows):
        return []
    return [write(workbook_path(study, kind), rows)]


@dataclass(frozen=True, slots=True)
class NewSheet:
    """A coding sheet made by ``qualcode sheet``: where, the copy kept of the sheet it
    replaced (None when that one held nothing), and, with ``--update``, the segments whose
    codes or note were carried over and those whose could not be (their text changed, or
    they are gone)."""

    path: Path
    backup: Path | None
    carried: tuple[str, ...] = ()
    not_carried: tuple[str, ...] = ()


def make_sheet(study: Study, coder: str, *, force: bool = False,
               update: bool = False) -> NewSheet:
    """A coding sheet for ``coder`` in ``codings/sheets/<coder>.xlsx``: blank, or with
    ``update`` made from the current segments with the codes and notes of the old sheet
    carried over wherever a segment's text is unchanged (or only pseudonymised). A sheet
    replaced while it holds codes or notes is first copied to ``codings/backups/``."""
    if coder not in {c.id for c in study.coders}:
        raise QualcodeError(f"'{coder}' is not a coder of study.yaml; add it under 'coders' "
                            "(- {id: " + coder + "})", path=study.root / "study.yaml")
    path = study.paths.sheets / f"{coder}.xlsx"
    if update and not path.is_file():
        raise QualcodeError(f"no sheet to update; make one with 'qualcode sheet --coder "
                            f"{coder}'", path=path)
    if path.exists() and not (force or update):
        raise QualcodeError("exists already (it may hold codes); pass --force to replace it "
                            "with a blank sheet (a copy is kept), or --update to make it again "
                            "from the current transcripts with its codes", path=path)
    codebook, imported = prepare(study)
    segments = sheet_segments(imported.segments)
    codes, notes, carried, lost = {}, {}, (), ()
    if update:
        codes, notes, carried, lost = carry_over(read_sheet(path), segments, codebook,
                                                 study.speaker_ids())
    backup = keep_copy(study, path) if path.exists() and holds_work(path) else None
    write_sheet(path, segments, codebook, coder=coder, language=study.language, codes=codes,
                notes=notes)
    return NewSheet(path, backup, carried, lost)


def carry_over(old, segments: pd.DataFrame, codebook: Codebook, pseudonyms: set[str]):
    """The codes and notes of an old sheet (as :func:`read_sheet` gives it) that still apply
    to the current ``segments``: those of segments whose text is unchanged or only
    pseudonymised, on codes still in the codebook. Returns them with the segments carried and
    those not carried."""
    _, texts, codings, notes = old
    current = dict(zip(segments["segment_id"], segments["text"], strict=True))
    codable = {code.id for code in codebook.codable}
    worked = dict.fromkeys([c.segment_id for c in codings] + list(notes))
    kept = {s for s in worked if s in current and same_passage(texts[s][1], current[s],
                                                                   pseudonyms)}
    codes: dict[str, list[str]] = {}
    lost = {s for s in worked if s not in kept}
    for coding in codings:
        if coding.segment_id in kept and coding.code_id in codable:
            codes.setdefault(coding.segment_id, []).append(coding.code_id)
        elif coding.segment_id in kept:
            lost.add(coding.segment_id)
    return (codes, {s: n for s, n in notes.items() if s in kept},
            tuple(s for s in worked if s in kept and s not in lost), tuple(sorted(lost)))


def holds_work(path: Path) -> bool:
    """Whether a sheet holds any code or note (or cannot be read, so may hold some)."""
    try:
        _, _, codings, notes = read_sheet(path)
    except CodingError:
        return True
    return bool(codings or notes)


def keep_copy(study: Study, path: Path) -> Path:
    """Copy a sheet about to be replaced to ``codings/backups/<name>-<date and time>.xlsx``,
    where collect does not read it."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    folder = study.paths.backups
    copy = folder / f"{path.stem}-{stamp}{path.suffix}"
    number = 1
    while copy.exists():
        number += 1
        copy = folder / f"{path.stem}-{stamp}-{number}{path.suffix}"
    return write_atomic(copy, lambda tmp: shutil.copyfile(path, tmp))


def export_docx(study: Study) -> list[Path]:
    """Each pseudonymised transcript as Word, for coding with comments, in
    ``analyses/word/``."""
    _, imported = prepare(study)
    paths = []
    for transcript in imported.transcripts:
        path = study.paths.word / f"{transcript.id}.docx"
        write_transcript_docx(path, transcript.id, transcript.text,
                              title=f"{study.title} — {transcript.id}",
                              language=study.language,
                              document=new_document(study.language))  # A4, spelling in it
        paths.append(path)
    return paths


def collect(study: Study, *, list_disagreements: bool = False
            ) -> tuple[CodingStage, list[Path]]:
    """Read every coder's files and the decisions, and write the coding tables (see
    :func:`write_coding`)."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    return stage, write_coding(stage, study, codebook, list_disagreements=list_disagreements)


def decide_consensus(study: Study) -> tuple[pd.DataFrame, list[Path]]:
    """Check that every disagreement is decided (in ``codings/decisions/disagreements.xlsx``
    or ``codings/consensus.csv``), then record the decisions and write the consensus and its
    log. The undecided disagreements are all listed in one error, and nothing is written."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    if stage.log is None:
        workbook = workbook_path(study, stage.decisions.kind)
        try:
            codings, log = add_consensus(stage.codings, imported.segments,
                                         stage.decisions.merged,
                                         source=str(Path(CODINGS) / DECISIONS_FILE))
        except UndecidedError as error:
            hint = "decide them in this workbook" if workbook.is_file() else \
                "run 'qualcode disagreements' to list them in this workbook"
            raise UndecidedError(f"{error.message}; {hint}", undecided=error.undecided,
                                 path=workbook) from None
        stage = replace(stage, codings=codings, log=log,
                        consensus_status="consensus complete: later stages use it")
    return stage.log, write_coding(stage, study, codebook, list_disagreements=True)


def record_decision(study: Study, segment_id: str, code_id: str, decision: str, *,
                    rationale: str = "", decided_by: str = "") -> Path:
    """Record one consensus decision (``keep`` or ``drop``, by coders of ``study.yaml``: one
    id, or several joined by ``+`` as in ``A+B`` for a decision taken together) in
    ``codings/consensus.csv``, where ``qualcode consensus`` and ``qualcode run`` read it, with
    every decision already typed or recorded. When the disagreements workbook lists the pair,
    its row is updated too, so that the workbook (whose typed cells win) says the same."""
    if decision not in S.DECISIONS:
        raise QualcodeError(f"decision '{decision}' must be keep or drop")
    check_coder(study, decided_by, "decided_by", together=True)
    row = pd.DataFrame([(segment_id, code_id, decision, rationale, decided_by)],
                       columns=list(S.DECISION_COLUMNS))
    return record_one(study, typed_decisions(study), row, write_decisions, write_disagreements)


def check_coder(study: Study, coder: str, column: str, *, together: bool = False) -> None:
    """Refuse a decision taken by someone who is not a coder of ``study.yaml``. A decision
    that may be taken ``together`` names everyone who took it, joined by ``+``, at least one
    of them a coder: ``A+B``, or ``A+B+directrice`` when a supervisor took part."""
    coders = {c.id for c in study.coders}
    people = [part.strip() for part in coder.split("+")] if together else [coder]
    if not coder.strip() or not all(people) or not coders & set(people) \
            or (not together and coder not in coders):
        raise QualcodeError(f"{column} '{coder}' is not a coder of study.yaml "
                            f"({', '.join(sorted(coders))}); choose one"
                            + (", or several people joined by + with at least one coder "
                               "(A+B, A+B+directrice)" if together else ""),
                            path=study.root / "study.yaml")


def record_one(study: Study, typed: Typed, row: pd.DataFrame,
               write_record: Callable[[Path, pd.DataFrame], Path],
               write_workbook: Callable[[Path, pd.DataFrame], Path]) -> Path:
    """Record one decision ``row`` of ``typed.kind`` with every decision already typed or
    recorded (``write_record(path, merged)`` writes the kind's CSV file under ``codings/``).
    When the kind's workbook lists the row, its row is updated too (``write_workbook(path,
    rows)``), so that the workbook, whose typed cells win, says the same."""
    kind = typed.kind
    merged = merge_typed(typed.merged, [row], keys=kind.keys, filled=kind.filled)
    if typed.listed is not None:
        listed = typed.listed
        current = listed.drop(columns=[*kind.filled, "location"])
        rows = workbook_rows(listed, current, merged, keys=kind.keys, filled=kind.filled)
        if not unchanged(listed, rows):
            write_workbook(workbook_path(study, kind), rows)
    return write_record(study.paths.codings / kind.record, merged)


def code_counts(analyses: Path) -> pd.Series | None:
    """Segments per code in ``analyses/codings.csv``, once codings have been collected."""
    path = analyses / "codings.csv"
    if not path.is_file():
        return None
    codings = pd.read_csv(path, dtype=str)
    return codings.groupby("code_id")["segment_id"].nunique()

