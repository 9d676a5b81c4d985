"""Running the analysis and reading its results in a real browser (Chromium through
Playwright, as in ``test_web_browser``): the run's progress reaches the audit's verdict, a
cell of the framework matrix lists its quotes, and the checklist downloads as a Word file
python-docx opens. Screenshots go to ``tests/artifacts/`` (``run.png`` and ``results.png``
are the documentation's, in ``docs/img/``)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.browsing import served, shot
from tests.conftest import copy_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return copy_demo(tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="module")
def site(demo):
    with served(demo) as url:
        yield url


def test_run_in_the_browser_then_read_the_results(browser, demo, site, tmp_path):
    docx = pytest.importorskip("docx")
    page = browser.new_page(viewport={"width": 1366, "height": 860}, accept_downloads=True)
    page.goto(site + "/")
    page.click('a[href="/run"]')
    page.click('[data-action="run"]')
    page.wait_for_selector('[data-stage="import"]')
    page.wait_for_selector('#run-verdict:not([hidden])', timeout=180_000)
    assert page.inner_text("#run-verdict").startswith(
        "Audit: no name from identities.csv in analyses/")
    states = page.eval_on_selector_all("[data-stage]", "els => els.map(e => e.dataset.state)")
    assert len(states) >= 10 and set(states) == {"done"}
    assert page.locator('[data-stage="suggestions"] .how').inner_text().endswith(" s")
    shot(page, "run")

    page.click('#run-next a[href="/results"]')
    page.wait_for_selector("#matrix")
    cell = page.locator('[data-cell="housing.private_room|hagetmau"]')
    cell.scroll_into_view_if_needed()
    cell.click()
    matrix = pd.read_csv(demo / "analyses" / "matrix-site.csv", keep_default_na=False)
    quotes = matrix[(matrix.code_id == "housing.private_room")
                    & (matrix.value == "hagetmau")].iloc[0].quotes.split("\n")
    shown = page.locator("#quotes blockquote").all_inner_texts()
    assert shown == quotes and len(shown) >= 1
    page.locator("#matrix").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('matrix').scrollIntoView()")
    shot(page, "results")

    with page.expect_download() as download:
        page.click('#checklist [data-download="checklist.docx"]')
    saved = tmp_path / "checklist.docx"
    download.value.save_as(saved)
    document = docx.Document(str(saved))
    texts = [p.text for p in document.paragraphs]
    assert any("Cahier des exigences" in t for t in texts)
    first = pd.read_csv(demo / "analyses" / "checklist.csv")["requirement_id"].iloc[0]
    assert any(first in t for t in texts)  # the docx is the run's, as listed
    page.close()


def test_a_second_run_hides_the_last_verdict_and_reuses_the_outputs(browser, demo, site):
    page = browser.new_page(viewport={"width": 1366, "height": 860})
    page.goto(site + "/run")
    if page.locator("#run-verdict").is_hidden():  # no run yet in this module's server
        page.click('[data-action="run"]')
        page.wait_for_selector('#run-verdict:not([hidden])', timeout=180_000)
    page.click('[data-action="run"]')
    assert page.locator("#run-verdict").is_hidden()  # not the last run's, under the new one
    assert page.locator("#run-next").is_hidden()
    page.wait_for_selector('#run-verdict:not([hidden])', timeout=180_000)
    states = dict(zip(*[page.eval_on_selector_all("[data-stage]", f"els => els.map(e => {js})")
                        for js in ("e.dataset.stage", "e.dataset.state")], strict=True))
    assert states["report"] == states["write checklist"] == "reused"  # nothing changed
    assert states["audit"] == "done"
    page.close()
