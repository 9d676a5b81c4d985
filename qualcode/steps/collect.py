"""The coding stage for a study: read ``codings/``, check it, add the consensus.

Suggestions of the machine coder (``codings/suggest.csv``) are never codings by themselves:
only those a coder accepted (in ``codings/decisions/suggestions.xlsx``, or recorded in
``suggest.csv``) are read, as that coder's codings, with ``codings/suggest.csv`` as their
source. Every decision people typed is read here, from its workbook and its record (see
:mod:`qualcode.decisions`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.coding import (
    Codings,
    build_consensus,
    check_codings,
    disagreements,
    human_codings,
    uncovered_message,
    uncovered_spans,
)
from qualcode.decisions import CONSENSUS, REVIEW, Kind, Typed, merge_typed
from qualcode.errors import CodingError, QualcodeWarning, UndecidedError
from qualcode.interchange import code_guids
from qualcode.io.cache import Cache
from qualcode.io.decisions import read_decisions, read_disagreements
from qualcode.io.suggestions import read_kept_suggestions, read_review_sheet
from qualcode.paths import ANALYSES, CODINGS, DECISIONS_FILE, DECISIONS_FOLDER, SUGGESTIONS_FILE
from qualcode.steps.codingfolder import (
    RawCodings,
    coding_files,
    read_coding_folder,
)
from qualcode.steps.imports import ImportResult
from qualcode.study import Study
from qualcode.text import fold


@dataclass(frozen=True, slots=True)
class CodingStage:
    """The checked codings (with the consensus rows when the consensus is complete), where
    the coders differ, the consensus audit log, a sentence on the consensus' state for the
    reports, the machine coder's suggestions with their review (``codings/suggest.csv``
    with the decisions of ``codings/decisions/suggestions.xlsx``), and the decisions typed
    (consensus decisions, suggestion reviews), to be recorded."""

    codings: Codings
    disagreements: pd.DataFrame
    log: pd.DataFrame | None
    consensus_status: str
    suggestions: pd.DataFrame | None = None
    decisions: Typed | None = None
    review: Typed | None = None


def collect_codings(study: Study, imported: ImportResult, codebook: Codebook,
                    suggestions: pd.DataFrame | None = None, *, cache: Cache | None = None
                    ) -> Codings:
    """Every coder's codings in ``study/codings``, checked against segments and codebook,
    with the ``suggestions`` their reviewer accepted (see :func:`reviewed_suggestions`);
    ``cache`` keeps what each workbook held, by its bytes."""
    segments = imported.segments
    names = {fold(c.id): c.id for c in study.coders}
    names |= {fold(c.name): c.id for c in study.coders if c.name}
    transcript_of = dict(zip(segments[S.SEGMENT_ID], segments[S.TRANSCRIPT_ID], strict=True))
    canonical = {t.id: t.text for t in imported.transcripts}
    raw = read_coding_folder(study.paths.codings, root=study.root, canonical=canonical,
                             segment_transcripts=transcript_of, coder_names=names,
                             transcript_names=transcript_names(study),
                             code_guids=code_guids(codebook),
                             pseudonyms=frozenset(study.speaker_ids()), cache=cache)
    if suggestions is not None:
        _accepted(raw, suggestions, transcript_of)
    codings = check_codings(*raw.tables(), raw.reviewed, segments, codebook,
                            coders={c.id for c in study.coders},
                            lengths={tid: len(text) for tid, text in canonical.items()},
                            span_share=study.span_share, sheets=raw.sheets,
                            pseudonyms=study.speaker_ids(), renamed=raw.renamed,
                            unfinished=raw.unfinished)
    uncovered = uncovered_spans(codings.spans, segments, share=study.span_share)
    if uncovered:
        warnings.warn(uncovered_message(uncovered), QualcodeWarning, stacklevel=2)
    return codings


def transcript_names(study: Study) -> dict[str, str]:
    """Folded group ids and transcript file names (without extension) -> group id."""
    names = {fold(g.transcript.stem): g.id for g in study.groups}
    return names | {fold(g.id): g.id for g in study.groups}


def workbook_path(study: Study, kind: Kind) -> Path:
    """Where people type decisions of ``kind``: ``codings/decisions/<workbook>``."""
    return study.paths.decisions / kind.workbook


def read_typed(study: Study, kind: Kind, read_record: Callable[[Path], pd.DataFrame],
               read_workbook: Callable[[Path], pd.DataFrame],
               check: Callable[[pd.DataFrame, Path], None] | None = None) -> Typed:
    """The decisions of ``kind``: its record, with what was typed in its workbook (and in the
    workbook an earlier version made in ``analyses/``, read so that nothing typed there is
    lost). ``check(table, path)`` refuses a bad row of any of them, naming it."""
    recorded = read_record(study.paths.codings / kind.record)
    tables = [(recorded, study.paths.codings / kind.record)]
    legacy = study.paths.analyses / kind.workbook
    if legacy.is_file():
        tables.append((read_workbook(legacy), legacy))
        warnings.warn(f"{ANALYSES}/{kind.workbook} (where earlier versions made it) was read: "
                      f"its decisions are recorded in {CODINGS}/{kind.record}; type them in "
                      f"{CODINGS}/{DECISIONS_FOLDER}/{kind.workbook} from now on and delete "
                      "the old one", QualcodeWarning, stacklevel=2)
    path = workbook_path(study, kind)
    listed = read_workbook(path) if path.is_file() else None
    if listed is not None:
        tables.append((listed, path))
    if check is not None:
        for table, where in tables:
            check(table, where)
    return Typed(kind, recorded, listed, merge_typed(recorded, [t for t, _ in tables[1:]],
                                                     keys=kind.keys, filled=kind.filled))


def reviewed_suggestions(study: Study) -> tuple[pd.DataFrame, Typed]:
    """``codings/suggest.csv`` with the review typed in ``codings/decisions/suggestions.xlsx``
    (a typed cell replaces the one recorded; an empty cell changes nothing), and the review
    itself. Every decision names a coder of ``study.yaml`` and a suggestion of
    ``suggest.csv``."""
    kept = read_kept_suggestions(study.paths.suggestions)
    coders = {c.id for c in study.coders}
    keys = set(zip(kept[S.SEGMENT_ID], kept[S.CODE_ID], strict=True))

    def check(table: pd.DataFrame, path: Path) -> None:
        for row in table[table["decision"] != ""].itertuples(index=False):
            if row.reviewed_by not in coders:
                raise CodingError(f"reviewed_by '{row.reviewed_by}' is not a coder of "
                                  f"study.yaml ({', '.join(sorted(coders)) or 'none declared'})"
                                  "; choose one", path=path, line=row.location)
            if (row.segment_id, row.code_id) not in keys:
                raise CodingError(f"{row.segment_id} {row.code_id} is not a suggestion of "
                                  f"{CODINGS}/{SUGGESTIONS_FILE}; run 'qualcode suggest' to "
                                  "make the sheet again", path=path, line=row.location)

    review = read_typed(study, REVIEW, read_kept_suggestions, read_review_sheet, check)
    return with_review(kept, review.merged), review


def with_review(kept: pd.DataFrame, decided: pd.DataFrame) -> pd.DataFrame:
    """The suggestions ``kept`` with the review ``decided`` (one row per reviewed suggestion)
    in their ``decision`` and ``reviewed_by`` columns."""
    decided = decided.set_index(list(REVIEW.keys))
    at = pd.MultiIndex.from_frame(kept[list(REVIEW.keys)])
    return kept.assign(**{column: decided[column].reindex(at).fillna("").to_numpy()
                          for column in REVIEW.filled}) if len(kept) else kept


def _accepted(raw: RawCodings, suggestions: pd.DataFrame, transcripts: dict[str, str]) -> None:
    """Add the accepted suggestions to ``raw`` as their reviewer's codings; the reviewer has
    reviewed the transcripts of every suggestion they decided on."""
    source = str(Path(CODINGS) / SUGGESTIONS_FILE)
    for row in suggestions[suggestions["decision"] != ""].itertuples(index=False):
        raw.reviewed.add((row.reviewed_by, transcripts.get(row.segment_id, "")))
        raw.texts.append((row.segment_id, row.text, source, row.location))
        if row.decision == "accept":
            raw.segments.append((row.reviewed_by, row.segment_id, row.code_id, source,
                                 row.location))


def add_consensus(codings: Codings, segments: pd.DataFrame, decisions: pd.DataFrame, *,
                  source: str) -> tuple[Codings, pd.DataFrame]:
    """``codings`` with the consensus coder's rows, and the decisions' audit log."""
    consensus, log = build_consensus(codings, segments, decisions, source=source)
    both = pd.concat([human_codings(codings.codings), consensus], ignore_index=True)
    return replace(codings, codings=both.sort_values(list(S.CODING_COLUMNS[:3]),
                                                     kind="stable", ignore_index=True)), log


def coding_stage_if_any(study: Study, imported: ImportResult, codebook: Codebook, *,
                        cache: Cache | None = None) -> CodingStage | None:
    """:func:`coding_stage`, or None when ``codings/`` holds no coder's file yet."""
    if not coding_files(study.paths.codings):
        return None
    return coding_stage(study, imported, codebook, cache=cache)


