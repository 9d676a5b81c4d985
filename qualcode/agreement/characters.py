"""Character-level units: what each coder marked, character by character.

Coders who mark spans (Word comments, span CSV, REFI-QDA) are compared on the characters they
marked, as NVivo's coding comparison does; coders who coded segments mark every character of
the segments they coded. The codable text of each transcript is cut at every segment and span
boundary into *pieces* on which every coder's marks are constant; a piece is a unit weighted by
its number of characters. The same marks give Krippendorff's unitizing alpha, reported apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.agreement.unitizing import unitizing_disagreements

UNIT_COLUMNS = (S.TRANSCRIPT_ID, S.GROUP_ID, S.SITE_ID, S.PARTICIPANT_ID, S.SEGMENT_ID)


def marks(codings: pd.DataFrame, spans: pd.DataFrame, segments: pd.DataFrame,
          coders: list[str]) -> pd.DataFrame:
    """Every coder's marks as character intervals: ``coder, transcript_id, start, end,
    code_id``. Spans are taken as they are; codings that came from spans are not counted
    twice; the other codings mark their whole segment."""
    spans = spans[spans[S.CODER].isin(coders)]
    from_spans = set(zip(spans[S.CODER], spans[S.SOURCE], strict=True))
    whole = codings[codings[S.CODER].isin(coders)]
    whole = whole[[(c, s) not in from_spans for c, s in zip(whole[S.CODER], whole[S.SOURCE],
                                                            strict=True)]]
    whole = whole.merge(segments[[S.SEGMENT_ID, S.TRANSCRIPT_ID, S.START, S.END]],
                        on=S.SEGMENT_ID)
    columns = [S.CODER, S.TRANSCRIPT_ID, S.START, S.END, S.CODE_ID]
    return pd.concat([spans[columns], whole[columns]], ignore_index=True)


def character_units(marked: pd.DataFrame, segments: pd.DataFrame, coders: list[str],
                    code_ids: list[str]):
    """``(units, present, rated, weights)``: pieces of codable text (one row each, with the
    columns of :data:`UNIT_COLUMNS`), presence ``(pieces, codes, coders)``, whether each coder
    rated each piece, and the pieces' lengths in characters."""
    codable = segments[segments[S.CODABLE]].sort_values([S.TRANSCRIPT_ID, S.START])
    column = {code: i for i, code in enumerate(code_ids)}
    units, presents, rateds, weights = [], [], [], []
    for transcript, segs in codable.groupby(S.TRANSCRIPT_ID, sort=False):
        mine = marked[(marked[S.TRANSCRIPT_ID] == transcript)
                      & marked[S.CODE_ID].isin(column)]
        cuts = np.unique(np.concatenate([segs[S.START], segs[S.END], mine[S.START],
                                         mine[S.END]]).astype(np.int64))
        starts, ends = cuts[:-1], cuts[1:]
        owner = np.searchsorted(segs[S.START].to_numpy(), starts, side="right") - 1
        inside = (owner >= 0) & (ends <= segs[S.END].to_numpy()[np.maximum(owner, 0)])
        present = np.zeros((len(starts), len(code_ids), len(coders)), dtype=np.int8)
        for (coder, code), group in mine.groupby([S.CODER, S.CODE_ID]):
            change = np.zeros(len(cuts), dtype=np.int64)
            np.add.at(change, np.searchsorted(cuts, group[S.START].to_numpy()), 1)
            np.add.at(change, np.searchsorted(cuts, group[S.END].to_numpy()), -1)
            present[:, column[code], coders.index(coder)] = np.cumsum(change)[:-1] > 0
        reviewed = np.array([coder in set(mine[S.CODER]) for coder in coders])
        rows = segs.iloc[owner[inside]][list(UNIT_COLUMNS)]
        units.append(rows)
        presents.append(present[inside])
        rateds.append(np.broadcast_to(reviewed, (int(inside.sum()), len(coders))))
        weights.append((ends - starts)[inside].astype(float))
    return (pd.concat(units, ignore_index=True), np.concatenate(presents),
            np.concatenate(rateds), np.concatenate(weights))


def unitizing_table(marked: pd.DataFrame, segments: pd.DataFrame, coders: list[str]
                    ) -> pd.DataFrame:
    """Krippendorff's unitizing alpha per code, the transcripts laid end to end as one
    continuum; marks of one coder and code that touch or overlap are merged first."""
    lengths = segments.groupby(S.TRANSCRIPT_ID, sort=False)[S.END].max()
    offsets = lengths.cumsum() - lengths
    placed = marked.assign(**{S.START: marked[S.START] + marked[S.TRANSCRIPT_ID].map(offsets),
                              S.END: marked[S.END] + marked[S.TRANSCRIPT_ID].map(offsets)})
    merged = []
    for (coder, code), group in placed.groupby([S.CODER, S.CODE_ID]):
        for start, end in _union(group[S.START].to_numpy(), group[S.END].to_numpy()):
            merged.append((coder, start, end, code))
    spans = pd.DataFrame(merged, columns=["coder", "start", "end", "code"])
    table = unitizing_disagreements(spans, continuum=(0, int(lengths.sum())), coders=coders)
    return table.rename(columns={"code": S.CODE_ID, "alpha": "unitizing_alpha",
                                 "observed": "observed_disagreement",
                                 "expected": "expected_disagreement"})


def _union(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    intervals: list[list[int]] = []
    for start, end in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        if intervals and start <= intervals[-1][1]:
            intervals[-1][1] = max(intervals[-1][1], end)
        else:
            intervals.append([start, end])
    return [(a, b) for a, b in intervals]
