"""Old and new text of the same passage: is the only change a name that became a pseudonym?

A name added to ``identities.csv`` after coding started changes the canonical text (``Dupuy``
becomes ``TIERS``, ``M. Dupuy`` becomes ``M. TIERS``). That is not an edit of what was said:
the codes given on the old text still apply. :func:`pseudonym_alignment` recognises such a
change, word by word, and maps offsets of the old text onto the new one (for Word comment
spans); :func:`same_passage` is the yes or no that collect and ``qualcode sheet --update``
use.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+|[^\w\s]")
_NAME_TOKEN = re.compile(r"\w+|[-'’.]")


@dataclass(frozen=True, slots=True)
class Alignment:
    """Matching stretches of an old and a new text: ``(old_start, old_end, new_start,
    new_end, equal)``, in order; unequal stretches are names replaced by a pseudonym."""

    blocks: tuple[tuple[int, int, int, int, bool], ...]

    def offset(self, old: int, *, end: bool = False) -> int:
        """Where offset ``old`` of the old text lies in the new one. An offset inside a
        replaced name goes to the start of the pseudonym (or its end, for the ``end`` of a
        span), so a span keeps the whole name it covered."""
        if not self.blocks:
            return old
        starts = [block[0] for block in self.blocks]
        at = bisect.bisect_right(starts, old - 1 if end else old) - 1
        if at < 0:
            return max(0, self.blocks[0][2] - (self.blocks[0][0] - old))
        old_start, old_end, new_start, new_end, equal = self.blocks[at]
        if old < old_end or (end and old == old_end):
            if equal:
                return new_start + old - old_start
            return new_end if end else new_start
        following = self.blocks[at + 1][2] if at + 1 < len(self.blocks) else None
        shifted = new_end + old - old_end
        return shifted if following is None else min(shifted, following)


def pseudonym_alignment(old: str, new: str, pseudonyms: Collection[str]) -> Alignment | None:
    """How ``old`` maps onto ``new`` when the only change is one or more words replaced by
    one of the ``pseudonyms`` (participant or role ids), a title before them (``M.``, ``Dr``)
    kept or not; None when anything else changed (a word added, removed or replaced by
    another word, an id replaced by another id)."""
    a = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(old)]
    b = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(new)]
    matcher = difflib.SequenceMatcher(None, [t for *_, t in a], [t for *_, t in b],
                                      autojunk=False)
    blocks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks += [(a[i][0], a[i][1], b[j][0], b[j][1], True)
                       for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        elif tag == "replace" and j2 - j1 == 1 and b[j1][2] in pseudonyms \
                and all(_NAME_TOKEN.fullmatch(t) and t not in pseudonyms
                        for *_, t in a[i1:i2]):
            blocks.append((a[i1][0], a[i2 - 1][1], b[j1][0], b[j1][1], False))
        else:
            return None
    return Alignment(tuple(blocks))


def same_passage(old: str, new: str, pseudonyms: Collection[str]) -> bool:
    """Whether ``new`` is ``old`` (white space aside) or ``old`` with names replaced by
    pseudonyms (see :func:`pseudonym_alignment`)."""
    return " ".join(old.split()) == " ".join(new.split()) or \
        pseudonym_alignment(old, new, pseudonyms) is not None
