"""The coding steps: blank coding sheets, Word transcripts to code with comments, collecting
every coder's files, the disagreements workbook and the consensus.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from qualcode.codebook import Codebook
from qualcode.coding import human_codings, summarise_coders
from qualcode.collect import (
    ANALYSES,
    CODINGS,
    REVIEW_FILE,
    CodingStage,
    add_consensus,
    coding_stage,
)
from qualcode.errors import QualcodeError
from qualcode.io.codingfolder import DECISIONS_FILE
from qualcode.io.decisions import (
    read_decisions,
    read_disagreements,
    write_decisions,
    write_disagreements,
)
from qualcode.io.files import write_csv
from qualcode.io.sheets import sheet_segments, write_sheet
from qualcode.io.suggestions import SUGGESTIONS_FILE, write_kept_suggestions
from qualcode.io.worddocs import write_transcript_docx
from qualcode.steps.transcripts import prepare
from qualcode.study import Study

DISAGREEMENTS = "disagreements.xlsx"


def write_coding(stage: CodingStage, study: Study, codebook: Codebook, *,
                 into: Path | None = None) -> list[Path]:
    """``codings.csv``, ``spans.csv``, ``coders.csv``, the disagreements workbook (with the
    decisions already taken) and, with a consensus, ``consensus-log.csv``; ``disagreements.xlsx``
    comes second, after ``codings.csv``. ``into``: the folder (default: ``analyses/``)."""
    analyses = into or study.root / ANALYSES
    humans = human_codings(stage.codings.codings)
    labels = {code.id: codebook.text(code.label, study.language) for code in codebook.codes}
    written = [write_csv(analyses / "codings.csv", stage.codings.codings),
               write_csv(analyses / "spans.csv", stage.codings.spans),
               write_csv(analyses / "coders.csv", summarise_coders(humans, codebook))]
    decisions = read_decisions(study.root / CODINGS / DECISIONS_FILE)
    write_disagreements(analyses / DISAGREEMENTS, stage.disagreements, decisions, labels)
    written.append(analyses / DISAGREEMENTS)
    if stage.log is not None:
        written.append(write_csv(analyses / "consensus-log.csv", stage.log))
    if (study.root / ANALYSES / REVIEW_FILE).is_file() and stage.suggestions is not None \
            and not stage.suggestions.empty:  # keep the review's decisions with the codings
        written.append(write_kept_suggestions(study.root / CODINGS / SUGGESTIONS_FILE,
                                              stage.suggestions))
    return written


def make_sheet(study: Study, coder: str, *, force: bool = False) -> Path:
    """A blank coding sheet for ``coder`` in ``codings/sheets/<coder>.xlsx``."""
    if coder not in {c.id for c in study.coders}:
        raise QualcodeError(f"'{coder}' is not a coder of study.yaml; add it under 'coders' "
                            "(- {id: " + coder + "})", path=study.root / "study.yaml")
    path = study.root / CODINGS / "sheets" / f"{coder}.xlsx"
    if path.exists() and not force:
        raise QualcodeError("exists already (it may hold codes); pass --force to replace it "
                            "with a blank sheet", path=path)
    codebook, imported = prepare(study)
    write_sheet(path, sheet_segments(imported.segments), codebook, coder=coder,
                language=study.language)
    return path


def export_docx(study: Study) -> list[Path]:
    """Each pseudonymised transcript as Word, for coding with comments, in
    ``analyses/word/``."""
    _, imported = prepare(study)
    paths = []
    for transcript in imported.transcripts:
        path = study.root / ANALYSES / "word" / f"{transcript.id}.docx"
        write_transcript_docx(path, transcript.id, transcript.text,
                              title=f"{study.title} — {transcript.id}",
                              language=study.language)
        paths.append(path)
    return paths


def collect(study: Study) -> tuple[CodingStage, list[Path]]:
    """Read every coder's files and write the coding tables."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    return stage, write_coding(stage, study, codebook)


def decide_consensus(study: Study) -> tuple[pd.DataFrame, list[Path]]:
    """Read the filled disagreements workbook, check that every disagreement is decided, keep
    the decisions in ``codings/consensus.csv`` and write the consensus and its log."""
    workbook = study.root / ANALYSES / DISAGREEMENTS
    if not workbook.is_file():
        raise QualcodeError("not found; run 'qualcode disagreements' and fill it in first",
                            path=workbook)
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    decisions = read_disagreements(workbook)
    codings, log = add_consensus(stage.codings, imported.segments, decisions,
                                 source=str(Path(CODINGS) / DECISIONS_FILE))
    decided = replace(stage, codings=codings, log=log, consensus_status="consensus complete")
    written = [write_decisions(study.root / CODINGS / DECISIONS_FILE, decisions)]
    return log, written + write_coding(decided, study, codebook)


def code_counts(analyses: Path) -> pd.Series | None:
    """Segments per code in ``analyses/codings.csv``, once codings have been collected."""
    path = analyses / "codings.csv"
    if not path.is_file():
        return None
    codings = pd.read_csv(path, dtype=str)
    return codings.groupby("code_id")["segment_id"].nunique()

