"""``run()``: every stage that exists, for one study, into its ``analyses/`` folder.

Everything is computed first and written last, each file atomically, so a failure leaves the
previous outputs as they were. Later stages (coding, agreement, triangulation, checklist)
plug in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.codebook import Codebook, load_codebook
from qualcode.imports import ImportResult, Progress, import_study
from qualcode.report.codebook import codebook_markdown, write_codebook_docx
from qualcode.report.files import write_csv, write_text
from qualcode.study import Study, load_study

ANALYSES = "analyses"


@dataclass(frozen=True, slots=True)
class RunResult:
    study: Study
    codebook: Codebook
    imported: ImportResult
    written: tuple[Path, ...]


def write_import(imported: ImportResult, analyses: Path) -> list[Path]:
    """``segments.csv``, ``import.csv`` and each canonical transcript as text."""
    written = [write_csv(analyses / "segments.csv", imported.segments),
               write_csv(analyses / "import.csv", imported.summary)]
    for transcript in imported.transcripts:
        written.append(write_text(analyses / "transcripts" / f"{transcript.id}.txt",
                                  transcript.text))
    return written


def run(root: Path = Path("."), *, progress: Progress | None = None) -> RunResult:
    """Import the study at ``root`` and write the analysis into ``root/analyses``."""
    return run_study(load_study(root), progress=progress)


def run_study(study: Study, *, progress: Progress | None = None) -> RunResult:
    """Every stage for an already loaded study; see :func:`run`."""
    codebook = load_codebook(study.codebook)
    imported = import_study(study, progress=progress)
    analyses = study.root / ANALYSES
    written = write_import(imported, analyses)
    written.append(write_text(analyses / "codebook.md",
                              codebook_markdown(codebook, language=study.language)))
    written.append(write_codebook_docx(codebook, analyses / "codebook.docx",
                                       language=study.language))
    return RunResult(study, codebook, imported, tuple(written))


def code_counts(analyses: Path) -> pd.Series | None:
    """Segments per code in ``analyses/codings.csv``, once codings have been collected."""
    path = analyses / "codings.csv"
    if not path.is_file():
        return None
    codings = pd.read_csv(path, dtype=str)
    return codings.groupby("code_id")["segment_id"].nunique()
