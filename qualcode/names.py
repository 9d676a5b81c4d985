"""One matcher for the names of ``identities.csv``: pseudonymisation, the name check and the
audit all find names with it, so they can never disagree.

What is a name: every word of a row's ``name`` (first names, surnames, each part of a compound
``Jean-Luc`` or ``Martin-Dupont`` and the whole compound), the whole name as a phrase, and the
words of a participant's speaker label that are not titles, role words or ids (a label mapped
to a role, ``Plusieurs``, or numbered, ``Intervenant 3``, is never a name). Names are found in
:func:`qualcode.text.matching_view` (case, accents, NFKC, invisible characters and Latin
look-alikes ignored), as whole words: anything but a letter separates words, ``_``, ``-`` and
digits included, and a word cut by a line break (``Pau-`` / ``line``, or ``Pau- line`` where
the break is gone) is found too.

A name part that is also an ordinary French word (``Petit``, ``Blanc``, ``Rose``, found in
the French lexicon that spaCy's ``fr_core_news_sm`` ships) is a name only where the text says
so: after a title (``M.``, ``Mme``, ``Dr``, ``monsieur``...), inside the whole name, or written
with a capital inside a sentence. At the start of a sentence, a line or a cell a capital says
nothing, so there it is a name only if it is a first name (``Rose a raison``) or is followed
by a comma (``Blanc, c'est moi``); ``Petit tour de table`` stays as written. In lower case
(``un petit studio``) it is the ordinary word. Words left as written are listed for review.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import util
from typing import NamedTuple

from qualcode.text import fold, matching_view

# Words transcribers use as speaker labels for a role, not a person: a label starting with one
# of them ("Animateur", "Intervenant 3") is not a name.
ROLE_WORDS = frozenset((
    "animateur animatrice moderateur moderatrice intervenant intervenante enqueteur enqueteuse "
    "enquetrice observateur observatrice interviewer intervieweur intervieweuse "
    "chercheur chercheuse participant participante locuteur locutrice moderator facilitator "
    "observer interviewee respondent speaker medecin patient patiente").split())
TITLES = frozenset(("m mr mme mlle mrs ms dr pr me docteur docteure monsieur madame "
                    "mademoiselle professeur professeure maitre").split())
_PARTICLES = frozenset("de du des la le les d l van von der den da di del della ben ibn el al y"
                       .split())
_LETTER = r"[^\W\d_]"
_TITLE_BEFORE = re.compile(rf"(?<!{_LETTER})(?:{'|'.join(sorted(TITLES))})\.?\s*$")
_OPENERS = " \t\u00a0«\"“‘'([—–-*_"
_ENDERS = ".!?…:;|\n\r"
# A word cut at a line end: "Pau\nline", "Pau-\nline", or "Pau- line" once the break is gone.
_BREAK = re.compile(rf"(?<={_LETTER})(?:-?[ \t]*\n[ \t]*|-[ \t]+)(?={_LETTER})")
_KEY = re.compile(rf"{_LETTER}+(?:[-'’]{_LETTER}+)*")  # letters, and a compound's - or '
_WINDOW = 60  # characters looked at on each side of a line break that may cut a name


class NameHit(NamedTuple):
    """One name found in a text: offsets in the original text, the name's folded form, and
    whether it is a name here (``False``: an ordinary word, left and listed for review)."""

    start: int
    end: int
    key: str
    is_name: bool


@dataclass(frozen=True, slots=True)
class Owner:
    """Whom a name stands for: a participant or role id, in one group (``""``: every group)."""

    group_id: str
    participant_id: str


class NameMatcher:
    """Finds the listed names in any text; see the module's docstring for the rules."""

    def __init__(self, names: dict[str, tuple[Owner, ...]], *,
                 first_names: frozenset[str] = frozenset()) -> None:
        self.owners = names
        words = ordinary_words()
        self.ordinary = frozenset(k for k in names if " " not in k and k in words)
        self.first_names = first_names
        self._pattern = _pattern(names) if names else None

    @classmethod
    def from_identities(cls, identities: Iterable, *, roles: Iterable[str] = (),
                        ids: Iterable[str] = ()) -> NameMatcher:
        """The matcher for rows of ``identities.csv`` (objects with ``name``, ``speaker``,
        ``group_id`` and ``participant_id``); ``roles`` are the role ids of the study and
        ``ids`` every participant and role id, which are never names."""
        roles, ids = set(roles), {fold(i) for i in ids}
        names: dict[str, list[Owner]] = {}
        parts: dict[str, list[Owner]] = {}  # parts of compounds: "anne" of "Anne-Marie"
        first_names: set[str] = set()
        for identity in identities:
            owner = Owner(identity.group_id, identity.participant_id)
            keys = name_keys(identity.name)
            first_names |= name_keys(identity.name.split()[0]) if identity.name.split() \
                else set()
            if identity.participant_id not in roles and not any(  # "Plusieurs", "Tous",
                    c.isdigit() for c in identity.speaker):  # "Intervenant 3": not names
                label = {w for w in name_keys(identity.speaker) if w not in ids}
                keys |= label
                first_names |= label
            words = set(fold(f"{identity.name} {identity.speaker}").split())
            for key in keys:
                owners = (names if key in words or " " in key else parts).setdefault(key, [])
                if owner not in owners:
                    owners.append(owner)
        for key, owners in parts.items():  # a name's own word wins over a compound's part
            names.setdefault(key, owners)
        return cls({key: tuple(owners) for key, owners in names.items()},
                   first_names=frozenset(first_names))

    def hits(self, text: str, *, cells: str = "") -> list[NameHit]:
        """Every listed name in ``text``, left to right, the longest where several start at
        the same place. ``cells``: the separator of the cells of a CSV text (a cell starts
        right after it, or after it and a quote, like a sentence)."""
        if self._pattern is None:
            return []
        view, origin = matching_view(text)
        found = [self._hit(text, view, origin, m.start(), m.end(), m.group(), cells)
                 for m in self._pattern.finditer(view)]
        if "\n" in view or "- " in view:
            found = _merge(found, self._across_breaks(text, view, origin, cells))
        return found

    def _across_breaks(self, text, view, origin, cells) -> list[NameHit]:
        """Names cut by a line break, with or without a hyphen: the words on both sides
        joined and looked in again."""
        assert self._pattern is not None
        found = []
        for cut in _BREAK.finditer(view):
            left = max(0, cut.start() - _WINDOW)
            joined = view[left:cut.start()] + view[cut.end():cut.end() + _WINDOW]
            seam = cut.start() - left
            for m in self._pattern.finditer(joined):
                if m.start() < seam < m.end():
                    end = cut.end() + m.end() - seam
                    found.append(self._hit(text, view, origin, left + m.start(), end,
                                           m.group(), cells))
        return found

    def _hit(self, text, view, origin, start, end, key, cells) -> NameHit:
        key = " ".join(key.split())
        begin, stop = (start, end) if origin is None else (origin[start], origin[end])
        if key not in self.ordinary or _TITLE_BEFORE.search(view, max(0, start - 16), start):
            return NameHit(begin, stop, key, True)
        capital = text[begin:stop].lstrip()[:1]
        if not (capital.isupper() or capital.istitle()):
            return NameHit(begin, stop, key, False)
        is_name = (not _at_start(view, start, cells) or key in self.first_names
                   or view[end:end + 2].lstrip().startswith(","))
        return NameHit(begin, stop, key, is_name)


