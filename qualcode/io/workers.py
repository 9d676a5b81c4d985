"""Worker processes for the outputs a run can write beside its main work: the figures.

Drawing a 300 dpi figure takes half a second to a second, and matplotlib holds the GIL, so
threads do not help; a run that changes several figures spends most of its time on them.
:func:`workers` gives the process's :class:`Workers`, kept for later runs (a browser's server
draws its next run's figures at once); on a machine with one core there are none and
everything is written in the process itself.

A worker is a new ``python -c`` process of its own that reads pickled calls on its standard
input and answers on its standard output, started when its first call comes. It is not a
:mod:`multiprocessing` child: those import the caller's main script again, so a study
script without an ``if __name__ == "__main__"`` guard would run itself in every worker. A
worker that dies fails its call with :class:`WorkerDied`, and the next call starts a new one.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

MAX_WORKERS = 3
"""The most worker processes: a run changes at most a handful of figures at a time."""


class WorkerDied(Exception):
    """A worker process ended before it answered (killed, out of memory)."""


class WorkerTraceback(Exception):
    """The traceback of an error raised in a worker, as its ``__cause__``."""


class Workers:
    """``count`` worker processes taking calls from one queue."""

    def __init__(self, count: int) -> None:
        self.calls: queue.SimpleQueue = queue.SimpleQueue()
        self.count = count
        for number in range(count):
            threading.Thread(target=self._serve, name=f"qualcode-worker-{number}",
                             daemon=True).start()

    def submit(self, function: Callable, *arguments: object) -> Future:
        """``function(*arguments)`` in a worker (both picklable, ``function`` importable)."""
        future: Future = Future()
        self.calls.put((future, function, arguments))
        return future

    def warm(self, function: Callable[[], object]) -> None:
        """Start every worker now with ``function()`` (imports, say), so that their first
        real call starts at once; what it raises is ignored."""
        for _ in range(self.count):
            self.submit(function)

    def _serve(self) -> None:
        process = None
        while True:
            future, function, arguments = self.calls.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                call = pickle.dumps((function, arguments))
            except Exception as err:  # a lambda, an open file...: the caller's bug, told to it
                future.set_exception(err)
                continue
            try:
                if process is None or process.poll() is not None:
                    process = _start()
                _write(process.stdin, call)
                answer = _receive(process.stdout)
            except (OSError, EOFError) as err:
                if process is not None:
                    process.kill()
                process = None
                future.set_exception(WorkerDied(f"a worker process ended: {err}"))
                continue
            try:
                done, value, trace = pickle.loads(answer)
            except Exception as err:  # an error this process cannot rebuild
                future.set_exception(WorkerDied(f"a worker's answer cannot be read: {err}"))
                continue
            if done:
                future.set_result(value)
            else:
                value.__cause__ = WorkerTraceback(trace)
                future.set_exception(value)


def _send(channel, value: object) -> None:
    _write(channel, pickle.dumps(value))


def _write(channel, data: bytes) -> None:
    channel.write(len(data).to_bytes(8, "little") + data)
    channel.flush()


def _receive(channel) -> bytes:
    """One message (its length first): the stream stays in step whatever it holds."""
    size = int.from_bytes(_exactly(channel, 8), "little")
    return _exactly(channel, size)


def _exactly(channel, size: int) -> bytes:
    data = channel.read(size)
    if len(data) != size:
        raise EOFError("the worker's output ended")
    return data


_WORKERS: Workers | None = None
_LOCK = threading.Lock()


def workers() -> Workers | None:
    """The process's workers (one per core, at most :data:`MAX_WORKERS`: the run itself
    mostly waits for them at its end), or None on one core."""
    global _WORKERS
    with _LOCK:
        cores = os.cpu_count() or 1
        if _WORKERS is None and cores >= 2:
            _WORKERS = Workers(min(MAX_WORKERS, cores))
        return _WORKERS


def _start() -> subprocess.Popen:
    """A worker process, finding qualcode, and the modules of the calls, where this
    process finds them."""
    package_parent = str(Path(__file__).resolve().parents[2])
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [package_parent, *filter(None, [environment.get("PYTHONPATH")])])
    # Out of the terminal's process group: Ctrl-C is for the run to handle, not its workers.
    apart = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt" else \
        {"start_new_session": True}
    process = subprocess.Popen(
        [sys.executable, "-c", "from qualcode.io.workers import serve; serve()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, **apart)
    _send(process.stdin, list(sys.path))  # the calls' functions are found as here
    return process


def serve() -> None:
    """A worker's loop: the caller's ``sys.path``, then each pickled ``(function,
    arguments)`` from standard input called and ``(done, result or error, traceback)``
    pickled to standard output, until the input ends. Whatever the calls print goes to
    standard error, never into the answers. Ctrl-C is left to the caller; a worker whose
    caller is gone ends quietly."""
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    calls = sys.stdin.buffer
    try:
        sys.path[:] = pickle.loads(_receive(calls))
    except EOFError:  # the caller is gone before its first call
        return
    while True:
        try:
            function, arguments = pickle.loads(_receive(calls))
        except EOFError:
            return
        try:
            answer = (True, function(*arguments), "")
        except Exception as err:  # every error goes back to the caller
            answer = (False, err, traceback.format_exc())
        try:
            data = pickle.dumps(answer)
        except Exception as err:  # an answer that cannot be pickled
            data = pickle.dumps((False, RuntimeError(f"{answer[1]!r} ({err})"),
                                 traceback.format_exc()))
        try:
            _write(answers, data)
        except OSError:  # the caller is gone (a refused or killed run): nobody to answer
            return


def _orphaned(parent: int) -> None:
    """End this worker as soon as the process it works for is gone: a killed run must not
    leave a worker writing into a staging folder the next run makes. (POSIX gives an orphan
    another parent; on Windows a closed console ends its worker with it.)"""
    while os.getppid() == parent:
        time.sleep(0.1)
    os._exit(0)
