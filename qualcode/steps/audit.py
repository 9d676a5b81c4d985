"""Confidentiality audit: no name from ``identities.csv`` may appear in any output.

Every file under ``analyses/`` is read, and its name too: text files (CSV, whose cells start
like sentences, Markdown, SVG, JSON, QDC, IRaMuTeQ...), every XML member of a Word, Excel or
REFI-QDA archive (paragraphs joined across their runs, cells, attribute values such as
selection names and document properties, plain-text members), and the text chunks of PNG
figures. Names are found
by the matcher pseudonymisation uses (:class:`qualcode.names.NameMatcher`), so the two cannot
disagree: whatever the pseudonymiser would have replaced is a finding; an ordinary word that
is also a name part and that the pseudonymiser leaves as written (``petit`` in lower case,
``Petit tour de table``) is only counted, for review.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.errors import ConfidentialityError
from qualcode.fingerprint import file_digest, fingerprint, source_fingerprint
from qualcode.io.cache import Cache
from qualcode.names import NameHit, NameMatcher, study_matcher
from qualcode.paths import ANALYSES, IDENTITIES_FILE
from qualcode.study import Identity, Study

FINDING_COLUMNS = ("file", "line", "name")
_XML_SUFFIXES = (".xml", ".rels", ".qde", ".qdc", ".vml")
# Elements whose text is one piece however many runs it is cut into: Word and DrawingML
# paragraphs, Excel's shared and inline strings, OpenDocument paragraphs.
_BLOCKS = frozenset(("p", "si", "is", "h"))
_MAX_MEMBER = 512 << 20  # a member larger than this is refused as a damaged archive


@dataclass(frozen=True, slots=True)
class Audit:
    """What the audit found: ``findings`` (``file``, ``line``, ``name``: a name part as the
    matcher folds it) and how many ordinary words that are also name parts it left for
    review."""

    findings: pd.DataFrame
    to_review: int

    @property
    def clean(self) -> bool:
        return self.findings.empty


def audit_folder(folder: Path, matcher: NameMatcher, *, name: str = ANALYSES,
                 cache: Cache | None = None) -> Audit:
    """Every name of ``matcher`` in the files under ``folder`` and in their paths; files are
    shown under ``name`` (a run audits its staging folder as the ``analyses/`` it becomes).
    ``cache`` keeps each file's findings by its bytes, its name and the matcher's names."""
    rows: list[tuple[str, int, str]] = []
    to_review = 0
    names = None if cache is None else fingerprint(
        source_fingerprint(), matcher.owners, matcher.first_names, matcher.ordinary)
    hits = _memo_hits(matcher)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        shown = f"{name}/{path.relative_to(folder).as_posix()}"
        if cache is None:
            found, review = _audit_file(path, folder, shown, hits)
        else:
            found, review = cache.value(
                "audit", fingerprint(names, shown, file_digest(path)),
                lambda p=path, s=shown: _audit_file(p, folder, s, hits),
                encode=list, decode=lambda stored: (
                    [(str(f), int(line), str(key)) for f, line, key in stored[0]],
                    int(stored[1])))
        rows += found
        to_review += review
    return Audit(pd.DataFrame(rows, columns=list(FINDING_COLUMNS)), to_review)


def _memo_hits(matcher: NameMatcher) -> Callable[[str, str], list[NameHit]]:
    """``matcher.hits(text, cells=cells)``, each text looked in once: the pieces of office
    files repeat (a docx of 40,000 pieces has about 1,000 different ones)."""
    known: dict[tuple[str, str], list[NameHit]] = {}

    def hits(text: str, cells: str) -> list[NameHit]:
        if (text, cells) not in known:
            known[(text, cells)] = matcher.hits(text, cells=cells)
        return known[(text, cells)]
    return hits


def _audit_file(path: Path, folder: Path, shown: str,
                hits: Callable[[str, str], list[NameHit]]
                ) -> tuple[list[tuple[str, int, str]], int]:
    """The names found in one file (and its path), and its ordinary words to review
    (``hits``: :func:`_memo_hits`)."""
    rows, to_review = [], 0
    chunks = [(0, str(path.relative_to(folder)))]
    chunks += list(output_texts(path))
    cells = "," if path.suffix.lower() == ".csv" else ""
    for line, text in chunks:
        for hit in hits(text, cells):
            if hit.is_name:
                rows.append((shown, line + text.count("\n", 0, hit.start), hit.key))
            else:
                to_review += 1
    return rows, to_review


def audit(study: Study, identities: tuple[Identity, ...]) -> Audit:
    """The audit of the study's ``analyses/`` folder."""
    return audit_folder(study.paths.analyses, study_matcher(study, identities))


