"""Inter-coder agreement coefficients on a ratings matrix.

A ratings matrix has one row per unit and one column per coder; a missing rating is ``None``
or ``NaN``. Categories can be any hashable values (numbers for weighted coefficients). Units
rated by fewer than two coders carry no information on agreement: they are left out of the
observed agreement, but (for the chance-corrected coefficients of Gwet 2014 and Fleiss 1971)
their ratings still count in the category proportions, as Gwet (2014, ch. 2) prescribes.

Notation (Gwet 2014): for unit ``i`` and category ``k``, ``r_ik`` is the number of coders who
chose ``k`` and ``r_i`` the number of coders who rated ``i``; ``w_kl`` are the weights
(identity unless a weighted coefficient is asked for) and ``r*_ik = sum_l w_kl r_il``.

- percent agreement ``p_a = mean over units with r_i >= 2 of
  sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` — the share of agreeing ordered pairs of coders,
  averaged over units. With several coders and missing ratings, sources differ: some pool the
  pairs of all units (each unit weighted by its number of pairs); qualcode averages per unit,
  as Gwet (2014) and Fleiss (1971) do, so that every unit weighs the same.
- every chance-corrected coefficient is ``(p_a - p_e) / (1 - p_e)`` with its own ``p_e``.

References
----------
Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
Cohen J (1968). Weighted kappa. Psychol Bull 70:213-220.
Scott WA (1955). Reliability of content analysis. Public Opinion Quarterly 19:321-325.
Fleiss JL (1971). Measuring nominal scale agreement among many raters. Psychol Bull 76:378-382.
Conger AJ (1980). Integration and generalization of kappas for multiple raters. Psychol Bull
88:322-328.
Brennan RL, Prediger DJ (1981). Coefficient kappa: some uses, misuses, and alternatives.
Educ Psychol Meas 41:687-699.
Byrt T, Bishop J, Carlin JB (1993). Bias, prevalence and kappa. J Clin Epidemiol 46:423-429.
Gwet KL (2008). Computing inter-rater reliability and its variance in the presence of high
agreement. Br J Math Stat Psychol 61:29-48.
Gwet KL (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.
Krippendorff K (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
Communication, University of Pennsylvania.
Passonneau R (2006). Measuring agreement on set-valued items (MASI) for semantic and
pragmatic annotation. LREC 2006.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

WEIGHTS = ("identity", "linear", "quadratic", "ordinal", "radical", "ratio", "circular",
           "bipolar")


def _matrix(ratings: Any, categories: Sequence[Any] | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, categories)``: ratings as category indices (-1 = missing), and the categories:
    ``categories`` in the order given (the order of the scale), else those observed, numbers in
    numeric order and text in alphabetical order."""
    frame = pd.DataFrame(np.asarray(ratings, dtype=object) if not isinstance(
        ratings, pd.DataFrame) else ratings)
    if frame.ndim != 2 or frame.shape[1] < 2:
        raise ValueError("ratings must be a matrix with one column per coder (at least two)")
    values = frame.to_numpy(dtype=object)
    missing = pd.isna(values)
    observed = {v for v in values[~missing]}
    if categories is None:
        listed = sorted(observed, key=_sort_key)
    else:
        listed = list(dict.fromkeys(categories))
        unknown = observed - set(listed)
        if unknown:
            raise ValueError(f"ratings hold categories not in 'categories': "
                             f"{sorted(unknown, key=_sort_key)}")
    index = {value: i for i, value in enumerate(listed)}
    codes = np.full(values.shape, -1, dtype=np.int64)
    codes[~missing] = [index[v] for v in values[~missing]]
    return codes, np.array(listed, dtype=object)


