"""The import step: the codebook and the imported transcripts every step starts from, and
the files of the import (``segments.csv``, ``import.csv``, the canonical transcripts).
"""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook import Codebook, load_codebook
from qualcode.corpus import Transcript
from qualcode.fingerprint import file_digest, fingerprint, source_fingerprint
from qualcode.io.cache import Cache, json_table, table_json
from qualcode.io.files import write_csv, write_text
from qualcode.steps.imports import ImportResult, Progress, import_study
from qualcode.study import Study, load_identities


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


def prepare(study: Study, *, progress: Progress | None = None, cache: Cache | None = None
            ) -> tuple[Codebook, ImportResult]:
    """The study's codebook and imported transcripts, which every step starts from. With a
    ``cache``, the import is reused while the study, ``identities.csv``, the transcripts'
    bytes and qualcode are the same."""
    codebook = load_codebook(study.codebook)
    if cache is None:
        return codebook, import_study(study, progress=progress)
    key = fingerprint(source_fingerprint(), study, load_identities(study),
                      [file_digest(g.transcript) if g.transcript.is_file() else None
                       for g in study.groups])
    imported = cache.value("import", key, lambda: import_study(study, progress=progress),
                           encode=_encode_import, decode=_decode_import)
    return codebook, imported


def _encode_import(imported: ImportResult) -> dict:
    return {"transcripts": [[t.id, t.group_id, t.site_id, t.text, t.turns]
                            for t in imported.transcripts],
            **{name: table_json(getattr(imported, name))
               for name in ("segments", "summary", "names")}}


def _decode_import(stored: dict) -> ImportResult:
    return ImportResult(
        tuple(Transcript(i, g, s, text, tuple(tuple(turn) for turn in turns))
              for i, g, s, text, turns in stored["transcripts"]),
        *(json_table(stored[name]) for name in ("segments", "summary", "names")))

