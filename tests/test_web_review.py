"""Settling disagreements at /review (Starlette's test client): the list with its context,
decisions saved where 'qualcode consensus' reads them, progress, filters, no real name."""

from __future__ import annotations

import re

import pandas as pd
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from qualcode.io.decisions import read_decisions
from qualcode.steps.coding import collect, decide_consensus, record_decision
from qualcode.steps.collect import typed_decisions
from qualcode.study import load_study
from tests.conftest import IDENTITIES, TRANSCRIPT
from tests.test_web import NAMES, client_for, code_in_browser, csrf


@pytest.fixture
def study(make_study):
    """FG1 coded by A and B (in the browser), who differ on three (segment, code) pairs."""
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES,
                      extra="coders:\n  - {id: A, name: Alice Durand}\n  - {id: B}\n")
    codes = {"A": [("FG1-0002", "housing.private_room"), ("FG1-0003", "housing.parking"),
                   ("FG1-0002", "housing.private_bathroom")],
             "B": [("FG1-0002", "housing.private_room"), ("FG1-0004", "housing.parking")]}
    with client_for(root) as client:
        code_in_browser(client, "FG1", codes)
    return root


def items(html: str) -> dict[tuple[str, str], str]:
    """(segment, code) -> the settled decision ('' when undecided) of each disagreement."""
    return {(s, c): d for s, c, d in re.findall(
        r'class="disagreement[^"]*" data-segment-id="([^"]+)" data-code-id="([^"]+)" '
        r'data-settled="([^"]*)"', html)}


def test_review_lists_each_disagreement_with_context_coders_and_definition(study):
    with client_for(study) as client:
        html = client.get("/review").text
    assert set(items(html)) == {("FG1-0002", "housing.private_bathroom"),
                                ("FG1-0003", "housing.parking"),
                                ("FG1-0004", "housing.parking")}
    assert "0 sur 3 tranchés" in html
    block = re.search(r'data-segment-id="FG1-0003".*?</li>', html, re.S)[0]
    assert re.search(r'class="context">Une chambre à moi.*class="text">Et une salle', block,
                     re.S)  # the segment before, as context
    assert re.search(r"appliqué par : A<.*non appliqué par : B<", block, re.S)
    assert 'data-decision="keep"' in block and 'data-decision="drop"' in block
    assert not any(name in html for name in NAMES) and "Alice Durand" not in html


def test_review_filters_by_transcript_and_code(study):
    with client_for(study) as client:
        by_code = items(client.get("/review?code=housing.parking").text)
        by_transcript = items(client.get("/review?transcript=FG2").text)
    assert set(by_code) == {("FG1-0003", "housing.parking"), ("FG1-0004", "housing.parking")}
    assert by_transcript == {}


def test_settling_every_disagreement_gives_the_consensus(study):
    decisions = {("FG1-0002", "housing.private_bathroom"): "drop",
                 ("FG1-0003", "housing.parking"): "keep",
                 ("FG1-0004", "housing.parking"): "drop"}
    with client_for(study) as client:
        headers = csrf(client, "/review")
        for (segment_id, code_id), decision in decisions.items():
            answer = client.post("/api/review", headers=headers, json={
                "segment_id": segment_id, "code_id": code_id, "decision": decision,
                "rationale": "relu ensemble", "decided_by": "B"})
            assert answer.status_code == 200, answer.text
        html = client.get("/review").text
    assert items(html) == decisions
    assert "3 sur 3 tranchés" in html
    recorded = read_decisions(study / "codings" / "consensus.csv")
    assert set(recorded["decided_by"]) == {"B"}
    log, _ = decide_consensus(load_study(study))
    assert len(log) > 0
    codings = pd.read_csv(study / "analyses" / "codings.csv", dtype=str)
    consensus = set(zip(*(codings[codings.coder == "consensus"][c]
                          for c in ("segment_id", "code_id")), strict=True))
    assert consensus == {("FG1-0002", "housing.private_room"), ("FG1-0003", "housing.parking")}


def test_a_decision_needs_csrf_a_disagreement_and_a_coder(study):
    with client_for(study) as client:
        pair = {"segment_id": "FG1-0003", "code_id": "housing.parking"}
        assert client.post("/api/review", json={**pair, "decision": "keep",
                                                 "decided_by": "A"}).status_code == 403
        headers = csrf(client, "/review")
        assert client.post("/api/review", headers=headers, json={
            "segment_id": "FG1-0002", "code_id": "housing.private_room", "decision": "keep",
            "decided_by": "A"}).status_code == 400
        answer = client.post("/api/review", headers=headers, json={
            **pair, "decision": "keep", "decided_by": "Z"})
        assert answer.status_code == 400 and "not a coder" in answer.json()["error"]
    assert not (study / "codings" / "consensus.csv").exists()


def test_a_decision_updates_the_workbook_whose_typed_cells_win(study):
    collect(load_study(study), list_disagreements=True)
    record_decision(load_study(study), "FG1-0003", "housing.parking", "drop", decided_by="A")
    record_decision(load_study(study), "FG1-0003", "housing.parking", "keep", decided_by="A")
    typed = typed_decisions(load_study(study))
    listed = typed.listed.set_index(["segment_id", "code_id"])
    assert listed.loc[("FG1-0003", "housing.parking"), "decision"] == "keep"
    assert typed.merged.set_index(["segment_id", "code_id"]).loc[
        ("FG1-0003", "housing.parking"), "decision"] == "keep"


def test_a_decision_taken_together_names_everyone_who_took_it(study):
    """The meeting's decision, as the sheets write it (A+B, or A+B+directrice when the
    supervisor took part); without a coder of the study it is refused."""
    with client_for(study) as client:
        headers = csrf(client, "/review")
        assert 'value="A+B"' in client.get("/review").text  # the default: both coders
        pair = {"segment_id": "FG1-0003", "code_id": "housing.parking", "decision": "keep"}
        for nobody in ("Z+directrice", "A+", " "):
            assert client.post("/api/review", headers=headers,
                               json={**pair, "decided_by": nobody}).status_code == 400
        assert client.post("/api/review", headers=headers,
                           json={**pair, "decided_by": "A+B+directrice"}).status_code == 200
        assert '<option value="A+B+directrice">' in client.get("/review").text
    recorded = read_decisions(study / "codings" / "consensus.csv")
    assert list(recorded["decided_by"]) == ["A+B+directrice"]


def test_review_filters_by_domain_coder_and_what_is_left(study):
    with client_for(study) as client:
        headers = csrf(client, "/review")
        client.post("/api/review", headers=headers, json={
            "segment_id": "FG1-0004", "code_id": "housing.parking", "decision": "drop",
            "decided_by": "A"})
        left = items(client.get("/review?unsettled=1").text)
        by_domain = items(client.get("/review?domain=quality_of_life").text)
        by_coder = items(client.get("/review?coder=B").text)
    assert ("FG1-0004", "housing.parking") not in left and len(left) == 2
    assert by_domain == {}  # every disagreement here is about housing
    assert len(by_coder) == 3  # B coded FG1, so B is in every disagreement
