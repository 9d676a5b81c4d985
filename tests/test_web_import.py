"""Importing from the browser at /import (Starlette's test client): the preview writes
nothing and shows the command line's lines; the import writes what 'qualcode import' writes,
one run at a time, its progress polled."""

from __future__ import annotations

import hashlib
import html
import threading
import time

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.web.library import StudyFolder
from tests.conftest import IDENTITIES, TRANSCRIPT, build_study
from tests.test_web import client_for, csrf

UNKNOWN = TRANSCRIPT + "Julie : Et le bruit, personne n'en parle ?\n"


def snapshot(root) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def text_of(page: str) -> str:
    return html.unescape(page)


def finished(client) -> dict:
    for _ in range(600):
        status = client.get("/api/import").json()
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def test_the_preview_shows_speakers_and_writes_nothing(make_study):
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES)
    before = snapshot(root)
    with client_for(root) as client:
        page = text_of(client.get("/import").text)
    assert snapshot(root) == before
    assert "Camille" in page and "P11" in page and "MOD" in page
    assert "error:" not in page and "P13, P14" in page  # a warning, as the CLI gives it
    assert 'data-action="import" disabled' not in page


def test_an_unknown_speaker_shows_the_command_lines_error(make_study):
    root = make_study({"fg1.txt": UNKNOWN}, identities=IDENTITIES)
    cli = CliRunner().invoke(app, ["import", "--study", str(root)])
    assert cli.exit_code == 1
    line = cli.output.strip().splitlines()[-1]
    assert line.startswith("error:") and "Julie" in line
    before = snapshot(root)
    with client_for(root) as client:
        page = text_of(client.get("/import").text)
    assert snapshot(root) == before
    assert " ".join(line.split()) in " ".join(page.split())
    assert 'data-action="import" disabled' in page


def test_the_import_writes_what_qualcode_import_writes(tmp_path):
    by_cli = build_study(tmp_path / "cli", {"fg1.txt": TRANSCRIPT}, identities=IDENTITIES)
    by_web = build_study(tmp_path / "web", {"fg1.txt": TRANSCRIPT}, identities=IDENTITIES)
    cli = CliRunner().invoke(app, ["import", "--study", str(by_cli)])
    assert cli.exit_code == 0, cli.output
    with client_for(by_web) as client:
        answer = client.post("/api/import", headers=csrf(client, "/import"), json={})
        assert answer.status_code == 202
        status = finished(client)
        page = client.get("/import").text
    assert status["state"] == "done" and status["done"] == status["total"] == 1
    assert snapshot(by_web) == snapshot(by_cli)
    assert "analyses/segments.csv" in snapshot(by_web)
    printed = " ".join(cli.output.split())
    for line in status["lines"]:
        assert " ".join(line.split()) in printed
    assert any(line.startswith("Names:") for line in status["lines"])
    assert any(line.startswith("Name check:") for line in status["lines"])
    assert 'data-state="done"' in page


class Slow(StudyFolder):
    """A study folder whose import waits until ``go`` is set."""

    go = threading.Event()

    def run_import(self, progress):
        self.go.wait(10)
        return ["fini"]


def test_one_import_at_a_time_with_csrf_and_only_on_one_machine(make_study):
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES)
    with client_for(root, folder=Slow(root)) as client:
        assert client.post("/api/import", json={}).status_code == 403
        headers = csrf(client, "/import")
        assert client.post("/api/import", headers=headers, json={}).status_code == 202
        assert client.get("/api/import").json()["state"] == "running"
        assert client.post("/api/import", headers=headers, json={}).status_code == 409
        Slow.go.set()
        assert finished(client) == {"state": "done", "done": 0, "total": 0, "lines": ["fini"],
                                    "error": ""}
    with client_for(root, tokens={"A": "secret-a"}) as client:
        client.get("/?token=secret-a")
        assert client.get("/import").status_code == 403
        assert client.get("/api/import").status_code == 403


def test_an_import_waits_for_the_run_of_the_same_study(make_study):
    """Both write analyses/: while one runs, the other is refused, whichever page asks."""
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES)
    folder = Slow(root)
    folder.run_analysis = lambda on_stage: (Slow.go.wait(10), ["Audit: fine."])[1]
    Slow.go.clear()
    with client_for(root, folder=folder) as client:
        headers = csrf(client, "/import")
        assert client.post("/api/run", headers=headers, json={}).status_code == 202
        refused = client.post("/api/import", headers=headers, json={})
        Slow.go.set()
        while client.get("/api/run").json()["state"] == "running":
            time.sleep(0.05)
        assert client.post("/api/import", headers=headers, json={}).status_code == 202
    assert refused.status_code == 409 and "déjà en cours" in refused.json()["error"]
