"""System faults, command by command: permission denied, a read-only study folder, a full
disk, a file where a folder is expected (or the reverse). Each is one line naming the path, the
fault and the fix, exit status 1, no traceback, and nothing of the study changed.

Tests run as root here, where ``chmod`` does not stop anything: the refusals of a read-only
folder or a full disk are made by patching ``os`` functions to raise what the system raises;
a file in place of a folder is real.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import os
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.errors import SystemFault
from qualcode.io.files import FAULTS
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT
from tests.test_bad_input import VALID

runner = CliRunner()


@pytest.fixture
def study(make_study) -> Path:
    """The small valid study of the bad-input tests: one focus group, two coders."""
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES, extra=CODERS)
    for path, text in VALID.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder of the study, files with a hash of their bytes (read with the
    built-in ``open``, which the tests below leave alone)."""
    def digest(path: Path) -> str:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()

    return {str(p.relative_to(root)): digest(p) if p.is_file() else "folder"
            for p in sorted(root.rglob("*"))}


def one_line_error(root: Path, *args: str, naming: str, fault: str) -> str:
    """Run the command: one line, exit 1, no traceback, the study unchanged."""
    before = snapshot(root)
    result = runner.invoke(app, [*map(str, args), "--study", str(root)]
                           if args[0] != "init" else list(map(str, args)))
    crash = "" if isinstance(result.exception, SystemExit | None) else \
        "".join(traceback.format_exception(*result.exc_info))
    assert not crash, crash
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), \
        result.stderr
    assert naming in result.stderr and fault in result.stderr, result.stderr
    assert snapshot(root) == before, "files written or changed"
    return result.stderr


