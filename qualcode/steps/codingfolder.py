"""Read every coder's files in a study's ``codings/`` folder, as they are written.

The result is raw: code ids or labels as typed, segment ids and spans as given, each with its
file and place. :mod:`qualcode.coding` checks them against the segments and the codebook.

Every file that may be a coder's work is read or refused, never skipped: sheets (``.xlsx``,
``.xlsm``, LibreOffice's ``.ods``), CSV, Word files with comments and REFI-QDA projects are
read; formats qualcode cannot read but a coder may have saved to (``.xls``, ``.doc``...) are
refused with how to save them; any other file is named in a warning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qualcode.errors import CodingError, QualcodeWarning
from qualcode.fingerprint import file_digest, fingerprint, source_fingerprint
from qualcode.io.cache import Cache
from qualcode.io.codings import read_coding_csv
from qualcode.io.sheets import SheetCoding, read_sheet
from qualcode.io.worddocs import read_comments
from qualcode.paths import (
    BACKUPS_FOLDER,
    CONFIRMATIONS_FILE,
    DECISIONS_FILE,
    DECISIONS_FOLDER,
    SUGGESTIONS_FILE,
)

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
    sheets: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    """``(coder, source, segment ids)`` of each sheet: its rows, to find those deleted."""
    renamed: set[str] = field(default_factory=set)
    taken: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    """``(coder, transcript) -> (workspace file, done)``: transcripts coded in the browser."""
    unfinished: set[tuple[str, str]] = field(default_factory=set)
    """``(coder, transcript)`` coded in the browser and not marked done: not reviewed yet."""

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return (pd.DataFrame(self.segments, columns=list(RAW_SEGMENT_COLUMNS)),
                pd.DataFrame(self.spans, columns=list(RAW_SPAN_COLUMNS)),
                pd.DataFrame(self.texts, columns=list(RAW_TEXT_COLUMNS)))


SHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
READ = (*SHEET_SUFFIXES, ".csv", ".docx", ".qdpx")
# Formats a coder may have saved their work to, which qualcode cannot read: how to fix.
REFUSED = {
    ".xls": "an old Excel .xls file; open it in Excel or LibreOffice and save it as .xlsx",
    ".xlsb": "a binary Excel .xlsb file; open it in Excel and save it as .xlsx",
    ".numbers": "a Numbers file; export it as Excel .xlsx",
    ".fods": "a flat OpenDocument file; save it in LibreOffice as .ods or .xlsx",
    ".doc": "an old Word .doc file; open it in Word or LibreOffice and save it as .docx",
    ".odt": "an OpenDocument text; save it in LibreOffice as Word .docx",
    ".rtf": "an RTF file; open it in Word or LibreOffice and save it as .docx",
    ".tsv": "a tab-separated file; save it as CSV (comma or semicolon)",
    ".qde": "a bare REFI-QDA project; export the project as .qdpx (with its sources)",
    ".nvp": "an NVivo project; export it as a REFI-QDA project (.qdpx)",
    ".nvpx": "an NVivo project; export it as a REFI-QDA project (.qdpx)",
    ".atlproj": "an ATLAS.ti project; export it as a REFI-QDA project (.qdpx)",
    ".mx24": "a MAXQDA project; export it as a REFI-QDA project (.qdpx)",
}


def coding_files(folder: Path) -> list[Path]:
    """The coders' files under ``folder``, to read (:data:`READ`) or to refuse
    (:data:`REFUSED`), without editors' lock files, hidden files, the consensus decisions,
    the convergence confirmations, the machine coder's suggestions (whose accepted rows are
    read apart, as their reviewer's codings), the decision workbooks of ``decisions/`` and
    the replaced sheets of ``backups/``."""
    return [path for path in _files(folder) if path.suffix.lower() in (*READ, *REFUSED)]


def other_files(folder: Path) -> list[Path]:
    """The files under ``folder`` that qualcode neither reads nor refuses (notes, PDFs...)."""
    return [path for path in _files(folder) if path.suffix.lower() not in (*READ, *REFUSED)]


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*")
                  if path.is_file()
                  and not path.name.startswith(("~$", ".~lock", "."))
                  and not any(part.startswith(".") for part in
                              path.relative_to(folder).parts[:-1])
                  and path.relative_to(folder).parts[0] not in (DECISIONS_FOLDER,
                                                                BACKUPS_FOLDER)
                  and path.relative_to(folder) not in (Path(DECISIONS_FILE),
                                                       Path(CONFIRMATIONS_FILE),
                                                       Path(SUGGESTIONS_FILE)))


def read_coding_folder(folder: Path, *, root: Path, canonical: dict[str, str],
                       segment_transcripts: dict[str, str], coder_names: dict[str, str],
                       transcript_names: dict[str, str],
                       code_guids: dict[str, str], pseudonyms: frozenset[str] = frozenset(),
                       cache: Cache | None = None) -> RawCodings:
    """Read all coding files; ``coder_names`` maps a coder's id and name (folded) to its id,
    for Word comment authors and REFI-QDA users; ``transcript_names`` maps folded group ids
    and transcript file names to transcript ids, and ``code_guids`` the GUIDs of exported
    codes to their ids, for REFI-QDA projects; Word files whose text differs only by names
    now replaced by ``pseudonyms`` are realigned; ``cache`` keeps what each workbook held,
    by its bytes (reading workbooks is most of the time collecting takes)."""
    raw = RawCodings()
    others = [str(path.relative_to(root)) for path in other_files(folder)]
    if others:
        warnings.warn(f"not read, as not a coding file ({', '.join(READ)}): "
                      f"{', '.join(others)}; move it out of codings/ if it is not a coder's "
                      "work, or save it in one of these formats", QualcodeWarning,
                      stacklevel=2)
    for path in coding_files(folder):
        source = str(path.relative_to(root))
        suffix = path.suffix.lower()
        if suffix in REFUSED:
            raise CodingError(f"not read: {REFUSED[suffix]}", path=path)
        if suffix in SHEET_SUFFIXES:
            _sheet(raw, path, source, segment_transcripts, cache)
        elif suffix == ".csv":
            _csv(raw, path, source, segment_transcripts)
        elif suffix == ".qdpx":
            _qdpx(raw, path, source, canonical, coder_names, transcript_names, code_guids)
        else:
            _docx(raw, path, source, canonical, coder_names, pseudonyms)
    _take_over(raw, segment_transcripts)
    return raw


def _sheet(raw: RawCodings, path: Path, source: str, segment_transcripts,
           cache: Cache | None) -> None:
    coder, texts, codings, _ = read_sheet(path) if cache is None else cache.value(
        "sheet", fingerprint(source_fingerprint(), file_digest(path)), lambda: read_sheet(path),
        encode=_sheet_json, decode=_json_sheet)
    coder = coder or path.stem
    raw.sheets.append((coder, source, frozenset(texts)))
    for segment_id, (row, text) in texts.items():
        raw.texts.append((segment_id, text, source, f"row {row}"))
        raw.reviewed.add((coder, segment_transcripts.get(segment_id, "")))
    for coding in codings:
        raw.segments.append((coder, coding.segment_id, coding.code_id, source,
                             f"row {coding.row}"))


def _sheet_json(sheet) -> list:
    """What :func:`read_sheet` returned, as JSON (see :func:`_json_sheet`)."""
    coder, texts, codings, notes = sheet
    return [coder, [[segment, row, text] for segment, (row, text) in texts.items()],
            [[c.segment_id, c.code_id, c.row] for c in codings], list(notes.items())]


def _json_sheet(stored: list):
    """The value :func:`_sheet_json` stored (the cache checks it by its fingerprint)."""
    coder, texts, codings, notes = stored
    return (coder, {segment: (row, text) for segment, row, text in texts},
            [SheetCoding(*coding) for coding in codings], dict(notes))


def _csv(raw: RawCodings, path: Path, source: str, segment_transcripts) -> None:
    form, table = read_coding_csv(path)
    if form == "workspace":
        _workspace(raw, table, source)
        return
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


def _workspace(raw: RawCodings, table, source: str) -> None:
    """A coder's browser workspace: its codes and passages, and the transcripts it holds,
    which it takes over from the coder's other files (:func:`_take_over`)."""
    for record in table.to_dict("records"):
        key, location = (record["coder"], record["transcript_id"]), record["row"]
        done = raw.taken.get(key, (source, False))[1] or record["record"] == "done"
        raw.taken[key] = (source, done)
        if record["record"] == "code":
            raw.segments.append((key[0], record["segment_id"], record["code_id"], source,
                                 location))
        elif record["record"] == "span":
            raw.spans.append((*key, int(record["start"]), int(record["end"]),
                              record["code_id"], source, location))
        if record["record"] in ("code", "note") and record["text"]:
            raw.texts.append((record["segment_id"], record["text"], source, location))


