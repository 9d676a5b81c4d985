"""Worker processes: calls answered, errors carried back with their place, a dead worker
replaced, and a study script without a main guard not run again by the workers."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT

from qualcode.errors import StudyError
from qualcode.io.workers import WorkerDied, Workers, WorkerTraceback


@pytest.fixture(scope="module")
def pool() -> Workers:
    return Workers(1)


def test_a_call_is_answered(pool: Workers) -> None:
    assert pool.submit(sorted, ["Mont-de-Marsan", "Dax", "Aire-sur-l'Adour"]).result(60) == [
        "Aire-sur-l'Adour", "Dax", "Mont-de-Marsan"]
    assert pool.submit(os.getpid).result(60) != os.getpid()


def raise_study_error(path: str) -> None:
    raise StudyError("le site 'fg4' n'existe pas; ajoutez-le sous sites:", path=path, line=12)


def test_an_error_comes_back_with_its_place(pool: Workers) -> None:
    future = pool.submit(raise_study_error, "study.yaml")
    with pytest.raises(StudyError) as caught:
        future.result(60)
    assert str(caught.value) == "study.yaml:12: le site 'fg4' n'existe pas; ajoutez-le sous sites:"
    assert isinstance(caught.value.__cause__, WorkerTraceback)
    assert "raise_study_error" in str(caught.value.__cause__)


def test_a_call_that_cannot_be_sent_fails_instead_of_waiting(pool: Workers) -> None:
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pool.submit(lambda: "Dax").result(60)
    assert pool.submit(len, "Dax").result(60) == 3  # the worker still answers


def test_a_dead_worker_fails_its_call_and_is_replaced(pool: Workers) -> None:
    with pytest.raises(WorkerDied):
        pool.submit(os._exit, 3).result(60)
    assert pool.submit(len, "Dax").result(60) == 3


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """A resident's script calling qualcode at its top level: the workers that draw its
    figures must not run it again (as multiprocessing's children would)."""
    log = tmp_path / "runs.log"
    script = tmp_path / "analyse.py"
    script.write_text(textwrap.dedent(f"""
        from pathlib import Path
        from qualcode.pipeline import run
        from qualcode.steps.scaffold import init_study

        with open({str(log)!r}, "a") as handle:
            handle.write("ran\\n")
        root = Path({str(tmp_path / "demo")!r})
        init_study(root, demo=True)
        run(root, background=True)
    """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert log.read_text() == "ran\n"
    assert (tmp_path / "demo" / "analyses" / "figures" / "suggestions.png").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="an orphan keeps its parent id on Windows")
def test_a_worker_ends_with_the_run_that_started_it(tmp_path: Path) -> None:
    """A run killed while its worker draws: the worker stops too, instead of writing into
    what the next run makes."""
    script = textwrap.dedent("""
        import os, time
        from qualcode.io.workers import Workers
        pool = Workers(1)
        print(pool.submit(os.getpid).result(60), flush=True)
        pool.submit(time.sleep, 60)
        time.sleep(0.5)
        os._exit(9)  # killed
    """)
    done = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, timeout=120, cwd=ROOT)
    worker = int(done.stdout.split()[0])
    for _ in range(50):
        if not alive(worker):
            break
        time.sleep(0.1)
    assert not alive(worker)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie nobody reaped does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")
