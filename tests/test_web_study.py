"""A whole study in the browser, end to end: from a fresh ``qualcode init --demo`` copy with a
new coder, ``qualcode serve`` is the last command typed; the new coder codes a transcript,
the disagreements it brings are settled, the analysis is run with its progress shown, the
results are read (a matrix cell's quotes) and the checklist is downloaded and opened.

Screenshots go to ``tests/artifacts/``; ``study-review``, ``study-run`` and ``study-results``
are the tutorial's (``docs/img/``).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pandas as pd
import pytest

from tests.browsing import code_by_keyboard, free_port, shot
from tests.conftest import codings_of

# Coder A's codings the new coder C leaves out (A and B both applied them, so each becomes a
# disagreement to settle), and the code C adds on a segment nobody coded with it.
LEFT_OUT = 3
ADDED = ("context.isolation_professional",)


def qualcode(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True,
                          text=True, check=True)


@pytest.fixture(scope="module")
def served_study(tmp_path_factory):
    """``qualcode init --demo``, a coder C added to study.yaml by hand, ``qualcode serve``."""
    root = tmp_path_factory.mktemp("study") / "internes"
    qualcode("init", "--demo", str(root))
    yaml = root / "study.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "coders:\n", "coders:\n  - {id: C, name: Codeur C}\n", 1), encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "qualcode", "serve", "--study", str(root),
                               "--port", str(port), "--no-browser"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"qualcode serve did not start: {server.stdout.read()}")
            time.sleep(0.3)
    yield root, url
    server.terminate()
    server.wait(10)


def test_a_study_from_coding_to_the_checklist_without_the_command_line(browser, served_study,
                                                                        tmp_path):
    docx = pytest.importorskip("docx")
    root, url = served_study
    page = browser.new_page(viewport={"width": 1366, "height": 860}, accept_downloads=True)

    # 1. C codes FG1 as A did, but for a few codes, plus one of their own; then marks it done.
    page.goto(url + "/")
    page.click('td[data-coder="C"][data-transcript="FG1"] a')
    page.wait_for_selector("#workspace")
    assert not (root / "analyses").exists()  # nothing was run: the study is as init made it
    targets = codings_of(root, "A", "FG1")
    both = set(codings_of(root, "B", "FG1"))
    skipped = [t for t in targets if t in both][:LEFT_OUT]
    to_code = [t for t in targets if t not in skipped]
    codable = page.eval_on_selector_all(".segment[data-codable]",
                                        "els => els.map(e => e.dataset.segmentId)")
    page.click(f'[data-segment-id="{codable[0]}"] .text')
    code_by_keyboard(page, codable, to_code)
    own = next(s for s in codable if s not in {t[0] for t in targets})
    page.click(f'[data-segment-id="{own}"] .text')
    page.click(f'.code[data-code-id="{ADDED[0]}"]')
    page.locator(f'[data-segment-id="{own}"] .codes [data-code-id="{ADDED[0]}"]').wait_for()
    page.click("#done")
    page.wait_for_selector('#done[aria-pressed="true"]')

    # 2. The disagreements C brought are settled by keyboard; those of A and B were already.
    page.goto(url + "/review?transcript=FG1&unsettled=1")
    left = page.locator(".disagreement")
    new = {(s, c) for s, c in skipped} | {(own, ADDED[0])}
    shown = list(zip(left.evaluate_all("els => els.map(e => e.dataset.segmentId)"),
                     left.evaluate_all("els => els.map(e => e.dataset.codeId)"), strict=True))
    assert set(shown) == new
    shot(page, "study-review")
    for pair in shown:  # in the page's order: keep what C left out by oversight, drop C's own
        page.keyboard.press("g" if pair in skipped else "r")
    page.wait_for_function("() => document.querySelectorAll('.disagreement.settled').length"
                           f" === {len(new)}")
    page.goto(url + "/review?transcript=FG1&unsettled=1")
    assert page.locator(".disagreement").count() == 0
    total = page.locator("#settled").get_attribute("data-total")
    assert page.locator("#settled").get_attribute("data-settled") == total

    # 3. The analysis, run from the browser, its progress shown to the end.
    page.goto(url + "/")
    page.click('a[href="/run"]')
    page.click('[data-action="run"]')
    page.wait_for_selector('[data-stage="import"]')
    page.wait_for_selector("#run-verdict:not([hidden]), #run-error:not([hidden])",
                           timeout=300_000)
    assert page.locator("#run-error").is_hidden(), page.inner_text("#run-error")
    assert page.inner_text("#run-verdict").startswith("Audit: no name from identities.csv")
    states = page.eval_on_selector_all("[data-stage]", "els => els.map(e => e.dataset.state)")
    assert len(states) >= 10 and set(states) <= {"done", "reused"}
    shot(page, "study-run")

    # 4. The results: a matrix cell's quotes, then the checklist downloaded and opened.
    page.click('#run-next a[href="/results"]')
    page.wait_for_selector("#matrix")
    cell = page.locator('[data-cell="housing.private_room|bordeaux"]')
    cell.scroll_into_view_if_needed()
    cell.click()
    quotes = page.locator("#quotes blockquote").all_inner_texts()
    matrix = pd.read_csv(root / "analyses" / "matrix-site.csv", keep_default_na=False)
    written = matrix[(matrix.code_id == "housing.private_room")
                     & (matrix.value == "bordeaux")].iloc[0].quotes.split("\n")
    assert quotes == written and quotes
    page.evaluate("document.getElementById('matrix').scrollIntoView()")
    shot(page, "study-results")
    with page.expect_download() as download:
        page.click('#checklist [data-download="checklist.docx"]')
    saved = tmp_path / "checklist.docx"
    download.value.save_as(saved)
    texts = [p.text for p in docx.Document(str(saved)).paragraphs]
    assert any("Cahier des exigences" in t for t in texts)

    # What the browser did is what the command line reads: C's codes and the decisions.
    codings = pd.read_csv(root / "analyses" / "codings.csv", dtype=str)
    mine = set(zip(*(codings.loc[codings.coder == "C", c] for c in ("segment_id", "code_id")),
                   strict=True))
    assert mine == set(to_code) | {(own, ADDED[0])}
    consensus = set(zip(*(codings.loc[codings.coder == "consensus", c]
                          for c in ("segment_id", "code_id")), strict=True))
    assert set(skipped) <= consensus and (own, ADDED[0]) not in consensus
    decisions = pd.read_csv(root / "codings" / "consensus.csv", dtype=str).set_index(
        ["segment_id", "code_id"])
    assert set(decisions.loc[list(new), "decided_by"]) == {"C+A+B"}  # study.yaml order
    page.close()
