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
    ``cache`` keeps each file's findings, and each archive member's, by its bytes, its name
    and the matcher's names: a new Word file is mostly members already seen (its styles)."""
    rows: list[tuple[str, int, str]] = []
    to_review = 0
    looker = _Looker(matcher, cache)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        shown = f"{name}/{path.relative_to(folder).as_posix()}"
        found, review = looker.kept(
            "audit", (shown, file_digest(path)),
            lambda p=path: _audit_file(p, folder, looker))
        rows += [(shown, line, key) for line, key in found]
        to_review += review
    return Audit(pd.DataFrame(rows, columns=list(FINDING_COLUMNS)), to_review)


Found = tuple[list[tuple[int, str]], int]
"""The names found in some texts, as ``(line, name)``, and how many ordinary words that are
also name parts they hold."""


class _Looker:
    """The names of ``matcher`` in texts, each distinct text looked in once (the pieces of
    office files repeat: a docx of 40,000 pieces has about 1,000 different ones), and what
    was found kept in ``cache`` when there is one."""

    def __init__(self, matcher: NameMatcher, cache: Cache | None) -> None:
        self.matcher, self.cache = matcher, cache
        self.known: dict[tuple[str, str], list[NameHit]] = {}
        self.names = None if cache is None else fingerprint(
            source_fingerprint(), matcher.owners, matcher.first_names, matcher.ordinary)

    def look(self, chunks: Iterable[tuple[int, str]], cells: str = "") -> Found:
        """The names in ``chunks`` (``(line, text)``: a hit's line is counted inside its
        text); ``cells`` as :meth:`NameMatcher.hits` takes it."""
        found, to_review = [], 0
        for line, text in chunks:
            if (text, cells) not in self.known:
                self.known[(text, cells)] = self.matcher.hits(text, cells=cells)
            for hit in self.known[(text, cells)]:
                if hit.is_name:
                    found.append((line + text.count("\n", 0, hit.start), hit.key))
                else:
                    to_review += 1
        return found, to_review

    def kept(self, kind: str, what: tuple, look: Callable[[], Found]) -> Found:
        """``look()``, or what it found before for the same ``what`` (with the same names)."""
        if self.cache is None:
            return look()
        return self.cache.value(kind, fingerprint(self.names, what), look, encode=list,
                                decode=lambda stored: ([(int(line), str(key))
                                                        for line, key in stored[0]],
                                                       int(stored[1])))


def _audit_file(path: Path, folder: Path, looker: _Looker) -> Found:
    """The names found in one file and its path, and its ordinary words to review; an
    archive member by member."""
    found, to_review = looker.look([(0, str(path.relative_to(folder)))])
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PK\x03\x04"):
        parts = [looker.kept("audit-member", (member, data),
                             lambda m=member, d=data: looker.look(
                                 (0, text) for text in _member_texts(m, d)))
                 for member, data in _archive_members(path)]
    elif magic == b"\x89PNG\r\n\x1a\n":
        parts = [looker.look((0, text) for text in _png_texts(path.read_bytes()))]
    else:  # a text file: line 1, a hit's line counted inside it
        text = path.read_bytes().decode("utf-8", errors="replace")
        parts = [looker.look([(1, text)], "," if path.suffix.lower() == ".csv" else "")]
    for names, review in parts:
        found += names
        to_review += review
    return found, to_review


def audit(study: Study, identities: tuple[Identity, ...]) -> Audit:
    """The audit of the study's ``analyses/`` folder."""
    return audit_folder(study.paths.analyses, study_matcher(study, identities))


def _archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every member of a zip archive (docx, xlsx, qdpx...) by name, with its bytes when it is
    an XML or text member (else none: only its name is looked in)."""
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if not info.filename.lower().endswith((*_XML_SUFFIXES, ".txt")):
                yield info.filename, b""
                continue
            if info.file_size > _MAX_MEMBER:
                raise ConfidentialityError(
                    f"member {info.filename} is too large to audit; delete the file and run "
                    "again", path=path)
            yield info.filename, archive.read(info)


def _member_texts(member: str, data: bytes) -> list[str]:
    """The texts of an archive member: its name, then its text or the texts of its XML."""
    if not data:
        return [member]
    if member.lower().endswith(".txt"):
        return [member, data.decode("utf-8", errors="replace")]
    return [member, *_xml_texts(data)]


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
