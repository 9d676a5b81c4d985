"""Codings: check what coders wrote, map spans to segments, find disagreements, build the
consensus.

The ``codings`` table has one row per code applied to a segment by a coder: ``coder``,
``segment_id``, ``code_id``, ``source`` (the file it came from). Coders who mark spans of
text (Word comments, span CSV) code a segment when their span covers at least ``span_share``
of the segment's characters (default one half); the spans themselves are kept for
character-level agreement.

Double coding ends in a consensus: every (segment, code) on which the coders who reviewed the
segment differ is a *disagreement*, and the researchers decide to ``keep`` or ``drop`` it. The
consensus coding is what every coder applied plus what was kept; it is recorded as coder
``consensus``.
"""

from __future__ import annotations

import difflib
import warnings
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.errors import CodingError, QualcodeWarning, UndecidedError
from qualcode.paths import SUGGESTIONS_FILE
from qualcode.text import fold
from qualcode.textdiff import same_passage

CONSENSUS = "consensus"


@dataclass(frozen=True, slots=True)
class Codings:
    """Checked codings: ``codings`` per segment, the original ``spans``, ``reviewed``
    (``coder``, ``transcript_id``): the transcripts each coder went through, and
    ``unreviewed`` (``coder``, ``segment_id``): segments of those transcripts that the coder
    did not see after all (rows deleted from their sheet), which count as not reviewed, not
    as "no code"."""

    codings: pd.DataFrame
    spans: pd.DataFrame
    reviewed: pd.DataFrame
    unreviewed: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=[S.CODER, S.SEGMENT_ID]))


