"""A study as a REFI-QDA project, and a REFI-QDA project's codings as a study's codings.

Export gives NVivo, ATLAS.ti, MAXQDA or QualCoder the pseudonymised canonical transcripts, the
codebook (each code's description carries its definition, inclusion and exclusion criteria),
one user per coder, every coder's codings as text selections with exact offsets, and one case
per participant with site, group and attributes as variables. GUIDs are ``uuid5`` of the
study's ids, so a second export of the same study gives the same GUIDs.

Import maps each text source of a project onto a study transcript (by GUID, name or text) and
each selection onto the transcript's canonical text. When the texts differ (a project coded
on the original transcripts, before pseudonymisation), offsets are carried over word by word:
words are aligned with :class:`difflib.SequenceMatcher`, and a selection keeps the aligned
words it covers. What cannot be imported is counted, never dropped silently.
"""

from __future__ import annotations

import bisect
import difflib
import re
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.errors import CodingError, QualcodeWarning
from qualcode.io.refiqda import (
    RefiCase,
    RefiCode,
    RefiProject,
    RefiSelection,
    RefiSource,
    stable_guid,
)
from qualcode.text import fold

_FATAL = ("selections outside their text", "selections whose words are not in the transcript",
          "codings of a code missing from the codebook")
MIN_ALIGNED = 0.6
"""The share of a source's words that must align with a transcript's for the source to be
taken as that transcript."""
_WORD = re.compile(r"\w+")
_HIERARCHY = re.compile(r"::|\\")
FOUND_NAMES = {
    "User": "users", "Code": "codes", "TextSource": "text sources", "PDFSource": "PDF sources",
    "PictureSource": "picture sources", "AudioSource": "audio sources",
    "VideoSource": "video sources", "PlainTextSelection": "text selections",
    "PDFSelection": "PDF selections", "PictureSelection": "picture selections",
    "AudioSelection": "audio selections", "VideoSelection": "video selections",
    "TranscriptSelection": "media transcript selections", "Coding": "codings",
    "Case": "cases", "Variable": "variables", "Note": "notes", "Set": "sets",
    "Link": "links", "Graph": "graphs"}


# --- export --------------------------------------------------------------------------------

def codebook_codes(codebook: Codebook) -> tuple[RefiCode, ...]:
    """The codebook as nested REFI-QDA codes named by their label in the codebook's
    language; categories are not codable."""
    def nodes(parent: str | None) -> tuple[RefiCode, ...]:
        return tuple(RefiCode(stable_guid("code", code.id), codebook.text(code.label),
                              code.codable, _description(codebook, code.id),
                              nodes(code.id)) for code in codebook.children(parent))
    return nodes(None)


def _description(codebook: Codebook, code_id: str) -> str:
    code = codebook[code_id]
    parts = [f"[{code.id}] {codebook.text(code.definition)}"]
    words = ("Inclure", "Exclure") if codebook.language == "fr" else ("Include", "Exclude")
    parts += [f"{name}: {codebook.text(value)}" for name, value in
              zip(words, (code.include, code.exclude), strict=True) if value]
    return "\n".join(parts)


def export_project(study, transcripts, codebook: Codebook, codings: pd.DataFrame,
                   spans: pd.DataFrame, segments: pd.DataFrame) -> RefiProject:
    """The study as a REFI-QDA project: ``transcripts`` are the canonical ones, ``codings``
    the human coders' segment codings; coders who marked spans keep their own spans."""
    astral = [t.id for t in transcripts if any(ord(c) > 0xFFFF for c in t.text)]
    if astral:
        warnings.warn(f"{', '.join(astral)}: characters outside Unicode's basic plane (emoji) "
                      "count as one character in REFI-QDA offsets, as the standard says, but "
                      "as two in tools that count UTF-16 units: check the selections after "
                      "them once imported", QualcodeWarning, stacklevel=2)
    users = {stable_guid("coder", c.id): c.name or c.id for c in study.coders}
    user_ids = {stable_guid("coder", c.id): c.id for c in study.coders}
    spanned = set(spans[S.CODER]) if not spans.empty else set()
    code_guids_of = {code.id: stable_guid("code", code.id) for code in codebook.codes}
    user_guids = {c.id: stable_guid("coder", c.id) for c in study.coders}
    placed = codings[~codings[S.CODER].isin(spanned)].merge(
        segments[[S.SEGMENT_ID, S.TRANSCRIPT_ID, S.START, S.END]], on=S.SEGMENT_ID)
    rows = [placed[[S.CODER, S.TRANSCRIPT_ID, S.START, S.END, S.CODE_ID]]]
    if spanned:
        rows.append(spans[[S.CODER, S.TRANSCRIPT_ID, S.START, S.END, S.CODE_ID]])
    selections: dict[str, dict[tuple[int, int], set]] = {t.id: {} for t in transcripts}
    for coder, transcript_id, start, end, code_id in pd.concat(rows).itertuples(index=False):
        selections[transcript_id].setdefault((int(start), int(end)), set()).add(
            (code_guids_of[code_id], user_guids[coder]))
    sources = tuple(
        RefiSource(stable_guid("transcript", t.id), t.id, t.text, tuple(
            RefiSelection(stable_guid("selection", t.id, str(start), str(end)), start, end,
                          tuple(sorted(pairs)), _quote(t.text[start:end]))
            for (start, end), pairs in sorted(selections[t.id].items())))
        for t in transcripts)
    sites = {s.id: s for s in study.sites}
    groups = {g.id: g for g in study.groups}
    cases = tuple(
        RefiCase(stable_guid("participant", p.id), p.id,
                 (("site", sites[groups[p.group].site].name), ("group", p.group),
                  *((str(k), str(v)) for k, v in p.attributes.items())),
                 (stable_guid("transcript", p.group),))
        for p in study.participants)
    return RefiProject(study.title, qualcode_origin(), users, user_ids,
                       codebook_codes(codebook), sources, cases)


