"""Incremental runs on the demo: a full run (``--force``) against a run after one new
consensus decision, in one warm process (as the browser's server runs them: figures drawn by
its worker processes) and as a new ``qualcode run`` process each time. Prints the median of
5 of each and the ratio.

    python benchmarks/incremental.py
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from qualcode.pipeline import run
from qualcode.steps.coding import record_decision
from qualcode.steps.scaffold import init_study
from qualcode.study import load_study

REPEATS = 5


def decide(root: Path, n: int) -> None:
    """One new decision: flip the ``n``-th recorded decision (keep <-> drop)."""
    study = load_study(root)
    row = pd.read_csv(root / "codings" / "consensus.csv", dtype=str,
                      keep_default_na=False).iloc[n]
    record_decision(study, row.segment_id, row.code_id,
                    "keep" if row.decision == "drop" else "drop",
                    rationale="benchmark", decided_by=study.coders[0].id)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def cli(root: Path, *options: str) -> None:
    subprocess.run([sys.executable, "-m", "qualcode", "run", *options],
                   cwd=root, check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "demo"
        init_study(root, demo=True)
        results = {}
        for where, full, again in (
                ("in-process (warm)", lambda: run(root, force=True, background=True),
                 lambda: run(root, background=True)),
                ("CLI process", lambda: cli(root, "--force"), lambda: cli(root))):
            run(root)  # a previous set and a warm cache
            forced, incremental = [], []
            for n in range(REPEATS):
                forced.append(timed(full))
                decide(root, n)
                incremental.append(timed(again))
            results[where] = (statistics.median(forced), statistics.median(incremental))
    print(f"machine: {platform.processor() or platform.machine()}, {platform.system()}, "
          f"Python {platform.python_version()}")
    for where, (forced, incremental) in results.items():
        print(f"{where}: full run {forced:.2f} s, incremental after one decision "
              f"{incremental:.2f} s (median of {REPEATS}), {forced / incremental:.1f}x")


if __name__ == "__main__":
    main()
