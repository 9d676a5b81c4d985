"""The layer contract of pyproject.toml (import-linter) holds, and it catches a wrong-way
import: a module of io/ importing the command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package at ``root``, with the contract of its pyproject.toml."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code, "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True)


def test_layers_imports_only_go_down():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers: imports only go down KEPT" in result.stdout


def test_layers_a_wrong_way_import_fails(tmp_path):
    shutil.copytree(ROOT / "qualcode", tmp_path / "qualcode",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    files = tmp_path / "qualcode" / "io" / "files.py"
    files.write_text(files.read_text(encoding="utf-8") + "\nfrom qualcode import cli  # noqa\n",
                     encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "qualcode.io is not allowed to import qualcode.cli" in result.stdout