def refuse(monkeypatch, root: Path, code: int) -> None:
    """Make the system refuse to create anything under ``root``, as a read-only folder
    (EROFS), a folder without write permission (EACCES) or a full disk (ENOSPC) does."""
    mkdir, open_, builtin_open = os.mkdir, os.open, builtins.open

    def refused(path) -> bool:
        return Path(os.fsdecode(path)).resolve().is_relative_to(root.resolve())

    def fake_mkdir(path, *args, **kwargs):
        if refused(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return mkdir(path, *args, **kwargs)

    def fake_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and refused(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return open_(path, flags, *args, **kwargs)

    def fake_builtin_open(path, mode="r", *args, **kwargs):
        if isinstance(path, str | os.PathLike) and set(mode) & set("wax+") and refused(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return builtin_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(builtins, "open", fake_builtin_open)


# --- a file where a folder is expected (real) --------------------------------------------------

@pytest.mark.parametrize("command", [("run", "--no-name-check"), ("collect",),
                                     ("import", "--no-name-check"), ("export-qdc",)])
def test_analyses_as_a_file_is_one_line_before_any_work(study, command):
    (study / "analyses").write_text("pas un dossier\n", encoding="utf-8")
    one_line_error(study, *command, naming="analyses", fault=FAULTS[errno.ENOTDIR])


@pytest.mark.parametrize("folder,manifest", [
    ("figures", '{"outputs": ["analyses/figures/agreement.png"]}\n'),  # the previous run's
    ("transcripts", None),  # no previous run: a folder every run writes
    ("word", '{"outputs": ["analyses/word/FG1.docx"]}\n')])  # not a run's, yet listed
def test_run_refuses_a_file_in_place_of_an_output_folder_before_the_long_work(
        study, monkeypatch, folder, manifest):
    (study / "analyses").mkdir()
    if manifest is not None:
        (study / "analyses" / "run.json").write_text(manifest, encoding="utf-8")
    (study / "analyses" / folder).write_text("", encoding="utf-8")
    monkeypatch.setattr("qualcode.pipeline.prepare", None)  # reached, it would fail loudly
    message = one_line_error(study, "run", naming=str(Path("analyses") / folder),
                             fault="is a file, where a folder is expected")
    assert not (study / ".analyses-new").exists(), message


def test_sheet_into_a_sheets_file_and_export_under_a_file_name_the_file(study):
    (study / "codings" / "sheets").write_text("", encoding="utf-8")
    one_line_error(study, "sheet", "--coder", "A", naming=str(Path("codings") / "sheets"),
                   fault=FAULTS[errno.ENOTDIR])
    one_line_error(study, "export-qdc", "-o", study / "codings" / "sheets" / "htes.qdc",
                   naming="sheets", fault=FAULTS[errno.ENOTDIR])


def test_export_onto_a_folder_says_a_file_is_expected(study):
    (study / "livre.md").mkdir()
    one_line_error(study, "codebook", "export", "-f", "md", "-o", study / "livre.md",
                   naming="livre.md", fault=FAULTS[errno.EISDIR])


def test_init_under_a_file_names_it(study):
    one_line_error(study, "init", study / "study.yaml" / "etude", naming="study.yaml",
                   fault=FAULTS[errno.ENOTDIR])


def test_init_on_a_full_disk_leaves_no_half_made_study(study, monkeypatch):
    refuse(monkeypatch, study / "etude" / "transcripts" / "fg2-mont-de-marsan.txt",
           errno.ENOSPC)
    one_line_error(study, "init", study / "etude", "--demo", naming="fg2-mont-de-marsan.txt",
                   fault=FAULTS[errno.ENOSPC])


# --- read-only, no permission, a full disk (simulated) ----------------------------------------

@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_run_in_a_folder_that_refuses_writes_stops_before_the_long_work(study, monkeypatch,
                                                                        code):
    refuse(monkeypatch, study, code)
    monkeypatch.setattr("qualcode.pipeline.prepare", None)
    one_line_error(study, "run", naming=study.name, fault=FAULTS[code])


@pytest.mark.parametrize("command", [("collect",), ("sheet", "--coder", "A"), ("export-qdc",),
                                     ("export-docx",), ("codebook", "export"),
                                     ("import", "--no-name-check")])
def test_every_writing_command_in_a_read_only_folder_is_one_line(study, monkeypatch, command):
    refuse(monkeypatch, study, errno.EROFS)
    one_line_error(study, *command, naming="", fault=FAULTS[errno.EROFS])


def test_analyses_not_writable_is_named(study, monkeypatch):
    (study / "analyses").mkdir()
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path).name != "analyses"
                        and access(path, mode, **kw))
    monkeypatch.setattr("qualcode.pipeline.prepare", None)
    one_line_error(study, "run", naming="analyses", fault=FAULTS[errno.EACCES])


def test_disk_full_in_the_middle_of_a_run_leaves_the_previous_outputs(study, monkeypatch):
    from qualcode.pipeline import run

    run(study)
    written = {"n": 0}
    fsync = os.fsync

    def full(fd):  # the 6th file does not fit: ENOSPC comes without a file name
        written["n"] += 1
        if written["n"] == 6:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    message = one_line_error(study, "run", "--no-name-check", naming="analyses",
                             fault=FAULTS[errno.ENOSPC])
    assert ".analyses-new" not in message  # the file meant, not the staged one
    assert not [p for p in study.iterdir() if p.name.startswith(".analyses")]


# --- reading: permission denied ------------------------------------------------------------------

@pytest.mark.parametrize("name,command", [("study.yaml", "collect"),
                                          ("transcripts/fg1.txt", "run"),
                                          ("codings/B.csv", "collect")])
def test_an_unreadable_input_is_named(study, monkeypatch, name, command):
    denied = (study / name).resolve()
    read_text, read_bytes, open_ = Path.read_text, Path.read_bytes, Path.open

    def guard(method):
        def read(self, *args, **kwargs):
            if self.resolve() == denied:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return method(self, *args, **kwargs)
        return read

    monkeypatch.setattr(Path, "read_text", guard(read_text))
    monkeypatch.setattr(Path, "read_bytes", guard(read_bytes))
    monkeypatch.setattr(Path, "open", guard(open_))
    one_line_error(study, command, naming=Path(name).name, fault=FAULTS[errno.EACCES])


def test_an_unreadable_workbook_is_not_called_damaged(tmp_path):
    from qualcode.errors import CodingError
    from qualcode.io.office import read_workbook

    folder = tmp_path / "B.xlsx"
    folder.mkdir()  # read_workbook used to say "damaged" for any OSError
    with pytest.raises(SystemFault, match="is a folder, where a file is expected"):
        read_workbook(folder, ["codage"], CodingError)


def test_other_os_errors_are_bugs_and_keep_their_traceback(study, monkeypatch):
    def bug(*args, **kwargs):
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr("qualcode.steps.coding.prepare", bug)
    result = runner.invoke(app, ["collect", "--study", str(study)])
    assert isinstance(result.exception, OSError) and not isinstance(result.exception,
                                                                    SystemFault)
