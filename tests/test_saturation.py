"""Thematic saturation on small hand-made event sequences, computed by hand in comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qualcode.errors import QualcodeWarning
from qualcode.saturation import events, saturation
from qualcode.study import load_study

SEVEN = pd.DataFrame({
    "event_id": [f"E{i}" for i in range(1, 8)], "site_id": "ville",
    "codes": [frozenset("abc"), frozenset("ad"), frozenset("e"), frozenset("b"),
              frozenset("f"), frozenset("a"), frozenset()],
    "order": range(1, 8)})


def test_saturation_rolling_and_stepped_runs_by_hand():
    # Base 2: events 1-2 hold {a, b, c, d}, B = 4. Threshold .20, run 2.
    # Rolling runs: 3-4 bring {e} (b is known): 1/4 = .25 > .20; 4-5 bring {f}: .25;
    # 5-6 bring {f}: .25; 6-7 bring nothing new: 0 <= .20 -> saturation at n = 7.
    # Stepped runs: 3-4 (.25), 5-6 (.25), and no full run starts at 7 -> not reached.
    rolling = saturation(SEVEN, base=2, run=2, threshold=0.2, orders=20, by_site=False)
    stepped = saturation(SEVEN, base=2, run=2, threshold=0.2, runs="stepped", orders=20,
                         by_site=False)
    assert rolling.summary.loc[0, "saturation_n"] == 7
    assert rolling.summary.loc[0, "statement"] == \
        "saturation at n = 7 (base 2, run 2, threshold 20%, rolling runs)"
    assert np.isnan(stepped.summary.loc[0, "saturation_n"])
    table = rolling.events
    assert table["new_codes"].tolist() == [3, 1, 1, 0, 1, 0, 0]
    assert table["cumulative"].tolist() == [3, 4, 5, 5, 6, 6, 6]
    assert table["share_of_total"].iloc[1] == pytest.approx(4 / 6)
    assert table["run_new_information"].tolist()[2:6] == [0.25, 0.25, 0.25, 0.0]
    assert table["new_code_ids"].tolist()[:3] == ["a, b, c", "d", "e"]
    # The threshold .25 is met by the first run already: n = 4.
    assert saturation(SEVEN, base=2, run=2, threshold=0.25, orders=0,
                      by_site=False).summary.loc[0, "saturation_n"] == 4


def test_saturation_random_orders_are_seeded():
    first = saturation(SEVEN, base=2, run=2, threshold=0.25, orders=200, seed=1,
                       by_site=False)
    again = saturation(SEVEN, base=2, run=2, threshold=0.25, orders=200, seed=1,
                       by_site=False)
    pd.testing.assert_frame_equal(first.band, again.band)
    assert 0 < first.summary.loc[0, "orders_reaching_saturation"] <= 1
    band = first.band
    assert (band["low"] <= band["median"]).all() and (band["median"] <= band["high"]).all()
    assert band["high"].iloc[-1] == 6  # every order ends with all 6 codes


def test_saturation_warns_once_when_there_are_too_few_events():
    three = SEVEN.iloc[:3]
    with pytest.warns(QualcodeWarning, match=r"too few events for base 4 and run 2 \(need 6\)"
                      r": all \(3\), ville \(3\).*use the participant level") as record:
        result = saturation(three, orders=10)
    assert len(record) == 1
    assert result.summary["statement"].str.startswith("saturation not reached in 3 events").all()


def test_saturation_events_follow_collection_order(make_study):
    study = load_study(make_study({"fg1.txt": "P11 : x\n", "fg2.txt": "P21 : x\n"}))
    segments = pd.DataFrame({
        "segment_id": ["FG2-0001", "FG1-0001", "FG1-0002", "FG1-0003"],
        "transcript_id": ["FG2", "FG1", "FG1", "FG1"], "group_id": ["FG2", "FG1", "FG1", "FG1"],
        "site_id": "ville", "participant_id": ["P21", "P12", "P11", "P12"],
        "turn": [1, 1, 2, 3], "start": 0, "end": 1, "text": "x", "codable": True,
        "time": np.nan})
    codings = pd.DataFrame({"coder": "consensus",
                            "segment_id": ["FG1-0001", "FG1-0002", "FG1-0003", "FG2-0001"],
                            "code_id": ["housing.parking", "housing.internet",
                                        "housing.cleaning", "housing.parking"],
                            "source": "x"})
    # FG1 comes first (study order); in it, P12 speaks first (turn 1), then P11.
    by_participant = events(codings, segments, study, level="participant")
    assert by_participant["event_id"].tolist() == ["P12", "P11", "P21"]
    assert by_participant["codes"].tolist()[0] == {"housing.parking", "housing.cleaning"}
    assert events(codings, segments, study, level="group")["event_id"].tolist() == \
        ["FG1", "FG2"]


def test_saturation_is_undefined_when_the_base_holds_no_code():
    # Two silent events, then codes: B = 0, so no run can be compared with the base.
    table = pd.DataFrame({"event_id": [f"T{i}" for i in range(1, 6)], "site_id": "ville",
                          "codes": [frozenset(), frozenset(), frozenset("a"), frozenset(),
                                    frozenset()],
                          "order": range(1, 6)})
    result = saturation(table, base=2, run=2, orders=0, by_site=False)
    assert result.summary.loc[0, "statement"].startswith(
        "saturation undefined: the first 2 events hold no code")
