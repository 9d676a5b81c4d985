"""The coding stage for a study: read ``codings/``, check it, add the consensus.

Suggestions of the machine coder (``codings/suggest.csv``) are never codings by themselves:
only those a coder accepted (in ``analyses/suggestions.xlsx``, or kept in ``suggest.csv``)
are read, as that coder's codings, with ``codings/suggest.csv`` as their source.
"""

from __future__ import annotations

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
)
from qualcode.errors import CodingError, UndecidedError
from qualcode.imports import ImportResult
from qualcode.interchange import code_guids
from qualcode.io.codingfolder import (
    DECISIONS_FILE,
    RawCodings,
    coding_files,
    read_coding_folder,
)
from qualcode.io.decisions import read_decisions
from qualcode.io.suggestions import (
    SUGGESTIONS_FILE,
    read_kept_suggestions,
    read_review_sheet,
)
from qualcode.study import Study
from qualcode.text import fold

CODINGS = "codings"
ANALYSES = "analyses"
REVIEW_FILE = "suggestions.xlsx"


@dataclass(frozen=True, slots=True)
class CodingStage:
    """The checked codings (with the consensus rows when the consensus is complete), where
    the coders differ, the consensus audit log, a sentence on the consensus' state for the
    reports, and the machine coder's suggestions with their review (``codings/suggest.csv``
    with the decisions of ``analyses/suggestions.xlsx``)."""

    codings: Codings
    disagreements: pd.DataFrame
    log: pd.DataFrame | None
    consensus_status: str
    suggestions: pd.DataFrame | None = None


def collect_codings(study: Study, imported: ImportResult, codebook: Codebook,
                    suggestions: pd.DataFrame | None = None) -> Codings:
    """Every coder's codings in ``study/codings``, checked against segments and codebook,
    with the ``suggestions`` their reviewer accepted (see :func:`reviewed_suggestions`)."""
    segments = imported.segments
    names = {fold(c.id): c.id for c in study.coders}
    names |= {fold(c.name): c.id for c in study.coders if c.name}
    transcript_of = dict(zip(segments[S.SEGMENT_ID], segments[S.TRANSCRIPT_ID], strict=True))
    canonical = {t.id: t.text for t in imported.transcripts}
    raw = read_coding_folder(study.root / CODINGS, root=study.root, canonical=canonical,
                             segment_transcripts=transcript_of, coder_names=names,
                             transcript_names=transcript_names(study),
                             code_guids=code_guids(codebook))
    if suggestions is not None:
        _accepted(raw, suggestions, transcript_of)
    return check_codings(*raw.tables(), raw.reviewed, segments, codebook,
                         coders={c.id for c in study.coders},
                         lengths={tid: len(text) for tid, text in canonical.items()},
                         span_share=study.span_share, sheets=raw.sheets)


def transcript_names(study: Study) -> dict[str, str]:
    """Folded group ids and transcript file names (without extension) -> group id."""
    names = {fold(g.transcript.stem): g.id for g in study.groups}
    return names | {fold(g.id): g.id for g in study.groups}


def reviewed_suggestions(study: Study) -> pd.DataFrame:
    """``codings/suggest.csv`` with the decisions filled in ``analyses/suggestions.xlsx``
    (a decision in the sheet replaces the one kept; an empty cell changes nothing). Every
    decision names a coder of ``study.yaml`` and a suggestion of ``suggest.csv``."""
    kept = read_kept_suggestions(study.root / CODINGS / SUGGESTIONS_FILE)
    sheet_path = study.root / ANALYSES / REVIEW_FILE
    coders = {c.id for c in study.coders}
    keys = kept.set_index([S.SEGMENT_ID, S.CODE_ID]).index
    for table, path in ((kept, study.root / CODINGS / SUGGESTIONS_FILE),
                        (read_review_sheet(sheet_path), sheet_path)):
        for row in table[table["decision"] != ""].itertuples(index=False):
            if row.reviewed_by not in coders:
                raise CodingError(f"reviewed_by '{row.reviewed_by}' is not a coder of "
                                  f"study.yaml ({', '.join(sorted(coders)) or 'none declared'})"
                                  "; choose one", path=path, line=row.location)
            if (row.segment_id, row.code_id) not in keys:
                raise CodingError(f"{row.segment_id} {row.code_id} is not a suggestion of "
                                  f"{CODINGS}/{SUGGESTIONS_FILE}; run 'qualcode suggest' to "
                                  "make the sheet again", path=path, line=row.location)
            at = keys.get_loc((row.segment_id, row.code_id))
            kept.loc[at, ["decision", "reviewed_by"]] = row.decision, row.reviewed_by
    return kept


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


def coding_stage_if_any(study: Study, imported: ImportResult, codebook: Codebook
                        ) -> CodingStage | None:
    """:func:`coding_stage`, or None when ``codings/`` holds no coder's file yet."""
    if not coding_files(study.root / CODINGS):
        return None
    return coding_stage(study, imported, codebook)


def coding_stage(study: Study, imported: ImportResult, codebook: Codebook) -> CodingStage:
    """Collect the codings and, when ``codings/consensus.csv`` decides every disagreement,
    the consensus. An incomplete consensus is not an error here: the status says so."""
    suggestions = reviewed_suggestions(study)
    codings = collect_codings(study, imported, codebook, suggestions)
    differ = disagreements(codings, imported.segments)
    path = study.root / CODINGS / DECISIONS_FILE
    if not path.is_file():
        return CodingStage(codings, differ, None, "no consensus yet (codings/consensus.csv): "
                           "later stages use the union of the coders", suggestions)
    try:
        with_consensus, log = add_consensus(codings, imported.segments, read_decisions(path),
                                            source=str(Path(CODINGS) / DECISIONS_FILE))
    except UndecidedError as error:
        undecided = error.message.partition(" ")[0]
        return CodingStage(codings, differ, None, f"consensus incomplete ({undecided} "
                           "disagreements undecided): later stages use the union of the coders",
                           suggestions)
    return CodingStage(with_consensus, differ, log, "consensus complete: later stages use it",
                       suggestions)