class CodeResolver:
    """Turns what a coder typed (an id or a label, any case or accents) into a code id."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self._names = {fold(code.id): code.id for code in codebook.codes}
        for code in codebook.codes:
            for label in code.label.values():
                self._names.setdefault(fold(label.strip()), code.id)

    def __call__(self, typed: str, *, path: str, location: int | str) -> str:
        code_id = self._names.get(fold(str(typed).strip()))
        if code_id is None:
            close = difflib.get_close_matches(fold(str(typed)), list(self._names), n=3)
            hint = ", ".join(dict.fromkeys(self._names[c] for c in close)) or \
                "see 'qualcode codebook show'"
            raise CodingError(f"unknown code '{typed}'; closest valid ids: {hint}", path=path,
                              line=location)
        if not self.codebook[code_id].codable:
            children = ", ".join(c.id for c in self.codebook.children(code_id)[:4])
            raise CodingError(f"'{code_id}' is a category, not a codable code; use one of its "
                              f"codes ({children}...)", path=path, line=location)
        return code_id


def check_codings(raw_segments: pd.DataFrame, raw_spans: pd.DataFrame, texts: pd.DataFrame,
                  reviewed: set[tuple[str, str]], segments: pd.DataFrame, codebook: Codebook,
                  *, coders: set[str], lengths: dict[str, int],
                  span_share: float = 0.5,
                  sheets: Iterable[tuple[str, str, frozenset[str]]] = (),
                  pseudonyms: Collection[str] = (), renamed: Collection[str] = (),
                  unfinished: Collection[tuple[str, str]] = ()) -> Codings:
    """Check raw codings against the segments and the codebook, and map spans to segments.

    ``lengths`` are the transcripts' canonical text lengths: a span may end anywhere in the
    text, after the last segment too (a Word selection of a whole last paragraph ends after
    its line break). ``sheets`` are the ``(coder, source, segment ids)`` of each coding sheet:
    the codable segments of its transcripts that a sheet lacks are not reviewed by its coder
    (warned). A coder of ``coders`` who reviewed nothing is warned about too.

    Raises :class:`CodingError` for an unknown coder, segment or code, a category code, a
    code on a moderator's segment, a span outside its transcript, or a segment whose text
    changed since the coding file was made (drift). A text that changed only because a name
    became one of the ``pseudonyms`` is not drift: the codings are kept, and one warning
    names the files concerned (with ``renamed``, the files already realigned so, such as
    Word files). Every codable segment of the ``unfinished`` ``(coder, transcript)`` (coded
    in the browser, not marked done) counts as not reviewed by that coder.
    """
    resolve = CodeResolver(codebook)
    # Plain dicts: a pandas lookup per coding took most of the time of a national study.
    ids = segments[S.SEGMENT_ID].tolist()
    codable = dict(zip(ids, segments[S.CODABLE].tolist(), strict=True))
    renamed = set(renamed) | _check_drift(texts, dict(zip(ids, segments[S.TEXT].tolist(),
                                                           strict=True)), pseudonyms)
    if renamed:
        warnings.warn(f"names added to identities.csv since coding started changed the text of "
                      f"segments coded in {', '.join(sorted(renamed))}: the codings are kept, "
                      "as only the names became pseudonyms; 'qualcode sheet --coder ID "
                      "--update' shows a sheet's new text", QualcodeWarning, stacklevel=2)
    rows = []
    for coder, segment_id, code, source, location in raw_segments.itertuples(index=False):
        _check_coder(coder, coders, source, location)
        if segment_id not in codable:
            close = difflib.get_close_matches(segment_id, list(codable), n=1)
            raise CodingError(f"unknown segment '{segment_id}'"
                              + (f" (did you mean {close[0]}?)" if close else ""),
                              path=source, line=location)
        if not codable[segment_id]:
            raise CodingError(f"segment {segment_id} is a moderator's (not codable); remove "
                              "this code", path=source, line=location)
        rows.append((coder, segment_id, resolve(code, path=source, location=location), source))
    spans = []
    for coder, transcript_id, start, end, code, source, location in \
            raw_spans.itertuples(index=False):
        _check_coder(coder, coders, source, location)
        if transcript_id not in lengths:
            raise CodingError(f"unknown transcript '{transcript_id}'", path=source,
                              line=location)
        if not 0 <= int(start) < int(end) <= lengths[transcript_id]:
            raise CodingError(f"span {start}-{end} is empty or lies outside transcript "
                              f"{transcript_id} (0-{lengths[transcript_id]})", path=source,
                              line=location)
        spans.append((coder, transcript_id, int(start), int(end),
                      resolve(code, path=source, location=location), source))
    span_table = pd.DataFrame(spans, columns=list(S.SPAN_COLUMNS))
    rows += spans_to_segments(span_table, segments, share=span_share)
    codings = pd.DataFrame(rows, columns=list(S.CODING_COLUMNS))
    _warn_several_files(codings, segments)
    codings = codings.drop_duplicates([S.CODER, S.SEGMENT_ID, S.CODE_ID])
    reviewed_table = pd.DataFrame(sorted(r for r in reviewed if r[1]),
                                  columns=[S.CODER, S.TRANSCRIPT_ID])
    _warn_absent_coders(coders - {coder for coder, _ in unfinished}, reviewed_table)
    coded = set(zip(codings[S.CODER], codings[S.SEGMENT_ID], strict=True))
    unreviewed = {pair for pair in _deleted_rows(sheets, segments) if pair not in coded}
    if unfinished:
        codable_rows = segments[segments[S.CODABLE]]
        unreviewed |= {(coder, segment_id) for coder, transcript_id in unfinished
                       for segment_id in codable_rows.loc[
                           codable_rows[S.TRANSCRIPT_ID] == transcript_id, S.SEGMENT_ID]}
    unreviewed = sorted(unreviewed)
    return Codings(_sorted(codings, list(S.CODING_COLUMNS[:3])),
                   _sorted(span_table, list(S.SPAN_COLUMNS[:5])), reviewed_table,
                   pd.DataFrame(unreviewed, columns=[S.CODER, S.SEGMENT_ID]))


def _warn_absent_coders(coders: set[str], reviewed: pd.DataFrame) -> None:
    """A coder of study.yaml with no file in codings/ (or only empty ones) is named: their
    work may be in a file qualcode could not find."""
    absent = sorted(coders - set(reviewed[S.CODER]))
    if absent:
        warnings.warn(f"coder(s) {', '.join(absent)} of study.yaml have no coding in codings/ "
                      "(no file, or no row): not counted; put their file in codings/, or "
                      "remove them from study.yaml", QualcodeWarning, stacklevel=3)


def _deleted_rows(sheets: Iterable[tuple[str, str, frozenset[str]]], segments: pd.DataFrame
                  ) -> set[tuple[str, str]]:
    """``(coder, segment_id)`` of the codable segments missing from each sheet, among the
    transcripts the sheet covers; each sheet with missing rows is warned about."""
    codable = segments[segments[S.CODABLE]]
    by_transcript = codable.groupby(S.TRANSCRIPT_ID)[S.SEGMENT_ID].agg(frozenset).to_dict()
    transcript_of = dict(zip(codable[S.SEGMENT_ID], codable[S.TRANSCRIPT_ID], strict=True))
    missing: set[tuple[str, str]] = set()
    for coder, source, rows in sheets:
        covered = {transcript_of[s] for s in rows if s in transcript_of}
        lost = sorted(frozenset().union(*(by_transcript[t] for t in covered)) - rows)
        if lost:
            shown = ", ".join(lost[:3]) + (", ..." if len(lost) > 3 else "")
            warnings.warn(f"{source}: {len(lost)} row(s) of {coder}'s sheet are missing "
                          f"({shown}): counted as not reviewed by {coder}, not as 'no code'; "
                          "copy them back from a new sheet ('qualcode sheet')",
                          QualcodeWarning, stacklevel=3)
            missing |= {(coder, segment_id) for segment_id in lost}
    return missing


def _warn_several_files(codings: pd.DataFrame, segments: pd.DataFrame) -> None:
    """Warn when one coder's codings of one transcript come from several files (an old sheet
    left beside its replacement, say): they are all used, merged. Accepted suggestions
    (``codings/suggest.csv``) are meant to join their reviewer's codings and do not count."""
    suggested = {s for s in codings[S.SOURCE].unique() if Path(s).name == SUGGESTIONS_FILE}
    files = codings.loc[~codings[S.SOURCE].isin(suggested)]
    files = files.assign(transcript=files[S.SEGMENT_ID].map(
        dict(zip(segments[S.SEGMENT_ID], segments[S.TRANSCRIPT_ID], strict=True))))
    sources = files.groupby([S.CODER, "transcript"])[S.SOURCE].unique()
    several = [f"{coder} on {transcript} ({', '.join(sorted(found))})"
               for (coder, transcript), found in sources.items() if len(found) > 1]
    if several:
        warnings.warn(f"codings of one coder on one transcript come from several files, all "
                      f"used: {'; '.join(several)}; remove any file that was replaced",
                      QualcodeWarning, stacklevel=3)


