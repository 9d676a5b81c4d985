"""Thematic saturation: new codes per event, and Guest, Namey and Chen's (2020) stopping rule.

Events are focus groups in the order they were held (``date`` in ``study.yaml``), or
participants (groups in that order, and within each group the order in which participants
first spoke), or turns. Each event brings the codes of its segments.

Guest et al. (2020): with a *base* of the first ``b`` events holding ``B`` distinct codes, the
*run* starting at event ``i`` is events ``i .. i + r - 1``; its new information is the number
of codes it holds that no earlier event held, divided by ``B``. Saturation is reached at
``n = i + r - 1`` for the first run (``i > b``) whose new information is at most the
threshold ``t``. Runs either move on one event at a time (``rolling``, the default) or by
whole runs (``stepped``: ``i = b + 1, b + 1 + r, ...``); the denominator stays ``B``. Because
the order of events is partly arbitrary, the same is computed over random orders (a seeded
bootstrap), giving a median saturation point and a 95% band of cumulative curves.

References
----------
Guest G, Namey E, Chen M (2020). A simple method to assess and report thematic saturation in
qualitative research. PLOS ONE 15(5):e0232076.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.study import Study

LEVELS = ("group", "participant", "turn")
RUNS = ("rolling", "stepped")


@dataclass(frozen=True, slots=True)
class Saturation:
    """``events``: one row per event and stratum (``order`` in the whole study, ``position``
    within the stratum, new codes, cumulative, share of the total, new information of the run
    starting there); ``summary``: one row per stratum with the
    saturation point in the observed order and over random orders; ``band``: the median and
    95% band of the cumulative curve over random orders."""

    events: pd.DataFrame
    summary: pd.DataFrame
    band: pd.DataFrame


def events(codings: pd.DataFrame, segments: pd.DataFrame, study: Study, *,
           level: str = "participant") -> pd.DataFrame:
    """The events in collection order: ``event_id``, ``site_id``, ``order``, and ``codes`` (a
    frozenset of the code ids of the event's segments)."""
    if level not in LEVELS:
        raise QualcodeError(f"level must be one of {', '.join(LEVELS)}, not '{level}'")
    held = {g.id: (g.date is None, g.date, i) for i, g in enumerate(study.groups)}
    codable = segments[segments[S.CODABLE]].copy()
    codable["group_order"] = codable[S.GROUP_ID].map(held)
    codable = codable.sort_values(["group_order", S.TURN, S.START], kind="stable")
    key = {"group": S.GROUP_ID, "participant": S.PARTICIPANT_ID}.get(level)
    codable["event_id"] = codable[key] if key else \
        codable[S.TRANSCRIPT_ID] + "#" + codable[S.TURN].astype(str)
    codes = codings.groupby(S.SEGMENT_ID)[S.CODE_ID].agg(frozenset)
    codable["codes"] = codable[S.SEGMENT_ID].map(codes)
    rows = []
    for event_id, part in codable.groupby("event_id", sort=False):
        held_codes = frozenset().union(*part["codes"].dropna())
        rows.append((event_id, part[S.SITE_ID].iloc[0], held_codes))
    table = pd.DataFrame(rows, columns=["event_id", S.SITE_ID, "codes"])
    return table.assign(order=range(1, len(table) + 1))


def saturation(event_table: pd.DataFrame, *, base: int = 4, run: int = 2,
               threshold: float = 0.05, runs: str = "rolling", orders: int = 1000,
               seed: int = 0, by_site: bool = True) -> Saturation:
    """Saturation over all events and, with ``by_site``, within each site.

    Warns once (a :class:`QualcodeWarning`) for every set of events too small for the base and
    run asked for, suggesting the participant level.
    """
    if runs not in RUNS:
        raise QualcodeError(f"runs must be rolling or stepped, not '{runs}'")
    rng = np.random.default_rng(seed)
    strata = [("all", event_table)]
    if by_site:
        strata += list(event_table.groupby(S.SITE_ID, sort=False))
    tables, summaries, bands, short = [], [], [], []
    all_codes = sorted(frozenset().union(*event_table["codes"]))
    for name, part in strata:
        matrix = np.array([[code in held for code in all_codes] for held in part["codes"]],
                          dtype=bool).reshape(len(part), len(all_codes))
        if len(part) < base + run:
            short.append(f"{name} ({len(part)})")
        observed = _curve(matrix)
        point, ratios = _saturation_point(matrix, base, run, threshold, runs)
        permuted = [matrix[rng.permutation(len(matrix))] for _ in range(orders)]
        points = np.array([_saturation_point(m, base, run, threshold, runs)[0]
                           for m in permuted], dtype=float)
        curves = np.array([_curve(m) for m in permuted]).reshape(orders, len(matrix))
        tables.append(part.assign(stratum=name, position=range(1, len(part) + 1),
                                  new_codes=np.diff(observed, prepend=0),
                                  cumulative=observed,
                                  share_of_total=observed / max(observed[-1], 1)
                                  if len(observed) else [], run_new_information=ratios,
                                  new_code_ids=_new_codes(part["codes"])))
        summaries.append(_summary(name, len(part), observed, point, points, base, run,
                                  threshold, runs, int(matrix[:base].any(axis=0).sum())))
        if orders and len(matrix):
            low, median, high = np.percentile(curves, [2.5, 50, 97.5], axis=0)
            bands.append(pd.DataFrame({"stratum": name, "position": range(1, len(matrix) + 1),
                                       "median": median, "low": low, "high": high}))
    if short:
        warnings.warn(f"too few events for base {base} and run {run} (need {base + run}): "
                      f"{', '.join(short)}; the saturation point cannot be reached there; "
                      "use the participant level", QualcodeWarning, stacklevel=2)
    events_out = pd.concat(tables, ignore_index=True).drop(columns="codes")
    band = pd.concat(bands, ignore_index=True) if bands else pd.DataFrame(
        columns=["stratum", "position", "median", "low", "high"])
    return Saturation(events_out, pd.DataFrame(summaries), band)


def _curve(matrix: np.ndarray) -> np.ndarray:
    """Cumulative number of distinct codes after each event."""
    if not len(matrix):
        return np.zeros(0, dtype=int)
    return np.logical_or.accumulate(matrix, axis=0).sum(axis=1)


def _saturation_point(matrix: np.ndarray, base: int, run: int, threshold: float, runs: str
                      ) -> tuple[float, np.ndarray]:
    """``(n, ratios)``: the saturation point (NaN when not reached) and the new information
    of the run starting at each event (NaN where no full run starts after the base)."""
    n_events = len(matrix)
    ratios = np.full(n_events, np.nan)
    if n_events < base + run or base < 1:
        return float("nan"), ratios
    seen = np.logical_or.accumulate(matrix, axis=0)
    base_codes = seen[base - 1].sum()
    starts = range(base, n_events - run + 1, 1 if runs == "rolling" else run)
    point = float("nan")
    for start in starts:  # 0-based index of the run's first event
        before = seen[start - 1]
        new = (matrix[start:start + run].any(axis=0) & ~before).sum()
        ratios[start] = new / base_codes if base_codes else np.nan
        if np.isnan(point) and base_codes and ratios[start] <= threshold:
            point = float(start + run)
    return point, ratios


def _new_codes(held: pd.Series) -> list[str]:
    seen: set[str] = set()
    result = []
    for codes in held:
        result.append(", ".join(sorted(codes - seen)))
        seen |= codes
    return result


def _summary(name, n_events, observed, point, points, base, run, threshold, runs,
             base_codes) -> dict:
    reached = points[~np.isnan(points)]
    settings = f"base {base}, run {run}, threshold {threshold:.0%}, {runs} runs"
    if not np.isnan(point):
        statement = f"saturation at n = {int(point)} ({settings})"
    elif n_events >= base + run and base_codes == 0:
        statement = (f"saturation undefined: the first {base} events hold no code ({settings}"
                     "); use a larger base or another level")
    else:
        statement = f"saturation not reached in {n_events} events ({settings})"
    return {"stratum": name, "n_events": n_events, "base_codes": base_codes, "base": base,
            "run": run,
            "threshold": threshold, "runs": runs,
            "total_codes": int(observed[-1]) if len(observed) else 0,
            "saturation_n": point, "statement": statement,
            "orders_reaching_saturation": len(reached) / len(points) if len(points) else
            np.nan,
            "median_saturation_n": np.median(reached) if len(reached) else np.nan,
            "saturation_n_low": np.percentile(reached, 2.5) if len(reached) else np.nan,
            "saturation_n_high": np.percentile(reached, 97.5) if len(reached) else np.nan}
