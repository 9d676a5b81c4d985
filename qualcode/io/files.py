"""Atomic file writing: a reader never sees a half-written output.

Each file is written to a temporary file in the same folder, flushed to disk, then renamed over
the target, which is atomic on POSIX and Windows file systems. What the computer refuses
(permission denied, a full disk, a file where a folder is expected) becomes one
:class:`~qualcode.errors.SystemFault` naming the path, the fault and the fix.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from qualcode.errors import SystemFault
from qualcode.io.cells import guard_table, text_cells

_DENIED = ("permission denied; make it readable and writable (close it first if another "
           "program, such as Excel or Word, has it open), or copy the study to a folder of "
           "yours")
_FULL = "no space left on the disk; free some space, then run again"
_NOT_A_FOLDER = "is a file, where a folder is expected; rename or remove it"
FAULTS = {
    errno.EACCES: _DENIED,
    errno.EPERM: _DENIED,
    errno.EROFS: "the disk or folder is read-only; copy the study to a writable folder",
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL,
    errno.ENOTDIR: _NOT_A_FOLDER,
    errno.EEXIST: _NOT_A_FOLDER,
    errno.EISDIR: "is a folder, where a file is expected; rename or remove it, or choose "
                  "another file name",
    errno.ENOENT: "not found (or a folder on its way is missing); check the path",
    errno.EBUSY: "in use by another program; close it, then run again",
    errno.ENAMETOOLONG: "the path is too long; move the study to a shorter path",
}
"""What each system fault means for a user, and how to fix it."""


def system_fault(error: OSError, path: str | Path | None = None) -> SystemFault | None:
    """``error`` as a :class:`SystemFault` naming ``path`` (default: the file ``error``
    names), or ``None`` if it is not a fault of the system but a bug. A file where a folder is
    expected is named itself, not the path that goes through it."""
    reason = FAULTS.get(error.errno)
    where = path if path is not None else error.filename
    if reason is None:
        return None
    if where is not None and reason is _NOT_A_FOLDER:
        culprit = next((p for p in (Path(os.fsdecode(where)), *Path(os.fsdecode(where)).parents)
                        if p.exists() and not p.is_dir()), None)
        if culprit is None and error.errno == errno.EEXIST:
            reason = "exists already; rename or remove it"
        where = culprit or where
    return SystemFault(reason, path=None if where is None else Path(os.fsdecode(where)))


@contextlib.contextmanager
def os_errors(path: str | Path | None = None) -> Iterator[None]:
    """Turn the system faults raised inside into :class:`SystemFault`, naming ``path``
    when given (the file meant, rather than a temporary one)."""
    try:
        yield
    except OSError as error:
        fault = system_fault(error, path)
        if fault is None:
            raise
        raise fault from error


TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
"""The name of a temporary file of :func:`write_atomic` (``.<name>.<8 random>.tmp``)."""


def remove_temporary(folder: Path, *, older_than: float = 60.0) -> None:
    """Remove the temporary files that killed writers left under ``folder`` (those older than
    ``older_than`` seconds: a younger one may be another command's write in progress)."""
    import time

    for path in folder.rglob(".*.tmp") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            if TEMPORARY.fullmatch(path.name) and path.is_file() \
                    and time.time() - path.stat().st_mtime > older_than:
                path.unlink()


def remove_temporaries_of(path: Path) -> None:
    """Remove the temporary files a killed :func:`write_atomic` of ``path`` left."""
    for left in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        if TEMPORARY.fullmatch(left.name):
            left.unlink(missing_ok=True)


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` to fill a temporary file, then rename it to ``path``."""
    path = Path(path)
    with os_errors():  # a folder on the way that cannot be made is named itself
        path.parent.mkdir(parents=True, exist_ok=True)
    with os_errors(path):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                        dir=path.parent)
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
    """The error for a file the system will not let qualcode read (no permission, a folder
    where a file should be...): a :class:`SystemFault` where the fault is known, else an
    ``error`` with the system's reason; never "damaged"."""
    fault = system_fault(err, path)
    if fault is not None:
        return fault
    reason = err.strerror or type(err).__name__
    return error(f"cannot be read ({reason}); check that it is a file and that you may read "
                 "it", path=path)
