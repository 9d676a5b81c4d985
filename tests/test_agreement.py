"""Agreement: property tests against the peer libraries, and the study-level tables."""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from qualcode.agreement import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    unitizing_alpha,
)
from qualcode.agreement.patterns import pattern_ids, statistics
from qualcode.agreement.tables import agreement_table
from qualcode.errors import QualcodeError, QualcodeWarning


def ratings(n_coders: int, missing: bool):
    cell = st.one_of(st.integers(0, 3), st.none()) if missing else st.integers(0, 3)
    return st.lists(st.lists(cell, min_size=n_coders, max_size=n_coders), min_size=2,
                    max_size=40)


@given(ratings(3, missing=True))
@settings(max_examples=200, deadline=None)
def test_agreement_alpha_equals_krippendorff_package(data):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in data]).T
    try:
        expected = krippendorff.alpha(reliability_data=matrix,
                                      level_of_measurement="nominal")
    except ValueError:  # the package refuses data with fewer than two values
        expected = np.nan
    assert krippendorff_alpha(data) == pytest.approx(expected, nan_ok=True)


@given(ratings(2, missing=False), st.sampled_from([None, "linear", "quadratic"]))
@settings(max_examples=200, deadline=None)
def test_agreement_cohen_equals_scikit_learn(data, weights):
    a, b = zip(*data, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = cohen_kappa_score(a, b, weights=weights)
    ours = cohen_kappa(data, weights=weights)
    if len(set(a) | set(b)) > 1 and set(range(min(a + b), max(a + b) + 1)) <= set(a + b):
        assert ours == pytest.approx(expected, nan_ok=True)


@given(st.integers(2, 3), st.data())
@settings(max_examples=150, deadline=None)
def test_agreement_pattern_counts_equal_the_coefficients(n_coders, data):
    rows = data.draw(st.lists(st.lists(st.sampled_from([0, 1, None]), min_size=n_coders,
                                       max_size=n_coders), min_size=2, max_size=50))
    states = np.array([[0 if v is None else v + 1 for v in row] for row in rows])
    counts = np.bincount(pattern_ids(states), minlength=3 ** n_coders)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fast = statistics(counts)
    expected = {"percent_agreement": percent_agreement(rows), "fleiss_kappa": fleiss_kappa(rows),
                "gwet_ac1": gwet_ac1(rows), "pabak": pabak(rows)}
    if n_coders == 2:
        expected["cohen_kappa"] = cohen_kappa(rows)
    values = {v for row in rows for v in row if v is not None}
    if len(values) == 2:
        expected["krippendorff_alpha"] = krippendorff_alpha(rows)
    for key, value in expected.items():
        if len(values) == 2 or key == "percent_agreement":
            assert float(fast[key]) == pytest.approx(value, nan_ok=True), key


# --- the study-level table ------------------------------------------------------------------


@pytest.fixture
def coded():
    """Two coders, 40 segments of two groups; A and B agree except on a few segments."""
    segments = pd.DataFrame({
        "segment_id": [f"FG{1 + i // 20}-{i:04d}" for i in range(40)],
        "transcript_id": [f"FG{1 + i // 20}" for i in range(40)],
        "group_id": [f"FG{1 + i // 20}" for i in range(40)],
        "site_id": ["ville" if i < 20 else "bourg" for i in range(40)],
        "participant_id": [f"P{i % 5}" for i in range(40)],
        "turn": [i // 2 for i in range(40)], "start": 0, "end": 1, "text": "x",
        "codable": True, "time": np.nan})
    rows = []
    for i in range(40):
        if i % 4 == 0:
            rows += [("A", i, "housing.parking"), ("B", i, "housing.parking")]
        if i % 10 == 1:
            rows.append(("A", i, "housing.parking"))
        if i % 5 == 2:
            rows += [("A", i, "territory.msp_teamwork"), ("B", i, "territory.msp_teamwork")]
    codings = pd.DataFrame([(c, segments.segment_id[i], code, "x.csv") for c, i, code in rows],
                           columns=["coder", "segment_id", "code_id", "source"])
    return codings, segments


def test_agreement_table_per_code_matches_the_coefficients(coded):
    codings, segments = coded
    with pytest.warns(QualcodeWarning, match="only 5 participants"):
        tables = agreement_table(codings, segments=segments, bootstrap=200)
    row = tables.codes.set_index("code_id").loc["housing.parking"]
    a = segments.segment_id.isin(codings.query("coder == 'A' and code_id == 'housing.parking'")
                                 .segment_id).astype(int)
    b = segments.segment_id.isin(codings.query("coder == 'B' and code_id == 'housing.parking'")
                                 .segment_id).astype(int)
    matrix = np.c_[a, b]
    assert row["n_units"] == 40 and row["n_A"] == 14 and row["n_B"] == 10
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa(matrix))
    assert row["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(matrix))
    assert row["gwet_ac1"] == pytest.approx(gwet_ac1(matrix))
    assert row["kappa_low"] <= row["cohen_kappa"] <= row["kappa_high"]
    assert row["bias_index"] == pytest.approx(4 / 40)
    assert tables.codes.set_index("code_id").loc["territory.msp_teamwork", "status"] == \
        "reliable"
    assert set(tables.domains["domain"]) == {"housing", "territory", "all"}
    # 5 participants are too few to resample: segments are, and the interval says so.
    assert tables.interval == ("95% percentile bootstrap, 200 resamples of segments (as if "
                               "independent: 5 participants, fewer than 10)")


def test_agreement_table_is_reproducible_and_seeded(coded):
    codings, segments = coded
    first = agreement_table(codings, segments=segments, bootstrap=100, seed=3)
    second = agreement_table(codings, segments=segments, bootstrap=100, seed=3)
    other = agreement_table(codings, segments=segments, bootstrap=100, seed=4)
    pd.testing.assert_frame_equal(first.codes, second.codes)
    pd.testing.assert_frame_equal(first.domains, second.domains)
    assert not first.codes["kappa_low"].equals(other.codes["kappa_low"])


def test_agreement_table_does_not_depend_on_the_order_or_dtype_of_codings(coded):
    """Sorted codings are read run by run, shuffled ones value by value: same tables, also
    with pandas' "string" dtype, whose missing values cannot be compared."""
    codings, segments = coded
    codings = pd.concat([codings, pd.DataFrame({"coder": ["A", None], "segment_id": [
        None, "FG1-0003"], "code_id": ["housing.parking"] * 2, "source": "x.csv"})])
    sorted_ = codings.sort_values(["coder", "segment_id", "code_id"])
    expected = agreement_table(sorted_, segments=segments, bootstrap=100, seed=3)
    for variant in (codings.sample(frac=1, random_state=1), sorted_.astype("string")):
        tables = agreement_table(variant, segments=segments, bootstrap=100, seed=3)
        for part in ("codes", "domains", "transcripts", "sites"):
            pd.testing.assert_frame_equal(getattr(tables, part), getattr(expected, part))


def test_agreement_participant_bootstrap_is_the_default_and_said(coded):
    codings, segments = coded
    segments = segments.assign(participant_id=[f"P{i % 12:02d}" for i in range(40)])
    default = agreement_table(codings, segments=segments, bootstrap=500)
    plain = agreement_table(codings, segments=segments, bootstrap=500, cluster=None)
    assert default.interval.endswith("500 resamples of participants (cluster bootstrap)")
    assert plain.interval.endswith("500 resamples of segments (as if independent)")
    assert (default.codes["cohen_kappa"] == plain.codes["cohen_kappa"]).all()
    # Each transcript has its 12 participants: intervals; each site one group of them.
    assert default.transcripts["alpha_low"].notna().all()


def test_agreement_cluster_bootstrap_needs_ten_clusters(coded):
    """Two groups, or five participants, are too few clusters to resample: an explicit
    cluster is refused, in one line saying what to do."""
    codings, segments = coded
    with pytest.raises(QualcodeError, match=r"at least 10 groups to resample; these units have "
                                            r"2.*Use the default"):
        agreement_table(codings, segments=segments, bootstrap=100, cluster="group")
    with pytest.raises(QualcodeError, match="at least 10 participants"):
        agreement_table(codings, segments=segments, bootstrap=100, cluster="participant")
    # FG1: 20 participants, FG2: 3. The study has enough; FG2 alone has too few.
    segments = segments.assign(participant_id=[f"P{i:02d}" if i < 20 else f"Q{i % 3}"
                                               for i in range(40)])
    tables = agreement_table(codings, segments=segments, bootstrap=100)
    rows = tables.transcripts.set_index("transcript_id")
    assert rows.loc["FG1", "alpha_low"] <= rows.loc["FG1", "alpha_high"]
    assert np.isnan(rows.loc["FG2", ["kappa_low", "alpha_high", "ac1_low"]].astype(float)).all()
    assert rows.loc["FG2", "flag"] == "fewer than 10 participants: no interval"
    assert rows.loc["FG2", "krippendorff_alpha"] == pytest.approx(
        agreement_table(codings[codings.segment_id.str.startswith("FG2")],
                        segments=segments[segments.transcript_id == "FG2"], bootstrap=0
                        ).domains.query("domain == 'all' and method == 'pooled'")
        ["krippendorff_alpha"].iloc[0])


def test_agreement_undefined_code_warns_once_and_is_nan(coded):
    from qualcode.codebook import load_codebook
    from tests.conftest import ROOT

    codings, segments = coded
    codebook = load_codebook(ROOT / "codebooks" / "htes.yaml")
    with pytest.warns(QualcodeWarning, match=r"undefined \(NaN\) for 39 code") as record:
        tables = agreement_table(codings, segments=segments, codebook=codebook, bootstrap=0)
    assert len(record) == 1
    unused = tables.codes.set_index("code_id").loc["housing.private_room"]
    assert np.isnan(unused["krippendorff_alpha"]) and unused["status"] == "undefined"


def test_agreement_needs_two_coders(coded):
    codings, segments = coded
    with pytest.raises(QualcodeError, match="at least two coders"):
        agreement_table(codings[codings.coder == "A"], segments=segments)
    with pytest.raises(QualcodeError, match="no codings by C"):
        agreement_table(codings, segments=segments, coders=["A", "C"])


def test_agreement_turn_unit_merges_segments(coded):
    codings, segments = coded
    tables = agreement_table(codings, segments=segments, unit="turn", bootstrap=0)
    assert tables.codes.set_index("code_id").loc["housing.parking", "n_units"] == 20


def test_agreement_character_unit_weights_pieces_by_length():
    segments = pd.DataFrame({
        "segment_id": ["T-0001", "T-0002", "T-0003"], "transcript_id": "T", "group_id": "T",
        "site_id": "s", "participant_id": ["P1", "P2", "MOD"], "turn": [1, 2, 3],
        "start": [0, 10, 20], "end": [10, 20, 30], "text": "x",
        "codable": [True, True, False], "time": np.nan})
    spans = pd.DataFrame({"coder": ["A", "B", "B"], "transcript_id": "T",
                          "start": [0, 5, 22], "end": [10, 10, 28], "code_id": "c",
                          "source": ["a.docx", "b.docx", "b.docx"]})
    codings = pd.DataFrame({"coder": ["A", "B"], "segment_id": ["T-0001", "T-0001"],
                            "code_id": "c", "source": ["a.docx", "b.docx"]})
    tables = agreement_table(codings, segments=segments, unit="character", spans=spans,
                             bootstrap=50)
    row = tables.codes.iloc[0]
    # Characters 0-4: A only; 5-9: both; 10-19: neither; 20-29 belong to the moderator.
    expected = np.r_[np.c_[np.ones(5), np.zeros(5)], np.ones((5, 2)), np.zeros((10, 2))]
    assert (row["n_units"], row["n_A"], row["n_B"]) == (20, 10, 5)
    assert row["percent_agreement"] == pytest.approx(0.75)
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa(expected))
    assert tables.interval.endswith("resamples of segments with their characters (as if "
                                    "independent: 2 participants, fewer than 10)")
    # Unitizing alpha sees the marks on the whole transcript, moderator's turn included.
    marks = pd.DataFrame({"coder": ["A", "B", "B"], "start": [0, 5, 22], "end": [10, 10, 28],
                          "code": "c"})
    assert tables.unitizing.set_index("code_id").loc["c", "unitizing_alpha"] == \
        pytest.approx(unitizing_alpha(marks, continuum=(0, 30)))
    with pytest.raises(QualcodeError, match="needs the coders' spans"):
        agreement_table(codings, segments=segments, unit="character")


def test_agreement_block_bootstrap_of_pooled_rows_matches_resampling_segments():
    """One code in one transcript of 3,000 segments: the transcript row (resampled in 200
    random blocks of segments) and the code row (an exact multinomial draw, the same as
    resampling segments one by one) estimate the same sampling distribution."""
    rng = np.random.default_rng(5)
    n = 3000
    ids = [f"FG1-{i:05d}" for i in range(n)]
    segments = pd.DataFrame({
        "segment_id": ids, "transcript_id": "FG1", "group_id": "FG1", "site_id": "ville",
        "participant_id": [f"P{i % 8}" for i in range(n)], "turn": np.arange(n),
        "start": 0, "end": 1, "text": "x", "codable": True, "time": np.nan})
    truth = rng.random(n) < 0.3
    rows = [(coder, ids[i], "logement.bruit") for coder in ("A", "B") for i in range(n)
            if (rng.random() < 0.9) == truth[i]]
    codings = pd.DataFrame(rows, columns=["coder", "segment_id", "code_id"]).assign(
        source="x.csv")
    tables = agreement_table(codings, segments=segments, bootstrap=2000, seed=1, cluster=None)
    code, transcript = tables.codes.iloc[0], tables.transcripts.iloc[0]
    assert transcript["krippendorff_alpha"] == pytest.approx(code["krippendorff_alpha"])
    for name in ("alpha", "kappa", "ac1"):
        exact = code[f"{name}_high"] - code[f"{name}_low"]
        blocks = transcript[f"{name}_high"] - transcript[f"{name}_low"]
        assert blocks == pytest.approx(exact, rel=0.1), name
        assert transcript[f"{name}_low"] == pytest.approx(code[f"{name}_low"], abs=0.1 * exact)


@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2)), max_size=60),
       st.booleans())
