"""Errors that qualcode reports to its users.

Every error says *what* is wrong, *where* (file, and line, row or element) and *how to fix it*.
The command line prints ``str(error)`` on one line and exits with status 1; anything that is not
a :class:`QualcodeError` is a bug and keeps its traceback.

The place is always written the same way, ``<file>:<place>: <message>``, where the place is a
line number in a text file (``study.yaml:12``) or, in other files, the element's name
(``codings/A.xlsx:row 4``, ``codings/fg1.docx:comment 3``,
``transcripts/fg1.docx:paragraph 12``), as compilers and linters write it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

__all__ = [
    "BusyError",
    "CodebookError",
    "CodingError",
    "ConfidentialityError",
    "DesignError",
    "QualcodeError",
    "QualcodeWarning",
    "StudyError",
    "SystemFault",
    "TranscriptError",
    "UndecidedError",
    "error_line",
    "place",
    "qualcode_warnings",
]


class QualcodeError(Exception):
    """An input problem the user can fix.

    Parameters
    ----------
    message
        What is wrong and how to fix it.
    path
        The file concerned, if any.
    line
        A 1-based line number in ``path``, or another location such as ``"paragraph 12"``.
    """

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = "" if self.path is None else place(self.path, self.line) + ": "
        return " ".join((where + self.message).split())

    def __reduce__(self):
        """Pickled with its place, so that an error raised in a worker process reads the
        same in the parent."""
        return _rebuild, (type(self), self.message, self.path, self.line)


def _rebuild(cls: type[QualcodeError], message: str, path: Path | None,
             line: int | str | None) -> QualcodeError:
    return cls(message, path=path, line=line)


def error_line(error: QualcodeError, *, under: Path) -> str:
    """The one line a front end shows for ``error``: ``error: <file>:<place>: <message>``,
    the file named relative to ``under`` (the working folder, the study) when inside it."""
    path = error.path
    if path is not None and path.is_relative_to(under) and path != under:
        path = path.relative_to(under)
    where = "" if path is None else place(path, error.line) + ": "
    return "error: " + " ".join((where + error.message).split())


def place(path: str | Path, line: int | str | None = None) -> str:
    """``file:line`` or ``file:row 4``, or the file alone: where an error is."""
    return str(path) if line is None else f"{path}:{line}"


class StudyError(QualcodeError):
    """``study.yaml`` or ``identities.csv`` is wrong."""


class TranscriptError(QualcodeError):
    """A transcript cannot be read or its speakers cannot be identified."""


class CodebookError(QualcodeError, ValueError):
    """The codebook is malformed."""


class CodingError(QualcodeError):
    """A coding file (sheet, CSV, Word comments, decisions) cannot be used as it is."""


class ConfidentialityError(QualcodeError):
    """A name from ``identities.csv`` would reach, or has reached, an output."""


class DesignError(QualcodeError):
    """A housing design file is malformed."""


class UndecidedError(CodingError):
    """Some disagreements between coders have no consensus decision yet: ``undecided`` of
    them."""

    def __init__(self, message: str, *, undecided: int, path: str | Path | None = None,
                 line: int | str | None = None) -> None:
        self.undecided = undecided
        super().__init__(message, path=path, line=line)


class BusyError(QualcodeError):
    """Another qualcode command (a run from the browser, another terminal) is writing the same
    files right now."""


class SystemFault(QualcodeError):
    """The computer refused to read or write a file: permission denied, a read-only folder, a
    full disk, a file where a folder is expected. The message names the path, the fault and
    the fix (see :func:`qualcode.io.files.system_fault`)."""


class QualcodeWarning(UserWarning):
    """Something the researcher should look at, which does not stop the analysis."""


def qualcode_warnings(compute: Callable[[], T]) -> tuple[T, list[str]]:
    """``compute()`` and the messages of the :class:`QualcodeWarning` it gave, held back for
    the caller to give (again: a cached value, a worker's figure); other warnings pass
    through as they were."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QualcodeWarning)
        value = compute()
    for other in caught:
        if not issubclass(other.category, QualcodeWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return value, [str(w.message) for w in caught if issubclass(w.category, QualcodeWarning)]
