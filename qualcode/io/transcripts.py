"""Read transcript files (.txt, .md, .docx, .vtt, .srt) into lines, never modifying them.

Each reader returns a :class:`~qualcode.schema.SourceText`: the file's lines in order, each
with its location in the file, and the speaker when the format itself marks it. Speaker labels
written in the text (``Camille :``, ``[I3]``...) are detected later, by :mod:`qualcode.corpus`.

Control characters (NUL, ESC, the C0 and C1 ranges but tab and line ends) are not text: they
are removed, with one warning per file. In Word, a line break (Shift+Enter) starts a new line
as a paragraph does, and tracked changes are read as accepted (one warning per file).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
from dataclasses import replace
from pathlib import Path

from qualcode.errors import QualcodeWarning, TranscriptError
from qualcode.io.files import unreadable
from qualcode.io.office import open_docx
from qualcode.schema import SourceLine, SourceText

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")

# Sequences that UTF-8 text takes when it is wrongly decoded as Windows-1252: "é" -> "Ã©".
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|â€")


def read_transcript(path: Path) -> SourceText:
    """Read one transcript file into lines; the format follows the file's extension."""
    suffix = path.suffix.lower()
    if suffix not in TRANSCRIPT_SUFFIXES:
        hint = " (open it in Word and save it as .docx)" if suffix in (".doc", ".odt",
                                                                       ".rtf") else ""
        raise TranscriptError(f"unsupported transcript format '{suffix}'{hint}; qualcode reads "
                              f"{', '.join(TRANSCRIPT_SUFFIXES)}", path=path)
    if not path.is_file():
        raise TranscriptError("transcript file not found; check the path in study.yaml",
                              path=path)
    return _without_controls(_read(path, suffix))


def _read(path: Path, suffix: str) -> SourceText:
    if suffix == ".docx":
        return _read_docx(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise unreadable(path, err, TranscriptError) from None
    text = decode_text(data, path)
    if suffix == ".vtt":
        return _read_vtt(text, path)
    if suffix == ".srt":
        return _read_srt(text, path)
    lines = tuple(SourceLine(line, number) for number, line in enumerate(text.split("\n"), 1))
    return SourceText(str(path), lines)


# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_controls(source: SourceText) -> SourceText:
    """``source`` without control characters, which are not text (and break spreadsheets and
    Word files later); says how many were removed, and where the first was."""
    removed, first, lines = 0, None, []
    for line in source.lines:
        text, n = _CONTROLS.subn("", line.text)
        speaker, m = _CONTROLS.subn("", line.speaker or "")
        if n or m:
            removed += n + m
            first = first or line.location
            line = replace(line, text=text, speaker=speaker or None)
        lines.append(line)
    if not removed:
        return source
    where = f"line {first}" if isinstance(first, int) else first
    warnings.warn(f"{source.path}: {removed} control character(s) (NUL, ESC...) removed, the "
                  f"first at {where}; they are not text", QualcodeWarning, stacklevel=3)
    return replace(source, lines=tuple(lines))


def decode_text(data: bytes, path: Path) -> str:
    """Decode transcript bytes to NFC text with ``\\n`` line ends.

    Tried in order: a byte-order mark (UTF-8, UTF-16), UTF-16 without a mark (many NULs),
    UTF-8, then Windows-1252 (a superset of Latin-1 for printable text, used by French Windows
    software). A file that is neither, or that mixes UTF-8 and Windows-1252, is refused.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[3:], "utf-8", path)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", path)
    elif data[:4000].count(0) > len(data[:4000]) // 4:  # a stray NUL is no UTF-16
        text = _decode(data, _utf16_order(data[:4000]), path)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(data, "cp1252", path)
            bad = _MOJIBAKE.search(text)
            if bad:
                line = text.count("\n", 0, bad.start()) + 1
                raise TranscriptError("mixes UTF-8 and Windows-1252 encodings; open it in a "
                                      "text editor and save it as UTF-8", path=path,
                                      line=line) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _utf16_order(sample: bytes) -> str:
    """The byte order of UTF-16 text without a mark: in French text most characters are below
    U+0100, so their zero byte comes second (little-endian) or first (big-endian); looking at
    one character only misreads a text starting with "—" (U+2014) or "œ" (U+0153)."""
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    return "utf-16-le" if odd >= even else "utf-16-be"


def _decode(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise TranscriptError(
            f"byte 0x{data[err.start]:02x} cannot be read as {encoding} or any other encoding "
            "qualcode recognises; save the file as UTF-8", path=path, line=line) from None


# --- Word ---------------------------------------------------------------------------------

_HEADER_WORDS = {"locuteur", "locutrice", "intervenant", "speaker", "nom", "texte", "verbatim",
                 "propos", "temps", "heure", "time", "text", "name"}
_TIME_CELL = re.compile(r"^\[?\(?(\d{1,2}:)?\d{1,2}:\d{2}([.,]\d+)?\)?\]?$")


_TRACKED = "./w:body//*[self::w:ins or self::w:del or self::w:moveFrom or self::w:moveTo]"
# The runs of a paragraph as Word shows it once its tracked changes are accepted: inserted
# and moved-in runs kept, deleted and moved-out ones dropped, text boxes left out.
_SHOWN_RUNS = ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom) " \
              "and not(ancestor::w:txbxContent)]"


def _read_docx(path: Path) -> SourceText:
    """Paragraphs and table rows of a Word file, in document order.

    A paragraph that starts with a bold run (``**Camille :** ...``) gives its speaker; a table
    of two columns (speaker | text) or three (time | speaker | text) gives one line per row.
    A line break inside a paragraph (Shift+Enter) starts a new line, as a new paragraph does.
    """
    from docx.table import Table

    document = open_docx(path, TranscriptError)
    if document.element.xpath(_TRACKED):
        warnings.warn(f"{path}: tracked changes read as accepted (insertions kept, deletions "
                      "dropped); accept or reject them in Word to be sure", QualcodeWarning,
                      stacklevel=4)
    lines: list[SourceLine] = []
    n_paragraphs = n_tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            n_tables += 1
            lines.extend(_table_lines(block, n_tables))
        else:
            n_paragraphs += 1
            lines.extend(_paragraph_lines(block, f"paragraph {n_paragraphs}"))
    return SourceText(str(path), tuple(lines))


def _shown_text(paragraph) -> str:
    """A paragraph's text with its tracked changes accepted; line breaks are ``\\n``."""
    return unicodedata.normalize("NFC", "".join(run.text for run in
                                                paragraph._p.xpath(_SHOWN_RUNS)))


def _paragraph_lines(paragraph, location: str) -> list[SourceLine]:
    """One line per line of the paragraph; its first may have a bold speaker label."""
    first, *more = _shown_text(paragraph).split("\n")
    lines = [_paragraph_line(paragraph, first, location)]
    lines += [SourceLine(text, f"{location}, line {n}") for n, text in enumerate(more, 2)]
    return lines


def _paragraph_line(paragraph, text: str, location: str) -> SourceLine:
    bold_prefix = ""
    for run in paragraph.runs:
        if not (run.bold or (run.style is not None and run.style.font.bold)):
            break
        bold_prefix += run.text
    bold_prefix = unicodedata.normalize("NFC", bold_prefix).split("\n")[0]
    label = bold_prefix.strip().rstrip(":：").strip()
    rest = text[len(bold_prefix):].lstrip().lstrip(":：").strip()
    if label and len(label) <= 40 and rest and text.startswith(bold_prefix):
        return SourceLine(rest, location, label)
    return SourceLine(text, location)


def _table_lines(table, number: int) -> list[SourceLine]:
    lines = []
    for r, row in enumerate(table.rows, 1):
        cells = ["\n".join(map(_shown_text, cell.paragraphs)).strip() for cell in row.cells]
        location = f"table {number}, row {r}"
        if len(cells) < 2:
            lines.append(SourceLine(cells[0] if cells else "", location))
            continue
        if r == 1 and cells[0].lower().rstrip(" :") in _HEADER_WORDS:
            continue
        time = None
        if len(cells) >= 3 and _TIME_CELL.match(cells[0]):
            time = parse_clock(cells[0].strip("[]()"))
            cells = cells[1:]
        speaker, text = cells[0].rstrip(":： "), "\n".join(cells[1:]).strip()
        lines.append(SourceLine(text, location, speaker or None, time))
    return lines


# --- Subtitles ----------------------------------------------------------------------------

_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-z][^>]*>|<\d[\d:.]*>")


