"""Read every coder's files in a study's ``codings/`` folder, as they are written.

The result is raw: code ids or labels as typed, segment ids and spans as given, each with its
file and place. :mod:`qualcode.coding` checks them against the segments and the codebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qualcode.errors import CodingError
from qualcode.io.codings import read_coding_csv
from qualcode.io.sheets import read_sheet
from qualcode.io.suggestions import SUGGESTIONS_FILE
from qualcode.io.worddocs import read_comments

DECISIONS_FILE = "consensus.csv"
CONFIRMATIONS_FILE = "convergence.csv"
DECISIONS_FOLDER = "decisions"
"""``codings/decisions/``: the workbooks people type decisions into (not coding files)."""
BACKUPS_FOLDER = "backups"
"""``codings/backups/``: coding sheets replaced by ``qualcode sheet`` (not read)."""
RAW_SEGMENT_COLUMNS = ("coder", "segment_id", "code", "source", "location")
RAW_TEXT_COLUMNS = ("segment_id", "text", "source", "location")
RAW_SPAN_COLUMNS = ("coder", "transcript_id", "start", "end", "code", "source", "location")


@dataclass
class RawCodings:
    """What the coding files say: codes on segments, codes on spans, the segment texts the
    files show (to detect drift), and which transcripts each coder reviewed (a coder who left
    a segment blank says that no code applies to it), and the files whose text differed only
    by names now pseudonymised (Word files, realigned)."""

    segments: list[tuple] = field(default_factory=list)
    spans: list[tuple] = field(default_factory=list)
    texts: list[tuple] = field(default_factory=list)
    reviewed: set[tuple[str, str]] = field(default_factory=set)
    renamed: set[str] = field(default_factory=set)

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return (pd.DataFrame(self.segments, columns=list(RAW_SEGMENT_COLUMNS)),
                pd.DataFrame(self.spans, columns=list(RAW_SPAN_COLUMNS)),
                pd.DataFrame(self.texts, columns=list(RAW_TEXT_COLUMNS)))


def coding_files(folder: Path) -> list[Path]:
    """The coders' files under ``folder`` (xlsx, csv, docx, qdpx), without editors' lock files,
    the consensus decisions, the convergence confirmations, the machine coder's suggestions
    (whose accepted rows are read apart, as their reviewer's codings), the decision workbooks
    of ``decisions/`` and the replaced sheets of ``backups/``."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*")
                  if path.is_file()
                  and path.suffix.lower() in (".xlsx", ".csv", ".docx", ".qdpx")
                  and not path.name.startswith(("~$", ".~lock", "."))
                  and path.relative_to(folder).parts[0] not in (DECISIONS_FOLDER,
                                                                BACKUPS_FOLDER)
                  and path.relative_to(folder) not in (Path(DECISIONS_FILE),
                                                       Path(CONFIRMATIONS_FILE),
                                                       Path(SUGGESTIONS_FILE)))


def read_coding_folder(folder: Path, *, root: Path, canonical: dict[str, str],
                       segment_transcripts: dict[str, str], coder_names: dict[str, str],
                       transcript_names: dict[str, str],
                       code_guids: dict[str, str], pseudonyms: frozenset[str] = frozenset()
                       ) -> RawCodings:
    """Read all coding files; ``coder_names`` maps a coder's id and name (folded) to its id,
    for Word comment authors and REFI-QDA users; ``transcript_names`` maps folded group ids
    and transcript file names to transcript ids, and ``code_guids`` the GUIDs of exported
    codes to their ids, for REFI-QDA projects; Word files whose text differs only by names
    now replaced by ``pseudonyms`` are realigned."""
    raw = RawCodings()
    for path in coding_files(folder):
        source = str(path.relative_to(root))
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            _sheet(raw, path, source, segment_transcripts)
        elif suffix == ".csv":
            _csv(raw, path, source, segment_transcripts)
        elif suffix == ".qdpx":
            _qdpx(raw, path, source, canonical, coder_names, transcript_names, code_guids)
        else:
            _docx(raw, path, source, canonical, coder_names, pseudonyms)
    return raw


def _sheet(raw: RawCodings, path: Path, source: str, segment_transcripts) -> None:
    coder, texts, codings, _ = read_sheet(path)
    coder = coder or path.stem
    for segment_id, (row, text) in texts.items():
        raw.texts.append((segment_id, text, source, f"row {row}"))
        raw.reviewed.add((coder, segment_transcripts.get(segment_id, "")))
    for coding in codings:
        raw.segments.append((coder, coding.segment_id, coding.code_id, source,
                             f"row {coding.row}"))


def _csv(raw: RawCodings, path: Path, source: str, segment_transcripts) -> None:
    form, table = read_coding_csv(path)
    for record in table.to_dict("records"):
        location = record["row"]
        if form == "span":
            raw.spans.append((record["coder"], record["transcript_id"], record["start"],
                              record["end"], record["code_id"], source, location))
            raw.reviewed.add((record["coder"], record["transcript_id"]))
        else:
            raw.segments.append((record["coder"], record["segment_id"], record["code_id"],
                                 source, location))
            if record.get("text") is not None:
                raw.texts.append((record["segment_id"], record["text"], source, location))
            raw.reviewed.add((record["coder"],
                              segment_transcripts.get(record["segment_id"], "")))


def _docx(raw: RawCodings, path: Path, source: str, canonical, coder_names, pseudonyms
          ) -> None:
    from qualcode.corpus import fold

    transcript_id, comments, renamed = read_comments(path, canonical, pseudonyms)
    if renamed:
        raw.renamed.add(source)
    for comment in comments:
        coder = coder_names.get(fold(comment.author.strip()))
        if coder is None:
            raise CodingError(f"comment author '{comment.author}' is not a coder of "
                              "study.yaml; add it under coders (id or name), or set your "
                              "name in Word's options before commenting", path=path,
                              line=f"comment {comment.comment_id}")
        raw.reviewed.add((coder, transcript_id))
        for code in comment.text.replace(";", ",").replace("\n", ",").split(","):
            if code.strip():
                raw.spans.append((coder, transcript_id, comment.start, comment.end,
                                  code.strip(), source, f"comment {comment.comment_id}"))


def _qdpx(raw: RawCodings, path: Path, source: str, canonical, coder_names, transcript_names,
          code_guids) -> None:
    from qualcode.corpus import fold
    from qualcode.interchange import code_names, match_sources, project_spans
    from qualcode.io.refiqda import read_project

    project = read_project(path)
    imported = project_spans(project, match_sources(project, canonical, transcript_names,
                                                    path=path),
                             code_names=code_names(project.codes, code_guids),
                             coder_of=lambda name: coder_names.get(fold(name.strip())),
                             default_coder=path.stem, path=path)
    imported.check(path)
    raw.reviewed |= imported.reviewed
    for row in imported.spans.itertuples(index=False):
        raw.spans.append((row.coder, row.transcript_id, row.start, row.end, row.code, source,
                          row.location))
