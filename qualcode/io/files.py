"""Atomic file writing: a reader never sees a half-written output.

Each file is written to a temporary file in the same folder, flushed to disk, then renamed over
the target, which is atomic on POSIX and Windows file systems.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from qualcode.io.cells import guard_table, text_cells


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
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private (0600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text with ``\\n`` line ends, atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def write_csv(path: Path, table: pd.DataFrame) -> Path:
    """Write a table as UTF-8 CSV (comma, ``\\n``), atomically, text cells guarded against
    spreadsheet formulas (:func:`~qualcode.io.cells.guard`)."""
    table = guard_table(table)
    return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\n"))


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def write_office(path: Path, document) -> Path:
    """Save a Word (python-docx) or Excel (openpyxl) document atomically and reproducibly.

    Office files are zip archives that record when each member was written and when the
    document was created and modified: all these dates are fixed here, so the same content
    always gives the same bytes and two runs can be compared. ``document`` is anything with a
    ``save(file)`` method.
    """
    if hasattr(document, "worksheets"):  # an Excel workbook: text is never a formula
        text_cells(document)
    buffer = io.BytesIO()
    document.save(buffer)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(buffer) as source, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "docProps/core.xml":
                    data = _CORE_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\2", data)
                member = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(member, data)

    return write_atomic(path, write)


def unreadable(path: Path, err: OSError, error: type[Exception]) -> Exception:
    """The ``error`` for a file the system will not let qualcode read (no permission, a
    folder where a file should be...), with the system's reason: not a damaged file."""
    reason = err.strerror or type(err).__name__
    return error(f"cannot be read ({reason}); check that it is a file and that you may read "
                 "it", path=path)
