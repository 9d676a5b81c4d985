"""Atomic file writing: a reader never sees a half-written output.

Each file is written to a temporary file in the same folder, flushed to disk, then renamed over
the target, which is atomic on POSIX and Windows file systems.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` to fill a temporary file, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text with ``\\n`` line ends, atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def write_csv(path: Path, table: pd.DataFrame) -> Path:
    """Write a table as UTF-8 CSV (comma, ``\\n``), atomically."""
    return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\n"))
