"""The browser workspace's server (Starlette's test client): pages, saving into files collect
reads, blindness, confidentiality, tokens, CSRF, paths, two coders at once."""

from __future__ import annotations

import re
import threading

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient

from qualcode.steps.collect import collect_codings
from qualcode.steps.transcripts import prepare
from qualcode.study import load_study
from qualcode.web.app import create_app
from tests.conftest import IDENTITIES, TRANSCRIPT

HOSTS = ("testserver", "127.0.0.1")
NAMES = ("Camille Martin", "Martin", "Lefèvre", "Sophie Laurent", "Laurent")


@pytest.fixture
def study(make_study):
    return make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES,
                      extra="coders:\n  - {id: A, name: Alice Durand}\n  - {id: B}\n")


def client_for(root, **options) -> TestClient:
    return TestClient(create_app(root, hosts=HOSTS, **options))


def csrf(client: TestClient, page: str = "/code/A/FG1") -> dict[str, str]:
    html = client.get(page).text
    return {"X-Qualcode-CSRF": re.search(r'name="csrf" content="([^"]+)"', html)[1]}


def code_in_browser(client: TestClient, transcript: str,
                    codes: dict[str, list[tuple[str, str]]]) -> None:
    """Each coder's (segment, code) pairs added on ``transcript`` through the coding page's
    API, then the transcript marked done, as a coder in the browser does."""
    for coder, pairs in codes.items():
        headers = csrf(client, f"/code/{coder}/{transcript}")
        for segment_id, code_id in pairs:
            client.post(f"/api/code/{coder}/{transcript}", headers=headers, json={
                "op": "add", "segment_id": segment_id, "code_id": code_id})
        client.post(f"/api/code/{coder}/{transcript}", headers=headers,
                    json={"op": "done", "done": True})


def collected(root):
    study = load_study(root)
    codebook, imported = prepare(study)
    return collect_codings(study, imported, codebook)


def test_overview_shows_the_study_in_its_language(study):
    with client_for(study) as client:
        page = client.get("/")
        english = client.get("/?lang=en")
    assert page.status_code == 200
    assert "Transcriptions" in page.text and "FG1" in page.text and "ville" in page.text
    assert "Grille de codage" in page.text and "41 codes" in page.text
    assert "Aucun problème" not in page.text or "warning:" not in page.text
    assert "Transcripts" in english.text and "Codebook" in english.text


def test_the_coding_page_marks_segments_and_codes_for_automation(study):
    with client_for(study) as client:
        html = client.get("/code/A/FG1").text
    segments = re.findall(r'data-segment-id="(FG1-\d+)"', html)
    assert segments[0] == "FG1-0001" and len(segments) == len(set(segments)) >= 6
    codable = re.findall(r'data-segment-id="(FG1-\d+)" data-codable', html)
    assert "FG1-0001" not in codable  # the moderator's question
    assert 'data-code-id="housing.private_room"' in html
    assert "Une chambre à moi, fermée à clé." in html


def test_no_real_name_reaches_a_page(study):
    with client_for(study) as client:
        pages = [client.get(p).text for p in ("/", "/code/A", "/code/A/FG1", "/code/B/FG1")]
    for html in pages:
        for name in NAMES:
            assert name not in html
    assert "P11" in pages[2]


def test_a_code_saved_is_read_by_collect_and_removed_from_it(study):
    with client_for(study) as client:
        headers = csrf(client)
        answer = client.post("/api/code/A/FG1", headers=headers, json={
            "op": "add", "segment_id": "FG1-0002", "code_id": "housing.private_room"})
        assert answer.status_code == 200
        assert answer.json()["applied"]["FG1-0002"][0][0] == "housing.private_room"
        assert (study / "codings" / "browser" / "A.csv").is_file()
        codings = collected(study).codings
        assert set(zip(codings.coder, codings.segment_id, codings.code_id, strict=True)) == {
            ("A", "FG1-0002", "housing.private_room")}
        html = client.get("/code/A/FG1").text
        assert re.search(r'data-segment-id="FG1-0002"[^>]*>.*?data-code-id="housing.private_room"'
                         r'[^>]*>Chambre individuelle', html, re.S)
        client.post("/api/code/A/FG1", headers=headers, json={
            "op": "remove", "segment_id": "FG1-0002", "code_id": "housing.private_room"})
    assert collected(study).codings.empty


def test_a_passage_codes_segments_by_the_word_rule_and_keeps_the_span(study):
    canonical = prepare(load_study(study))[1].transcripts[0].text
    start = canonical.index("Une chambre")
    end = canonical.index("pas partagée.") + len("pas partagée.")
    with client_for(study) as client:
        answer = client.post("/api/code/A/FG1", headers=csrf(client), json={
            "op": "span", "start": start, "end": end, "code_id": "housing.private_room"})
    applied = answer.json()["applied"]
    assert set(applied) == {"FG1-0002", "FG1-0003"}
    assert all(codes[0][2] for codes in applied.values())  # shown as a passage
    result = collected(study)
    assert list(result.spans[["start", "end"]].iloc[0]) == [start, end]
    assert set(result.codings.segment_id) == {"FG1-0002", "FG1-0003"}


def test_notes_and_done_marks_are_kept_and_done_means_reviewed(study):
    with client_for(study) as client:
        headers = csrf(client)
        client.post("/api/code/A/FG1", headers=headers,
                    json={"op": "note", "segment_id": "FG1-0004", "note": "=à revoir"})
        assert collected(study).reviewed.empty  # opened, not done
        answer = client.post("/api/code/A/FG1", headers=headers, json={"op": "done", "done": True})
        assert answer.json() == {"applied": {}, "notes": {"FG1-0004": "=à revoir"}, "done": True}
        html = client.get("/code/A/FG1").text
    assert "=à revoir" in html and 'aria-pressed="true"' in html
    reviewed = collected(study).reviewed
    assert list(zip(reviewed.coder, reviewed.transcript_id, strict=True)) == [("A", "FG1")]
    assert "'=à revoir" in (study / "codings" / "browser" / "A.csv").read_text(encoding="utf-8")


