"""Import a study's transcripts: read, detect turns, pseudonymise, segment.

:func:`import_study` returns everything the later stages need (the ``segments`` table and the
canonical transcripts) without writing anything, segmenting each transcript as soon as it is
read (by a worker process for large studies); :func:`preview_import` shows what would be
imported; :func:`find_person_names` is the optional spaCy NER pass that looks for names the
identities table does not know.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd

from qualcode import process
from qualcode import schema as S
from qualcode.corpus import (
    NameFound,
    Pseudonymiser,
    Transcript,
    UnknownSpeaker,
    build_transcript,
    check_turns,
    detect_turns,
    label_key,
    segment_transcripts,
)
from qualcode.errors import QualcodeWarning, TranscriptError
from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.io.cache import Cache, json_table, table_json
from qualcode.io.transcripts import read_transcript
from qualcode.names import study_matcher
from qualcode.study import Study, load_identities
from qualcode.text import fold

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The canonical transcripts, their segments, one summary row per transcript, and the
    names pseudonymisation found (see :func:`name_review`: real names, never written to
    ``analyses/``)."""

    transcripts: tuple[Transcript, ...]
    segments: pd.DataFrame
    summary: pd.DataFrame
    names: pd.DataFrame


def read_transcripts(study: Study, *, progress: Progress | None = None
                     ) -> tuple[Transcript, ...]:
    """Every group's transcript in canonical, pseudonymised form.

    Raises a :class:`TranscriptError` listing *every* speaker label, in every transcript,
    that ``identities.csv`` does not map to a participant or role.
    """
    transcripts, unknown = [], []
    for transcript, missing, _ in _read_groups(study, background=False):
        transcripts.append(transcript)
        unknown += missing
        if progress:
            progress(transcript.group_id)
    if unknown:
        raise TranscriptError(_unknown_message(unknown, study))
    return tuple(transcripts)


class _Reader:
    """Reads one group's transcript: turns, speakers and pseudonymisation."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.pseudonymiser = Pseudonymiser(study, load_identities(study))

    def read(self, index: int) -> Read:
        """The canonical transcript of group ``index``, its speakers that map to nobody, the
        names found in it, and the warnings reading it gave (returned, as a worker process
        cannot show them)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QualcodeWarning)
            group = self.study.groups[index]
            source = read_transcript(group.transcript)
            turns = detect_turns(source, known_labels=self.pseudonymiser.known_labels(group.id))
            check_turns(source, turns)
            unknown: list[UnknownSpeaker] = []
            names: list[NameFound] = []
            transcript = build_transcript(turns, group, self.pseudonymiser, unknown=unknown,
                                          names=names)
            if not unknown:
                _warn_speakers(transcript, self.study, source.path)
        return transcript, unknown, names, [str(w.message) for w in caught
                                            if issubclass(w.category, QualcodeWarning)]


Read = tuple[Transcript, list[UnknownSpeaker], list[NameFound], list[str]]


DOMINANT_SHARE = 0.8  # of a transcript's words, held by one speaker: a layout not recognised?


def _warn_speakers(transcript: Transcript, study: Study, path: str) -> None:
    """Warn when a participant listed for the group never speaks, or when one speaker holds
    more than :data:`DOMINANT_SHARE` of the words where several should speak: both happen
    when turns were not recognised (a Word transcript typed with Shift+Enter, say)."""
    listed = [p.id for p in study.participants if p.group == transcript.group_id]
    words: dict[str, int] = defaultdict(int)
    for participant, start, end, _ in transcript.turns:
        words[participant] += len(transcript.text[start:end].split())
    silent = [p for p in listed if not words.get(p)]
    relative = path.replace(f"{study.root}/", "")
    if silent:
        warnings.warn(f"{relative}: participant(s) {', '.join(silent)} of group "
                      f"{transcript.group_id} never speak; check their speaker labels in "
                      "identities.csv, or the transcript's layout (one paragraph or line per "
                      "turn)", QualcodeWarning, stacklevel=2)
    total = sum(words.values())
    top = max(words, key=words.__getitem__, default=None)
    if top and words[top] > DOMINANT_SHARE * total and (len(listed) > 1 or top not in listed):
        warnings.warn(f"{relative}: {top} holds {words[top] / total:.0%} of the words "
                      f"({words[top]} of {total}); were all turns recognised? Check with "
                      "'qualcode import --preview'", QualcodeWarning, stacklevel=2)


