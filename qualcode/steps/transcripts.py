"""The import step: the codebook and the imported transcripts every step starts from, and
the files of the import (``segments.csv``, ``import.csv``, the canonical transcripts).
"""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook import Codebook, load_codebook
from qualcode.io.files import write_csv, write_text
from qualcode.steps.imports import ImportResult, Progress, import_study
from qualcode.study import Study


def write_import(imported: ImportResult, analyses: Path) -> list[Path]:
    """``segments.csv``, ``import.csv`` and each canonical transcript as text."""
    written = [write_csv(analyses / "segments.csv", imported.segments),
               write_csv(analyses / "import.csv", imported.summary)]
    for transcript in imported.transcripts:
        written.append(write_text(analyses / "transcripts" / f"{transcript.id}.txt",
                                  transcript.text))
    return written


def write_name_review(imported: ImportResult, study: Study) -> Path:
    """The researcher's private list of the names pseudonymisation replaced and the ordinary
    words it left for review, beside ``identities.csv`` (it holds real names: never under
    ``analyses/``, kept out of git like ``identities.csv``)."""
    return write_csv(study.paths.name_review, imported.names)


def prepare(study: Study, *, progress: Progress | None = None
            ) -> tuple[Codebook, ImportResult]:
    """The study's codebook and imported transcripts, which every step starts from."""
    return load_codebook(study.codebook), import_study(study, progress=progress)