def test_a_coder_who_began_in_a_csv_goes_on_in_the_browser_without_loss_or_double(study):
    (study / "codings").mkdir()
    (study / "codings" / "A.csv").write_text(
        "coder,segment_id,code_id\nA,FG1-0002,housing.private_room\n"
        "A,FG1-0004,housing.parking\n", encoding="utf-8")
    with client_for(study) as client:
        html = client.get("/code/A/FG1").text
        assert 'data-code-id="housing.parking" title="housing.parking"' in html
        client.post("/api/code/A/FG1", headers=csrf(client), json={
            "op": "remove", "segment_id": "FG1-0004", "code_id": "housing.parking"})
    with pytest.warns(UserWarning, match="read from the browser workspace instead.*A on FG1 "
                      "in codings/A.csv"):
        codings = collected(study).codings
    assert list(zip(codings.segment_id, codings.code_id, strict=True)) == [("FG1-0002",
                                                               "housing.private_room")]
    assert "housing.parking" in (study / "codings" / "A.csv").read_text(encoding="utf-8")


def test_coders_are_blind_to_each_other(study):
    with client_for(study) as client:
        client.post("/api/code/A/FG1", headers=csrf(client), json={
            "op": "add", "segment_id": "FG1-0002", "code_id": "housing.private_room"})
        other = client.get("/code/B/FG1").text
        overview = client.get("/").text
    assert 'class="chip' not in other and "Chambre individuelle</span>" not in other
    assert "housing.private_room" not in overview
    assert re.search(r'data-coder="A" data-transcript="FG1">\s*<a[^>]*>en cours', overview)


def test_changes_need_the_pages_csrf_token_json_and_no_foreign_origin(study):
    body = {"op": "add", "segment_id": "FG1-0002", "code_id": "housing.private_room"}
    with client_for(study) as client:
        headers = csrf(client)
        assert client.post("/api/code/A/FG1", json=body).status_code == 403
        assert client.post("/api/code/A/FG1", json=body, headers={
            **headers, "Origin": "http://evil.example"}).status_code == 403
        assert client.post("/api/code/A/FG1", data={"op": "add"}, headers=headers
                           ).status_code == 403
        assert client.post("/api/code/A/FG1", headers=headers, json={
            **body, "segment_id": "FG1-0001"}).status_code == 400  # the moderator's
        assert client.post("/api/code/A/FG1", headers=headers, json={
            **body, "code_id": "housing"}).status_code == 400  # a category
    assert not (study / "codings" / "browser").exists()


def test_on_a_network_each_coder_reaches_only_their_own_workspace(study):
    tokens = {"A": "token-of-a", "B": "token-of-b"}
    body = {"op": "add", "segment_id": "FG1-0002", "code_id": "housing.private_room"}
    with TestClient(create_app(study, tokens=tokens, hosts=("*",))) as client:
        assert client.get("/").status_code == 403
        assert client.get("/code/A/FG1").status_code == 403
        assert client.get("/code/A?token=wrong").status_code == 403
        opened = client.get("/code/A?token=token-of-a", follow_redirects=False)
        assert opened.status_code == 303 and "token" not in opened.headers["location"]
        assert client.get("/code/A/FG1").status_code == 200
        assert client.get("/code/B/FG1").status_code == 403
        headers = csrf(client)
        assert client.post("/api/code/B/FG1", headers=headers, json=body).status_code == 403
        assert client.post("/api/code/A/FG1", headers=headers, json=body).status_code == 200
        overview = client.get("/").text
    assert 'href="/code/B' not in overview and 'href="/code/A/FG1"' in overview


def test_no_url_reaches_a_file_of_the_study(study):
    with client_for(study) as client:
        for url in ("/static/../identities.csv", "/static/%2e%2e/identities.csv",
                    "/static/..%2F..%2Fidentities.csv", "/code/A/..%2Fidentities.csv",
                    "/code/..%2F..%2Fidentities.csv/FG1", "/identities.csv",
                    "/transcripts/fg1.txt", "/code/Z/FG1", "/code/A/FG9"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "Camille Martin" not in response.text
        assert client.get("/static/qualcode.js").status_code == 200
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_two_coders_saving_at_once_lose_nothing(study):
    codes = ["housing.private_room", "housing.parking", "housing.private_bathroom",
             "housing.workspace", "housing.shared_kitchen"]
    with client_for(study) as client:
        headers = csrf(client)
        client.get("/code/B/FG1")

        def code(coder: str, code_id: str) -> None:
            client.post(f"/api/code/{coder}/FG1", headers=headers, json={
                "op": "add", "segment_id": "FG1-0002", "code_id": code_id})

        threads = [threading.Thread(target=code, args=(coder, c)) for c in codes
                   for coder in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    codings = collected(study).codings
    assert sorted(zip(codings.coder, codings.code_id, strict=True)) == sorted(
        (coder, c) for c in codes for coder in ("A", "B"))


def test_a_study_that_cannot_load_shows_the_command_lines_error(study):
    (study / "study.yaml").write_text("title: [", encoding="utf-8")
    with client_for(study) as client:
        page = client.get("/")
    assert page.status_code == 500 and "error: " in page.text and "study.yaml" in page.text
