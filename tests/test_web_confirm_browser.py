"""Confirming convergence and importing in a real browser (Chromium through Playwright, as in
``test_web_browser``): a click saves the class where ``qualcode triangulate`` reads it, and the
import runs to its end with its progress shown. Screenshots go to ``tests/artifacts/``
(``convergence.png`` and ``import.png`` are the documentation's, in ``docs/img/``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.steps.triangulation import confirmations
from qualcode.study import load_study
from tests.browsing import ARTIFACTS, served, shot
from tests.conftest import copy_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("confirm"))


@pytest.fixture(scope="module")
def site(demo):
    with served(demo) as url:
        yield url


def test_a_class_confirmed_in_the_browser_is_recorded(browser, demo, site):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(site + "/convergence?code=housing.private_room")
    item = page.locator('.item[data-code-id="housing.private_room"]'
                        '[data-sites="bordeaux|hagetmau"]')
    item.locator(".rationale").fill("même attente, dite autrement")
    item.locator('[data-class="partial agreement"]').click()
    page.wait_for_selector('.item[data-code-id="housing.private_room"]'
                           '[data-sites="bordeaux|hagetmau"][data-settled="partial agreement"]')
    assert page.inner_text("#tally").startswith("1 ")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "convergence")
    merged = confirmations(load_study(demo)).merged
    assert merged[["code_id", "site_a", "site_b", "confirmed"]].values.tolist() == [
        ["housing.private_room", "bordeaux", "hagetmau", "partial agreement"]]
    page.close()


def test_the_import_runs_from_the_browser_to_its_end(browser, demo, site):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(site + "/import")
    assert page.locator("table.preview tbody tr").count() > 10
    page.click('[data-action="import"]')
    page.wait_for_selector('#import-progress[data-state="done"]', timeout=120_000)
    assert "Names:" in page.inner_text("#import-progress .lines")
    assert (demo / "analyses" / "segments.csv").is_file()
    # The preview lists speaker labels as transcripts write them (real names): the picture
    # shows the problems and the run only.
    page.locator("section.run").screenshot(path=str(ARTIFACTS / "import.png"))
    page.close()
