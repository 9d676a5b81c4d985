"""What the tests in a real browser share: Debian's Chromium driven by Playwright (no browser
can be downloaded here), a study served on a free local port, and screenshots saved into
``tests/artifacts/`` (not versioned) to be looked at.

Without Playwright or Chromium the browser tests skip, unless ``QUALCODE_REQUIRE_BROWSER=1``
(CI), where a missing browser fails.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"


def need_browser():
    """Playwright's ``sync_playwright``, or skip (fail under ``QUALCODE_REQUIRE_BROWSER=1``)."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason, sync_playwright = "playwright is not installed", None
    if reason is None and not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason is not None:
        if os.environ.get("QUALCODE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"QUALCODE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return sync_playwright


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(root: Path, **options) -> Iterator[str]:
    """The study in ``root`` served in this process (``create_app(root, **options)``): its
    address, until the block ends."""
    import uvicorn

    from qualcode.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(root, **options), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def shot(page, name: str) -> Path:
    """A screenshot of what the page shows, as ``tests/artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def code_by_keyboard(page, codable: list[str], pairs: list[tuple[str, str]], *,
                     position: int = 0) -> int:
    """Code each (segment, code) of ``pairs`` on the coding page as a coder does by keyboard
    (arrows to the segment, the code typed to filter the codebook, Enter), from the segment
    at ``position`` of ``codable``; waits for each chip, returns the position reached."""
    for segment_id, code_id in pairs:
        step = codable.index(segment_id) - position
        for _ in range(abs(step)):
            page.keyboard.press("ArrowDown" if step > 0 else "ArrowUp")
        position = codable.index(segment_id)
        page.keyboard.type(code_id)
        page.keyboard.press("Enter")
        page.locator(f'[data-segment-id="{segment_id}"] .codes '
                     f'[data-code-id="{code_id}"]').wait_for()
    return position
