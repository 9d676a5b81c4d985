"""Assessing a housing design against the checklist, on a hand-made case."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from qualcode.assessment import assess, load_design
from qualcode.errors import DesignError

REQUIREMENTS = pd.DataFrame({
    "requirement_id": ["R-1", "R-2", "R-3", "R-4"],
    "domain": "housing", "text": ["Chambre", "Parking", "Jardin", "Sauna"],
    "priority": ["essential", "important", "desirable", "not_raised"]})


def design(tmp_path, body: str):
    path = tmp_path / "maison.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_assessment_coverage_by_hand(tmp_path):
    path = design(tmp_path, """\
        name: Maison test
        kind: candidate
        facts: {capacity: "6 chambres"}
        assessment:
          R-1: {status: met, note: "6 chambres individuelles"}
          R-2: {status: partly, note: "3 places pour 6"}
        """)
    summary, table = assess(load_design(path, {"R-1", "R-2", "R-3", "R-4"}), REQUIREMENTS)
    # Weights 3 (essential), 2, 1, 0; values met 1, partly 1/2, unknown 0:
    # coverage = (3 x 1 + 2 x .5 + 1 x 0) / 6 = 4/6; of what is known: 4 / 5.
    assert summary["coverage"] == pytest.approx(4 / 6)
    assert summary["coverage_of_known"] == pytest.approx(4 / 5)
    assert (summary["n_met"], summary["n_partly"], summary["n_unknown"]) == (1, 1, 2)
    # Gaps first, by priority: R-2 (partly, Important), R-3 and R-4 (unknown); then R-1.
    assert table["requirement_id"].tolist() == ["R-2", "R-3", "R-4", "R-1"]


@pytest.mark.parametrize("body,message,line", [
    ("name: X\nassessment:\n  R-9: {status: met}\n", "unknown requirement 'R-9'", 3),
    ("name: X\nassessment:\n  R-1: {status: yes}\n", "must be one of met, partly", 3),
    ("name: X\nkind: dream\n", "must be existing or candidate", 2),
    ("nom: X\n", "unknown key 'nom' in a design; allowed: name", 1),
])
def test_assessment_design_errors_name_the_line(tmp_path, body, message, line):
    with pytest.raises(DesignError, match=message) as info:
        load_design(design(tmp_path, body), {"R-1"})
    assert info.value.line == line