def _take_over(raw: RawCodings, segment_transcripts: dict[str, str]) -> None:
    """A transcript in a coder's browser workspace is read from the workspace alone: the
    coder's codings of it in other files (seeded into the workspace when the coder began
    there) are left out, with a warning naming them; it is reviewed when marked done."""
    if not raw.taken:
        return

    def other(coder: str, transcript: str, source: str) -> bool:
        return raw.taken.get((coder, transcript), (source,))[0] != source

    left = set()
    for name, rows, transcript_of in (("segments", raw.segments, lambda r: segment_transcripts
                                       .get(r[1], "")), ("spans", raw.spans, lambda r: r[1])):
        kept = [row for row in rows if not other(row[0], transcript_of(row), row[-2])]
        left |= {(row[0], transcript_of(row), row[-2]) for row in rows
                 if other(row[0], transcript_of(row), row[-2])}
        setattr(raw, name, kept)
    raw.sheets = [(coder, source, frozenset(s for s in rows if not other(
        coder, segment_transcripts.get(s, ""), source))) for coder, source, rows in raw.sheets]
    for (coder, transcript), (_, done) in raw.taken.items():
        raw.reviewed.discard((coder, transcript))
        (raw.reviewed if done else raw.unfinished).add((coder, transcript))
    if left:
        named = "; ".join(f"{coder} on {transcript} in {source}"
                          for coder, transcript, source in sorted(left))
        warnings.warn(f"codings read from the browser workspace instead, where the coder went "
                      f"on coding (codings/browser/): {named}", QualcodeWarning, stacklevel=3)
    unfinished = ", ".join(f"{c} on {t}" for c, t in sorted(raw.unfinished))
    if unfinished:
        warnings.warn(f"not marked done in the browser, so not counted in agreement yet: "
                      f"{unfinished}", QualcodeWarning, stacklevel=3)


def _docx(raw: RawCodings, path: Path, source: str, canonical, coder_names, pseudonyms
          ) -> None:
    from qualcode.text import fold

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
    from qualcode.interchange import place_codings
    from qualcode.io.refiqda import read_project
    from qualcode.text import fold

    imported = place_codings(read_project(path), canonical, transcript_names,
                             code_guids=code_guids,
                             coder_of=lambda name: coder_names.get(fold(name.strip())),
                             default_coder=path.stem, path=path)
    raw.reviewed |= imported.reviewed
    for row in imported.spans.itertuples(index=False):
        raw.spans.append((row.coder, row.transcript_id, row.start, row.end, row.code, source,
                          row.location))
