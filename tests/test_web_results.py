"""Running the analysis at /run and reading its results at /results (Starlette's test
client): each stage's progress to the audit's verdict, the command line's error line for a
broken study, one run at a time, the framework matrix's quotes per cell, the checklist as
its Word file lays it out, and downloads of the outputs run.json lists and of nothing else."""

from __future__ import annotations

import html
import io
import re
import threading
import time

import pandas as pd
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.web.library import StudyFolder
from tests.conftest import IDENTITIES, TRANSCRIPT, build_study
from tests.test_web import HOSTS, NAMES, client_for, code_in_browser, csrf

CODERS = "coders:\n  - {id: A, name: Alice Durand}\n  - {id: B}\n"
CODES = {"A": [("FG1-0002", "housing.private_room"), ("FG1-0003", "housing.parking"),
               ("FG1-0004", "housing.parking"), ("FG1-0005", "housing.rent")],
         "B": [("FG1-0002", "housing.private_room"), ("FG1-0004", "housing.parking"),
               ("FG1-0005", "housing.rent")]}


def run_to_the_end(client, headers) -> list[dict]:
    """Start a run and poll its status until it ends: every status seen."""
    started = client.post("/api/run", headers=headers, json={})
    assert started.status_code == 202, started.text
    seen = [started.json()]
    while seen[-1]["state"] == "running":
        time.sleep(0.1)
        seen.append(client.get("/api/run").json())
    return seen


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """A one-group study coded by A and B in the browser, then run from /run (once)."""
    root = build_study(tmp_path_factory.mktemp("results") / "study", {"fg1.txt": TRANSCRIPT},
                       identities=IDENTITIES, extra=CODERS)
    with client_for(root) as client:
        code_in_browser(client, "FG1", CODES)
        before = client.get("/results").text
        seen = run_to_the_end(client, csrf(client, "/run"))
        overview = client.get("/").text
    return root, seen, before, overview


def test_the_run_page_has_its_button_and_its_verdict_place(ran):
    with client_for(ran[0]) as client:
        page = html.unescape(client.get("/run").text)
        english = client.get("/run?lang=en").text
    assert 'data-action="run"' in page and 'id="run-verdict"' in page
    assert 'id="run-stages"' in page and "Lancer l'analyse" in page
    assert "Run the analysis" in english


def test_the_run_shows_each_stage_started_then_done_and_ends_with_the_audit(ran):
    root, seen, _, _ = ran
    final = seen[-1]
    assert final["state"] == "done", final
    stages = {s["stage"]: s for s in final["stages"]}
    for stage in ("import", "codings", "agreement", "triangulation", "checklist", "report",
                  "audit"):
        assert stages[stage]["state"] == "done" and stages[stage]["seconds"] >= 0
    assert next(s["stage"] for s in final["stages"]) == "import"
    assert any(s["state"] == "start" for status in seen for s in status["stages"])
    assert final["error"] == ""
    # the verdict the command line prints, word for word
    audited = CliRunner().invoke(cli, ["audit", "--study", str(root)])
    assert final["verdict"] == audited.stdout.strip().splitlines()[-1]
    assert final["verdict"].startswith("Audit: no name from identities.csv in analyses/")
    assert any(line.startswith("Names: ") for line in final["lines"])


def test_after_a_run_the_pages_see_the_new_analyses(ran):
    _, _, before, overview = ran
    assert 'id="no-run"' in before and 'href="/run"' in before
    assert "à jour" in overview and 'href="/results"' in overview


def test_a_second_run_while_one_is_going_on_is_refused(ran):
    release = threading.Event()

    class Slow(StudyFolder):
        def run_analysis(self, on_stage):
            on_stage("import", "start")
            release.wait(10)
            on_stage("import", "reused")  # a state the page does not know is shown as told
            return ["Audit: fine."]

    from starlette.testclient import TestClient

    from qualcode.web.app import create_app

    with TestClient(create_app(ran[0], hosts=HOSTS, folder=Slow(ran[0]))) as client:
        headers = csrf(client, "/run")
        assert client.post("/api/run", headers=headers, json={}).status_code == 202
        second = client.post("/api/run", headers=headers, json={})
        running = client.get("/api/run").json()
        release.set()
        while client.get("/api/run").json()["state"] == "running":
            time.sleep(0.05)
        ended = client.get("/api/run").json()
    assert second.status_code == 409 and "déjà en cours" in second.json()["error"]
    assert running["stages"] == [{"stage": "import", "state": "start", "seconds": None}]
    assert ended["stages"][0]["state"] == "reused" and ended["verdict"] == "Audit: fine."


def test_starting_a_run_needs_the_pages_csrf_token(ran):
    with client_for(ran[0]) as client:
        refused = client.post("/api/run", json={})
        status = client.get("/api/run").json()
    assert refused.status_code == 403 and status["state"] == "idle"