def parse_clock(value: str) -> float | None:
    """``'01:02:03.5'``, ``'02:03'`` or ``'00:00:01,250'`` in seconds; None if malformed."""
    match = _CLOCK.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0))


def _read_vtt(text: str, path: Path) -> SourceText:
    """WebVTT cues (Teams, Zoom): ``<v Name>`` voice tags give the speaker, timestamps kept."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise TranscriptError("a WebVTT file must start with the line 'WEBVTT'; check that "
                              "this is a .vtt subtitle file", path=path, line=1)
    return _read_cues(text, path, separator=".", skip_first_block=True)


def _read_srt(text: str, path: Path) -> SourceText:
    """SubRip cues: a number, a timing line ``00:00:01,000 --> 00:00:04,000``, the text."""
    return _read_cues(text, path, separator=",", skip_first_block=False)


def _read_cues(text: str, path: Path, *, separator: str, skip_first_block: bool) -> SourceText:
    lines: list[SourceLine] = []
    raw = text.split("\n")
    for start, block in _blocks(raw):
        if (skip_first_block and start == 1) or block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, line in enumerate(block) if "-->" in line), None)
        if timing is None or timing > 1:
            raise TranscriptError("subtitle block without a timing line 'start --> end'; "
                                  "fix or remove this block", path=path, line=start)
        begin = block[timing].split("-->")[0].strip()
        end = block[timing].split("-->")[1].strip().split(" ")[0]
        seconds = parse_clock(begin)
        if seconds is None or parse_clock(end) is None:
            raise TranscriptError(f"broken timestamp '{block[timing].strip()}'; write it as "
                                  f"00:01:23{separator}456 --> 00:01:25{separator}000",
                                  path=path, line=start + timing)
        payload = " ".join(line.strip() for line in block[timing + 1:] if line.strip())
        voice = _VOICE.search(payload)
        words = " ".join(_TAG.sub("", payload).split())
        if words:
            lines.append(SourceLine(words, start + timing + 1,
                                    voice.group(1).strip() if voice else None, seconds))
    return SourceText(str(path), tuple(lines), cues=True)


def _blocks(lines: list[str]):
    """(first line number, lines) of each block of non-empty lines."""
    block: list[str] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block