BACKGROUND_FROM = 8  # groups from which a large import reads in a worker process
_WORKER_READER: _Reader | None = None  # the reader of a background worker process


def _read_groups(study: Study, *, background: bool
                 ) -> Iterator[tuple[Transcript, list[UnknownSpeaker], list[NameFound]]]:
    """Each group's transcript, unknown speakers and names found, in the study's order.

    With ``background`` (a study of at least :data:`BACKGROUND_FROM` groups, on Linux with two
    cores or more), one forked worker process reads while the caller goes on with what is
    already read: reading and pseudonymising (0.6 s per million words here) then overlap
    spaCy's sentence splitting, and the memory they churn stays out of the process that runs
    spaCy. The worker only reads files and runs regular expressions, so forking the process
    that holds the spaCy model is safe; results are the same as when reading in turn
    (tested).
    """
    if not (background and len(study.groups) >= BACKGROUND_FROM and _can_fork()):
        reader = _Reader(study)
        yield from _shown(reader.read(index) for index in range(len(study.groups)))
        return
    worker = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker, initargs=(study,))
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns about forking a threaded process
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork")
            results = worker.map(_read_in_worker, range(len(study.groups)))
        yield from _shown(results)
    finally:
        worker.shutdown(cancel_futures=True)


def _shown(results: Iterable[Read]
           ) -> Iterator[tuple[Transcript, list[UnknownSpeaker], list[NameFound]]]:
    """Each result, its reader's warnings given again here, in the caller's process."""
    for transcript, unknown, names, messages in results:
        for message in messages:
            warnings.warn(message, QualcodeWarning, stacklevel=2)
        yield transcript, unknown, names


def _can_fork() -> bool:
    """On Linux with a second core for the worker (on one core it would only take turns)."""
    return (sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
            and len(os.sched_getaffinity(0)) > 1)


def _start_worker(study: Study) -> None:
    """The worker's reader. Its standard streams are copies of the parent's, buffers and
    locks included (a progress bar may have been writing when it forked): it writes nothing,
    so they are replaced and never flushed (errors come back to the parent as exceptions)."""
    global _WORKER_READER
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for life)
    _WORKER_READER = _Reader(study)


def _read_in_worker(index: int) -> Read:
    assert _WORKER_READER is not None, "the worker was started without a study"
    return _WORKER_READER.read(index)


def _unknown_message(unknown: list[UnknownSpeaker], study: Study) -> str:
    by_label: dict[tuple[str, str], list[UnknownSpeaker]] = defaultdict(list)
    for item in unknown:
        by_label[item.path, item.label].append(item)
    listed = "; ".join(f"{items[0]}" + (f" (+{len(items) - 1} more turns)" if len(items) > 1
                                         else "") for items in by_label.values())
    relative = listed.replace(f"{study.root}/", "")
    return (f"{len(by_label)} speaker label(s) map to nobody: {relative}. Add each to "
            "identities.csv (group_id,speaker,name,participant_id) or correct the transcript")


def import_study(study: Study, *, progress: Progress | None = None,
                 background: bool | None = None) -> ImportResult:
    """Read, pseudonymise and segment every transcript of ``study``; writes nothing.

    Transcripts are segmented as they are read; with ``background`` a large study is read by
    a forked worker process (see :func:`_read_groups`). By default (None) only when the
    entry point that owns the process allowed it (:func:`qualcode.process.own_process`,
    which the command line calls). Speaker labels that map to nobody are all reported at the end, in
    one :class:`TranscriptError`.
    """
    transcripts: list[Transcript] = []
    unknown: list[UnknownSpeaker] = []
    names: list[tuple[str, NameFound]] = []
    if background is None:
        background = process.owned()

    def each() -> Iterator[Transcript]:
        for transcript, missing, found in _read_groups(study, background=background):
            transcripts.append(transcript)
            unknown.extend(missing)
            names.extend((transcript.id, name) for name in found)
            if progress:
                progress(transcript.group_id)
            if not unknown:  # once one is found, the rest is only read, to list them all
                yield transcript

    segments = segment_transcripts(each(), study)
    if unknown:
        raise TranscriptError(_unknown_message(unknown, study))
    return ImportResult(tuple(transcripts), segments, summarise(tuple(transcripts), segments),
                        name_review(names, study))


NAME_REVIEW_COLUMNS = (S.TRANSCRIPT_ID, "written", "name", "replaced_by", "count", "first_at")