def study_matcher(study, identities: Iterable) -> NameMatcher:
    """The name matcher of a study (its ``identities.csv`` rows, its roles and ids): the one
    that pseudonymisation, the name check and the audit use."""
    return NameMatcher.from_identities(identities, roles={r.id for r in study.roles},
                                       ids=study.speaker_ids())


def name_keys(name: str) -> set[str]:
    """The folded names a row's ``name`` (or a speaker label) gives: the whole name, each
    word, and each part of a compound word; not particles, titles, role words, initials or
    numbers."""
    words = [w.strip(".,;:()[]\"'«» ") for w in matching_view(name)[0].split()]
    words = [w for w in words if w and w not in TITLES]
    keys = set()
    for word in words:
        parts = re.split(r"[-'’]", word)
        keys |= {word, *parts} if len(parts) > 1 else {word}
    keys = {k.strip("-'") for k in keys}
    keys = {k for k in keys if len(k) >= 2 and _KEY.fullmatch(k)
            and k not in _PARTICLES and k not in TITLES and k not in ROLE_WORDS}
    whole = " ".join(words)
    if " " in whole and keys:
        keys.add(whole)
    return keys


def _at_start(view: str, index: int, cells: str = "") -> bool:
    """Whether ``index`` starts a sentence, a line or a cell (only openers before it)."""
    if cells and view[max(0, index - 2):index].rstrip('"')[-1:] in (cells, "\n", ""):
        return True
    j = index - 1
    while j >= 0 and view[j] in _OPENERS:
        j -= 1
    return j < 0 or view[j] in _ENDERS


def _merge(found: list[NameHit], more: list[NameHit]) -> list[NameHit]:
    """``found`` and the hits of ``more`` that overlap none of them, in text order."""
    kept = [h for h in more if not any(h.start < f.end and f.start < h.end for f in found)]
    return sorted(found + kept, key=lambda hit: hit.start)


def _pattern(names: Iterable[str]) -> re.Pattern[str]:
    """A pattern finding the longest of ``names`` that is a whole word (no letter just
    before or after). Names are nested as a trie (one branch per next character, longer
    names first), so that a search tries a few characters at each position rather than
    every name; spaces inside a name match any run of white space."""
    trie = _trie(sorted(set(names))).replace("\\ ", r"\s+")
    return re.compile(rf"(?<!{_LETTER})(?:{trie})(?!{_LETTER})")


def _trie(words: list[str]) -> str:
    """A regular expression matching exactly ``words`` (sorted, distinct)."""
    branches, ends_here = [], False
    for first, group in itertools.groupby(words, key=lambda word: word[:1]):
        if first:
            branches.append(re.escape(first) + _trie([word[1:] for word in group]))
        else:
            ends_here = True
    if ends_here:
        branches.append("")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


@functools.cache
def ordinary_words() -> frozenset[str]:
    """French words (nouns, adjectives, adverbs and verbs, folded) from the lexicon of the
    lemmatizer that ``fr_core_news_sm`` ships: only its ``lemma_index`` table is read
    (0.04 s), not the model."""
    from pathlib import Path

    from srsly import msgpack

    spec = util.find_spec("fr_core_news_sm")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    base = Path(next(iter(spec.submodule_search_locations)))
    for path in sorted(base.glob("*/lemmatizer/lookups/lookups.bin")):
        with path.open("rb") as handle:
            unpacker = msgpack.Unpacker(handle, raw=False, strict_map_key=False)
            for _ in range(unpacker.read_map_header()):
                if unpacker.unpack() == "lemma_index":
                    table = unpacker.unpack()
                    return frozenset(fold(w) for words in table.values() for w in words)
                unpacker.skip()
    return frozenset()
