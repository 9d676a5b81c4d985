"""A run's outputs are one set: an interrupted run (an error, Ctrl-C, the process killed at any
moment) leaves the previous complete ``analyses/``, or a state the next run repairs and
``qualcode audit`` reports; files qualcode's run did not write are kept."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import BusyError, SystemFault
from qualcode.io.folders import repair, replaced_as_a_set
from qualcode.pipeline import incomplete_outputs, run
from qualcode.study import load_study
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT, build_study
from tests.test_bad_input import VALID

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def contents(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (``None``) under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


def outputs_set(tmp_path: Path) -> Path:
    """``analyses/`` of a previous run: two outputs (one in ``figures/``), ``run.json``."""
    target = tmp_path / "analyses"
    (target / "figures").mkdir(parents=True)
    (target / "codings.csv").write_text("ancien\n", encoding="utf-8")
    (target / "figures" / "matrix.png").write_bytes(b"ancien")
    (target / "run.json").write_text("{}\n", encoding="utf-8")
    return target


OWN = {"codings.csv", "figures/matrix.png", "consensus-log.csv"}


def write_new(staging: Path) -> None:
    (staging / "figures").mkdir()
    (staging / "codings.csv").write_text("nouveau\n", encoding="utf-8")
    (staging / "figures" / "matrix.png").write_bytes(b"nouveau")
    (staging / "run.json").write_text("{}\n", encoding="utf-8")


# --- the mechanism, on small folders ----------------------------------------------------------

def test_a_new_set_replaces_the_outputs_and_keeps_what_a_person_put_there(tmp_path):
    target = outputs_set(tmp_path)
    (target / "consensus-log.csv").write_text("périmé\n", encoding="utf-8")  # stale output
    (target / "notes.md").write_text("Mes notes\n", encoding="utf-8")
    (target / "word").mkdir()
    (target / "word" / "FG1.docx").write_bytes(b"export-docx")  # another command's output
    (target / "~$disagreements.xlsx").write_bytes(b"lock")  # Excel's lock file
    (target / ".codings.csv.ab12cd_9.tmp").write_bytes(b"half")  # a killed write
    with replaced_as_a_set(target, marker="run.json", own=OWN) as staging:
        assert staging == tmp_path / ".analyses-new"
        write_new(staging)
    assert contents(target) == {
        "codings.csv": b"nouveau\n", "figures": None, "figures/matrix.png": b"nouveau",
        "notes.md": b"Mes notes\n", "run.json": b"{}\n", "word": None,
        "word/FG1.docx": b"export-docx", "~$disagreements.xlsx": b"lock"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyses"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), SystemFault("disque plein")])
def test_a_set_stopped_in_the_middle_leaves_the_previous_one(tmp_path, stop):
    target = outputs_set(tmp_path)
    before = contents(target)
    with pytest.raises(type(stop)), replaced_as_a_set(target, marker="run.json",
                                                      own=OWN) as staging:
        (staging / "codings.csv").write_text("nouveau\n", encoding="utf-8")
        raise stop
    assert contents(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyses"]


def test_a_file_in_place_of_an_output_folder_is_refused_before_any_work(tmp_path):
    target = outputs_set(tmp_path)
    shutil.rmtree(target / "figures")
    (target / "figures").write_text("", encoding="utf-8")
    with pytest.raises(SystemFault, match="figures: is a file, where a folder is expected"), \
            replaced_as_a_set(target, marker="run.json", own=OWN):
        pytest.fail("the block must not run")


def test_a_persons_file_where_the_new_set_has_a_folder_stops_the_swap(tmp_path):
    target = outputs_set(tmp_path)
    (target / "tables").write_text("à garder\n", encoding="utf-8")  # not an output before
    before = contents(target)
    with pytest.raises(SystemFault, match="tables: is a file, where a folder is expected"), \
            replaced_as_a_set(target, marker="run.json", own=OWN) as staging:
        write_new(staging)
        (staging / "tables").mkdir()
    assert contents(target) == before


def killed_between_the_renames(tmp_path: Path) -> Path:
    target = outputs_set(tmp_path)
    new = tmp_path / ".analyses-new"
    new.mkdir()
    write_new(new)
    target.rename(tmp_path / ".analyses-old")
    return target


def test_repair_finishes_a_swap_killed_between_the_two_renames(tmp_path):
    target = killed_between_the_renames(tmp_path)
    repair(target, marker="run.json")
    assert contents(target)["codings.csv"] == b"nouveau\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyses"]


def test_repair_puts_the_old_set_back_when_the_new_one_is_gone(tmp_path):
    target = outputs_set(tmp_path)
    before = contents(target)
    target.rename(tmp_path / ".analyses-old")
    repair(target, marker="run.json")
    assert contents(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyses"]


def test_repair_removes_an_old_set_left_by_a_finished_swap(tmp_path):
    target = outputs_set(tmp_path)
    old = tmp_path / ".analyses-old"
    old.mkdir()
    (old / "codings.csv").write_text("ancien\n", encoding="utf-8")
    before = contents(target)
    repair(target, marker="run.json")
    assert contents(target) == before and not old.exists()


def test_repair_merges_a_file_another_command_wrote_while_the_set_was_away(tmp_path):
    target = killed_between_the_renames(tmp_path)
    shutil.rmtree(tmp_path / ".analyses-new")
    target.mkdir()  # 'qualcode collect' made a new analyses/ meanwhile
    (target / "codings.csv").write_text("collect\n", encoding="utf-8")
    repair(target, marker="run.json")
    assert contents(target) == {"codings.csv": b"collect\n", "figures": None,
                                "figures/matrix.png": b"ancien", "run.json": b"{}\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyses"]


def test_repair_removes_an_unfinished_set(tmp_path):
    target = outputs_set(tmp_path)
    before = contents(target)
    (tmp_path / ".analyses-new").mkdir()
    (tmp_path / ".analyses-new" / "codings.csv").write_text("moitié", encoding="utf-8")
    repair(target, marker="run.json")
    assert contents(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyses"]


def test_a_second_writer_is_refused_while_the_first_builds_its_set(tmp_path):
    """Two writers at once would each take the other's staging folder for an interrupted
    one: the second is told to wait, the first finishes as if alone."""
    target, lock = outputs_set(tmp_path), tmp_path / ".qualcode" / "analyses.lock"
    with replaced_as_a_set(target, marker="run.json", own=OWN, lock=lock) as staging:
        write_new(staging)
        with pytest.raises(BusyError, match="another qualcode command is writing analyses/"), \
                replaced_as_a_set(target, marker="run.json", own=OWN, lock=lock):
            pass
        assert (staging / "codings.csv").read_text(encoding="utf-8") == "nouveau\n"
    assert (target / "codings.csv").read_text(encoding="utf-8") == "nouveau\n"
    with replaced_as_a_set(target, marker="run.json", own=OWN, lock=lock) as staging:
        write_new(staging)  # released


# --- a real run, killed ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def completed(tmp_path_factory) -> Path:
    """A small study (one group, two coders, a consensus, a design) after one complete run."""
    root = build_study(tmp_path_factory.mktemp("done") / "study", {"fg1.txt": TRANSCRIPT},
                       identities=IDENTITIES, extra=CODERS)
    for path, text in VALID.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    run(root)
    (root / "analyses" / "notes.md").write_text("Notes de l'équipe\n", encoding="utf-8")
    return root


KILLER = textwrap.dedent("""\
    import os, signal, sys
    from pathlib import Path

    moment, count = sys.argv[1], int(sys.argv[2])
    calls = {"n": 0}
    real = getattr(os, moment)

    def killing(source, target, *args, **kwargs):
        real(source, target, *args, **kwargs)
        calls["n"] += moment == "replace" or Path(target).name == ".analyses-old"
        if calls["n"] == count:
            os.kill(os.getpid(), signal.SIGKILL)

    setattr(os, moment, killing)
    from qualcode.cli import app
    app(["run", "--no-name-check", "--study", sys.argv[3]])
    """)


def killed_run(root: Path, moment: str, count: int) -> None:
    result = subprocess.run([sys.executable, "-c", KILLER, moment, str(count), str(root)],
                            capture_output=True, text=True, env={**os.environ,
                                                                 "PYTHONPATH": str(ROOT)})
    assert result.returncode == -signal.SIGKILL, result.stderr


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on Windows")
@pytest.mark.parametrize("count", [1, 12])
def test_a_run_killed_while_writing_leaves_the_previous_set(completed, tmp_path, count):
    root = shutil.copytree(completed, tmp_path / "study")
    before = contents(root / "analyses")
    killed_run(root, "replace", count)  # killed after writing `count` files
    assert contents(root / "analyses") == before
    problem = incomplete_outputs(load_study(root))
    assert problem is not None and "interrupted before it finished" in problem
    repair(root / "analyses", marker="run.json")  # what the next run does first
    assert contents(root / "analyses") == before
    assert incomplete_outputs(load_study(root)) is None
    assert [p.name for p in root.iterdir() if p.name.startswith(".analyses")] == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on Windows")
def test_a_run_killed_between_the_renames_is_flagged_then_repaired_by_the_next_run(
        completed, tmp_path):
    root = shutil.copytree(completed, tmp_path / "study")
    before = contents(root / "analyses")
    killed_run(root, "rename", 1)  # analyses/ renamed .analyses-old, the new set not in place
    assert not (root / "analyses").exists()
    result = runner.invoke(app, ["audit", "--study", str(root)])
    assert result.exit_code == 1
    assert "error: analyses/: a run was interrupted while replacing analyses/" in result.stderr
    stale, fresh = root / "codings" / ".A.csv.k1ll3d_0.tmp", root / "codings" / ".B.csv.wr1t1ng0.tmp"
    for path in stale, fresh:  # a killed 'qualcode consensus', a write in progress
        path.write_bytes(b"coder,segment_id")
    os.utime(stale, (0, 0))
    result = runner.invoke(app, ["run", "--no-name-check", "--study", str(root)])
    assert result.exit_code == 0, result.output
    assert not stale.exists() and fresh.exists()
    after = contents(root / "analyses")
    assert after["notes.md"] == b"Notes de l'\xc3\xa9quipe\n"  # kept
    # Same inputs, same bytes: only run.json's time and seconds differ.
    assert {k: v for k, v in after.items() if k != "run.json"} == \
        {k: v for k, v in before.items() if k != "run.json"}
    manifest = json.loads(after["run.json"])
    assert manifest["outputs"] == json.loads(before["run.json"])["outputs"]
    assert manifest["inputs"] == json.loads(before["run.json"])["inputs"]  # no .tmp hashed
    assert [p.name for p in root.iterdir() if p.name.startswith(".analyses")] == []
    assert runner.invoke(app, ["audit", "--study", str(root)]).exit_code == 0


def test_audit_flags_outputs_missing_from_the_set(completed, tmp_path):
    root = shutil.copytree(completed, tmp_path / "study")
    (root / "analyses" / "report.docx").unlink()
    problem = incomplete_outputs(load_study(root))
    assert problem == ("analyses/: 1 output(s) listed in run.json are missing (report.docx); "
                       "run 'qualcode run' to make a complete set")
    (root / "analyses" / "run.json").unlink()
    assert "no run.json" in incomplete_outputs(load_study(root))


def test_a_run_while_another_writes_the_outputs_says_so_in_one_line(completed, tmp_path):
    root = shutil.copytree(completed, tmp_path / "study")
    before = contents(root / "analyses")
    with replaced_as_a_set(root / "analyses", marker="run.json",  # a run from the browser
                           lock=load_study(root).paths.run_lock) as staging:
        result = runner.invoke(app, ["run", "--study", str(root)])
        assert contents(root / "analyses") == before and staging.is_dir()
        shutil.copytree(root / "analyses", staging, dirs_exist_ok=True)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"error: {root / 'analyses'}: another qualcode command is writing analyses/ right now "
        "(a run from the browser or from another terminal); wait for it to end, then run again")
    assert contents(root / "analyses") == before