def _weighted(ratings: Any, weights: str | np.ndarray | None,
              categories: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes, categories, w)``. Weights that depend on the order of the categories (ordinal,
    or a matrix) need that order for text categories: ``categories``, since alphabetical order
    is no scale."""
    codes, cats = _matrix(ratings, categories)
    ordered = weights == "ordinal" if isinstance(weights, str) else weights is not None
    if ordered and categories is None and any(isinstance(c, str) for c in cats):
        raise ValueError("weights on text categories need their order: pass "
                         "categories=[...] listing them in the order of the scale")
    return codes, cats, weight_matrix(cats, weights)


def _sort_key(value: Any) -> tuple:
    return (0, float(value), "") if isinstance(value, int | float | np.number) else \
        (1, 0.0, str(value))


def _counts(codes: np.ndarray, q: int) -> np.ndarray:
    """``r_ik``: units x categories."""
    counts = np.zeros((codes.shape[0], q))
    for column in codes.T:
        rated = column >= 0
        counts[np.flatnonzero(rated), column[rated]] += 1
    return counts


def weight_matrix(categories: Sequence[Any], weights: str | np.ndarray | None) -> np.ndarray:
    """Agreement weights ``w_kl`` (1 on the diagonal) for ``categories`` in the order given.

    With ``x`` the category values, ``d = |x_k - x_l|`` and ``R = x_max - x_min`` (Gwet 2014,
    ch. 3; the formulas of his irrCAC package, ``weights.gen.r``):

    - ``linear`` ``1 - d / R``; ``quadratic`` ``1 - d^2 / R^2`` (Cohen 1968, Fleiss and Cohen
      1973); ``radical`` ``1 - sqrt(d) / sqrt(R)``;
    - ``ratio`` ``1 - ((x_k - x_l) / (x_k + x_l))^2 / (R / (x_max + x_min))^2`` (positive values);
    - ``circular`` ``1 - sin^2(pi (x_k - x_l) / U) / max``, ``U = R + 1``, for a scale that comes
      back to its start (hours, directions): the ends agree;
    - ``bipolar`` ``1 - (x_k - x_l)^2 / ((x_k + x_l - 2 x_min)(2 x_max - x_k - x_l)) / max``
      (1 on the diagonal), for a scale running from one pole to its opposite;
    - ``ordinal`` uses only the ranks of the categories, ``1 - C(|k - l| + 1, 2) / C(q, 2)``:
      this is what "ordinal weights" means in Gwet's coefficients, whereas Krippendorff's
      ordinal alpha uses a metric built on the frequencies of the values in between (see
      :func:`krippendorff_alpha`).
    """
    q = len(categories)
    if weights is None or (isinstance(weights, str) and weights == "identity"):
        return np.eye(q)
    if not isinstance(weights, str):
        matrix = np.asarray(weights, dtype=float)
        if matrix.shape != (q, q):
            raise ValueError(f"a weight matrix must be {q} x {q} (one row per category)")
        return matrix
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHTS)} or a matrix")
    if q < 2:
        return np.eye(q)
    if weights == "ordinal":
        rank = np.arange(q)
        gaps = np.abs(rank[:, None] - rank[None, :]) + 1
        pairs = gaps * (gaps - 1) / 2
        return 1 - pairs / pairs.max()
    try:
        x = np.asarray(categories, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{weights} weights need numeric categories") from None
    low, high = x.min(), x.max()
    a, b = x[:, None], x[None, :]
    if weights == "ratio" and low <= 0:
        raise ValueError("ratio weights need positive categories")
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = {
            "linear": lambda: np.abs(a - b) / (high - low),
            "quadratic": lambda: (a - b) ** 2 / (high - low) ** 2,
            "radical": lambda: np.sqrt(np.abs(a - b)) / np.sqrt(high - low),
            "ratio": lambda: ((a - b) / (a + b)) ** 2 / ((high - low) / (high + low)) ** 2,
            "circular": lambda: np.sin(np.pi * (a - b) / (high - low + 1)) ** 2,
            "bipolar": lambda: np.where(a == b, 0.0, (a - b) ** 2 / (
                (a + b - 2 * low) * (2 * high - a - b))),
        }[weights]()
    if weights in ("circular", "bipolar"):
        distance = distance / distance.max()
    return 1 - distance


def _agreement(counts: np.ndarray, w: np.ndarray) -> float:
    """Gwet's weighted percent agreement over units rated by at least two coders."""
    r = counts.sum(axis=1)
    keep = r >= 2
    if not keep.any():
        return float("nan")
    weighted = counts[keep] @ w.T
    per_unit = (counts[keep] * (weighted - 1)).sum(axis=1) / (r[keep] * (r[keep] - 1))
    return float(per_unit.mean())