def output_texts(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, text)`` pieces of one output: line 1 for a whole text file (the line of a hit
    is counted inside the piece), 0 for pieces of an archive."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PK\x03\x04"):
        yield from ((0, text) for text in _archive_texts(path))
    elif magic == b"\x89PNG\r\n\x1a\n":
        yield from ((0, text) for text in _png_texts(path.read_bytes()))
    else:
        yield 1, path.read_bytes().decode("utf-8", errors="replace")


def _archive_texts(path: Path) -> Iterator[str]:
    """The texts of every XML and text member of a zip archive (docx, xlsx, qdpx...)."""
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = info.filename.lower()
            yield info.filename
            if not name.endswith((*_XML_SUFFIXES, ".txt")):
                continue
            if info.file_size > _MAX_MEMBER:
                raise ConfidentialityError(
                    f"member {info.filename} is too large to audit; delete the file and run "
                    "again", path=path)
            data = archive.read(info)
            if name.endswith(".txt"):
                yield data.decode("utf-8", errors="replace")
            else:
                yield from _xml_texts(data)


def _xml_texts(data: bytes) -> list[str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             recover=True)
    root = etree.fromstring(data, parser=parser)
    if root is None:
        return []
    found: list[str] = []
    for node in root.iter():  # attribute values
        found += map(str, node.attrib.values())
    _texts(root, found)
    return found


def _texts(element, found: list[str]) -> None:
    """Texts into ``found``: a paragraph or string as one piece, others piece by piece with
    their tails (a list, not generators: an office file has some 40,000 pieces)."""
    if not isinstance(element.tag, str):  # comments and processing instructions
        return
    if element.tag.rsplit("}", 1)[-1] in _BLOCKS:
        found.append("".join(element.itertext()))
        return
    if element.text:
        found.append(element.text)
    for child in element:
        _texts(child, found)
        if child.tail:
            found.append(child.tail)


def _png_texts(data: bytes) -> Iterator[str]:
    """The text chunks (``tEXt``, ``iTXt``, ``zTXt``) of a PNG file."""
    import zlib

    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"zTXt":
            keyword, _, rest = body.partition(b"\0")
            body = keyword + b"\0" + zlib.decompress(rest[1:])
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            yield body.replace(b"\0", b"\n").decode("utf-8", errors="replace")
        position += 12 + length


def path_names(paths: Iterable[Path], matcher: NameMatcher, *, root: Path) -> list[str]:
    """``file: 'name'`` for every path (relative to ``root``) whose name holds a listed name:
    file names are written into the outputs (``run.json``), so such a file must be renamed
    before a run."""
    found = []
    for path in paths:
        shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        for hit in matcher.hits(shown):
            if hit.is_name:
                found.append(f"{shown}: '{shown[hit.start:hit.end]}'")
    return found


def check_paths(paths: Iterable[Path], matcher: NameMatcher, *, root: Path) -> None:
    """Refuse, before any work, input files whose names hold a listed name."""
    found = path_names(paths, matcher, root=root)
    if found:
        raise ConfidentialityError(
            f"{len(found)} input file name(s) hold a name from identities.csv, and file names "
            f"are written into the outputs: {'; '.join(found)}. Rename each file without the "
            "name (e.g. entretien_P03.txt) and correct its path in study.yaml")


def raise_findings(result: Audit, *, kept: bool = True) -> None:
    """One error naming where the names were found (the first ten) and what to do; ``kept``
    says whether the outputs holding them are still there (not those of a run)."""
    if result.clean:
        return
    rows = list(result.findings.itertuples(index=False))
    listed = "; ".join(f"{row.file}:{row.line} '{row.name}'" for row in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    fate = "" if kept else " (this run's outputs were not kept: analyses/ is as before)"
    raise ConfidentialityError(
        f"{len(rows)} name(s) from identities.csv in the outputs{fate}: {listed}{more}. A name in "
        "a transcript is replaced, so these come from another input (study.yaml, the "
        "codebook, a design, a file name) or from a name written differently: remove it "
        "there, or add the form found to identities.csv, then run again")


def identities_tracked(study: Study) -> bool:
    """Whether ``identities.csv`` is tracked by git (real names in version control)."""
    try:
        result = subprocess.run(["git", "ls-files", "--error-unmatch", IDENTITIES_FILE],
                                cwd=study.root, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def identities_warning(study: Study) -> str | None:
    """The warning line when ``identities.csv`` is tracked by git in a real study."""
    if identities_tracked(study) and not study.fictional:
        return ("warning: identities.csv is tracked by git: real names are in version "
                "control; run 'git rm --cached identities.csv' and add it to .gitignore")
    return None


def audit_verdict(audited: Audit) -> str:
    """The audit's verdict in one line (a run with findings has stopped with an error)."""
    review = (f"; {audited.to_review} ordinary word(s) that are also name parts, in lower "
              "case or starting a sentence, left as written" if audited.to_review else "")
    return f"Audit: no name from identities.csv in analyses/{review}."
