"""Outputs reused from the previous complete set instead of written again, and outputs
written by worker processes while the run goes on.

A run builds its new set of outputs in a staging folder (:mod:`qualcode.io.folders`). A writer
whose inputs have the same fingerprint as in the previous run, and whose files the previous
set still holds with the SHA-256 recorded then, gets those files copied into the staging
folder instead of writing them: the bytes are the ones it would write, since the same code
given the same inputs writes the same bytes; the warnings the writer gave are given again. The
records (``name -> key, files and warnings``) are kept
in the previous set's ``run.json``. :func:`reused` is the one entry point; a run opens a
:class:`Reuse` session with :func:`session`, and writers called outside a session (a single
command) simply write.

A writer given as a :class:`Job` (a figure) is handed to the session's worker processes
(:mod:`qualcode.io.workers`) and the run goes on; what reads its files first waits for them
(:func:`ready`), and the run waits for every job (:meth:`Reuse.settle`) before it records
the files' SHA-256, writes its manifest and audits the set.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import QualcodeWarning, qualcode_warnings
from qualcode.io.files import remove_temporaries_of
from qualcode.io.workers import WorkerDied, Workers

_SESSION: contextvars.ContextVar[Reuse | None] = contextvars.ContextVar("reuse", default=None)


@dataclass(frozen=True)
class Job:
    """A write that can run in a worker process: ``function(*arguments)`` (both picklable)
    writes ``paths``."""

    function: Callable[..., object]
    arguments: tuple
    paths: tuple[Path, ...]

    def __call__(self) -> list[Path]:
        self.function(*self.arguments)
        return list(self.paths)


def _run_job(job: Job) -> list[str]:
    """``job`` (in a worker process); the :class:`QualcodeWarning` it gave, to be given again
    in the run."""
    return qualcode_warnings(job)[1]


class Reuse:
    """The records of the previous set in ``previous`` (``{name: {"key", "files"}}``, files
    as POSIX paths relative to it with their SHA-256), and those of the set being written into
    ``staging``; with ``force``, nothing is reused (every record is made again). ``pool`` (see
    :func:`qualcode.io.workers.workers`) writes the :class:`Job` writers."""

    def __init__(self, previous: Path, staging: Path, records: object, *,
                 force: bool = False, pool: Workers | None = None) -> None:
        self.previous, self.staging, self.force, self.pool = previous, staging, force, pool
        self.records = records if isinstance(records, dict) else {}
        self.made: dict[str, dict] = {}
        self.reused: list[str] = []
        self.writes = 0
        self.pending: dict[str, tuple[Job, Future]] = {}

    def output(self, name: str, key: str, write: Callable[[], list[Path]] | Job) -> list[Path]:
        """The files of writer ``name`` for inputs fingerprinted ``key``: copied from the
        previous set when it recorded the same key and still holds the same bytes, else
        written by ``write()`` (which returns the paths it wrote), by a worker when it is a
        :class:`Job` and there is a pool."""
        copied = None if self.force else self._copy(self.records.get(name), key)
        if copied is not None:
            self.reused.append(name)
            self.made[name] = self.records[name]
            for message in self.records[name].get("warnings", []):
                warnings.warn(str(message), QualcodeWarning, stacklevel=3)
            return copied
        self.writes += 1
        if isinstance(write, Job) and self.pool is not None:
            self.pending[name] = (write, self.pool.submit(_run_job, write))
            self.made[name] = {"key": key, "files": list(write.paths), "warnings": []}
            return list(write.paths)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = write()
        for warning in caught:  # given on, and recorded to be given again on reuse
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno, source=warning.source)
        inside = [Path(p) for p in written if Path(p).is_relative_to(self.staging)]
        if len(inside) == len(written):  # a writer that also writes elsewhere always runs
            self.made[name] = {"key": key, "files": inside, "warnings": [
                str(w.message) for w in caught if issubclass(w.category, QualcodeWarning)]}
        return written

    def wait(self, paths: list[Path]) -> None:
        """Return once the jobs writing any of ``paths`` are done (their errors raised)."""
        wanted = {Path(p) for p in paths}
        for name, (job, _) in list(self.pending.items()):
            if wanted & set(job.paths):
                self._finish(name)

    def settle(self) -> None:
        """Wait for every job (the first error raised), then record the SHA-256 of every
        file written: the records are complete."""
        for name in list(self.pending):
            self._finish(name)
        for record in self.made.values():
            if isinstance(record["files"], list):
                record["files"] = {p.relative_to(self.staging).as_posix():
                                   _digest(p.read_bytes()) for p in record["files"]}

    def _finish(self, name: str) -> None:
        job, future = self.pending.pop(name)
        try:
            said = future.result()
        except WorkerDied:  # killed, out of memory: written here instead, what it left removed
            for path in job.paths:
                remove_temporaries_of(path)
            said = _run_job(job)
        for message in said:
            warnings.warn(message, QualcodeWarning, stacklevel=3)
        self.made[name]["warnings"] = said

    def abandon(self) -> None:
        """Wait for the jobs still running without raising their errors: a run that failed
        must not leave a worker writing into the staging folder it removes."""
        for _, future in self.pending.values():
            with contextlib.suppress(Exception):
                future.result()
        self.pending.clear()

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
    """Make ``reuse`` the session :func:`reused` consults inside the block; the block leaves
    no job running."""
    token = _SESSION.set(reuse)
    try:
        yield reuse
    finally:
        reuse.abandon()
        _SESSION.reset(token)


def reused(name: str, key: Callable[[], str],
           write: Callable[[], list[Path]] | Job) -> list[Path]:
    """``write()``'s files, or, inside a run's :func:`session`, the previous set's files when
    ``key()`` (a fingerprint of ``write``'s inputs) is the one recorded then; a :class:`Job`
    may still be being written when its paths are returned (see :func:`ready`)."""
    current = _SESSION.get()
    return write() if current is None else current.output(name, key(), write)


def ready(*paths: Path) -> None:
    """Wait until the files at ``paths`` are written, when the run's workers write them."""
    current = _SESSION.get()
    if current is not None:
        current.wait(list(paths))
