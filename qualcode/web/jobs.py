"""Long tasks of the browser workspace (the import, the analysis) run in a background thread
of the server, their progress polled as JSON. A study runs one at a time, whichever page
started it: both write ``analyses/``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from qualcode.web.library import QualcodeError, StudyFolder


class Job:
    """One kind of task, running or the last one run: its status (``state``: idle, running,
    done or failed; ``lines`` the command line prints, or its one-line error in ``error``;
    and the fields the task keeps up to date with :meth:`update`)."""

    def __init__(self, folder: StudyFolder, work: Callable[[Job], list[str]],
                 **fields: object) -> None:
        self.folder = folder
        self.work = work
        self.fields = fields
        self._status: dict = self._fresh("idle")

    def _fresh(self, state: str) -> dict:
        return {"state": state, "lines": [], "error": "", **self.fields}

    def status(self) -> dict:
        with self.folder.job_lock:
            return _copy(self._status)

    def update(self, change: Callable[[dict], None]) -> None:
        """Change the status (``change(status)``) as the task goes on."""
        with self.folder.job_lock:
            change(self._status)

    def start(self) -> bool:
        """Start the task unless a task of the study is running; whether it was started."""
        if not self.folder.busy.acquire(blocking=False):
            return False
        with self.folder.job_lock:
            self._status = self._fresh("running")
        threading.Thread(target=self._run, name="qualcode-job", daemon=True).start()
        return True

    def _run(self) -> None:
        ending = {"state": "failed", "error": "error: the task stopped (see the server's "
                                              "output)"}
        try:
            ending = {"state": "done", "lines": self.work(self)}
        except QualcodeError as error:
            ending = {"state": "failed", "error": self.folder.error_line(error)}
        finally:
            self.update(lambda status: status.update(ending))
            self.folder.busy.release()


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