def _shares(counts: np.ndarray) -> np.ndarray:
    """``pi_k``: mean over units rated at least once of r_ik / r_i."""
    r = counts.sum(axis=1)
    rated = r > 0
    if not rated.any():
        return np.zeros(counts.shape[1])
    return (counts[rated] / r[rated, None]).mean(axis=0)


def _chance_corrected(pa: float, pe: float) -> float:
    if np.isnan(pa) or np.isclose(pe, 1.0):
        return float("nan")
    return float((pa - pe) / (1 - pe))


def percent_agreement(ratings: Any, *, weights: str | np.ndarray | None = None,
                      categories: Sequence[Any] | None = None) -> float:
    """Share of agreeing pairs of coders, averaged over units rated by two coders or more.

    For two coders this is the plain proportion of units on which they agree. ``categories``
    (here and in every coefficient) lists the possible categories in the order of the scale.
    """
    codes, cats, w = _weighted(ratings, weights, categories)
    return _agreement(_counts(codes, len(cats)), w)


def fleiss_kappa(ratings: Any, *, weights: str | np.ndarray | None = None,
                 categories: Sequence[Any] | None = None) -> float:
    """Fleiss' kappa (1971), with Gwet's (2014) treatment of missing ratings and weights.

    ``p_e = sum_kl w_kl pi_k pi_l``, with ``pi_k`` the mean share of category ``k`` among a
    unit's ratings. With two coders and no missing rating it equals Scott's pi.
    """
    codes, cats, w = _weighted(ratings, weights, categories)
    counts = _counts(codes, len(cats))
    pi = _shares(counts)
    return _chance_corrected(_agreement(counts, w), float(pi @ w @ pi))


def scott_pi(ratings: Any) -> float:
    """Scott's pi (1955): chance agreement from the coders' pooled category shares.

    Defined for two coders on the units both rated; with more coders, use
    :func:`fleiss_kappa`, its generalisation.
    """
    pair = _pair(ratings, "Scott's pi")
    return fleiss_kappa(pair)


def _pair(ratings: Any, name: str) -> np.ndarray:
    values = np.asarray(pd.DataFrame(ratings).to_numpy(dtype=object))
    if values.ndim != 2 or values.shape[1] != 2:
        raise ValueError(f"{name} is defined for exactly two coders")
    both = ~pd.isna(values).any(axis=1)
    return values[both]


def cohen_kappa(ratings: Any, *, weights: str | np.ndarray | None = None,
                categories: Sequence[Any] | None = None) -> float:
    """Cohen's kappa (1960), weighted kappa (1968) with ``weights``, for exactly two coders.

    Computed on the units both coders rated (pairwise deletion, as scikit-learn's
    ``cohen_kappa_score``): ``p_e = sum_kl w_kl p_Ak p_Bl`` with each coder's own shares.
    """
    pair = _pair(ratings, "Cohen's kappa")
    if len(pair) == 0:
        return float("nan")
    codes, cats, w = _weighted(pair, weights, categories)
    q = len(cats)
    table = np.zeros((q, q))
    np.add.at(table, (codes[:, 0], codes[:, 1]), 1)
    table /= table.sum()
    pe = float(table.sum(axis=1) @ w @ table.sum(axis=0))
    return _chance_corrected(float((table * w).sum()), pe)


def conger_kappa(ratings: Any, *, weights: str | np.ndarray | None = None,
                 categories: Sequence[Any] | None = None) -> float:
    """Conger's kappa (1980): Cohen's kappa generalised to several coders.

    ``p_e = sum_kl w_kl (p_k p_l - s_kl / r)``, where ``p_gk`` is the share of the units coder
    ``g`` rated that they put in ``k``, ``p_k`` its mean over the ``r`` coders and ``s_kl`` the
    covariance of ``p_gk`` and ``p_gl`` across coders (Gwet 2014, eq. 2.40). With two coders
    and no missing rating it equals Cohen's kappa. A coder who rated no unit is no coder
    (the others' shares alone make ``p_k``, as in Fleiss' kappa, where they count for nothing).
    """
    codes, cats, w = _weighted(ratings, weights, categories)
    q = len(cats)
    counts = _counts(codes, q)
    per_coder = np.stack([np.bincount(c[c >= 0], minlength=q) / (c >= 0).sum()
                          for c in codes.T if (c >= 0).any()])
    if len(per_coder) < 2:
        return float("nan")
    mean = per_coder.mean(axis=0)
    r = per_coder.shape[0]
    covariance = (per_coder - mean).T @ (per_coder - mean) / (r - 1)
    pe = float((w * (np.outer(mean, mean) - covariance / r)).sum())
    return _chance_corrected(_agreement(counts, w), pe)


