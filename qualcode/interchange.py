"""A study as a REFI-QDA project, and a REFI-QDA project's codings as a study's codings: the
pure mapping between qualcode's tables and :mod:`qualcode.io.refiqda`'s objects (no disk;
:mod:`qualcode.steps.refiqda` reads and writes the study folder).

Export gives NVivo, ATLAS.ti, MAXQDA or QualCoder the pseudonymised canonical transcripts, the
codebook (each code's description carries every field, :func:`code_description`), one user
per coder and one for the consensus, each coder's codings of a span as one selection of that
coder, and one case per participant with typed variables, holding the participant's turns.
GUIDs are ``uuid5`` of the study's ids, so a second export of the same study gives the same
GUIDs.

Import is checked once (:func:`check_project`, :func:`place_codings`) for every way a project
comes in: what cannot be placed is refused, naming the element.

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

_FATAL = ("selections whose words are not in the transcript",)
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

CONSENSUS_USER = "consensus"
"""The user the consensus coding is exported as (its own user, beside the coders)."""
FIELDS = {
    "fr": {"label": "Libellé", "definition": "Définition", "include": "Inclure",
           "exclude": "Exclure", "example": "Exemple", "origin": "Origine",
           "requirement": "Exigence"},
    "en": {"label": "Label", "definition": "Definition", "include": "Include",
           "exclude": "Exclude", "example": "Example", "origin": "Origin",
           "requirement": "Requirement"}}
"""The words that start each field's line in an exported code's description."""
_FIELD_OF = {word.lower(): key for words in FIELDS.values() for key, word in words.items()}
_FIELD_LINE = re.compile(r"^(?P<word>[^\W\d_]+)(?: (?P<id>R-[\w-]+))?"
                         r"(?: \((?P<extra>[\w-]+)\))?: (?P<value>.*)$")
_ID_LINE = re.compile(r"^\[(?P<id>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\] ?(?P<value>.*)$")


def codebook_codes(codebook: Codebook) -> tuple[RefiCode, ...]:
    """The codebook as nested REFI-QDA codes named by their label in the codebook's
    language; categories are not codable; each description holds every field
    (:func:`code_description`)."""
    def nodes(parent: str | None) -> tuple[RefiCode, ...]:
        return tuple(RefiCode(stable_guid("code", code.id), codebook.text(code.label),
                              code.codable, code_description(codebook, code.id),
                              nodes(code.id)) for code in codebook.children(parent))
    return nodes(None)


def code_description(codebook: Codebook, code_id: str) -> str:
    """A code's fields as the text other tools show as its description, one per line
    (``[id] definition``, then ``Inclure: ...``, ``Libellé (en): ...``, ``Exemple: ...``,
    ``Exigence R-HQ-01 (private_space): ...``), which :func:`code_fields` reads back."""
    code, main = codebook[code_id], codebook.language
    words = FIELDS.get(main, FIELDS["en"])
    lines = [f"[{code.id}] {code.definition.get(main, codebook.text(code.definition))}"]

    def texts(key: str, value, skip: str | None = None) -> None:
        for lang, text in value.items():
            if text and lang != skip:
                suffix = "" if lang == main else f" ({lang})"
                lines.append(f"{words[key]}{suffix}: {text}")

    texts("definition", code.definition, skip=main)
    texts("label", code.label, skip=main)
    texts("include", code.include)
    texts("exclude", code.exclude)
    lines += [f"{words['example']}: {example}" for example in code.examples]
    if code.origin:
        lines.append(f"{words['origin']}: {code.origin}")
    if code.requirement is not None:
        requirement = code.requirement
        lines.append(f"{words['requirement']} {requirement.id} ({requirement.category}): "
                     f"{requirement.text.get(main, '')}")
        texts("requirement", {k: v for k, v in requirement.text.items() if k != main})
    return "\n".join(lines)


def code_fields(description: str, label: str, *, language: str) -> dict:
    """The codebook fields of a description :func:`code_description` wrote (``id``, then
    ``label``, ``definition``, ``include``, ``exclude`` as ``{language: text}``,
    ``examples``, ``origin``, ``requirement``); ``{}`` for another tool's description.
    A line that starts no field continues the one before."""
    lines = description.splitlines()
    head = _ID_LINE.match(lines[0]) if lines else None
    if head is None:
        return {}
    fields: dict = {"id": head["id"], "label": {language: label},
                    "definition": {language: head["value"]}}
    last: tuple[dict, str] | None = (fields["definition"], language)
    for line in lines[1:]:
        match = _FIELD_LINE.match(line)
        key = _FIELD_OF.get(match["word"].lower()) if match else None
        if key is None:
            if last is not None:
                last[0][last[1]] += "\n" + line
            continue
        value, extra = match["value"], match["extra"]
        if key == "example":
            fields.setdefault("examples", []).append(value)
            last = None
        elif key == "origin":
            fields["origin"], last = value, None
        elif key == "requirement" and match["id"]:
            fields["requirement"] = {"id": match["id"], language: value, "category": extra}
            last = (fields["requirement"], language)
        elif key == "requirement":
            fields.setdefault("requirement", {})[extra or language] = value
            last = (fields["requirement"], extra or language)
        else:
            holder = fields.setdefault(key, {})
            holder[extra or language] = value
            last = (holder, extra or language)
    return fields


def export_project(study, transcripts, codebook: Codebook, codings: pd.DataFrame,
                   spans: pd.DataFrame, segments: pd.DataFrame) -> RefiProject:
    """The study as a REFI-QDA project: ``transcripts`` are the canonical ones, ``codings``
    the segment codings (the consensus' too, as user ``consensus``); coders who marked
    spans keep their own spans. Each coder's codings of one span are one selection whose
    ``creatingUser`` is that coder (QualCoder and NVivo take the coder from the selection).
    Each participant is a case with typed variables, holding one selection per turn."""
    astral = [t.id for t in transcripts if any(ord(c) > 0xFFFF for c in t.text)]
    if astral:
        warnings.warn(f"{', '.join(astral)}: characters outside Unicode's basic plane (emoji) "
                      "count as one character in REFI-QDA offsets, as the standard says, but "
                      "as two in tools that count UTF-16 units: check the selections after "
                      "them once imported", QualcodeWarning, stacklevel=2)
    coders = [(c.id, c.name or c.id) for c in study.coders]
    if (codings[S.CODER] == CONSENSUS_USER).any():
        coders.append((CONSENSUS_USER, CONSENSUS_USER))
    user_guids = {coder: stable_guid("coder", coder) for coder, _ in coders}
    spanned = set(spans[S.CODER]) if not spans.empty else set()
    code_guids_of = {code.id: stable_guid("code", code.id) for code in codebook.codes}
    placed = codings[~codings[S.CODER].isin(spanned)].merge(
        segments[[S.SEGMENT_ID, S.TRANSCRIPT_ID, S.START, S.END]], on=S.SEGMENT_ID)
    rows = [placed[[S.CODER, S.TRANSCRIPT_ID, S.START, S.END, S.CODE_ID]]]
    if spanned:
        rows.append(spans[[S.CODER, S.TRANSCRIPT_ID, S.START, S.END, S.CODE_ID]])
    selections: dict[str, dict[tuple[int, int, str], set]] = {t.id: {} for t in transcripts}
    for coder, transcript_id, start, end, code_id in pd.concat(rows).itertuples(index=False):
        selections[transcript_id].setdefault((int(start), int(end), coder), set()).add(
            (code_guids_of[code_id], user_guids[coder]))
    turns = _participant_turns(segments)
    sources = tuple(
        RefiSource(stable_guid("transcript", t.id), t.id, t.text, tuple(sorted(
            [RefiSelection(stable_guid("selection", t.id, str(start), str(end), coder),
                           start, end, tuple(sorted(pairs)), _quote(t.text[start:end]),
                           user_guids[coder])
             for (start, end, coder), pairs in selections[t.id].items()] +
            [RefiSelection(guid, start, end, (), _quote(t.text[start:end]))
             for guid, _, start, end in turns.get(t.id, ())],
            key=lambda s: (s.start, s.end, s.user, s.guid))))
        for t in transcripts)
    sites = {s.id: s for s in study.sites}
    groups = {g.id: g for g in study.groups}
    owned: dict[str, list[str]] = {}
    for transcript_turns in turns.values():
        for guid, participant, _, _ in transcript_turns:
            owned.setdefault(participant, []).append(guid)
    cases = tuple(
        RefiCase(stable_guid("participant", p.id), p.id,
                 (("site", sites[groups[p.group].site].name),
                  ("site_kind", sites[groups[p.group].site].kind), ("group", p.group),
                  *((str(k), v) for k, v in p.attributes.items() if v is not None)),
                 (), tuple(owned.get(p.id, ())))
        for p in study.participants)
    return RefiProject(study.title, qualcode_origin(), dict(
        (user_guids[coder], name) for coder, name in coders),
        {user_guids[coder]: coder for coder, _ in coders}, codebook_codes(codebook), sources,
        cases)


def _participant_turns(segments: pd.DataFrame) -> dict[str, list[tuple[str, str, int, int]]]:
    """``{transcript: [(selection guid, participant, start, end)]}``: each participant's
    turns (a moderator's are not a participant's)."""
    spoken = segments[segments[S.CODABLE]]
    table = spoken.groupby([S.TRANSCRIPT_ID, S.TURN, S.PARTICIPANT_ID], sort=True).agg(
        start=(S.START, "min"), end=(S.END, "max")).reset_index()
    turns: dict[str, list[tuple[str, str, int, int]]] = {}
    for tid, turn, participant, start, end in table.itertuples(index=False):
        turns.setdefault(tid, []).append((stable_guid("turn", tid, str(turn)), participant,
                                          int(start), int(end)))
    return turns


def _quote(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def qualcode_origin() -> str:
    from qualcode._version import __version__

    return f"qualcode {__version__}"


# --- import --------------------------------------------------------------------------------

def check_project(project: RefiProject, path: Path) -> None:
    """Refuse, naming the element, what no import can place: a GUID given twice, a text
    source whose text the file does not hold or whose text is empty, a selection outside
    its text, a coding of a code the project does not hold. Both ``import-qdpx`` modes and
    ``collect`` call it before anything is written."""
    if project.duplicates:
        raise CodingError(f"GUID given twice: {project.duplicates[0]}; GUIDs must be unique: "
                          "export the project again", path=path)
    if project.missing:
        raise CodingError(f"the text of {len(project.missing)} text source(s) is missing from "
                          f"the file: {_names(project.missing)}; export the project again "
                          "with its sources (a .qdpx with sources/)", path=path)
    empty = [s.name or s.file or s.guid for s in project.sources if not s.text.strip()]
    if empty:
        raise CodingError(f"{len(empty)} text source(s) are empty: {_names(empty)}; the "
                          "software that wrote the project did not find their text: export "
                          "it again from a project where the texts show", path=path)
    for source in project.sources:
        if source.outside:
            first = source.outside[0]
            raise CodingError(
                f"{len(source.outside)} selection(s) outside their text, first "
                f"PlainTextSelection {first.guid} ({first.start}-{first.end}) of "
                f"'{source.name or source.file}' (text of {len(source.text)} characters); "
                "check --crlf and --offsets, or export the project again", path=path)
    codes = {code.guid for code in _all_codes(project.codes)}
    for source in project.sources:
        for selection in source.selections:
            for code_guid, _ in selection.codings:
                if code_guid not in codes:
                    raise CodingError(f"a coding of selection {selection.guid} of "
                                      f"'{source.name or source.file}' refers to code "
                                      f"{code_guid or '(none)'}, which the project's codebook "
                                      "does not hold; export the project again", path=path)


def _names(names) -> str:
    names = [f"'{n}'" for n in names]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _all_codes(codes: tuple[RefiCode, ...]):
    for code in codes:
        yield code
        yield from _all_codes(code.children)


def is_consensus(name: str) -> bool:
    """Whether a project's user is a consensus (qualcode exports it as user ``consensus``)."""
    return fold(name).strip() == CONSENSUS_USER


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
    went through, what was lost, by reason (``item``, ``count``), and the consensus user's
    spans (same columns, coder ``consensus``), kept apart: qualcode makes its consensus from
    decisions."""

    spans: pd.DataFrame
    reviewed: frozenset[tuple[str, str]]
    lost: pd.DataFrame
    sources: int
    consensus: pd.DataFrame | None = None

    def check(self, path: Path) -> None:
        """Refuse selections that cannot be placed on their transcript (a project coded on
        another text) and warn about the rest of what is lost (media, comments)."""
        lost = dict(self.lost.itertuples(index=False))
        for item in _FATAL:
            if count := lost.pop(item, 0):
                raise CodingError(f"{count} {item}: the file does not fit the "
                                  "study's transcripts; export it again from a project "
                                  "made with 'qualcode export-qdpx'", path=path)
        if self.consensus is not None and len(self.consensus):
            lost["consensus codings (qualcode makes its consensus from codings/decisions)"] = \
                len(self.consensus)
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
    rows, unknown, consensus = [], set(), []
    turns = {guid for case in project.cases for guid in case.selections}
    for source in project.sources:
        if source.guid not in matched:
            lost["text sources that are not transcripts of the study"] += 1
            lost["text selections"] += len(source.selections) + len(source.outside)
            continue
        tid, offsets = matched[source.guid]
        for selection in source.selections:
            if not selection.codings:
                if selection.guid not in turns:
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
                if is_consensus(name) or is_consensus(project.user_ids.get(user, "")):
                    consensus.append((CONSENSUS_USER, tid, *target, code_names[code_guid],
                                      f"selection {selection.guid}"))
                    continue
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
    columns = ["coder", S.TRANSCRIPT_ID, S.START, S.END, "code", "location"]
    return SpanImport(pd.DataFrame(rows, columns=columns), reviewed,
                      pd.DataFrame([(k, v) for k, v in sorted(lost.items()) if v],
                                   columns=["item", "count"]), len(matched),
                      pd.DataFrame(consensus, columns=columns))


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


def place_codings(project: RefiProject, transcripts: Mapping[str, str],
                  names: Mapping[str, str], *, code_guids: Mapping[str, str],
                  coder_of: Callable[[str], str | None], default_coder: str,
                  path: Path) -> SpanImport:
    """The one validation of a project brought into an existing study (``import-qdpx``
    without a folder, and ``collect``): :func:`check_project`, each text source matched to
    a transcript, each coding placed, what cannot be placed refused and the rest of what is
    lost warned about."""
    check_project(project, path)
    spans = project_spans(project, match_sources(project, transcripts, names, path=path),
                          code_names=code_names(project.codes, code_guids),
                          coder_of=coder_of, default_coder=default_coder, path=path)
    spans.check(path)
    return spans


def summary(project: RefiProject, spans: SpanImport, *, codes: int, cases: int = 0,
            variables: int = 0, notes: int = 0, consensus: bool = False,
            uncovered: Mapping[str, int] | None = None) -> pd.DataFrame:
    """What the file holds and what qualcode imported, kind by kind, then the reasons for
    what was lost: ``item``, ``found``, ``imported``. ``consensus`` says whether the
    consensus user's codings were imported; ``uncovered`` counts, per coder, the spans that
    code no segment."""
    kept = pd.concat([spans.spans, spans.consensus]) if consensus and \
        spans.consensus is not None and not spans.consensus.empty else spans.spans
    imported = {
        "User": kept["coder"].nunique(), "Code": codes, "TextSource": spans.sources,
        "PlainTextSelection": kept["location"].nunique(), "Coding": len(kept),
        "Case": cases, "Variable": variables, "Note": notes}
    rows = [(FOUND_NAMES[kind], found, imported.get(kind, 0)) for kind, found in project.found]
    rows += [(f"lost: {item}", count, 0) for item, count in spans.lost.itertuples(index=False)]
    if not consensus and spans.consensus is not None and len(spans.consensus):
        rows.append(("not imported: consensus codings (made from codings/decisions)",
                     len(spans.consensus), 0))
    rows += [(f"spans coding no segment (coder {coder})", n, 0)
             for coder, n in sorted((uncovered or {}).items())]
    return pd.DataFrame(rows, columns=["item", "found", "imported"])
