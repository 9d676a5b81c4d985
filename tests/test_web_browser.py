"""The browser workspace in a real browser (Chromium through Playwright): a new coder codes a
demo transcript by mouse and keyboard, and ``qualcode run`` then measures their agreement with
coder A. Screenshots go to ``tests/artifacts/`` (see :mod:`tests.browsing`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import app as cli
from qualcode.steps.scaffold import init_study
from tests.browsing import code_by_keyboard, served, shot
from tests.conftest import codings_of


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A fresh demo study with a new coder C in study.yaml."""
    root = init_study(tmp_path_factory.mktemp("web") / "study", demo=True)
    yaml = root / "study.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "coders:\n", "coders:\n  - {id: C, name: Claire Nouvelle}\n", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(demo):
    with served(demo) as url:
        yield url


def chip(page, segment_id: str, code_id: str):
    return page.locator(f'[data-segment-id="{segment_id}"] .codes [data-code-id="{code_id}"]')


def test_a_new_coder_codes_a_transcript_in_the_browser_and_run_measures_agreement(
        browser, demo, site):
    targets = codings_of(demo, "A", "FG1")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(site + "/")
    shot(page, "overview")
    page.click('td[data-coder="C"][data-transcript="FG1"] a')
    page.wait_for_selector("#workspace")
    codable = page.eval_on_selector_all(".segment[data-codable]",
                                        "els => els.map(e => e.dataset.segmentId)")

    # By mouse: click a segment, then the code.
    for segment_id, code_id in targets[:6]:
        page.click(f'[data-segment-id="{segment_id}"] .text')
        page.click(f'.code[data-code-id="{code_id}"]')
        chip(page, segment_id, code_id).wait_for()
    shot(page, "coding-mouse")

    # By keyboard: arrows to the segment, type to filter the codes, Enter.
    code_by_keyboard(page, codable, targets[6:40], position=codable.index(targets[5][0]))
    assert page.locator("#filter").input_value() == ""
    shot(page, "coding-keyboard")

    # A passage: select the text of a segment nobody coded, then choose a code.
    free = next(s for s in codable if s not in {t[0] for t in targets})
    page.locator(f'[data-segment-id="{free}"] .text').select_text()
    page.locator("#transcript").dispatch_event("mouseup")
    page.click('.code[data-code-id="context.isolation_professional"]')
    chip(page, free, "context.isolation_professional").wait_for()
    assert "passage" in chip(page, free, "context.isolation_professional").get_attribute("class")

    # Remove a code: the segment, then the same code again.
    removed_segment, removed_code = targets[1]
    page.click(f'[data-segment-id="{removed_segment}"] .text')
    page.click(f'.code[data-code-id="{removed_code}"]')
    chip(page, removed_segment, removed_code).wait_for(state="detached")

    # A note, and the transcript marked done.
    page.click(f'[data-segment-id="{targets[2][0]}"] .text')
    page.fill("#note", "Ironique ? à discuter")
    page.keyboard.press("Escape")  # leaves the note: saved
    page.locator(f'[data-segment-id="{targets[2][0]}"] .note-mark:not([hidden])').wait_for()
    page.click("#done")
    page.wait_for_selector('#done[aria-pressed="true"]')
    page.wait_for_selector(".save.saved")
    shot(page, "coding-done")

    # Reload: everything is there, and only C's own codes (blind to A and B).
    page.reload()
    kept = [t for t in targets[:40] if t != targets[1]]
    for segment_id, code_id in kept:
        assert chip(page, segment_id, code_id).count() == 1
    assert chip(page, removed_segment, removed_code).count() == 0
    assert page.locator(".codes .chip").count() == len(set(kept)) + 1
    assert page.locator('#done[aria-pressed="true"]').count() == 1
    shot(page, "coding-reloaded")

    runner = CliRunner()
    collected = runner.invoke(cli, ["collect", "--study", str(demo)])
    assert collected.exit_code == 0, collected.output
    codings = pd.read_csv(demo / "analyses" / "codings.csv", dtype=str)
    mine = set(zip(*(codings.loc[codings.coder == "C", c] for c in ("segment_id", "code_id")),
                   strict=True))
    assert mine == set(kept) | {(free, "context.isolation_professional")}

    ran = runner.invoke(cli, ["run", "--study", str(demo), "--no-name-check"])
    assert ran.exit_code == 0, ran.output
    assert "│ C " in ran.output and "Agreement per domain" in ran.output
    agreement = pd.read_csv(demo / "analyses" / "agreement.csv")
    assert agreement["n_C"].sum() == len(mine)
    pair = runner.invoke(cli, ["agree", "--study", str(demo), "--coders", "A,C",
                               "--bootstrap", "0"])
    assert pair.exit_code == 0, pair.output
    overall = pair.output.split("│ all")[1].split("\n")[0]
    assert float(overall.split("│")[1]) > 0.9  # C agrees with A on most of FG1
    page.close()


def test_a_coder_link_on_the_network_opens_only_that_coders_workspace(browser, demo):
    with served(demo, tokens={"A": "link-of-a", "C": "link-of-c"}, hosts=("*",)) as url:
        page = browser.new_page()
        page.goto(url + "/code/C/FG1")
        assert "qualcode serve" in page.inner_text("main")  # access denied, how to get in
        page.goto(url + "/code/C?token=link-of-c")
        assert page.url == url + "/code/C"
        page.click('a[href="/code/C/FG1"]')
        page.wait_for_selector("#workspace")
        assert page.goto(url + "/code/A/FG1").status == 403
        shot(page, "network-denied")
        page.close()
