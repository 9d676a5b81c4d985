"""Krippendorff's alpha for unitizing (alpha_U): agreement of coders who mark stretches of a
continuum (characters of a transcript) rather than code given units.

For one code ``c``, each coder's marks cut the continuum ``[begin, end)`` of length ``L`` into
*units* (stretches marked ``c``) and *gaps* (the rest). With ``m`` coders and ``N_c`` units in
all (Krippendorff 1995, 2004 pp. 251-256):

- observed disagreement ``D_o = 2 / (m (m - 1) L^2) * sum over pairs of coders i < j and their
  segments g, h of delta^2(g, h)``, where for two overlapping units
  ``delta^2 = (b_g - b_h)^2 + (e_g - e_h)^2`` (begins and ends), for a unit lying inside a gap of
  the other coder ``delta^2 = l_unit^2``, and 0 otherwise;
- expected disagreement ``D_e = (2 / L) * sum over units u of [ (N_c - 1) (2 l^3 - 3 l^2 + l) / 3
  + l^2 * sum over gaps G with l_G >= l of (l_G - l + 1) ] / (m L (m L - 1) - sum_u l (l - 1))``;
- ``alpha_U = 1 - D_o / D_e``; over several codes, ``1 - sum D_o / sum D_e``.

Coders must not mark overlapping stretches with the same code; touching stretches are merged.

References
----------
Krippendorff K (1995). On the reliability of unitizing contiguous data. Sociological
Methodology 25:47-76.
Krippendorff K (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed., Sage.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def unitizing_alpha(spans: pd.DataFrame, *, continuum: tuple[int, int], code: str | None = None,
                    coders: Sequence[str] | None = None) -> float:
    """Krippendorff's alpha_U of ``spans`` (columns ``coder``, ``start``, ``end`` exclusive,
    ``code``) on ``continuum = (begin, end)``, for one ``code`` or pooled over all codes.

    ``coders`` lists every coder (default: those in ``spans``); a coder who marked nothing
    still counts. NaN when the expected disagreement is zero (nobody marked anything).
    """
    disagreements = unitizing_disagreements(spans, continuum=continuum, coders=coders)
    if code is not None:
        disagreements = disagreements[disagreements["code"] == code]
    observed, expected = disagreements["observed"].sum(), disagreements["expected"].sum()
    return float(1 - observed / expected) if expected > 0 else float("nan")


def unitizing_disagreements(spans: pd.DataFrame, *, continuum: tuple[int, int],
                            coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Per code: ``observed`` and ``expected`` disagreement and ``alpha`` (alpha_U)."""
    begin, end = continuum
    length = end - begin
    if length <= 0:
        raise ValueError("the continuum must have a positive length")
    coders = list(coders) if coders is not None else sorted(set(spans["coder"]))
    if len(coders) < 2:
        raise ValueError("alpha_U needs at least two coders")
    outside = spans[(spans["start"] < begin) | (spans["end"] > end) |
                    (spans["start"] >= spans["end"])]
    if not outside.empty:
        raise ValueError(f"span {outside['start'].iloc[0]}-{outside['end'].iloc[0]} is empty or "
                         f"outside the continuum {begin}-{end}")
    rows = []
    for code in sorted(set(spans["code"])):
        mine = spans[spans["code"] == code]
        marks = {coder: _segments(mine[mine["coder"] == coder], begin, end) for coder in coders}
        observed = _observed(marks, coders, length)
        expected = _expected(marks, len(coders), length)
        alpha = 1 - observed / expected if expected > 0 else np.nan
        rows.append((code, observed, expected, alpha))
    return pd.DataFrame(rows, columns=["code", "observed", "expected", "alpha"])


def _segments(spans: pd.DataFrame, begin: int, end: int) -> list[tuple[int, int, bool]]:
    """One coder's ``(start, end, is_unit)`` segments covering the continuum: merged units
    and the gaps between them."""
    units: list[list[int]] = []
    for start, stop in sorted(zip(spans["start"], spans["end"], strict=True)):
        if units and start < units[-1][1]:
            raise ValueError(f"a coder marked overlapping stretches {units[-1][0]}-"
                             f"{units[-1][1]} and {start}-{stop} with the same code")
        if units and start == units[-1][1]:
            units[-1][1] = stop
        else:
            units.append([start, stop])
    segments, position = [], begin
    for start, stop in units:
        if start > position:
            segments.append((position, start, False))
        segments.append((start, stop, True))
        position = stop
    if position < end:
        segments.append((position, end, False))
    return segments


def _distance(first: tuple[int, int, bool], second: tuple[int, int, bool]) -> float:
    (b1, e1, unit1), (b2, e2, unit2) = first, second
    if unit1 and unit2:
        return float((b1 - b2) ** 2 + (e1 - e2) ** 2) if b1 < e2 and b2 < e1 else 0.0
    if unit1 and not unit2:
        return float((e1 - b1) ** 2) if b2 <= b1 and e1 <= e2 else 0.0
    if unit2 and not unit1:
        return float((e2 - b2) ** 2) if b1 <= b2 and e2 <= e1 else 0.0
    return 0.0


def _observed(marks: dict, coders: list[str], length: int) -> float:
    total = 0.0
    for i, first in enumerate(coders):
        for second in coders[i + 1:]:
            total += sum(_distance(g, h) for g in marks[first] for h in marks[second])
    m = len(coders)
    return 2 * total / (m * (m - 1) * length ** 2)


def _expected(marks: dict, m: int, length: int) -> float:
    units = [e - b for segments in marks.values() for b, e, unit in segments if unit]
    gaps = np.array([e - b for segments in marks.values() for b, e, unit in segments
                     if not unit])
    if not units:
        return 0.0
    n_units = len(units)
    total = 0.0
    for size in units:
        fitting = gaps[gaps >= size]
        total += (n_units - 1) * (2 * size ** 3 - 3 * size ** 2 + size) / 3
        total += size ** 2 * float((fitting - size + 1).sum())
    denominator = m * length * (m * length - 1) - sum(u * (u - 1) for u in units)
    return 2 / length * total / denominator
