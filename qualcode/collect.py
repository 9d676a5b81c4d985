"""The coding stage for a study: read ``codings/``, check it, add the consensus."""

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
from qualcode.corpus import fold
from qualcode.errors import UndecidedError
from qualcode.imports import ImportResult
from qualcode.io.codingfolder import DECISIONS_FILE, read_coding_folder
from qualcode.io.decisions import read_decisions
from qualcode.study import Study

CODINGS = "codings"


@dataclass(frozen=True, slots=True)
class CodingStage:
    """The checked codings (with the consensus rows when the consensus is complete), where
    the coders differ, the consensus audit log, and a sentence on the consensus' state for
    the reports."""

    codings: Codings
    disagreements: pd.DataFrame
    log: pd.DataFrame | None
    consensus_status: str


def collect_codings(study: Study, imported: ImportResult, codebook: Codebook) -> Codings:
    """Every coder's codings in ``study/codings``, checked against segments and codebook."""
    segments = imported.segments
    names = {fold(c.id): c.id for c in study.coders}
    names |= {fold(c.name): c.id for c in study.coders if c.name}
    canonical = {t.id: t.text for t in imported.transcripts}
    raw = read_coding_folder(study.root / CODINGS, root=study.root, canonical=canonical,
                             segment_transcripts=dict(zip(segments[S.SEGMENT_ID],
                                                          segments[S.TRANSCRIPT_ID],
                                                          strict=True)),
                             coder_names=names)
    return check_codings(*raw.tables(), raw.reviewed, segments, codebook,
                         coders={c.id for c in study.coders},
                         lengths={tid: len(text) for tid, text in canonical.items()},
                         span_share=study.span_share)


def add_consensus(codings: Codings, segments: pd.DataFrame, decisions: pd.DataFrame, *,
                  source: str) -> tuple[Codings, pd.DataFrame]:
    """``codings`` with the consensus coder's rows, and the decisions' audit log."""
    consensus, log = build_consensus(codings, segments, decisions, source=source)
    both = pd.concat([human_codings(codings.codings), consensus], ignore_index=True)
    return replace(codings, codings=both.sort_values(list(S.CODING_COLUMNS[:3]),
                                                     kind="stable", ignore_index=True)), log


def coding_stage(study: Study, imported: ImportResult, codebook: Codebook) -> CodingStage:
    """Collect the codings and, when ``codings/consensus.csv`` decides every disagreement,
    the consensus. An incomplete consensus is not an error here: the status says so."""
    codings = collect_codings(study, imported, codebook)
    differ = disagreements(codings, imported.segments)
    path = study.root / CODINGS / DECISIONS_FILE
    if not path.is_file():
        return CodingStage(codings, differ, None, "no consensus yet (codings/consensus.csv): "
                           "later stages use the union of the coders")
    try:
        with_consensus, log = add_consensus(codings, imported.segments, read_decisions(path),
                                            source=str(Path(CODINGS) / DECISIONS_FILE))
    except UndecidedError as error:
        undecided = error.message.partition(" ")[0]
        return CodingStage(codings, differ, None, f"consensus incomplete ({undecided} "
                           "disagreements undecided): later stages use the union of the coders")
    return CodingStage(with_consensus, differ, log, "consensus complete: later stages use it")