@settings(max_examples=100, deadline=None)
def test_agreement_coder_bits_in_runs_or_not_match_a_plain_loop(rows, many_runs):
    """Which coders applied each cell's code, repeated codings included: the same whether the
    codings come in runs of one coder or in no order."""
    from qualcode.agreement import tables

    cells = np.array([c for c, _ in rows], dtype=np.int64)
    coder = np.array([g for _, g in rows], dtype=np.int64)
    expected = np.zeros(12, dtype=np.uint8)
    for c, g in rows:
        expected[c] |= 1 << g
    limit = tables._MANY_RUNS
    try:
        tables._MANY_RUNS = 0 if many_runs else limit
        assert np.array_equal(tables._coder_bits(cells, coder, 12, 3), expected)
    finally:
        tables._MANY_RUNS = limit


@pytest.mark.parametrize("weights", ["radical", "ratio", "circular", "bipolar", "ordinal"])
def test_agreement_weighted_coefficients_equal_irrcac(weights):
    """Gwet's own implementation (PyPI irrCAC, when installed) on random ratings with missing
    values: AC2, Fleiss, Conger and Brennan-Prediger with every weight."""
    irrcac = pytest.importorskip("irrCAC.raw")
    rng = np.random.default_rng(7)
    data = rng.integers(1, 6, size=(15, 3)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    cac = irrcac.CAC(pd.DataFrame(data), weights=weights, categories=[1, 2, 3, 4, 5], digits=15)
    ratings = [[None if np.isnan(v) else int(v) for v in row] for row in data]
    options = {"weights": weights, "categories": [1, 2, 3, 4, 5]}
    for ours, theirs in ((gwet_ac2, cac.gwet), (fleiss_kappa, cac.fleiss),
                         (conger_kappa, cac.conger), (brennan_prediger, cac.bp)):
        assert ours(ratings, **options) == pytest.approx(theirs()["est"]["coefficient_value"],
                                                         abs=1e-12)


def _many_participants(segments: pd.DataFrame) -> pd.DataFrame:
    """The fixture's 40 segments spoken by 12 participants: enough for the cluster bootstrap."""
    return segments.assign(participant_id=[f"P{i % 12:02d}" for i in range(40)])


@pytest.mark.parametrize("n_unused", [4, 12, 40])
def test_agreement_pooled_rows_ignore_codes_nobody_used(coded, n_unused):
    """Codes in the table that no compared coder applied (here: only the consensus did) leave
    the pooled and mean rows as they are, and are listed."""
    codings, segments = coded
    segments = _many_participants(segments)
    extra = pd.DataFrame({"coder": "consensus", "segment_id": segments.segment_id[0],
                          "code_id": [f"housing.extra_{k:02d}" for k in range(n_unused)],
                          "source": "consensus.csv"})
    expected = agreement_table(codings, segments=segments, bootstrap=200, seed=2).domains
    with pytest.warns(QualcodeWarning, match=f"undefined \\(NaN\\) for {n_unused} code"):
        tables = agreement_table(pd.concat([codings, extra]), segments=segments,
                                 bootstrap=200, seed=2)
    domains = tables.domains
    assert domains["n_codes"].tolist() == expected["n_codes"].tolist()
    columns = [c for c in expected.columns if c not in ("unused_codes", "flag")]
    pd.testing.assert_frame_equal(domains[columns], expected[columns])
    overall = domains.set_index(["domain", "method"]).loc[("all", "mean of codes")]
    assert overall["unused_codes"].split() == extra["code_id"].tolist()
    assert overall["gwet_ac1"] < 1  # unused codes no longer count as perfect agreement


def test_agreement_flags_one_coder_codes_and_full_agreement(coded):
    codings, segments = coded
    segments = _many_participants(segments)
    only_a = pd.DataFrame({"coder": "A", "segment_id": segments.segment_id[[3, 7, 11]],
                           "code_id": "housing.noise", "source": "x.csv"})
    tables = agreement_table(pd.concat([codings, only_a]), segments=segments, bootstrap=200)
    rows = tables.codes.set_index("code_id")
    noise, teamwork = rows.loc["housing.noise"], rows.loc["territory.msp_teamwork"]
    # A used it on 3 of 40 segments, B never: 92.5% agreement and kappa 0 in every resample.
    assert noise["percent_agreement"] == pytest.approx(0.925)
    assert (noise["kappa_low"], noise["cohen_kappa"], noise["kappa_high"]) == \
        pytest.approx((0, 0, 0), abs=1e-12)
    assert noise["flag"] == "used by A only; zero-width interval"
    assert not noise["kappa_paradox"]
    # Both coders gave msp_teamwork to the same 8 segments: the interval is the point.
    assert (teamwork["alpha_low"], teamwork["alpha_high"]) == (1, 1)
    assert teamwork["flag"] == "full agreement"


def test_agreement_row_uses_the_same_units_for_every_coefficient(coded):
    """A transcript that only A coded is missing for B: it changes neither Fleiss' kappa nor
    AC1 (their chance terms would otherwise count A's ratings there), like Cohen's kappa and
    alpha; n_units counts the units both rated, in every table."""
    codings, segments = coded
    extra = segments.assign(segment_id=segments.segment_id.str.replace("FG", "FG9"),
                            transcript_id="FG9", group_id="FG9")
    only_a = pd.DataFrame({"coder": "A", "segment_id": extra.segment_id[::3],
                           "code_id": "housing.parking", "source": "x.csv"})
    both = agreement_table(codings, segments=segments, bootstrap=0).codes
    more = agreement_table(pd.concat([codings, only_a]), segments=pd.concat([segments, extra]),
                           bootstrap=0)
    for key in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "n_units"):
        assert more.codes[key].tolist() == pytest.approx(both[key].tolist()), key
    assert more.transcripts.set_index("transcript_id").loc["FG9", "n_units"] == 0