def _quote(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def qualcode_origin() -> str:
    from qualcode._version import __version__

    return f"qualcode {__version__}"


# --- import --------------------------------------------------------------------------------

class OffsetMap:
    """Carries offsets of one text over to another, word by word.

    Identical texts map onto themselves. Otherwise the folded words of both are aligned
    (``difflib``); ``aligned`` is the share of the first text's words found in the second.
    """

    def __init__(self, source: str, target: str) -> None:
        self.same = source == target
        if self.same:
            self.aligned = 1.0
            return
        words = [list(_WORD.finditer(fold(text))) for text in (source, target)]
        matcher = difflib.SequenceMatcher(None, [w.group() for w in words[0]],
                                          [w.group() for w in words[1]], autojunk=False)
        self._pairs = [(words[0][a + k].span(), words[1][b + k].span())
                       for a, b, size in matcher.get_matching_blocks() for k in range(size)]
        self._starts = [a[0] for a, _ in self._pairs]  # increasing: blocks come in order
        self._ends = [a[1] for a, _ in self._pairs]
        self.aligned = len(self._pairs) / max(len(words[0]), 1)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """``[start, end)`` in the target text, covering the aligned words of the source
        span (cut where the span cuts a word); None when no word of it is aligned."""
        if self.same:
            return start, end
        first = bisect.bisect_right(self._ends, start)  # the first word ending after start
        last = bisect.bisect_left(self._starts, end) - 1  # the last word starting before end
        if first > last:
            return None
        (a0, b0), (a1, b1) = self._pairs[first], self._pairs[last]
        return b0[0] + max(start - a0[0], 0), b1[1] - max(a1[1] - end, 0)


@dataclass(frozen=True, slots=True)
class SpanImport:
    """A project's codings as spans on the study's transcripts (``coder``,
    ``transcript_id``, ``start``, ``end``, ``code``, ``location``), the transcripts each coder
    went through, and what was lost, by reason (``item``, ``count``)."""

    spans: pd.DataFrame
    reviewed: frozenset[tuple[str, str]]
    lost: pd.DataFrame
    sources: int

    def check(self, path: Path) -> None:
        """Refuse selections that cannot be placed on their transcript (a corrupt or
        foreign file) and warn about the rest of what is lost (media, comments)."""
        lost = dict(self.lost.itertuples(index=False))
        for item in _FATAL:
            if count := lost.pop(item, 0):
                raise CodingError(f"{count} {item}: the file does not fit the "
                                  "study's transcripts; export it again from a project "
                                  "made with 'qualcode export-qdpx'", path=path)
        if lost:
            warnings.warn(f"{path.name}: not imported: " + ", ".join(
                f"{count} {item}" for item, count in lost.items()), QualcodeWarning,
                stacklevel=2)


def match_sources(project: RefiProject, transcripts: Mapping[str, str],
                  names: Mapping[str, str], *, path: Path) -> dict[str, tuple[str, OffsetMap]]:
    """``{source guid: (transcript id, offset map)}`` for every text source that is a
    transcript of the study, found by GUID, then name (``names`` maps folded names to
    transcript ids), then identical text. Raises when a source matches none."""
    by_guid = {stable_guid("transcript", tid): tid for tid in transcripts}
    by_text = {text: tid for tid, text in transcripts.items()}
    matched = {}
    for source in project.sources:
        tid = by_guid.get(source.guid) or names.get(fold(Path(source.name).stem).strip()) \
            or by_text.get(source.text)
        if tid is None:
            if not source.selections:
                continue  # an uncoded document the study does not hold: nothing to import
            raise CodingError(f"text source '{source.name}' matches no transcript of the "
                              f"study ({', '.join(transcripts)}); rename it in your software "
                              "after its group id or transcript file", path=path)
        offsets = OffsetMap(source.text, transcripts[tid])
        if offsets.aligned < MIN_ALIGNED:
            raise CodingError(f"text source '{source.name}' is not the text of transcript "
                              f"{tid} (only {offsets.aligned:.0%} of its words are found "
                              "there); check that the project holds this study's transcripts",
                              path=path)
        matched[source.guid] = (tid, offsets)
    return matched


def project_spans(project: RefiProject, matched: Mapping[str, tuple[str, OffsetMap]], *,
                  code_names: Mapping[str, str], coder_of: Callable[[str], str | None],
                  default_coder: str, path: Path) -> SpanImport:
    """Each coding of a matched source as a span on its transcript.

    ``code_names`` maps a code GUID to what it is called in the study (an id or a label);
    ``coder_of`` maps a user's name to a coder id. Codings without a user are
    ``default_coder``'s. Raises when a user is not a coder of the study.
    """
    lost: Counter[str] = Counter()
    rows, unknown = [], set()
    for source in project.sources:
        if source.guid not in matched:
            lost["text sources that are not transcripts of the study"] += 1
            lost["text selections"] += len(source.selections) + len(source.outside)
            continue
        tid, offsets = matched[source.guid]
        lost["selections outside their text"] += len(source.outside)
        for selection in source.selections:
            if not selection.codings:
                lost["selections without a coding (comments)"] += 1
                continue
            target = offsets.span(selection.start, selection.end)
            if target is None:
                lost["selections whose words are not in the transcript"] += 1
                continue
            for code_guid, user in selection.codings:
                if code_guid not in code_names:
                    lost["codings of a code missing from the codebook"] += 1
                    continue
                name = project.users.get(user, user) if user else ""
                coder = coder_of(name) if name else default_coder
                if coder is None:
                    unknown.add(name)
                    continue
                rows.append((coder, tid, *target, code_names[code_guid],
                             f"selection {selection.guid}"))
    if unknown:
        raise CodingError(f"user(s) {', '.join(sorted(unknown))} of the project are not "
                          "coders of study.yaml; add them under coders (id or name)",
                          path=path)
    coders = {row[0] for row in rows}
    reviewed = frozenset((c, tid) for c in coders for tid, _ in matched.values())
    spans = pd.DataFrame(rows, columns=["coder", S.TRANSCRIPT_ID, S.START, S.END, "code",
                                        "location"])
    return SpanImport(spans, reviewed,
                      pd.DataFrame([(k, v) for k, v in sorted(lost.items()) if v],
                                   columns=["item", "count"]), len(matched))


def code_guids(codebook: Codebook) -> dict[str, str]:
    """``{GUID: code id}`` of the codes qualcode exports."""
    return {stable_guid("code", c.id): c.id for c in codebook.codes}


def code_names(project_codes: tuple[RefiCode, ...], known: Mapping[str, str]) -> dict[str, str]:
    """``{code guid: name}``: a code exported by qualcode (``known``) gets its id back,
    others their name (the last part of a flat ``a::b`` or ``a\\b`` path)."""
    names = {}

    def walk(codes: tuple[RefiCode, ...]) -> None:
        for code in codes:
            names[code.guid] = known.get(code.guid) or _HIERARCHY.split(code.name)[-1].strip()
            walk(code.children)

    walk(project_codes)
    return names


def summary(project: RefiProject, spans: SpanImport, *, codes: int, cases: int = 0,
            notes: int = 0) -> pd.DataFrame:
    """What the file holds and what qualcode imported, kind by kind, then the reasons for
    what was lost: ``item``, ``found``, ``imported``."""
    imported = {
        "User": spans.spans["coder"].nunique(), "Code": codes,
        "TextSource": spans.sources,
        "PlainTextSelection": spans.spans["location"].nunique(),
        "Coding": len(spans.spans), "Case": cases, "Note": notes}
    rows = [(FOUND_NAMES[kind], found, imported.get(kind, 0)) for kind, found in project.found]
    rows += [(f"lost: {item}", count, 0) for item, count in spans.lost.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["item", "found", "imported"])