def name_review(names: list[tuple[str, NameFound]], study: Study) -> pd.DataFrame:
    """One row per transcript and name as written: the pseudonym that replaced it (empty:
    an ordinary word left as it is, to check), how often, and where first. It holds real
    names: the researcher's private review list, never an output."""
    return pd.DataFrame([(transcript_id, n.written, n.key, n.replacement, n.count,
                          n.first_at.replace(f"{study.root}/", ""))
                         for transcript_id, n in names], columns=list(NAME_REVIEW_COLUMNS))


def summarise(transcripts: tuple[Transcript, ...], segments: pd.DataFrame) -> pd.DataFrame:
    """One row per transcript: turns, segments, words and distinct speakers."""
    n_segments = segments[S.TRANSCRIPT_ID].value_counts()
    rows = []
    for t in transcripts:
        words = sum(len(t.text[start:end].split()) for _, start, end, _ in t.turns)
        rows.append((t.id, t.group_id, t.site_id, len(t.turns), int(n_segments.get(t.id, 0)),
                     words, len({pid for pid, *_ in t.turns})))
    return pd.DataFrame(rows, columns=list(S.SUMMARY_COLUMNS))


def preview_import(study: Study) -> pd.DataFrame:
    """One row per transcript and speaker label: how many turns, and whom it maps to.

    Nothing is written and unknown labels are not an error here: they show as ``?``.
    """
    pseudonymiser = Pseudonymiser(study, load_identities(study))
    rows = []
    for group in study.groups:
        source = read_transcript(group.transcript)
        turns = detect_turns(source, known_labels=pseudonymiser.known_labels(group.id))
        counts: dict[str, list] = {}
        for turn in turns:
            entry = counts.setdefault(label_key(turn.speaker), [turn.speaker, 0, turn.location])
            entry[1] += 1
        for label, n, first in counts.values():
            rows.append((group.id, label, pseudonymiser.speaker_id(label, group.id) or "?", n,
                         str(first)))
        if not turns:
            rows.append((group.id, "(no speaker turn found)", "?", 0, ""))
    return pd.DataFrame(rows, columns=[S.TRANSCRIPT_ID, "speaker", S.PARTICIPANT_ID,
                                       "n_turns", "first_turn_at"])


def names_line(names: pd.DataFrame, review: object) -> str:
    """What pseudonymisation did, in one line: ``names`` as :func:`name_review` gives them,
    ``review`` where their private list was written."""
    replaced = names[names["replaced_by"] != ""]["count"].sum()
    left = names[names["replaced_by"] == ""]["count"].sum()
    return (f"Names: {replaced} replaced by pseudonyms, {left} ordinary word(s) that are also "
            f"names left as written; both listed in {review} (private: real names, never "
            "share it).")


def name_check_lines(names: pd.DataFrame) -> list[tuple[str, bool]]:
    """What the name check found (:func:`find_person_names`), as lines to show, each with
    whether it is a warning."""
    lines = []
    listed = sorted(set(names[names["listed"]]["name"]))
    if listed:
        lines.append((f"Name check: {len(listed)} name(s) of identities.csv left as written, "
                      "as ordinary words (see names-review.csv): " + ", ".join(listed), True))
    names = names[~names["listed"]]
    if names.empty:
        return [*lines, ("Name check: no unknown person name found.", False)]
    found = sorted(names.groupby("name")["segment_id"].agg(list).items(),
                   key=lambda item: (-len(item[1]), item[0]))  # most frequent first
    lines.append((f"Name check: {len(found)} possible person name(s) in {len(names)} "
                  "segment(s), not in identities.csv (add real ones to identities.csv, others "
                  "to names_allowed in study.yaml):", True))
    for name, segment_ids in found:
        more = f" and {len(segment_ids) - 3} more" if len(segment_ids) > 3 else ""
        lines.append((f"  {name}: {', '.join(segment_ids[:3])}{more}", True))
    return lines


_NOT_NAMES = frozenset(("m. mme mlle dr pr me docteur docteure madame monsieur mademoiselle "
                        "professeur bah ben bon hein ouais euh sinon donc voila oui non").split())


def name_check(segments: pd.DataFrame, study: Study) -> list[tuple[str, bool]]:
    """The name check's lines (:func:`name_check_lines` of :func:`find_person_names`), its
    findings kept in the study's private cache while the segments, the study's names and
    ids and ``identities.csv`` are the same, so that spaCy is loaded only when they changed."""
    cache = Cache(study.paths.cache)
    lines = name_check_lines(find_person_names(segments, study, cache=cache))
    cache.flush()
    return lines


