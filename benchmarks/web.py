"""Speed of the browser workspace (``qualcode serve``): the coding page and saving a code.

Measures, on a fresh copy of the demo study (coding page of its largest transcript, FG1, for
coder A, whose ~400 codes from their sheet are shown) and on a generated study of one
transcript of 5,000 segments (one per turn, 9 speakers, coder A with a code on 2,000 of them,
saved in the browser workspace):

* the page: the server's time to answer ``GET /code/A/<transcript>`` (median of 20, after one
  warm-up that loads the study), its size, and, when Debian's Chromium is installed, the
  browser's time from navigation to the page drawn (``load`` event, median of 5);
* a code applied and saved: the server's time to answer ``POST /api/code/...`` adding, then
  removing, a code on one segment (median of 100): checked, written atomically to
  ``codings/browser/A.csv``, answered with the segment codes.

Targets (issue #18): under 300 ms to render the demo transcript, under 50 ms to save a code.

Run:  python benchmarks/web.py          (about a minute)
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from qualcode.steps.scaffold import init_study
from qualcode.web.app import create_app

HOSTS = ("testserver", "127.0.0.1")
CHROMIUM = Path("/usr/bin/chromium")
WORDS = ("logement chambre internat loyer parking stage cabinet village voiture trajet "
         "cuisine commune collègues soirée garde week-end semestre maison mairie").split()


def big_study(root: Path, n: int = 5000, coded: int = 2000) -> Path:
    """One transcript of ``n`` turns (one segment each), coder A's workspace with a code on
    ``coded`` of them."""
    rng = random.Random(0)
    (root / "transcripts").mkdir(parents=True)
    (root / "codebooks").mkdir()
    source = Path(__file__).resolve().parent.parent / "codebooks" / "htes.yaml"
    (root / "codebooks" / "htes.yaml").write_bytes(source.read_bytes())
    speakers = ["MOD", *(f"P0{i}" for i in range(1, 9))]
    lines = [f"{rng.choice(speakers)} : " + " ".join(rng.choice(WORDS) for _ in range(14))
             .capitalize() + "." for _ in range(n)]
    (root / "transcripts" / "big.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    participants = "\n".join(f"  - {{id: P0{i}, group: G1}}" for i in range(1, 9))
    (root / "study.yaml").write_text(
        "title: Grande transcription\ncodebook: codebooks/htes.yaml\ncoding_unit: turn\n"
        "sites:\n  - {id: ville, kind: rural_town}\ngroups:\n"
        "  - {id: G1, site: ville, transcript: transcripts/big.txt, moderator: MOD}\n"
        f"participants:\n{participants}\nroles:\n  - {{id: MOD, label: Modératrice}}\n"
        "coders:\n  - {id: A}\n", encoding="utf-8")
    return root


def median_ms(function, times: int) -> float:
    values = []
    for _ in range(times):
        start = time.perf_counter()
        function()
        values.append((time.perf_counter() - start) * 1000)
    return statistics.median(values)


def measure(root: Path, transcript: str, *, seed_codes: int = 0) -> dict:
    client = TestClient(create_app(root, hosts=HOSTS))
    url = f"/code/A/{transcript}"
    page = client.get(url)  # warm-up: loads and segments the study
    headers = {"X-Qualcode-CSRF": re.search(r'name="csrf" content="([^"]+)"', page.text)[1]}
    segments = re.findall(r'data-segment-id="([^"]+)" data-codable', page.text)
    api = f"/api/code/A/{transcript}"
    codes = re.findall(r'class="code" data-code-id="([^"]+)"', page.text)
    for i, segment_id in enumerate(segments[:seed_codes]):
        client.post(api, headers=headers, json={"op": "add", "segment_id": segment_id,
                                                "code_id": codes[i % len(codes)]})
    render = median_ms(lambda: client.get(url).raise_for_status(), 20)
    size = len(client.get(url).content)
    flip = iter(range(1000))

    def save() -> None:
        op = "add" if next(flip) % 2 == 0 else "remove"
        client.post(api, headers=headers, json={"op": op, "segment_id": segments[-1],
                                                "code_id": "housing.parking"}
                    ).raise_for_status()

    saving = median_ms(save, 100)
    return {"segments": len(re.findall(r"data-segment-id=", page.text)), "render_ms": render,
            "bytes": size, "save_ms": saving, "browser_ms": browser_ms(root, url)}


def browser_ms(root: Path, url: str) -> float | None:
    """Median time from navigation to the ``load`` event in Chromium, or None without it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    import socket
    import threading

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(root), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}{url}")  # warm-up
            values = []
            for _ in range(5):
                page.goto(f"http://127.0.0.1:{port}{url}")
                values.append(page.evaluate(
                    "() => { const t = performance.getEntriesByType('navigation')[0];"
                    " return t.loadEventEnd - t.startTime; }"))
            browser.close()
    finally:
        server.should_exit = True
        thread.join()
    return statistics.median(values)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        demo = init_study(Path(folder) / "demo", demo=True)
        big = big_study(Path(folder) / "big")
        rows = [("demo FG1", measure(demo, "FG1")),
                ("5,000 segments", measure(big, "G1", seed_codes=2000))]
    print(f"{'transcript':<16}{'segments':>9}{'page (server)':>15}{'page (browser)':>16}"
          f"{'size':>10}{'save a code':>13}")
    for name, row in rows:
        shown = "-" if row["browser_ms"] is None else f"{row['browser_ms']:.0f} ms"
        print(f"{name:<16}{row['segments']:>9}{row['render_ms']:>12.0f} ms{shown:>16}"
              f"{row['bytes'] / 1024:>7.0f} kB{row['save_ms']:>10.1f} ms")
    print("Targets: the demo page in under 300 ms, a code saved in under 50 ms.")


if __name__ == "__main__":
    main()