def test_a_broken_study_shows_the_command_lines_error_line(make_study, monkeypatch):
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES, extra=CODERS)
    (root / "designs").mkdir()
    (root / "designs" / "projet.yaml").write_text("name: [projet\n", encoding="utf-8")
    with client_for(root) as client:
        final = run_to_the_end(client, csrf(client, "/run"))[-1]
    monkeypatch.chdir(root)
    said = CliRunner().invoke(cli, ["run", "--no-name-check"])
    assert said.exit_code == 1
    assert final["state"] == "failed" and final["verdict"] == ""
    assert final["error"] == said.stderr.strip()
    assert final["error"].startswith("error: designs/projet.yaml")
    assert not (root / "analyses" / "run.json").exists()


def test_results_show_agreement_with_its_interval_method(ran):
    root = ran[0]
    with client_for(root) as client:
        page = client.get("/results").text
    written = pd.read_csv(root / "analyses" / "agreement.csv")
    assert 'id="agreement"' in page
    assert html.unescape(page).count(written["interval"].iloc[0]) >= 1
    for name in ("agreement.csv", "agreement-by-domain.csv", "agreement-by-transcript.csv",
                 "agreement-by-site.csv"):
        assert f'data-table="{name}"' in page
    assert '<img src="/files/figures/agreement.png"' in page
    assert not any(name in page for name in NAMES) and "Alice Durand" not in page


def test_a_matrix_cell_lists_the_quotes_the_run_wrote_for_it(ran):
    root = ran[0]
    with client_for(root) as client:
        page = client.get("/results").text
    matrix = pd.read_csv(root / "analyses" / "matrix-site.csv", keep_default_na=False)
    cell = matrix[(matrix.code_id == "housing.private_room") & (matrix.value == "ville")].iloc[0]
    found = re.search(r'data-cell="housing.private_room\|ville"[^>]*data-quotes="([^"]*)"',
                      page)
    assert found and html.unescape(found[1]) == cell.quotes
    assert "Une chambre à moi" in cell.quotes
    assert 'id="quotes"' in page
    assert len(re.findall(r"data-cell=", page)) == len(matrix)


def test_the_checklist_reads_as_its_word_file(ran):
    docx = pytest.importorskip("docx")
    root = ran[0]
    with client_for(root) as client:
        page = html.unescape(client.get("/results").text)
    document = docx.Document(str(root / "analyses" / "checklist.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    shown = re.findall(r"<h3>([^<]+)</h3>", page.split('id="checklist"')[1]
                       .split("</article>")[0])
    sections = shown[1:]
    assert sections and sections == [h for h in headings if h in sections]
    assert len(sections) == len(set(headings) & set(sections))
    checklist = pd.read_csv(root / "analyses" / "checklist.csv")
    for text in checklist["text"]:
        assert text in page


def test_only_the_outputs_run_json_lists_can_be_downloaded(ran):
    root = ran[0]
    (root / "analyses" / "stray.csv").write_text("a\n1\n", encoding="utf-8")
    with client_for(root) as client:
        docx_file = client.get("/files/checklist.docx")
        table = client.get("/files/agreement.csv")
        figure = client.get("/files/figures/agreement.png")
        refused = {path: client.get(path).status_code for path in (
            "/files/../study.yaml", "/files/%2e%2e/study.yaml", "/files/..%2fstudy.yaml",
            "/files/identities.csv", "/files/../identities.csv", "/files/%2e%2e/identities.csv",
            "/files/stray.csv", "/files/run.json", "/files/codings/A.csv",
            "/files/figures/../../study.yaml", "/files//etc/passwd")}
        page = client.get("/results").text
    assert docx_file.status_code == 200 and docx_file.content[:2] == b"PK"
    assert docx_file.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert docx_file.headers["content-disposition"].startswith("attachment")
    assert table.headers["content-type"].startswith("text/csv")
    assert table.headers["content-disposition"] == 'attachment; filename="agreement.csv"'
    assert pd.read_csv(io.BytesIO(table.content)).shape[0] > 0
    assert figure.headers["content-type"] == "image/png"
    assert set(refused.values()) == {404}, refused
    listed = set(re.findall(r'data-download="([^"]+)"', page))
    assert {"checklist.docx", "matrix.xlsx", "agreement.csv", "figures/agreement.png"} <= listed
    assert "stray.csv" not in listed


def test_on_a_network_a_coders_link_opens_results_and_run(ran):
    root = ran[0]
    with client_for(root, tokens={"A": "tok-a", "B": "tok-b"}) as client:
        refused = client.get("/results")
        refused_file = client.get("/files/checklist.docx")
        client.get("/results?token=tok-b")
        shown = client.get("/results")
        downloaded = client.get("/files/checklist.docx")
        status = client.get("/api/run")
    assert refused.status_code == 403 and refused_file.status_code == 403
    assert shown.status_code == 200 and downloaded.status_code == 200
    assert status.status_code == 200