def find_person_names(segments: pd.DataFrame, study: Study, *, cache: Cache | None = None
                      ) -> pd.DataFrame:
    """Person names that spaCy's NER finds in the (already pseudonymised) segments.

    spaCy's small French model tags many capitalised words of spoken French as persons, so a
    candidate is kept only when every word of it is capitalised, it is not a pseudonym id, a
    title, an interjection or one of the study's ``names_allowed``, and, when it is one word
    at the start of a segment, the same word also appears capitalised inside a sentence
    somewhere in the study. This is a help for the researcher, not a guarantee.

    The recogniser only reads the segments that can give such a name: a segment without a
    capital letter cannot, and one whose only capital is its first letter only when its
    text starts with a word found capitalised inside a sentence (the rule above); the result
    is the one of reading every segment (tested), in far less time.

    Every speaker's segments are read, the moderator's included. A candidate that the
    study's name matcher knows (a name of ``identities.csv`` left as written because it is
    also an ordinary word) is marked ``listed``.

    The result is meant for the console only: it may hold real names, so it must never be
    written to ``analyses/``. Columns: ``segment_id``, ``name``, ``listed``. ``cache`` keeps
    the result while the segments, the study's names and ids and its identities are the
    same.
    """
    identities = load_identities(study)
    if cache is None:
        return _person_names(segments, study, identities)
    key = fingerprint(source_fingerprint(), segments[[S.SEGMENT_ID, S.TEXT]],
                      study.names_allowed, study.speaker_ids(), {r.id for r in study.roles},
                      identities)  # what the result depends on, not where the study is
    return cache.value("names", key, lambda: _person_names(segments, study, identities),
                       encode=table_json, decode=json_table)


def _person_names(segments: pd.DataFrame, study: Study, identities) -> pd.DataFrame:
    """:func:`find_person_names`, computed."""
    allowed = _NOT_NAMES | {fold(n) for n in study.names_allowed} | \
        {fold(i) for i in study.speaker_ids()}
    texts = segments[S.TEXT].tolist()
    capitals = [_capitals(text) for text in texts]
    found = _person_entities(texts, [i for i, c in enumerate(capitals) if c == _ELSEWHERE],
                             allowed)
    inside = {name for _, name, initial in found if not initial}
    inside |= {w for text in texts for w in text.split()[1:] if w.istitle()}
    longest = max(map(len, inside), default=0)
    found += _person_entities(texts, [
        i for i, c in enumerate(capitals) if c == _FIRST_ONLY
        and any(texts[i][:k] in inside for k in range(1, min(len(texts[i]), longest) + 1))],
        allowed)
    ids = segments[S.SEGMENT_ID].tolist()
    matcher = study_matcher(study, identities)
    rows = [(ids[i], name, any(h.key for h in matcher.hits(name)))
            for i, name, initial in sorted(found, key=lambda item: item[0])
            if not initial or name in inside]
    return pd.DataFrame(rows, columns=[S.SEGMENT_ID, "name", "listed"]).astype({"listed": bool})


_NONE, _FIRST_ONLY, _ELSEWHERE = range(3)


def _capitals(text: str) -> int:
    """Where ``text`` has upper- or titlecase letters: none, its first character only, or
    elsewhere (as ``str.istitle`` counts them)."""
    return _ELSEWHERE if _has_capital(text[1:]) else _FIRST_ONLY if _has_capital(text[:1]) \
        else _NONE


def _has_capital(text: str) -> bool:
    if text.islower():  # every cased character is lower-case
        return False
    if text != text.lower():
        return True
    return any(c.isupper() or c.istitle() for c in text)  # capitals without a lower case


def _person_entities(texts: list[str], indices: list[int], allowed: frozenset[str]
                     ) -> list[tuple[int, str, bool]]:
    """``(index, name, initial)`` of every candidate person name in ``texts[indices]``:
    a PER entity whose words are all capitalised and not all allowed; ``initial`` when it is
    one word at the start of its text."""
    from qualcode.corpus import ner_pipeline

    candidates = []
    docs = ner_pipeline().pipe((texts[i] for i in indices), batch_size=256)
    for i, doc in zip(indices, docs, strict=True):
        for ent in doc.ents:
            words = [t.text for t in ent if not t.is_punct]
            if (ent.label_ == "PER" and words and all(w.istitle() for w in words)
                    and not {fold(w) for w in words} <= allowed):
                candidates.append((i, ent.text, ent.start == 0 and len(words) == 1))
    return candidates
