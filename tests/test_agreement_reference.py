"""Agreement coefficients against published reference values.

Each case cites where its data and value are published. "via" names the reference
implementation's test or documentation in which the value was read when the original paper or
book could not be consulted; tolerances are half a unit in the last published decimal.
"""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    masi_distance,
    pabak,
    percent_agreement,
    scott_pi,
)

N = None


def from_table(table) -> list[list[int]]:
    """A two-coder contingency table (rows coder 1, columns coder 2) as a ratings matrix."""
    return [[row, column] for row, counts in enumerate(table) for column, n in
            enumerate(counts) for _ in range(n)]


def from_counts(counts) -> list[list[int]]:
    """Per-unit category counts (Fleiss' layout) as a ratings matrix, one column per rating."""
    return [[k for k, n in enumerate(unit) for _ in range(n)] for unit in counts]


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C; the same
# 4 observers x 12 units as Krippendorff (2004) Content Analysis, 2nd ed., p. 230, and
# Gwet's irrCAC dataset cac.raw4raters (Gwet 2014, Handbook, p. 120).
K2011 = [[1, 1, N, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
         [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [N, 5, 5, 5], [N, N, 1, 1], [N, 3, N, N]]
# Gwet's cac.raw4raters has unit 12's single rating under the third rater: it changes nothing
# but the raters' own marginals, which Conger's kappa uses.
RAW4 = [*K2011[:-1], [N, N, 3, N]]


@pytest.mark.parametrize("level,expected", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_reference_krippendorff_2011_all_levels(level, expected):
    assert krippendorff_alpha(K2011, level=level) == pytest.approx(expected, abs=5e-4)


def test_reference_krippendorff_binary_two_coders():
    # Krippendorff (2004) Content Analysis, p. 224 (alpha = .095); via DKPro Krippendorff2004Test.
    data = [[1, 0], [1, 1], [0, 1], [0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0], [0, 0]]
    assert krippendorff_alpha(data) == pytest.approx(0.095, abs=5e-4)
    assert percent_agreement(data) == pytest.approx(0.600)


def test_reference_krippendorff_wikipedia_three_coders():
    # Wikipedia "Krippendorff's alpha" example; fast-krippendorff doctests give 0.691358 and
    # 0.810845.
    a = [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3]
    b = [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N]
    c = [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4]
    ratings = list(zip(a, b, c, strict=True))
    assert krippendorff_alpha(ratings) == pytest.approx(0.691358, abs=5e-7)
    assert krippendorff_alpha(ratings, level="interval") == pytest.approx(0.810845, abs=5e-7)


def test_reference_krippendorff_1980_three_coders():
    # Krippendorff (1980) Content Analysis, p. 139: alpha nominal .642, interval .547, ratio
    # .483, percent agreement .740 (20/27 = .7407 printed truncated; DKPro's
    # Krippendorff1980Test, where these were read, allows +-.001).
    data = [[1, 1, 1], [1, 2, 2], [2, 2, 2], [4, 4, 4], [1, 4, 4], [2, 2, 2], [1, 2, 3],
            [3, 3, 3], [2, 2, 2]]
    assert krippendorff_alpha(data) == pytest.approx(0.642, abs=5e-4)
    assert krippendorff_alpha(data, level="interval") == pytest.approx(0.547, abs=5e-4)
    assert krippendorff_alpha(data, level="ratio") == pytest.approx(0.483, abs=5e-4)
    assert percent_agreement(data) == pytest.approx(0.740, abs=1e-3)


def test_reference_krippendorff_string_categories():
    # Krippendorff (2004) p. 227: 2 coders, 12 units, values a/b/c; alpha .734, agreement
    # .833; via DKPro Krippendorff2004Test.
    data = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b"), ("b", "b"), ("b", "b"), ("b", "c"),
            ("c", "c"), ("c", "c"), ("c", "c"), ("c", "c"), ("c", "c")]
    assert krippendorff_alpha(data) == pytest.approx(0.734, abs=5e-4)
    assert percent_agreement(data) == pytest.approx(0.833, abs=5e-4)


def test_reference_hayes_krippendorff_2007_ordinal():
    # Hayes & Krippendorff (2007) Communication Methods and Measures 1:77-89, p. 84: ordinal
    # alpha .7598 for 5 observers x 40 units with missing values.
    data = [
        (1, 1, 2, N, 2), (1, 1, 0, 1, N), (2, 3, 3, 3, N), (N, 0, 0, N, 0), (0, 0, 0, N, 0),
        (0, 0, 0, N, 0), (1, 0, 2, N, 1), (1, N, 2, 0, N), (2, 2, 2, N, 2), (2, 1, 1, 1, N),
        (N, 1, 0, 0, N), (0, 0, 0, 0, N), (1, 2, 2, 2, N), (3, 3, 2, 2, 3), (1, 1, 1, N, 1),
        (1, 1, 1, N, 1), (2, 1, 2, N, 2), (1, 2, 3, 3, N), (1, 1, 0, 1, N), (0, 0, 0, N, 0),
        (0, 0, 1, 1, N), (0, 0, N, 0, 0), (2, 3, 3, 3, N), (0, 0, 0, 0, N), (1, 2, N, 2, 2),
        (0, 1, 1, 1, N), (0, 0, 0, 1, 0), (1, 2, 1, 2, N), (1, 1, 2, 2, N), (1, 1, 2, N, 2),
        (1, 1, 0, N, 0), (2, 1, 2, 1, N), (2, 2, N, 2, 2), (3, 2, 2, 2, N), (2, 2, 2, N, 2),
        (2, 2, 3, N, 2), (2, 2, 2, N, 2), (2, 2, N, 1, 2), (2, 2, 2, 2, N), (1, 1, 1, N, 1)]
    assert krippendorff_alpha(data, level="ordinal") == pytest.approx(0.7598, abs=5e-5)


# Fleiss (1971) Psychological Bulletin 76:378-382, p. 379: 30 patients, 6 psychiatrists,
# 5 diagnoses, kappa = .430 (R irr kappam.fleiss: 0.4302445; via statsmodels' tests).
FLEISS1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5]]


