"""Text helpers shared by every layer: folding for comparison, invisible characters, and the
form in which names are looked for.

:func:`fold` keeps one character per character (offsets found in the folded text are offsets
in the original); :func:`matching_view` goes further for finding names (NFKC, invisible
characters dropped, look-alike letters of other scripts read as Latin) and gives back where
each of its characters came from.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import unicodedata
from importlib import resources


def quote(text: str, participant: str, segment_id: str) -> str:
    """A quote as the reports give it, on one line: ``« text » (P03, FG1-0042)``. A segment
    can hold a turn's line breaks; quotes are listed one per line, so a break inside one cut
    it after its first line."""
    return f"« {' '.join(text.split())} » ({participant}, {segment_id})"


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents, keeping one character per character.

    Fast path: decompose (NFD) and drop the combining accents, which gives back one
    character per character for accented Latin, Greek and Cyrillic letters; anything else (a
    letter that lower-cases or decomposes into several) goes character by character.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        stripped = _ACCENTS.sub("", unicodedata.normalize("NFD", lowered))
        if len(stripped) == len(text):
            return stripped.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return "".join(_fold_char(c) for c in text)


def _fold_char(char: str) -> str:
    lowered = char.lower()[0]
    if lowered in _SPACES:
        return _SPACES[lowered]
    base = _ACCENTS.sub("", unicodedata.normalize("NFD", lowered))
    return base if len(base) == 1 else lowered


_ACCENTS = re.compile("[\u0300-\u036f]")
_SPACES = {"’": "'", "\u00a0": " ", "\u202f": " "}


@functools.cache
def _invisible() -> re.Pattern[str]:
    """Unicode's format characters (category Cf): zero-width spaces and joiners, the soft
    hyphen, the byte-order mark, direction marks. They show as nothing, so a name holding one
    (``Ju\\u200blien``, common after copy-paste from a transcription service) reads as the
    name."""
    ranges = [*range(0x20000), *range(0xE0000, 0xE1000)]
    chars = "".join(chr(c) for c in ranges if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(chars)}]")


# Characters for which fold() already gives the matching form, one for one: printable ASCII,
# white space, Latin-1 letters and French punctuation. A text of only these (nearly every
# French transcript) takes the fast path of matching_view().
_PLAIN = re.compile("[\t\n\r\x20-\x7e\u00a0\u00ab\u00b0\u00bb\u00c0-\u00ff\u0152\u0153\u0178"
                    "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u202f\u20ac]*")


def strip_invisible(text: str) -> str:
    """``text`` without its invisible format characters (see :func:`_invisible`). A text of
    plain characters (nearly every line of a French transcript) is returned at once: the
    search through Unicode's format characters costs 25 µs a line."""
    return text if _PLAIN.fullmatch(text) else _invisible().sub("", text)


def matching_view(text: str) -> tuple[str, Origin | None]:
    """The form of ``text`` in which names are looked for, and where each of its characters
    comes from (``origin[i]`` is the index in ``text`` of character ``i``, the end included:
    see :class:`Origin`; None when the two are aligned one for one).

    The form is :func:`fold`'s, after NFKC (full-width ``ＳＡＲＡＨ`` reads ``sarah``) and with
    invisible format characters dropped and letters of other scripts that look like Latin
    ones read as those (a Cyrillic ``а`` in ``Sаrah``), from Unicode's confusables data.
    """
    if _PLAIN.fullmatch(text):
        return fold(text), None
    pieces: list[str] = []
    origin = Origin()
    at = last = 0
    for other in _NOT_PLAIN.finditer(text):  # plain stretches folded whole, the rest one by one
        pieces.append(fold(text[last:other.start()]))
        origin.add(at, last, 1)
        at += other.start() - last
        folded = _match_char(other.group())
        pieces.append(folded)
        origin.add(at, other.start(), 0)
        at += len(folded)
        last = other.end()
    pieces.append(fold(text[last:]))
    origin.add(at, last, 1)
    return "".join(pieces), origin


class Origin:
    """Where each character of a matching view comes from, as stretches: from view index
    ``view``, text index ``text`` on, one for one (``step`` 1: a plain stretch) or all from
    that one character (``step`` 0: what one other character became). ``origin[i]`` is the
    text index of view character ``i`` (the end of the view maps to the end of the text)."""

    __slots__ = ("_steps", "_texts", "_views")

    def __init__(self) -> None:
        self._views: list[int] = []
        self._texts: list[int] = []
        self._steps: list[int] = []

    def add(self, view: int, text: int, step: int) -> None:
        self._views.append(view)
        self._texts.append(text)
        self._steps.append(step)

    def __getitem__(self, index: int) -> int:
        i = bisect.bisect_right(self._views, index) - 1
        return self._texts[i] + (index - self._views[i]) * self._steps[i]


_NOT_PLAIN = re.compile(_PLAIN.pattern[:-2].replace("[", "[^", 1) + "]")


@functools.lru_cache(maxsize=4096)
def _match_char(char: str) -> str:
    """The matching form of one character that is not plain (see :func:`matching_view`)."""
    if _invisible().match(char):
        return ""
    latin = _latin_look_alikes()
    folded = "".join(_ACCENTS.sub("", unicodedata.normalize("NFD", latin.get(c, c).lower()))
                     for c in unicodedata.normalize("NFKC", char))
    return "".join(_SPACES.get(c, c) for c in folded)


@functools.cache
def _latin_look_alikes() -> dict[str, str]:
    """Letters of other scripts (Cyrillic, Greek, ...) that Unicode's confusables data says
    look like one Latin letter, mapped to it (``а`` -> ``a``); read from the data that the
    ``confusable_homoglyphs`` package ships."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json")
                      .read_text(encoding="utf-8"))
    mapping = {}
    for char, entries in data.items():
        if len(char) != 1 or not unicodedata.category(char).startswith("L") \
                or unicodedata.name(char, "").startswith("LATIN"):
            continue
        for entry in entries:
            glyph = entry["c"]
            if len(glyph) == 1 and glyph.isascii() and glyph.isalpha():
                mapping[char] = glyph
                break
    return mapping