def gwet_ac1(ratings: Any) -> float:
    """Gwet's AC1 (2008): ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)``.

    Less affected than kappa by a skewed prevalence (the kappa paradoxes). ``q`` is the number
    of categories observed.
    """
    return gwet_ac2(ratings, weights=None)


def gwet_ac2(ratings: Any, *, weights: str | np.ndarray | None = "quadratic",
             categories: Sequence[Any] | None = None) -> float:
    """Gwet's AC2, the weighted AC1: ``p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)``, with
    ``T_w`` the sum of the weights (Gwet 2014, ch. 3). ``categories`` lists every possible
    category when some were not used."""
    codes, cats, w = _weighted(ratings, weights, categories)
    q = len(cats)
    counts = _counts(codes, q)
    if q < 2:
        return float("nan")
    pi = _shares(counts)
    pe = float(w.sum() * (pi * (1 - pi)).sum() / (q * (q - 1)))
    return _chance_corrected(_agreement(counts, w), pe)


def brennan_prediger(ratings: Any, *, weights: str | np.ndarray | None = None,
                     categories: Sequence[Any] | None = None) -> float:
    """Brennan and Prediger's coefficient (1981): chance agreement ``p_e = T_w / q^2`` (``1/q``
    unweighted), as if categories were picked at random."""
    codes, cats, w = _weighted(ratings, weights, categories)
    q = len(cats)
    if q < 2:
        return float("nan")
    return _chance_corrected(_agreement(_counts(codes, q), w), float(w.sum() / q ** 2))


def pabak(ratings: Any) -> float:
    """Prevalence- and bias-adjusted kappa (Byrt, Bishop and Carlin 1993): ``2 p_a - 1`` for two
    categories; in general ``(q p_a - 1) / (q - 1)``, Brennan and Prediger's coefficient with
    the observed categories."""
    return brennan_prediger(ratings)


def krippendorff_alpha(ratings: Any, *, level: str = "nominal",
                       categories: Sequence[Any] | None = None) -> float:
    """Krippendorff's alpha (2011) for ``level`` nominal, ordinal, interval or ratio.

    ``alpha = 1 - D_o / D_e`` from the coincidence matrix of pairable values; units rated by
    one coder are not pairable and left out. Computed by the ``krippendorff`` package;
    categories are passed as their ranks for the nominal and ordinal levels (so any labels
    work), and must be numbers for interval and ratio. NaN when fewer than two categories
    occur or no unit is rated twice. The ordinal level needs the order of text categories
    (``categories``).
    """
    import krippendorff

    codes, categories = _weighted(ratings, "ordinal" if level == "ordinal" else None,
                                  categories)[:2]
    if len(np.unique(codes[codes >= 0])) < 2 or not ((codes >= 0).sum(axis=1) >= 2).any():
        return float("nan")
    if level in ("nominal", "ordinal"):
        data = np.where(codes >= 0, codes, np.nan).T.astype(float)
        domain = np.arange(len(categories), dtype=float)
    else:
        try:
            values = np.asarray(categories, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{level} alpha needs numeric categories") from None
        data = np.where(codes >= 0, values[np.maximum(codes, 0)], np.nan).T
        domain = values
    return float(krippendorff.alpha(reliability_data=data, value_domain=domain,
                                    level_of_measurement=level))


def masi_distance(a: Any, b: Any) -> float:
    """MASI distance between two sets of codes (Passonneau 2006): ``1 - J * M``, with ``J`` the
    Jaccard index and ``M`` 1 for identical sets, 2/3 when one contains the other, 1/3 when
    they overlap otherwise and 0 when disjoint. Two empty sets are at distance 0."""
    a, b = set(a), set(b)
    if not a and not b:
        return 0.0
    union = a | b
    jaccard = len(a & b) / len(union)
    monotonicity = 1.0 if a == b else 2 / 3 if a <= b or b <= a else 1 / 3 if a & b else 0.0
    return 1 - jaccard * monotonicity