def typed_decisions(study: Study) -> Typed:
    """The consensus decisions: ``codings/consensus.csv`` with what was typed in
    ``codings/decisions/disagreements.xlsx``."""
    return read_typed(study, CONSENSUS, read_decisions, read_disagreements)


def coded(study: Study, imported: ImportResult, codebook: Codebook, *,
          cache: Cache | None = None) -> tuple[Codings, pd.DataFrame, Typed]:
    """Every coder's codings with the suggestions they accepted (see
    :func:`reviewed_suggestions`), the suggestions and their review: what the disagreements
    are found in, before any consensus decision."""
    suggestions, review = reviewed_suggestions(study)
    return (collect_codings(study, imported, codebook, suggestions, cache=cache), suggestions,
            review)


def coding_stage(study: Study, imported: ImportResult, codebook: Codebook, *,
                 cache: Cache | None = None) -> CodingStage:
    """Collect the codings and, when the decisions (recorded or typed) decide every
    disagreement, the consensus. An incomplete consensus is not an error here: the status
    says so."""
    codings, suggestions, review = coded(study, imported, codebook, cache=cache)
    differ = disagreements(codings, imported.segments)
    decisions = typed_decisions(study)
    found = dict(suggestions=suggestions, decisions=decisions, review=review)
    if decisions.merged.empty and decisions.recorded.empty and decisions.listed is None:
        return CodingStage(codings, differ, None, "no consensus yet (codings/decisions/"
                           "disagreements.xlsx): later stages use the union of the coders",
                           **found)
    try:
        with_consensus, log = add_consensus(codings, imported.segments, decisions.merged,
                                            source=str(Path(CODINGS) / DECISIONS_FILE))
    except UndecidedError as error:
        return CodingStage(codings, differ, None, f"consensus incomplete ({error.undecided} "
                           "disagreements undecided): later stages use the union of the coders",
                           **found)
    return CodingStage(with_consensus, differ, log, "consensus complete: later stages use it",
                       **found)
