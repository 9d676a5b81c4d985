"""Confirming convergence at /convergence and reviewing code suggestions at /suggestions
(Starlette's test client): each item with its evidence, each decision saved at once where the
command line reads it, CSRF required, unknown items refused."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from qualcode.io.confirmations import read_convergence
from qualcode.io.suggestions import read_review_sheet, write_kept_suggestions, write_review_sheet
from qualcode.steps.collect import reviewed_suggestions
from qualcode.steps.transcripts import prepare
from qualcode.steps.triangulation import confirmations, triangulate
from qualcode.study import load_study
from qualcode.triangulation import CLASSES
from tests.conftest import copy_demo
from tests.test_web import NAMES, client_for, csrf
from tests.test_web_review import study  # noqa: F401 (FG1 coded by A and B in the browser)


@pytest.fixture
def demo(tmp_path):
    return copy_demo(tmp_path)


def pairs(html: str) -> dict[tuple[str, str], str]:
    """(code, "site|site") -> the class confirmed ('' when none) of each item."""
    return {(c, s): d for c, s, d in re.findall(
        r'data-code-id="([^"]+)" data-sites="([^"]+)" data-site-a="[^"]+" '
        r'data-site-b="[^"]+" data-settled="([^"]*)"', html)}


def test_convergence_lists_each_code_and_pair_with_its_evidence(demo):
    with client_for(demo) as client:
        html = client.get("/convergence").text
        by_pair = pairs(client.get("/convergence?pair=bordeaux|hagetmau").text)
        by_domain = pairs(client.get("/convergence?domain=housing").text)
    items = pairs(html)
    suggested = len(confirmations(load_study(demo)).merged)
    assert len(items) > 20 and suggested == 0
    assert f"0 sur {len(items)} confirmées" in html
    assert ("housing", "bordeaux|hagetmau") in items
    block = re.search(r'data-code-id="housing" data-sites="bordeaux\|hagetmau".*?</li>', html,
                      re.S)[0]
    assert "Bordeaux" in block and "Hagetmau" in block and "Classe proposée" in block
    assert all(f'data-class="{c}"' in block for c in CLASSES)
    assert "«" in block  # quotes of each site
    assert set(by_pair) == {i for i in items if i[1] == "bordeaux|hagetmau"}
    assert by_domain and all(c.split(".")[0] == "housing" for c, _ in by_domain)
    assert not any(name in html for name in NAMES)


def test_a_confirmation_is_read_by_qualcode_triangulate(demo):
    with client_for(demo) as client:
        headers = csrf(client, "/convergence")
        answer = client.post("/api/convergence", headers=headers, json={
            "code_id": "housing", "site_a": "bordeaux", "site_b": "hagetmau",
            "confirmed": "dissonance", "rationale": "pas le même logement", "decided_by": "A"})
        assert answer.status_code == 200, answer.text
        html = client.get("/convergence").text
    assert pairs(html)[("housing", "bordeaux|hagetmau")] == "dissonance"
    assert re.search(r"1 sur \d+ confirmées", html)
    triangulate(load_study(demo))
    merged = pd.read_csv(demo / "analyses" / "convergence.csv", dtype=str,
                         keep_default_na=False).set_index(["code_id", "site_a", "site_b"])
    row = merged.loc[("housing", "bordeaux", "hagetmau")]
    assert row["confirmed"] == row["convergence"] == "dissonance"
    assert row["note"] == "A: pas le même logement"


def test_a_confirmation_updates_the_workbook_whose_typed_cells_win(demo):
    triangulate(load_study(demo))  # makes codings/decisions/convergence.xlsx
    workbook = demo / "codings" / "decisions" / "convergence.xlsx"
    with client_for(demo) as client:
        headers = csrf(client, "/convergence")
        for klass in ("silence", "agreement"):
            assert client.post("/api/convergence", headers=headers, json={
                "code_id": "housing", "site_a": "bordeaux", "site_b": "hagetmau",
                "confirmed": klass, "decided_by": "B"}).status_code == 200
    listed = read_convergence(workbook, CLASSES).set_index(["code_id", "site_a", "site_b"])
    assert listed.loc[("housing", "bordeaux", "hagetmau"), "confirmed"] == "agreement"
    sheet = openpyxl.load_workbook(workbook)["convergence"]
    share = [c.value for c in sheet[1]].index("share_a")
    assert all(isinstance(row[share], int | float) for row in sheet.iter_rows(2, values_only=True))
    assert confirmations(load_study(demo)).merged["confirmed"].tolist() == ["agreement"]


def test_a_confirmation_needs_csrf_a_known_pair_a_class_and_a_coder(demo):
    good = {"code_id": "housing", "site_a": "bordeaux", "site_b": "hagetmau",
            "confirmed": "agreement", "decided_by": "A"}
    with client_for(demo) as client:
        assert client.post("/api/convergence", json=good).status_code == 403
        headers = csrf(client, "/convergence")
        for bad in ({"code_id": "housing.nowhere"}, {"site_b": "paris"},
                    {"confirmed": "accord total"}, {"decided_by": "Z"}):
            answer = client.post("/api/convergence", headers=headers, json={**good, **bad})
            assert answer.status_code == 400, bad
    assert not (demo / "codings" / "convergence.csv").exists()


SUGGESTED = [("FG1-0004", "attractiveness.rent_pricing", 0.81),
             ("FG1-0005", "attractiveness.rent_pricing", 0.64)]


@pytest.fixture
def suggested(study):  # noqa: F811 (the fixture imported above)
    """Two suggestions kept in codings/suggest.csv, listed in the review sheet."""
    root = study
    _, imported = prepare(load_study(root))
    segments = imported.segments.set_index("segment_id")
    kept = pd.DataFrame([("suggest", s, c, p, segments.loc[s, "text"], "", "")
                         for s, c, p in SUGGESTED],
                        columns=["coder", "segment_id", "code_id", "probability", "text",
                                 "decision", "reviewed_by"])
    write_kept_suggestions(root / "codings" / "suggest.csv", kept)
    sheet = kept.assign(group_id="FG1", participant_id="P11", label="Loyer", code_f1=0.72)
    write_review_sheet(root / "codings" / "decisions" / "suggestions.xlsx", sheet, ["A", "B"])
    return root


def items(html: str) -> dict[tuple[str, str], str]:
    return {(s, c): d for s, c, d in re.findall(
        r'class="item[^"]*" data-segment-id="([^"]+)" data-code-id="([^"]+)" '
        r'data-settled="([^"]*)"', html)}


def test_without_suggestions_the_page_says_how_to_make_them(study):  # noqa: F811
    with client_for(study) as client:
        html = client.get("/suggestions").text
    assert "qualcode suggest" in html and items(html) == {}


def test_suggestions_are_listed_with_probability_and_f1_and_reviewed(suggested):
    with client_for(suggested) as client:
        html = client.get("/suggestions").text
        assert items(html) == {("FG1-0004", "attractiveness.rent_pricing"): "",
                               ("FG1-0005", "attractiveness.rent_pricing"): ""}
        assert "0 sur 2 examinées" in html and "0.81" in html and "0.72" in html
        assert 'data-decision="accept"' in html and 'data-decision="reject"' in html
        headers = csrf(client, "/suggestions")
        for (segment_id, code_id, _), decision in zip(SUGGESTED, ("accept", "reject"),
                                                      strict=True):
            answer = client.post("/api/suggestions", headers=headers, json={
                "segment_id": segment_id, "code_id": code_id, "decision": decision,
                "reviewed_by": "B"})
            assert answer.status_code == 200, answer.text
        html = client.get("/suggestions").text
    assert items(html) == {("FG1-0004", "attractiveness.rent_pricing"): "accept",
                           ("FG1-0005", "attractiveness.rent_pricing"): "reject"}
    assert "2 sur 2 examinées" in html
    kept, _ = reviewed_suggestions(load_study(suggested))
    assert kept[["segment_id", "decision", "reviewed_by"]].values.tolist() == [
        ["FG1-0004", "accept", "B"], ["FG1-0005", "reject", "B"]]
    sheet = read_review_sheet(suggested / "codings" / "decisions" / "suggestions.xlsx")
    assert sheet["decision"].tolist() == ["accept", "reject"]
    assert sheet["code_f1"].tolist() == ["0.72", "0.72"]


def test_a_review_needs_csrf_a_suggestion_a_decision_and_a_coder(suggested):
    good = {"segment_id": "FG1-0004", "code_id": "attractiveness.rent_pricing",
            "decision": "accept",
            "reviewed_by": "A"}
    with client_for(suggested) as client:
        assert client.post("/api/suggestions", json=good).status_code == 403
        headers = csrf(client, "/suggestions")
        for bad in ({"code_id": "housing.parking"}, {"decision": "keep"},
                    {"reviewed_by": "Z"}):
            answer = client.post("/api/suggestions", headers=headers, json={**good, **bad})
            assert answer.status_code == 400, bad
    assert set(reviewed_suggestions(load_study(suggested))[0]["decision"]) == {""}