def _sorted(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def _check_coder(coder: str, coders: set[str], source: str, location: int | str) -> None:
    if coder == CONSENSUS or (coders and coder not in coders):
        raise CodingError(f"coder '{coder}' is not a coder of study.yaml ("
                          f"{', '.join(sorted(coders)) or 'none declared'}); add it under "
                          "'coders' or fix the name", path=source, line=location)


def _check_drift(texts: pd.DataFrame, current: dict[str, str], pseudonyms: Collection[str]
                 ) -> set[str]:
    """Refuse a coded text that differs from its segment's; return the files whose texts
    differ only by names now pseudonymised (never the text itself: it holds the names)."""
    renamed = set()
    for segment_id, text, source, location in texts.itertuples(index=False):
        if segment_id not in current:
            raise CodingError(f"unknown segment '{segment_id}' (the transcripts were imported "
                              "again with other segments?); make a new sheet", path=source,
                              line=location)
        if " ".join(str(text).split()) == " ".join(current[segment_id].split()):
            continue
        if not same_passage(str(text), current[segment_id], pseudonyms):
            raise CodingError(f"the text of segment {segment_id} changed since this file was "
                              "made (a transcript was edited or re-imported); run 'qualcode "
                              "sheet --coder ID --update' to make the sheet again with the codes "
                              "of unchanged segments carried over", path=source, line=location)
        renamed.add(str(source))
    return renamed


def spans_to_segments(spans: pd.DataFrame, segments: pd.DataFrame, *,
                      share: float = 0.5) -> list[tuple[str, str, str, str]]:
    """``(coder, segment_id, code_id, source)`` for every codable segment of which a span
    covers at least ``share`` of the characters."""
    rows = []
    codable = segments[segments[S.CODABLE]]
    by_transcript = {tid: (part[S.SEGMENT_ID].to_numpy(), part[S.START].to_numpy(),
                           part[S.END].to_numpy())
                     for tid, part in codable.groupby(S.TRANSCRIPT_ID)}
    for span in spans.itertuples(index=False):
        ids, starts, ends = by_transcript.get(span.transcript_id, ([], [], []))
        overlap = np.minimum(ends, span.end) - np.maximum(starts, span.start)
        covered = overlap >= share * (np.asarray(ends) - np.asarray(starts))
        rows += [(span.coder, segment_id, span.code_id, span.source)
                 for segment_id in np.asarray(ids)[covered & (overlap > 0)]]
    return rows


def uncovered_spans(spans: pd.DataFrame, segments: pd.DataFrame, *,
                    share: float = 0.5) -> dict[str, int]:
    """``{coder: number of spans}`` for the spans that code no segment under
    :func:`spans_to_segments` (they cover less than ``share`` of every segment they touch)."""
    numbered = spans.assign(**{S.SOURCE: range(len(spans))})
    used = {row[3] for row in spans_to_segments(numbered, segments, share=share)}
    left = numbered[~numbered[S.SOURCE].isin(used)]
    return {str(k): int(v) for k, v in left.groupby(S.CODER).size().items()}


def uncovered_message(uncovered: dict[str, int]) -> str:
    """What to tell about :func:`uncovered_spans` (non-empty), and how to fix it."""
    return ("spans that code no segment (each covers less than span_share of every segment "
            "it touches): " + ", ".join(f"{n} of coder {coder}"
                                        for coder, n in sorted(uncovered.items()))
            + "; widen them, or lower span_share in study.yaml")


def summarise_coders(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per coder: segments coded, codings, codes used, codable codes never used."""
    rows = []
    for coder, mine in codings.groupby(S.CODER, sort=True):
        used = set(mine[S.CODE_ID])
        never = [code.id for code in codebook.codable if code.id not in used]
        rows.append((coder, mine[S.SEGMENT_ID].nunique(), len(mine), len(used), len(never),
                     ", ".join(never)))
    return pd.DataFrame(rows, columns=[S.CODER, "n_segments", "n_codings", "n_codes_used",
                                       "n_codes_never_used", "codes_never_used"])


def human_codings(codings: pd.DataFrame) -> pd.DataFrame:
    return codings[codings[S.CODER] != CONSENSUS]


def disagreements(codings: Codings, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per (segment, code) on which the coders who reviewed the segment differ."""
    reviewers = codings.reviewed.groupby(S.TRANSCRIPT_ID)[S.CODER].agg(sorted).to_dict()
    unseen = set(zip(codings.unreviewed[S.CODER], codings.unreviewed[S.SEGMENT_ID],
                     strict=True))
    applied: dict[tuple[str, str], set[str]] = defaultdict(set)
    for coder, segment_id, code_id, _ in human_codings(codings.codings).itertuples(index=False):
        applied[segment_id, code_id].add(coder)
    columns = [S.TRANSCRIPT_ID, S.GROUP_ID, S.PARTICIPANT_ID, S.TEXT]
    info = dict(zip(segments[S.SEGMENT_ID].tolist(),
                    zip(*(segments[c].tolist() for c in columns), strict=True), strict=True))
    rows = []
    for (segment_id, code_id), who in sorted(applied.items()):
        transcript_id, group_id, participant_id, text = info[segment_id]
        coders = [c for c in reviewers.get(transcript_id, []) if (c, segment_id) not in unseen]
        if len(coders) < 2 or set(coders) <= who:
            continue
        rows.append((segment_id, group_id, participant_id, text, code_id,
                     ", ".join(sorted(who)), ", ".join(c for c in coders if c not in who)))
    return pd.DataFrame(rows, columns=list(S.DISAGREEMENT_COLUMNS))


def build_consensus(codings: Codings, segments: pd.DataFrame, decisions: pd.DataFrame, *,
                    source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The consensus coding and its audit log.

    ``decisions`` has columns ``segment_id, code_id, decision, rationale, decided_by``, with
    ``decision`` ``keep``, ``drop`` or empty. Every current disagreement needs a decision; the
    undecided ones are all listed in one :class:`UndecidedError`. Decisions on
    pairs that are no longer disagreements are ignored. The log counts decisions per code and
    per person.
    """
    pending = disagreements(codings, segments)
    pairs = list(zip(decisions[S.SEGMENT_ID], decisions[S.CODE_ID], strict=True))
    choice = dict(zip(pairs, decisions["decision"], strict=True))  # pairs are unique
    missing = [f"{s} {c}" for s, c in zip(pending[S.SEGMENT_ID], pending[S.CODE_ID],
                                          strict=True)
               if choice.get((s, c)) not in S.DECISIONS]
    if missing:
        shown = "; ".join(missing[:10]) + (f"; and {len(missing) - 10} more"
                                           if len(missing) > 10 else "")
        raise UndecidedError(f"{len(missing)} disagreement(s) have no decision (keep or drop): "
                          f"{shown}", undecided=len(missing), path=source)
    humans = human_codings(codings.codings)
    keys = set(zip(pending[S.SEGMENT_ID], pending[S.CODE_ID], strict=True))
    agreed = humans[[(s, c) not in keys for s, c in zip(humans[S.SEGMENT_ID],
                                                        humans[S.CODE_ID], strict=True)]]
    kept = [key for key in keys if choice[key] == "keep"]
    consensus = pd.concat([agreed[[S.SEGMENT_ID, S.CODE_ID]],
                           pd.DataFrame(kept, columns=[S.SEGMENT_ID, S.CODE_ID])])
    consensus = consensus.drop_duplicates().assign(**{S.CODER: CONSENSUS, S.SOURCE: source})
    log_rows = decisions[[pair in keys for pair in pairs]]
    log = (log_rows.groupby([S.CODE_ID, "decision", "decided_by"]).size()
           .rename("n").reset_index())
    return (_sorted(consensus[list(S.CODING_COLUMNS)], list(S.CODING_COLUMNS[:3])),
            _sorted(log, [S.CODE_ID, "decision", "decided_by"]))


def reference_codings(codings: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The coding later stages analyse: the consensus when there is one, else the union of
    the coders; with the word that says which (``consensus`` or ``union``)."""
    consensus = codings[codings[S.CODER] == CONSENSUS]
    if not consensus.empty:
        return consensus, CONSENSUS
    union = codings.drop_duplicates([S.SEGMENT_ID, S.CODE_ID])
    return union.assign(**{S.CODER: "union"}), "union"