def test_reference_fleiss_1971():
    assert fleiss_kappa(FLEISS1971) == pytest.approx(0.4302445, abs=5e-8)
    assert percent_agreement(FLEISS1971) == pytest.approx(0.5556, abs=5e-5)


def test_reference_fleiss_wikipedia_example():
    # Wikipedia "Fleiss' kappa" worked example, 10 subjects x 14 raters: 0.210 (via statsmodels).
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
              [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
              [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(from_counts(counts)) == pytest.approx(0.210, abs=5e-4)


# Gwet's distrib.6raters (Fleiss 1971, subjects 1-15): kgwet/irrCAC README (R output) and
# vignettes/weighting.html (quadratic weights).
DISTRIB6 = from_counts([[0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6],
                        [0, 3, 0, 3, 0], [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0],
                        [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
                        [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1]])


def test_reference_gwet_distrib_6raters():
    assert gwet_ac1(DISTRIB6) == pytest.approx(0.4448007, abs=5e-8)
    assert fleiss_kappa(DISTRIB6) == pytest.approx(0.4139265, abs=5e-8)
    assert krippendorff_alpha(DISTRIB6) == pytest.approx(0.4204384, abs=5e-8)
    assert brennan_prediger(DISTRIB6) == pytest.approx(0.4388889, abs=5e-8)
    assert gwet_ac2(DISTRIB6, weights="quadratic") == pytest.approx(0.4837438, abs=5e-8)
    assert fleiss_kappa(DISTRIB6, weights="quadratic") == pytest.approx(0.2511909, abs=5e-8)
    assert brennan_prediger(DISTRIB6, weights="quadratic") == pytest.approx(0.4177778, abs=5e-8)


def test_reference_gwet_raw4raters_unweighted():
    # Gwet (2014) Handbook p. 120, dataset cac.raw4raters; kgwet/irrCAC README (R output).
    assert percent_agreement(RAW4) == pytest.approx(0.8181818, abs=5e-8)
    assert gwet_ac1(RAW4) == pytest.approx(0.77544, abs=5e-6)
    assert fleiss_kappa(RAW4) == pytest.approx(0.76117, abs=5e-6)
    assert conger_kappa(RAW4) == pytest.approx(0.76282, abs=5e-6)
    assert brennan_prediger(RAW4) == pytest.approx(0.77273, abs=5e-6)
    assert krippendorff_alpha(RAW4) == pytest.approx(0.74342, abs=5e-6)


@pytest.mark.parametrize("weights,pa,ac2,fleiss,conger,bp", [
    # kgwet/irrCAC vignettes/weighting.html (quadratic); afergadis/irrCAC unit tests (3 dp).
    ("quadratic", 0.9753788, 0.914, 0.86494, 0.85771, 0.90152),
    ("linear", 0.939, 0.859, 0.818, 0.814, 0.848),
    ("ordinal", 0.968, 0.899, 0.850, 0.844, 0.886),
])
def test_reference_gwet_raw4raters_weighted(weights, pa, ac2, fleiss, conger, bp):
    def close(value):
        return pytest.approx(value, abs=5 * 10.0 ** -(len(str(value).split(".")[1]) + 1))

    assert percent_agreement(RAW4, weights=weights) == close(pa)
    assert gwet_ac2(RAW4, weights=weights) == close(ac2)
    assert fleiss_kappa(RAW4, weights=weights) == close(fleiss)
    assert conger_kappa(RAW4, weights=weights) == close(conger)
    assert brennan_prediger(RAW4, weights=weights) == close(bp)


@pytest.mark.parametrize("data,ac1,fleiss,alpha,conger,bp", [
    # afergadis/irrCAC datasets and unit tests (3 dp): raw_g1g2, raw_gender, raw_ben_gerry.
    ([["a", "a", N, "a"], ["b", "b", "c", "b"], ["c", "c", "c", "c"], ["c", "c", "c", "c"],
      ["b", "b", "b", "b"], ["a", "b", "c", "d"], ["d", "d", "d", "d"], ["a", "a", "b", "a"],
      ["b", "b", "b", "b"], [N, "e", "e", "e"], [N, N, "a", "a"], [N, N, "c", N],
      ["b", "b", "c", "b"], ["b", "a", "c", "b"]], 0.685, 0.657, 0.632, 0.659, 0.679),
    (list(zip("aaaaabbbcaaaaab", "aaaababccaaaaba", "abbcaabbcabbcaa", "ccccaabbcccccaa",
              strict=True)), 0.208, 0.129, 0.143, 0.166, 0.183),
    ([["a", "b"], ["a", "a"], ["b", "b"], ["b", "b"], ["d", "b"], ["c", "c"], ["c", "c"],
      ["c", "c"], ["e", "e"], ["d", N], ["d", "d"], ["a", "d"]], 0.661, 0.649, 0.665, 0.657,
     0.659),
])
def test_reference_gwet_raw_datasets(data, ac1, fleiss, alpha, conger, bp):
    assert gwet_ac1(data) == pytest.approx(ac1, abs=5e-4)
    assert fleiss_kappa(data) == pytest.approx(fleiss, abs=5e-4)
    assert krippendorff_alpha(data) == pytest.approx(alpha, abs=5e-4)
    assert conger_kappa(data) == pytest.approx(conger, abs=5e-4)
    assert brennan_prediger(data) == pytest.approx(bp, abs=5e-4)


def test_reference_gwet_abstractors_two_coders():
    # Gwet (2014), cont3x3abstractors: kgwet/irrCAC README (unweighted) and
    # vignettes/weighting.html (quadratic weights).
    data = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert cohen_kappa(data) == pytest.approx(0.7964094, abs=5e-8)
    assert scott_pi(data) == pytest.approx(0.7962397, abs=5e-8)
    assert gwet_ac1(data) == pytest.approx(0.8493305, abs=5e-8)
    assert brennan_prediger(data) == pytest.approx(0.835, abs=5e-8)
    assert krippendorff_alpha(data) == pytest.approx(0.7972585, abs=5e-8)
    assert percent_agreement(data) == pytest.approx(0.89)
    assert cohen_kappa(data, weights="quadratic") == pytest.approx(0.8921569, abs=5e-8)
    assert gwet_ac2(data, weights="quadratic") == pytest.approx(0.9402369, abs=5e-8)
    assert percent_agreement(data, weights="quadratic") == pytest.approx(0.9725)


def test_reference_gwet_diagnosis_weighted_two_coders():
    # Gwet (2014), cont4x4diagnosis; afergadis/irrCAC table tests (3 dp).
    data = from_table([[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]])
    for weights, kappa, ac in ((None, 0.432, 0.456), ("linear", 0.407, 0.377),
                               ("quadratic", 0.383, 0.299), ("ordinal", 0.390, 0.324)):
        assert cohen_kappa(data, weights=weights) == pytest.approx(kappa, abs=5e-4)
        assert gwet_ac2(data, weights=weights) == pytest.approx(ac, abs=5e-4)


def test_reference_cohen_1960():
    # Cohen (1960) Educ Psychol Meas 20:37-46, p. 45, example 2: kappa .492; via DKPro
    # Cohen1960Test.
    assert cohen_kappa(from_table([[88, 14, 18], [10, 40, 10], [2, 6, 12]])) == \
        pytest.approx(0.492, abs=5e-4)


def test_reference_sas_weighted_kappa():
    # SAS PROC FREQ example reproduced in statsmodels' tests: simple kappa 0.4842, weighted
    # (linear, Cicchetti-Allison) kappa 0.4701.
    data = from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert cohen_kappa(data) == pytest.approx(0.4842, abs=5e-5)
    assert cohen_kappa(data, weights="linear") == pytest.approx(0.4701, abs=5e-5)


def test_reference_irr_anxiety_weighted_by_rank():
    # R irr kappa2(anxiety[, 2:3]) (recorded in statsmodels' tests): -0.006289308, linear
    # 0.1459075, quadratic 0.2520325. irr builds its weights on the rank of the levels
    # observed (5 is never used here), qualcode on the category values (Cohen 1968): passing
    # ranks reproduces irr.
    rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
    rater3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
    rank = {1: 1, 2: 2, 3: 3, 4: 4, 6: 5}
    ranks = [[rank[a], rank[b]] for a, b in zip(rater2, rater3, strict=True)]
    assert cohen_kappa(list(zip(rater2, rater3, strict=True))) == \
        pytest.approx(-0.006289308, abs=5e-10)
    assert cohen_kappa(ranks, weights="linear") == pytest.approx(0.1459075, abs=5e-8)
    assert cohen_kappa(ranks, weights="quadratic") == pytest.approx(0.2520325, abs=5e-8)


@pytest.mark.parametrize("table,observed,s,pi,kappa", [
    # Artstein & Poesio (2008) Computational Linguistics 34:555-596, p. 558 and p. 568;
    # via DKPro ArtsteinPoesio2008Test, scikit-learn's tests and NLTK's agreement docstring.
    ([[20, 20], [10, 50]], 0.7, 0.4, 0.341, 0.348),
    ([[46, 0, 0], [6, 32, 6], [0, 0, 10]], 0.88, 0.82, 0.7995, 0.8013),
])
def test_reference_artstein_poesio_2008(table, observed, s, pi, kappa):
    data = from_table(table)
    tolerance = 5e-4 if len(table) == 2 else 5e-5
    assert percent_agreement(data) == pytest.approx(observed)
    assert brennan_prediger(data) == pytest.approx(s)
    assert scott_pi(data) == pytest.approx(pi, abs=tolerance)
    assert cohen_kappa(data) == pytest.approx(kappa, abs=tolerance)


def test_reference_krippendorff_2004_kappa_versus_pi():
    # Krippendorff (2004) p. 246: same agreement (.460) and pi (.186), kappa .186 vs .258;
    # via DKPro Krippendorff2004Test.
    equal = from_table([[12, 9, 9], [9, 14, 9], [9, 9, 20]])
    skewed = from_table([[12, 18, 18], [0, 14, 18], [0, 0, 20]])
    for data, kappa in ((equal, 0.186), (skewed, 0.258)):
        assert percent_agreement(data) == pytest.approx(0.460)
        assert brennan_prediger(data) == pytest.approx(0.190, abs=5e-4)
        assert scott_pi(data) == pytest.approx(0.186, abs=5e-4)
        assert cohen_kappa(data) == pytest.approx(kappa, abs=5e-4)


@pytest.mark.parametrize("table,kappa,ac1", [
    # Feinstein & Cicchetti (1990) J Clin Epidemiol 43:543-549, the two paradoxes; kappa,
    # PABAK and AC1 as tabulated by Shankar & Bangdiwala (2014) BMC Med Res Methodol 14:100,
    # Table 3 (2 dp).
    ([[40, 9], [6, 45]], 0.70, 0.70),
    ([[80, 10], [5, 5]], 0.32, 0.81),
    ([[45, 15], [25, 15]], 0.13, 0.27),
    ([[25, 35], [5, 35]], 0.26, 0.21),
])
def test_reference_kappa_paradoxes(table, kappa, ac1):
    data = from_table(table)
    observed = (table[0][0] + table[1][1]) / 100
    assert cohen_kappa(data) == pytest.approx(kappa, abs=5e-3)
    assert gwet_ac1(data) == pytest.approx(ac1, abs=5e-3)
    assert pabak(data) == pytest.approx(2 * observed - 1)


def test_reference_brennan_prediger_1981():
    # Brennan & Prediger (1981) Educ Psychol Meas 41:687-699, pp. 689 and 691: S .40 with
    # kappa .27 and .29; via DKPro BrennanPrediger1981Test.
    for table, kappa in (([[50, 0, 0], [10, 10, 10], [20, 0, 0]], 0.27),
                         ([[50, 0, 10], [0, 10, 10], [10, 10, 0]], 0.29)):
        data = from_table(table)
        assert brennan_prediger(data) == pytest.approx(0.40)
        assert cohen_kappa(data) == pytest.approx(kappa, abs=5e-3)


def test_reference_masi_distance():
    # Passonneau (2006) LREC; values of NLTK's doctests (nltk/test/metrics.doctest, and
    # distance.py since its monotonicity weights are exact thirds).
    assert masi_distance({1, 2}, {1, 2, 3, 4}) == pytest.approx(2 / 3)
    assert masi_distance({1, 2, 3, 4}, {3, 4, 5}) == pytest.approx(0.8666666666666667)
    assert masi_distance({"a"}, {"b"}) == 1.0
    assert masi_distance({"a", "b"}, {"b", "a"}) == 0.0


def test_reference_missing_units_and_single_category():
    # A unit rated by one coder is not pairable (Krippendorff 2011); with one category only,
    # chance-corrected coefficients are undefined.
    assert percent_agreement([[1, 1], [2, N], [1, 2]]) == pytest.approx(0.5)
    assert np.isnan(krippendorff_alpha([[1, 1], [1, 1]]))
    assert np.isnan(cohen_kappa([[1, 1], [1, 1]]))


def test_reference_unitizing_alpha_krippendorff_2004():
    # Krippendorff (2004) Content Analysis, 2nd ed., p. 254: two coders mark codes c and k on
    # the continuum [150, 450); category c: D_o .0144, D_e .0532, alpha .7286; category k:
    # D_e .0490, alpha 1; overall .8591 (printed from 4-decimal intermediates: the exact value
    # is .85867). Read in DKPro's unitizing Krippendorff2004Test, which allows +-.0005.
    import pandas as pd

    from qualcode.agreement import unitizing_alpha, unitizing_disagreements

    units = [(225, 70, "A", "c"), (370, 30, "A", "c"), (220, 80, "B", "c"),
             (355, 20, "B", "c"), (400, 20, "B", "c"), (180, 60, "A", "k"), (300, 50, "A", "k"),
             (180, 60, "B", "k"), (300, 50, "B", "k")]
    spans = pd.DataFrame([(coder, b, b + n, code) for b, n, coder, code in units],
                         columns=["coder", "start", "end", "code"])
    table = unitizing_disagreements(spans, continuum=(150, 450)).set_index("code")
    assert table.loc["c", "observed"] == pytest.approx(0.0144, abs=5e-5)
    assert table.loc["c", "expected"] == pytest.approx(0.0532, abs=5e-5)
    assert table.loc["k", "expected"] == pytest.approx(0.0490, abs=5e-5)
    assert unitizing_alpha(spans, continuum=(150, 450), code="c") == \
        pytest.approx(0.7286, abs=5e-5)
    assert unitizing_alpha(spans, continuum=(150, 450), code="k") == 1.0
    assert unitizing_alpha(spans, continuum=(150, 450)) == pytest.approx(0.8591, abs=5e-4)


@pytest.mark.parametrize("weights,off_diagonal", [
    # kgwet/irrCAC vignettes/weighting.html, "The different weights": the weight matrices of
    # the categories 1:3 as printed (radical .2928932 twice; circular 3.330669e-16, i.e. 0;
    # bipolar .6666667), and afergadis/irrCAC tests/unit/irrCAC/weights/test_weights.py for
    # ratio (.556 and .84, 3 dp).
    ("radical", (0.2928932, 0.0, 0.2928932)),
    ("circular", (0.0, 0.0, 0.0)),
    ("bipolar", (0.6666667, 0.0, 0.6666667)),
    ("ratio", (0.5555556, 0.0, 0.84)),
])
def test_reference_irrcac_weight_matrices(weights, off_diagonal):
    from qualcode.agreement import weight_matrix

    w = weight_matrix([1, 2, 3], weights)
    assert np.diag(w) == pytest.approx([1, 1, 1])
    assert (w[0, 1], w[0, 2], w[1, 2]) == pytest.approx(off_diagonal, abs=5e-7)
    assert np.allclose(w, w.T)


@pytest.mark.parametrize("weights,pa,ac2,fleiss,conger,bp", [
    # Gwet (2014) Handbook, ch. 3, dataset cac.raw4raters; values of Gwet's formulas as printed
    # by afergadis/irrCAC's unit tests (tests/unit/irrCAC/raw/test_gwet.py, test_fleiss.py,
    # test_conger.py, test_bp.py; 3 dp), computed with irrCAC's weight functions.
    ("radical", 0.897, 0.820, 0.790, 0.788, 0.813),
    ("ratio", 0.954, 0.857, 0.821, 0.812, 0.840),
    ("circular", 0.902, 0.830, 0.807, 0.805, 0.824),
    ("bipolar", 0.968, 0.900, 0.853, 0.845, 0.888),
])
def test_reference_gwet_raw4raters_irrcac_weights(weights, pa, ac2, fleiss, conger, bp):
    assert percent_agreement(RAW4, weights=weights) == pytest.approx(pa, abs=5e-4)
    assert gwet_ac2(RAW4, weights=weights) == pytest.approx(ac2, abs=5e-4)
    assert fleiss_kappa(RAW4, weights=weights) == pytest.approx(fleiss, abs=5e-4)
    assert conger_kappa(RAW4, weights=weights) == pytest.approx(conger, abs=5e-4)
    assert brennan_prediger(RAW4, weights=weights) == pytest.approx(bp, abs=5e-4)


def test_reference_ordinal_weights_follow_the_order_of_text_categories():
    # Gwet (2014) ch. 3: ordinal weights depend on the ranks of the categories only, so the
    # diagnosis table (cont4x4diagnosis, ordinal: kappa .390, AC2 .324, 3 dp; afergadis/irrCAC
    # table tests) gives the same values with categories named in the order of the scale,
    # whatever their alphabetical order.
    names = ["faible", "moyen", "fort", "aigu"]  # alphabetical: aigu, faible, fort, moyen
    table = [[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]]
    data = [[names[a], names[b]] for a, b in from_table(table)]
    assert cohen_kappa(data, weights="ordinal", categories=names) == \
        pytest.approx(0.390, abs=5e-4)
    assert gwet_ac2(data, weights="ordinal", categories=names) == pytest.approx(0.324, abs=5e-4)
    with pytest.raises(ValueError, match="order of the scale"):
        cohen_kappa(data, weights="ordinal")


def test_reference_conger_ignores_a_coder_who_rated_nothing():
    # Conger (1980) averages over the coders who rated: an empty column adds no coder, as in
    # Fleiss' kappa (Gwet 2014 cac.raw4raters: .76282, kgwet/irrCAC README).
    with_empty = [[*row, N] for row in RAW4]
    assert conger_kappa(with_empty) == pytest.approx(0.76282, abs=5e-6)
    assert fleiss_kappa(with_empty) == pytest.approx(fleiss_kappa(RAW4))
