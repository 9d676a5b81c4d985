"""Confidentiality audit: no name from ``identities.csv`` may appear in any output.

Every file under ``analyses/`` is read as text (Word paragraphs and tables, Excel cells, the
project and texts of a REFI-QDA ``.qdpx``, and the text of CSV, Markdown, SVG, JSON, QDC and
IRaMuTeQ files) and searched, ignoring case and accents, for
every full name, first name and speaker label of ``identities.csv`` that is a name (labels
that are roles, such as "Animatrice", or ids are left out).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from qualcode.corpus import fold
from qualcode.study import IDENTITIES_FILE, Identity, Study

_TEXT_SUFFIXES = (".csv", ".md", ".txt", ".svg", ".json", ".qdc")


# Words transcribers use as speaker labels for a role, not a person: a label starting with one
# of them ("Animateur", "Intervenant 3") is not a name. Qualcode's own reports use these words
# ("Enquêteur / animateur" in the COREQ table), so looking for them failed every run of a
# study whose moderator was labelled "Animateur".
_ROLE_WORDS = frozenset((
    "animateur animatrice moderateur moderatrice intervenant intervenante enqueteur enqueteuse "
    "enquetrice observateur observatrice interviewer intervieweur intervieweuse "
    "chercheur chercheuse participant participante locuteur locutrice moderator facilitator "
    "observer interviewee respondent speaker").split())


def names_to_find(identities: tuple[Identity, ...], study: Study) -> set[str]:
    """Folded names to look for: full names, first names, and speaker labels that are not
    ids, role labels or role words (``Modératrice``, ``Animateur``, ``I3`` are not names)."""
    roles = {fold(role.label) for role in study.roles} | {fold(i) for i in study.speaker_ids()}
    names = set()
    for identity in identities:
        words = identity.name.split()
        label = fold(identity.speaker).split()
        candidates = {identity.name, words[0] if words else ""}
        if label and label[0] not in _ROLE_WORDS:
            candidates.add(identity.speaker)
        names |= {fold(n).strip() for n in candidates if len(n.strip()) > 2}
    return {n for n in names - roles if not re.fullmatch(r"[a-z]{0,3}\d+", n)}


def output_texts(analyses: Path) -> Iterator[tuple[Path, str]]:
    """``(file, text)`` for every readable output."""
    for path in sorted(p for p in analyses.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix == ".docx":
            import docx

            document = docx.Document(str(path))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            yield path, "\n".join([p.text for p in document.paragraphs] + cells)
        elif suffix == ".xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            yield path, "\n".join(str(v) for sheet in workbook for row in
                                  sheet.iter_rows(values_only=True) for v in row
                                  if v is not None)
            workbook.close()
        elif suffix == ".qdpx":
            import zipfile

            with zipfile.ZipFile(path) as archive:
                yield path, "\n".join(archive.read(name).decode("utf-8", errors="replace")
                                      for name in sorted(archive.namelist())
                                      if name.lower().endswith((".qde", ".txt")))
        elif suffix in _TEXT_SUFFIXES:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def audit(study: Study, identities: tuple[Identity, ...]) -> pd.DataFrame:
    """Every occurrence of a known name in the outputs: ``file``, ``line``, ``name``.

    Names are matched as whole words (or runs of words) in the folded text, so "Léa" is
    found in "LEA," but not in "léandre".
    """
    find = _finder(names_to_find(identities, study))
    rows = []
    for path, text in output_texts(study.root / "analyses"):
        for number, line in enumerate(fold(text).split("\n"), 1):
            rows += [(str(path.relative_to(study.root)), number, name) for name in find(line)]
    return pd.DataFrame(rows, columns=["file", "line", "name"])


_WORD = re.compile(r"\w+")


def _finder(names: set[str]):
    """A function giving the names found in a line, left to right, each a whole word (or run
    of words), the longest first where several start at the same word.

    Names are indexed by their first word and only the line's words are looked up: one
    regular expression alternating a thousand names tried each of them at every character
    (2.5 s per MB of output, minutes for a national study).
    """
    by_word: dict[str, list[str]] = {}
    for name in names:
        first = _WORD.search(name)  # a name starting with punctuation is looked for without it
        if first is not None:
            by_word.setdefault(first.group(), []).append(name[first.start():])
    for candidates in by_word.values():
        candidates.sort(key=lambda name: (-len(name), name))

    def find(line: str) -> list[str]:
        found, end = [], 0
        for word in _WORD.finditer(line):
            if word.start() < end or word.group() not in by_word:
                continue
            for name in by_word[word.group()]:
                stop = word.start() + len(name)
                if line.startswith(name, word.start()) and not (
                        stop < len(line) and (line[stop].isalnum() or line[stop] == "_")):
                    found.append(name)
                    end = stop
                    break
        return found

    return find


def identities_tracked(study: Study) -> bool:
    """Whether ``identities.csv`` is tracked by git (real names in version control)."""
    try:
        result = subprocess.run(["git", "ls-files", "--error-unmatch", IDENTITIES_FILE],
                                cwd=study.root, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
