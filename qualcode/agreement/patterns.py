"""Agreement on one code from the counts of coding patterns, vectorised over codes and
bootstrap resamples.

For a code, each unit (segment, turn or character) has a *pattern*: for every coder, whether
the coder did not rate the unit (state 0), rated it without the code (1) or applied the code
(2). Every statistic of the agreement table depends only on how many units show each of the
``3^m`` patterns, so it is computed from an array of pattern counts of shape
``(..., 3^m)`` — one row per code, or per code and resample — in a few array operations.
The formulas are those of :mod:`qualcode.agreement.coefficients` for two categories
(present, absent); the tests check that both give the same values.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np

STATISTICS = ("percent_agreement", "positive_agreement", "negative_agreement", "cohen_kappa",
              "fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "pabak", "prevalence_index",
              "bias_index")


def pattern_states(n_coders: int) -> np.ndarray:
    """``(3^m, m)``: the state of each coder in each pattern, pattern ``p = sum_g s_g 3^g``."""
    states = np.array(list(itertools.product(range(3), repeat=n_coders)))[:, ::-1]
    return states


def pattern_ids(states: np.ndarray) -> np.ndarray:
    """Pattern id of each unit from ``(..., m)`` coder states."""
    return (states * 3 ** np.arange(states.shape[-1])).sum(axis=-1)


def statistics(counts: np.ndarray, *, n_coders: int | None = None,
               patterns: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every statistic of :data:`STATISTICS` from pattern counts ``(..., 3^m)``, or
    ``(..., len(patterns))`` when only the ``patterns`` seen (pattern ids, with ``n_coders``)
    are counted: with every coder rating every unit, 2^m of the 3^m.

    ``cohen_kappa``, ``prevalence_index`` and ``bias_index`` (Byrt, Bishop and Carlin 1993)
    need exactly two coders and are computed on the units both rated; with more coders they are
    NaN and ``fleiss_kappa`` is the chance-corrected coefficient to read.
    """
    counts = np.asarray(counts, dtype=float)
    m = n_coders if n_coders is not None else round(np.log(counts.shape[-1]) / np.log(3))
    columns = slice(None) if patterns is None else patterns
    states, names, whole, scale = _pattern_weights(m)
    states = states[columns]
    # counts and weights are whole numbers, so one matrix product gives every sum exactly, in
    # any order, while the sums stay below 2^53 (beyond a dozen coders on millions of
    # characters they are accurate to the last bits instead), then one division
    summed = counts @ whole[columns] / scale
    s = {key: summed[..., i] for i, key in enumerate(names)}
    with np.errstate(invalid="ignore", divide="ignore"):
        pa = s["agree"] / s["paired"]
        pi1 = s["share1"] / s["rated"]
        pi0 = 1 - pi1
        fleiss = (pa - (pi1 ** 2 + pi0 ** 2)) / (1 - (pi1 ** 2 + pi0 ** 2))
        ac1 = (pa - 2 * pi1 * pi0) / (1 - 2 * pi1 * pi0)
        psa = s["positive"] / (s["positive"] + s["mixed"])
        nsa = s["negative"] / (s["negative"] + s["mixed"])
        # Krippendorff's alpha from the coincidence matrix (nominal, two values)
        n1, n0 = s["n1"], s["n0"]
        alpha = 1 - (n0 + n1 - 1) * s["o01"] / (n0 * n1)
        result = {"percent_agreement": pa, "positive_agreement": psa,
                  "negative_agreement": nsa, "fleiss_kappa": fleiss,
                  "krippendorff_alpha": alpha, "gwet_ac1": ac1, "pabak": 2 * pa - 1}
        result.update(_two_coders(counts, states) if m == 2 else
                      {key: np.full(pa.shape, np.nan) for key in
                       ("cohen_kappa", "prevalence_index", "bias_index")})
    return {key: result[key] for key in STATISTICS}


@cache
def _pattern_weights(m: int) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Per pattern of ``m`` coders, what each unit adds to the sums :func:`statistics` needs:
    ``(states, names of the sums, whole-number weights (patterns, sums), scale (sums,))``;
    a sum is the counts times its weights, divided by its scale. ``r1``/``r0``: coders who
    applied / did not apply the code; pairs of ratings are counted on units rated by at least
    two coders. Fractions of pairs, ``1 / (r (r - 1))``, ``1 / r`` and ``1 / (r - 1)``, are
    scaled by the least common multiple of every ``r (r - 1)`` up to ``m``."""
    states = pattern_states(m)
    r1 = (states == 2).sum(axis=1)
    r0 = (states == 1).sum(axis=1)
    r = r0 + r1
    paired, rated = r >= 2, r >= 1
    lcm = math.lcm(*(k * (k - 1) for k in range(2, max(m, 2) + 1)))
    per_pair = lcm // np.where(paired, r * (r - 1), 1)
    weights = {
        "paired": (paired, 1), "rated": (rated, 1),
        "agree": (np.where(paired, (r1 * (r1 - 1) + r0 * (r0 - 1)) * per_pair, 0), lcm),
        "share1": (np.where(rated, r1 * (lcm // np.where(rated, r, 1)), 0), lcm),
        "positive": (np.where(paired, r1 * (r1 - 1), 0), 1),
        "negative": (np.where(paired, r0 * (r0 - 1), 0), 1),
        "mixed": (np.where(paired, r1 * r0, 0), 1),
        "n1": (np.where(paired, r1, 0), 1), "n0": (np.where(paired, r0, 0), 1),
        "o01": (np.where(paired, r1 * r0 * (lcm // np.where(paired, r - 1, 1)), 0), lcm)}
    whole = np.stack([w for w, _ in weights.values()], axis=1).astype(float)
    return states, list(weights), whole, np.array([s for _, s in weights.values()], float)


def _two_coders(counts: np.ndarray, states: np.ndarray) -> dict[str, np.ndarray]:
    def cell(a: int, b: int) -> np.ndarray:
        return counts[..., (states[:, 0] == a) & (states[:, 1] == b)].sum(axis=-1)

    both_present, both_absent = cell(2, 2), cell(1, 1)
    first_only, second_only = cell(2, 1), cell(1, 2)
    n = both_present + both_absent + first_only + second_only
    po = (both_present + both_absent) / n
    p1, p2 = (both_present + first_only) / n, (both_present + second_only) / n
    pe = p1 * p2 + (1 - p1) * (1 - p2)
    return {"cohen_kappa": (po - pe) / (1 - pe),
            "prevalence_index": (both_present - both_absent) / n,
            "bias_index": (first_only - second_only) / n}
