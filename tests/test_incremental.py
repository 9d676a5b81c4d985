"""Incremental runs: what did not change is reused, the outputs are those of a full run."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from qualcode.errors import QualcodeWarning
from qualcode.io.workers import WorkerDied, workers
from qualcode.paths import INPUTS
from qualcode.pipeline import run
from qualcode.steps.coding import record_decision
from qualcode.study import load_study


def outputs(analyses: Path) -> dict[str, bytes]:
    """Every output's bytes but run.json's, by path."""
    return {p.relative_to(analyses).as_posix(): p.read_bytes()
            for p in sorted(analyses.rglob("*")) if p.is_file() and p.name != "run.json"}


def manifest(root: Path) -> dict:
    return json.loads((root / "analyses" / "run.json").read_text(encoding="utf-8"))


def flip_decision(root: Path, row: int = 5) -> None:
    """Change one consensus decision (keep <-> drop), as the browser's /review does."""
    study = load_study(root)
    decided = pd.read_csv(root / "codings" / "consensus.csv", dtype=str,
                          keep_default_na=False).iloc[row]
    record_decision(study, decided.segment_id, decided.code_id,
                    "keep" if decided.decision == "drop" else "drop",
                    rationale="revu en réunion", decided_by=study.coders[0].id)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A copy of the demo after one complete run."""
    root = tmp_path_factory.mktemp("incremental") / "demo"
    root.mkdir()
    for name in INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy(source, root / name)
    run(root)
    return root


def test_one_decision_equals_a_full_run(demo: Path) -> None:
    flip_decision(demo)
    stages: list[tuple[str, str]] = []
    run(demo, on_stage=lambda stage, state: stages.append((stage, state)))
    incremental, listed = outputs(demo / "analyses"), manifest(demo)["outputs"]
    assert "write agreement" in manifest(demo)["reused"]  # the coders' codings did not change
    assert ("write agreement", "reused") in stages and ("report", "done") in stages
    run(demo, force=True)
    assert manifest(demo)["reused"] == []
    assert outputs(demo / "analyses") == incremental
    assert manifest(demo)["outputs"] == listed


@pytest.mark.parametrize("change", ["transcript", "identities", "codebook", "coding",
                                    "study"])
def test_a_changed_input_is_not_reused(demo: Path, tmp_path: Path, change: str) -> None:
    root = tmp_path / "study"
    shutil.copytree(demo, root)
    shutil.rmtree(root / ".qualcode", ignore_errors=True)  # the memory cache is shared
    run(root)  # the previous set and the cache belong to this copy
    if change == "transcript":
        path = root / "transcripts" / "fg2-mont-de-marsan.txt"  # Windows-1252, as typed
        data = path.read_bytes()
        assert b"logement" in data
        path.write_bytes(data.replace(b"logement", b"domicile", 1))
    elif change == "identities":
        path = root / "identities.csv"
        text = path.read_text(encoding="utf-8")
        assert "Manon Petit," in text
        path.write_text(text.replace("Manon Petit,", "Manon Petitjean,"), encoding="utf-8")
    elif change == "codebook":
        path = next((root / "codebooks").glob("*.yaml"))
        text = path.read_text(encoding="utf-8")
        assert "Chambre individuelle" in text
        path.write_text(text.replace("Chambre individuelle", "Pièce à soi", 1),
                        encoding="utf-8")
    elif change == "coding":
        flip_decision(root, row=8)
    else:
        path = root / "study.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('title: "', 'title: "Reprise : ', 1), encoding="utf-8")
    run(root)
    incremental = outputs(root / "analyses")
    run(root, force=True)
    assert outputs(root / "analyses") == incremental


def test_a_corrupt_cache_is_ignored(demo: Path, tmp_path: Path) -> None:
    root = tmp_path / "study"
    shutil.copytree(demo, root)
    for path in (root / ".qualcode" / "cache").iterdir():
        path.write_bytes(b"\x00not a cache entry")
    (root / "analyses" / "run.json").write_text(json.dumps({
        **manifest(root), "reuse": {"report": {"key": "x", "files": "nonsense"}}}),
        encoding="utf-8")
    flip_decision(root, row=3)
    run(root)
    incremental = outputs(root / "analyses")
    run(root, force=True)
    assert outputs(root / "analyses") == incremental


def test_force_recomputes_everything(demo: Path) -> None:
    stages: list[tuple[str, str]] = []
    run(demo, force=True, on_stage=lambda stage, state: stages.append((stage, state)))
    assert not [s for s in stages if s[1] == "reused"]
    assert manifest(demo)["reused"] == []
    run(demo)
    assert "report" in manifest(demo)["reused"]  # nothing changed: every writer reused


def test_a_reused_output_gives_its_warnings_again(demo: Path, tmp_path: Path) -> None:
    """A coder called Camille, as a participant of FG1 is: the outputs name the coder by id,
    and say so on every run, the run that reuses the REFI-QDA project as the one that wrote
    it."""
    root = tmp_path / "demo"
    shutil.copytree(demo, root)
    study = root / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "coders:\n", "coders:\n  - {id: C, name: Camille Nouveau}\n", 1), encoding="utf-8")
    said = []
    for _ in range(2):
        with pytest.warns(QualcodeWarning) as caught:
            run(root)
        said.append({str(w.message) for w in caught if "coder C's name" in str(w.message)})
    assert said[0] == said[1] == {"study.yaml: coder C's name holds a name of identities.csv, "
                                  "so the outputs name this coder 'C' only"}
    assert "exports (REFI-QDA, IRaMuTeQ)" in manifest(root)["reused"]


def test_figures_drawn_by_workers_equal_those_drawn_here(demo: Path, tmp_path: Path) -> None:
    """The figures a run hands to worker processes have the bytes the run itself draws."""
    assert workers() is not None or (os.cpu_count() or 1) < 2
    run(demo, force=True, background=True)
    by_workers = outputs(demo / "analyses")
    root = tmp_path / "demo"
    shutil.copytree(demo, root)
    run(root, force=True, background=False)
    assert outputs(root / "analyses") == by_workers


def test_a_figure_whose_worker_died_is_drawn_here(demo: Path, tmp_path: Path,
                                                  monkeypatch) -> None:
    root = tmp_path / "demo"
    shutil.copytree(demo, root)

    class Dying:
        def warm(self, function) -> None:
            pass

        def submit(self, function, job) -> Future:  # killed while writing its PNG
            png = job.paths[0]
            png.parent.mkdir(parents=True, exist_ok=True)
            (png.parent / f".{png.name}.k1ll3d00.tmp").write_bytes(b"\x89PNG\r\n")
            future: Future = Future()
            future.set_exception(WorkerDied("a worker process ended: killed"))
            return future

    monkeypatch.setattr("qualcode.pipeline.workers", Dying)
    run(root, force=True, background=True)
    assert outputs(root / "analyses") == outputs(demo / "analyses")
    assert not list((root / "analyses").rglob("*.tmp"))
