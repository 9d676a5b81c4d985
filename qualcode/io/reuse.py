"""Outputs reused from the previous complete set instead of written again.

A run builds its new set of outputs in a staging folder (:mod:`qualcode.io.folders`). A writer
whose inputs have the same fingerprint as in the previous run, and whose files the previous
set still holds with the SHA-256 recorded then, gets those files copied into the staging
folder instead of writing them: the bytes are the ones it would write, since the same code
given the same inputs writes the same bytes; the warnings the writer gave are given again. The
records (``name -> key, files and warnings``) are kept
in the previous set's ``run.json``. :func:`reused` is the one entry point; a run opens a
:class:`Reuse` session with :func:`session`, and writers called outside a session (a single
command) simply write.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from qualcode.errors import QualcodeWarning

_SESSION: contextvars.ContextVar[Reuse | None] = contextvars.ContextVar("reuse", default=None)


class Reuse:
    """The records of the previous set in ``previous`` (``{name: {"key", "files"}}``, files
    as POSIX paths relative to it with their SHA-256), and those of the set being written into
    ``staging``; with ``force``, nothing is reused (every record is made again)."""

    def __init__(self, previous: Path, staging: Path, records: object, *,
                 force: bool = False) -> None:
        self.previous, self.staging, self.force = previous, staging, force
        self.records = records if isinstance(records, dict) else {}
        self.made: dict[str, dict] = {}
        self.reused: list[str] = []
        self.writes = 0

    def output(self, name: str, key: str, write: Callable[[], list[Path]]) -> list[Path]:
        """The files of writer ``name`` for inputs fingerprinted ``key``: copied from the
        previous set when it recorded the same key and still holds the same bytes, else
        written by ``write()`` (which returns the paths it wrote)."""
        copied = None if self.force else self._copy(self.records.get(name), key)
        if copied is not None:
            self.reused.append(name)
            self.made[name] = self.records[name]
            for message in self.records[name].get("warnings", []):
                warnings.warn(str(message), QualcodeWarning, stacklevel=3)
            return copied
        self.writes += 1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = write()
        for warning in caught:  # given on, and recorded to be given again on reuse
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno, source=warning.source)
        inside = [p for p in written if Path(p).is_relative_to(self.staging)]
        if len(inside) == len(written):  # a writer that also writes elsewhere always runs
            self.made[name] = {"key": key, "files": {
                p.relative_to(self.staging).as_posix(): _digest(p.read_bytes())
                for p in inside}, "warnings": [
                str(w.message) for w in caught if issubclass(w.category, QualcodeWarning)]}
        return written

    def _copy(self, record: object, key: str) -> list[Path] | None:
        try:
            if record["key"] != key or not isinstance(record["files"], dict) \
                    or not isinstance(record.get("warnings", []), list):
                return None
            contents = {}
            for name, digest in record["files"].items():
                source = self.previous / name
                if ".." in Path(name).parts or Path(name).is_absolute():
                    return None
                data = source.read_bytes()
                if _digest(data) != digest:
                    return None
                contents[name] = data
        except (OSError, KeyError, TypeError, ValueError):
            return None
        paths = []
        for name, data in contents.items():
            path = self.staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
        return paths


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def session(reuse: Reuse) -> Iterator[Reuse]:
    """Make ``reuse`` the session :func:`reused` consults inside the block."""
    token = _SESSION.set(reuse)
    try:
        yield reuse
    finally:
        _SESSION.reset(token)


def reused(name: str, key: Callable[[], str], write: Callable[[], list[Path]]) -> list[Path]:
    """``write()``'s files, or, inside a run's :func:`session`, the previous set's files when
    ``key()`` (a fingerprint of ``write``'s inputs) is the one recorded then."""
    current = _SESSION.get()
    return write() if current is None else current.output(name, key(), write)
