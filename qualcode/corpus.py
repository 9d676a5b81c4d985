"""From transcript lines to pseudonymised, segmented text: the ``segments`` table.

Three steps, each a pure function:

1. :func:`detect_turns` finds speaker turns in the lines of a transcript, following the
   conventions of French transcribers (``Camille :``, ``CAMILLE:``, ``[I3]``, ``**Lucas**``,
   ``Intervenant 1 :``, ``M :``, with or without a timestamp such as ``[00:01:23]``);
2. :func:`build_transcript` maps speakers to participant ids and replaces every known name
   inside the text by its pseudonym, giving one canonical plain text per transcript;
3. :func:`segment_transcripts` splits turns into sentences with spaCy's ``fr_core_news_sm``
   (its ``senter`` component only), giving the ``segments`` table.

This is the only module that imports spaCy.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from qualcode import schema as S
from qualcode.errors import TranscriptError, place
from qualcode.io.transcripts import parse_clock
from qualcode.names import study_matcher
from qualcode.schema import SourceText, Turn
from qualcode.study import Group, Identity, Study
from qualcode.text import fold, strip_invisible

Context = TypeVar("Context")

# --- speaker turns -------------------------------------------------------------------------

_TS = r"[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?"
_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]{0,30}"
_PARTICLE = r"(?:de|du|des|la|le|d'|d’|van|von|da|di|ben|el)"
_LABEL = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_WORD}|\d{{1,3}})){{0,3}}"
_B = r"(?:\*\*|__)?"
_PATTERNS = (
    # Camille : ... | NAME: ... | **Camille :** ... | [00:01:23] Intervenant 1 : ...
    re.compile(rf"^(?P<ts>{_TS})?[ \t]*[-–]?[ \t]*{_B}(?P<label>{_LABEL}){_B}[ \t]*[:：]"
               rf"{_B}[ \t]*(?P<text>.*)$"),
    # **Camille** ...
    re.compile(rf"^(?P<ts>{_TS})?[ \t]*\*\*(?P<label>{_LABEL})\*\*[ \t]*(?P<text>.*)$"),
    # [Camille] ... | [I3] : ...
    re.compile(rf"^(?P<ts>{_TS})?[ \t]*\[(?P<label>{_LABEL})\][ \t]*[:：]?[ \t]*(?P<text>.*)$"),
    # 00:01:23 Camille   (text on the next lines)
    re.compile(rf"^(?P<ts>{_TS})[ \t]+(?P<label>{_LABEL})[ \t]*$"),
)
_LEADING_TS = re.compile(rf"^(?P<ts>{_TS})?[ \t]*")
# Words that start a sentence followed by a colon, or non-verbal notes in brackets: not speakers.
_NOT_LABELS = frozenset((
    "ah alors après attention bah ben bon bref car ça ca conclusion donc eh elle enfin ensuite et "
    "euh eux exemple hein lui là mais moi non note nous oh ok or ou oui ouais puis question "
    "remarque résumé si toi voilà vous rires rire silence inaudible pause brouhaha "
    "applaudissements toux hésitation coupure incompréhensible interruption bruit sonnerie fin "
    "début").split())
_TIMESTAMP = re.compile(_TS)
_WORD = re.compile(r"\w+")


_LABEL_EDGES = " :：*_[]"


@functools.lru_cache(maxsize=65536)
def label_key(label: str) -> str:
    """Canonical form of a speaker label: folded, single spaces, no trailing colon (cached:
    the same labels come back on every turn)."""
    return " ".join(fold(label).strip(_LABEL_EDGES).split())


def detect_turns(source: SourceText, *, known_labels: Iterable[str] = ()) -> tuple[Turn, ...]:
    """Speaker turns of a transcript.

    A line that starts with a speaker label starts a turn; other lines continue the current
    turn as new paragraphs. Lines before the first label (title, date) and Markdown headings
    are not part of any turn. Non-verbal notes such as ``[rires]`` stay in the text.
    ``known_labels`` (folded with :func:`label_key`) also lets bare labels without a colon
    (``CAMILLE`` alone on a line, ``00:01:23 Camille bonjour``) start a turn.
    """
    known = frozenset(known_labels)
    turns: list[Turn] = []
    speaker = location = time = None
    paragraphs: list[str] = []

    def close() -> None:
        text = "\n".join(p for p in paragraphs if p)
        if speaker is not None and text:
            if source.cues and turns and turns[-1].speaker == speaker:
                last = turns.pop()
                turns.append(Turn(speaker, f"{last.text} {text}", last.location, last.time))
            else:
                turns.append(Turn(speaker, text, location, time))

    for line in source.lines:
        text = " ".join(strip_invisible(line.text).split())
        found = (line.speaker, text, None) if line.speaker else _find_label(text, known)
        if found is not None:
            close()
            speaker, first, stamp = found
            location, paragraphs = line.location, [first]
            time = line.time if line.time is not None else stamp
        elif speaker is not None and text and not text.startswith("#"):
            paragraphs.append(text)
    close()
    return tuple(turns)


def _find_label(text: str, known: frozenset[str]) -> tuple[str, str, float | None] | None:
    """``(label, text after it, timestamp)`` when ``text`` starts a turn, else None.

    Labels the study knows are looked for first, with or without a colon.
    """
    stamp = _LEADING_TS.match(text)
    parts = text[stamp.end():].split(" ", 4)
    first_words, longest = _label_shape(known)
    if label_key(parts[0]) in first_words:
        n = _known_label_words(tuple(parts[:longest]), known)
        if n:
            return (" ".join(parts[:n]).strip(_LABEL_EDGES),
                    " ".join(parts[n:]).lstrip(" :：*_]").strip(),
                    parse_clock(stamp["ts"].strip("[]()")) if stamp["ts"] else None)
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match and _is_label(match["label"], known):
            return _found(match)
    return None


@functools.lru_cache(maxsize=65536)
def _known_label_words(words: tuple[str, ...], known: frozenset[str]) -> int:
    """How many of the first ``words`` make the longest known label (0: none). Cached: a
    transcript starts its turns with the same few labels again and again."""
    folded = fold(" ".join(words)).split(" ")
    for n in range(len(folded), 0, -1):
        if " ".join(folded[:n]).strip(_LABEL_EDGES) in known and \
                any(c.isalnum() for c in words[n - 1]):
            return n
    return 0


@functools.lru_cache(maxsize=64)
def _label_shape(known: frozenset[str]) -> tuple[frozenset[str], int]:
    """The first words of the known labels and their greatest number of words (at most 4):
    a cheap test before trying whole labels."""
    return (frozenset(label.split(" ")[0] for label in known),
            min(4, max((label.count(" ") + 1 for label in known), default=1)))


def _found(match: re.Match[str]) -> tuple[str, str, float | None]:
    stamp, rest = match["ts"], match.groupdict().get("text") or ""
    return (match["label"].strip(), rest.strip(),
            parse_clock(stamp.strip("[]()")) if stamp else None)


def _is_label(label: str, known: frozenset[str]) -> bool:
    key = label_key(label)
    return key in known or (key not in _NOT_LABELS and not _TIMESTAMP.fullmatch(label))


# --- pseudonymisation ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transcript:
    """A transcript in canonical form: pseudonymised NFC text, and its turns' offsets.

    Each turn is written ``<participant id> : <text>`` and turns are separated by a blank
    line; ``turns`` holds ``(participant_id, start, end, time)`` of each turn's text.
    """

    id: str
    group_id: str
    site_id: str
    text: str
    turns: tuple[tuple[str, int, int, float | None], ...]


@dataclass(frozen=True, slots=True)
class UnknownSpeaker:
    path: str
    location: int | str
    label: str

    def __str__(self) -> str:
        return f"{place(self.path, self.location)} '{self.label}'"


class Pseudonymiser:
    """Replaces speaker labels and known names by participant ids.

    Labels are matched case- and accent-insensitively. Inside the text, every name that
    :class:`~qualcode.names.NameMatcher` finds is replaced by its id: the identities of the
    transcript's own group first, then the rows that apply to every group, then the other
    groups; a name shared by two people of the same rank is replaced by ``[?]`` rather than
    guessed. A title before a name stays (``Mme P03``).
    """

    def __init__(self, study: Study, identities: Sequence[Identity]) -> None:
        self._ids = study.speaker_ids()
        self._identities = tuple(identities)
        self._labels: dict[tuple[str, str], str] = {}
        for identity in sorted(self._identities, key=lambda i: i.group_id != ""):
            if identity.speaker:
                key = (identity.group_id, label_key(identity.speaker))
                self._labels.setdefault(key, identity.participant_id)
        self.matcher = study_matcher(study, self._identities)
        self._names: dict[tuple[str, str], str] = {}

    def speaker_id(self, label: str, group_id: str) -> str | None:
        """The participant or role id a speaker label stands for in ``group_id``, if any."""
        if label in self._ids:
            return label
        key = label_key(label)
        return self._labels.get((group_id, key)) or self._labels.get(("", key))

    def known_labels(self, group_id: str) -> frozenset[str]:
        return frozenset(label for group, label in self._labels if group in ("", group_id)) \
            | frozenset(label_key(i) for i in self._ids)

    def _replacement(self, name: str, group_id: str) -> str:
        """The id a folded name stands for in ``group_id``: the group's own identities first,
        then those of every group, then the other groups; ``[?]`` when that is ambiguous."""
        key = (name, group_id)
        if key not in self._names:
            owners = self.matcher.owners[name]
            rank = min(_rank(o.group_id, group_id) for o in owners)
            ids = {o.participant_id for o in owners if _rank(o.group_id, group_id) == rank}
            self._names[key] = ids.pop() if len(ids) == 1 else "[?]"
        return self._names[key]

    def pseudonymise(self, text: str, group_id: str,
                     found: dict[tuple[str, str, str], list] | None = None,
                     where: str = "") -> str:
        """``text`` with every known name replaced by its pseudonym id. Each name found
        (replaced, or an ordinary word left for review) is counted in ``found``, keyed by
        ``(as written, folded, pseudonym or "")``, with the first place, ``where``, it was
        found."""
        pieces, last = [], 0
        for hit in self.matcher.hits(text):
            replacement = self._replacement(hit.key, group_id) if hit.is_name else None
            if found is not None:
                key = (text[hit.start:hit.end], hit.key, replacement or "")
                if key in found:
                    found[key][0] += 1
                else:
                    found[key] = [1, where]
            if replacement is not None:
                pieces += [text[last:hit.start], replacement]
                last = hit.end
        return "".join(pieces) + text[last:] if pieces else text


@dataclass(frozen=True, slots=True)
class NameFound:
    """A name as written in a transcript, its folded form, the pseudonym that replaced it
    (``""``: an ordinary word left as written, for review), how often, and where first. Holds
    a real name: never written to ``analyses/``."""

    written: str
    key: str
    replacement: str
    count: int
    first_at: str


def _rank(identity_group: str, group_id: str) -> int:
    return 0 if identity_group == group_id else 1 if not identity_group else 2


def build_transcript(turns: Sequence[Turn], group: Group, pseudonymiser: Pseudonymiser,
                     *, unknown: list[UnknownSpeaker],
                     names: list[NameFound] | None = None) -> Transcript:
    """The canonical, pseudonymised text of one group's transcript.

    Speakers that map to nobody are appended to ``unknown`` (so that every problem of every
    transcript can be reported at once) and their turns are left out. Every name found is
    appended to ``names``, with the place of its turn (for the researcher's review list).
    """
    parts: list[str] = []
    spans: list[tuple[str, int, int, float | None]] = []
    offset = 0
    found: dict[tuple[str, str, str], list] = {}
    for turn in turns:
        participant = pseudonymiser.speaker_id(turn.speaker, group.id)
        if participant is None:
            unknown.append(UnknownSpeaker(str(group.transcript), turn.location, turn.speaker))
            continue
        prefix = f"{participant} : "
        text = pseudonymiser.pseudonymise(turn.text, group.id, found,
                                          place(str(group.transcript), turn.location))
        start = offset + len(prefix)
        spans.append((participant, start, start + len(text), turn.time))
        parts.append(prefix + text + "\n\n")
        offset += len(parts[-1])
    text = "".join(parts)[:-1]
    if names is not None:
        names += [NameFound(*key, n, first) for key, (n, first) in found.items()]
    return Transcript(group.id, group.id, group.site, text, tuple(spans))


# --- segmentation --------------------------------------------------------------------------

_ABBREVIATIONS = ("dr.", "m.", "mme.", "mlle.", "pr.", "me.", "st.", "ste.", "cf.", "p.ex.",
                  "ex.", "env.", "n°.")


@functools.cache
def sentence_pipeline():
    """``fr_core_news_sm`` with only its ``senter`` component: loaded once per process."""
    import spacy

    nlp = spacy.load("fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser",
                                                 "attribute_ruler", "lemmatizer", "ner"])
    nlp.enable_pipe("senter")
    return nlp


@functools.cache
def ner_pipeline():
    """``fr_core_news_sm`` with only its named-entity recogniser (it has its own tok2vec)."""
    import spacy

    return spacy.load("fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser",
                                                  "attribute_ruler", "lemmatizer", "senter"])


def split_sentences(texts: Iterable[str], *, batch_size: int = 256) -> list[list[tuple[int, int]]]:
    """Sentence spans ``(start, end)`` of each text, with spaCy's ``senter`` (see
    :func:`sentence_spans`)."""
    return [spans for spans, _ in sentence_spans(((text, None) for text in texts),
                                                 batch_size=batch_size)]


def sentence_spans(items: Iterable[tuple[str, Context]], *, batch_size: int = 256
                   ) -> Iterator[tuple[list[tuple[int, int]], Context]]:
    """Sentence spans ``(start, end)`` of each ``(text, context)`` item, with its context,
    as spaCy delivers them: items are read as the pipeline needs them, so that they can come
    from a reader that is still running.

    Three corrections for spoken French: a split after a title abbreviation (``Mme.``,
    ``Dr.``) is undone; so is a split after ``…`` or ``etc.`` before a lower-case word, where
    the speaker went on with the same sentence; and a piece with no letter or digit (a stray
    ``«`` or ``».``) joins its neighbour. A text longer than spaCy's ``max_length`` (a
    million characters) is split in pieces at line or sentence ends (see :func:`_pieces`).
    """
    nlp = sentence_pipeline()
    docs = nlp.pipe(_pieces(items, nlp.max_length), as_tuples=True, batch_size=batch_size)
    spans: list[tuple[int, int]] = []
    for doc, (text, context, offset, last) in docs:
        for sent in doc.sents:
            start, end = offset + sent.start_char, offset + sent.end_char
            if spans and (_continues(text, spans[-1], start)
                          or _punctuation_only(text, spans[-1])
                          or _punctuation_only(text, (start, end))):
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        if last:
            yield spans, context
            spans = []


_BREAKS = ("\n", ". ", "? ", "! ", "… ", " ")  # where a long text is cut, best first


def _pieces(items: Iterable[tuple[str, Context]], limit: int
            ) -> Iterator[tuple[str, tuple[str, Context, int, bool]]]:
    """``(piece, (text, context, offset, last))``: each text whole, or, when longer than
    ``limit``, in pieces of at most ``limit`` characters cut after the last line end, else
    sentence end, else space, of each piece (the middle of a word only in a text without
    any)."""
    for text, context in items:
        start = 0
        while len(text) - start > limit:
            window = text[start:start + limit]
            cut = next((window.rindex(b) + len(b) for b in _BREAKS
                        if b in window[limit // 2:]), limit)
            yield window[:cut], (text, context, start, False)
            start += cut
        yield text[start:], (text, context, start, True)


def _punctuation_only(text: str, span: tuple[int, int]) -> bool:
    """A stray « or ». split off on its own: it belongs to a neighbouring sentence."""
    return _ALNUM.search(text, *span) is None


_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true


def _continues(text: str, previous: tuple[int, int], start: int) -> bool:
    # Only the end of the previous sentence matters: its last few characters.
    before = text[max(previous[0], previous[1] - 12):previous[1]].rstrip()
    if not before.endswith((".", "…")):  # every case below needs one of these
        return False
    last_word = before.rsplit(None, 1)[-1].lower() if before else ""
    if last_word in _ABBREVIATIONS:
        return True
    following = text[start:start + 1]
    return following.islower() and (before.endswith(("…", "...", "etc.")))


def segment_transcripts(transcripts: Iterable[Transcript], study: Study) -> pd.DataFrame:
    """The ``segments`` table: one row per sentence (or per turn, by ``study.coding_unit``).

    ``segment_id`` is ``<transcript id>-<number>`` numbered in transcript order; ``start`` and
    ``end`` are offsets into the canonical text; ``codable`` is false for the moderator and
    other roles; ``turn`` is the 1-based turn number. ``transcripts`` are read one at a time,
    as sentence splitting goes.
    """
    codable_ids = study.codable_ids()
    turns = ((transcript.text[turn[1]:turn[2]], (transcript, number, turn))
             for transcript in transcripts for number, turn in enumerate(transcript.turns, 1))
    pieces = ((([(0, len(text))], context) for text, context in turns)
              if study.coding_unit == "turn" else sentence_spans(turns))
    rows: list[tuple] = []
    numbers: dict[str, int] = {}
    for sentences, (transcript, number, (participant, start, _end, time)) in pieces:
        for s_start, s_end in sentences:
            text = transcript.text[start + s_start:start + s_end]
            if not text.strip():
                continue
            numbers[transcript.id] = numbers.get(transcript.id, 0) + 1
            rows.append((f"{transcript.id}-{numbers[transcript.id]:04d}", transcript.id,
                         transcript.group_id, transcript.site_id, participant, number,
                         start + s_start, start + s_end, text, participant in codable_ids,
                         time))
    frame = pd.DataFrame(rows, columns=list(S.SEGMENT_COLUMNS))
    return frame.astype({S.START: "int64", S.END: "int64", S.TURN: "int64",
                         S.CODABLE: "bool", S.TIME: "float64"})


def check_turns(source: SourceText, turns: Sequence[Turn]) -> None:
    """Refuse a transcript in which no speaker turn was found."""
    if not turns:
        raise TranscriptError("no speaker turns found; start each turn with a speaker label "
                              "such as 'Camille :' or '[00:01:23] P03 :' (see "
                              "docs/study-folder.md)",
                              path=source.path)


# --- lemmas (for code suggestions) ---------------------------------------------------------

# Spoken-French fillers that spaCy's stop-word list leaves in.
_FILLERS = frozenset("euh heu hum hein ben bah ouais bon voilà mouais rire".split())


@functools.cache
def lemma_pipeline():
    """``fr_core_news_sm`` with only what its rule lemmatiser needs: ``tok2vec`` and the
    ``morphologizer`` (parts of speech), loaded once per process. The ``attribute_ruler`` only
    copies parts of speech to tags, which the lemmatiser does not read (same lemmas on the
    demo without it)."""
    import spacy

    return spacy.load("fr_core_news_sm", exclude=["parser", "attribute_ruler", "ner",
                                                  "senter"])


def lemmatise(texts: Iterable[str], *, batch_size: int = 256) -> list[str]:
    """Each text as its lower-case lemmas joined by spaces, without stop words, fillers,
    punctuation and numbers (pseudonyms such as ``P03`` are left out too)."""
    nlp = lemma_pipeline()
    result = []
    for doc in nlp.pipe(list(texts), batch_size=batch_size):
        lemmas = (token.lemma_.lower() for token in doc if token.is_alpha and not token.is_stop)
        result.append(" ".join(lemma for lemma in lemmas if lemma not in _FILLERS))
    return result
