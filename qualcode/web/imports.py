"""Importing the transcripts from the browser (``/import``): what ``qualcode import
--preview`` shows and the problems in the command line's words, before anything is written;
then the import itself in a background thread (one at a time), its progress polled as JSON.

The preview and the name check show speaker labels and names as the transcripts write them
(real names): like the command line, this page is for the researcher's own machine, and is
refused when the workspace is served on a network.
"""

from __future__ import annotations

import threading

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.library import QualcodeError, StudyFolder
from qualcode.web.site import Forbidden, Site


class ImportJob:
    """The import running in a background thread, or the last one: its ``state`` (idle,
    running, done, failed), how many transcripts are read of how many, and the lines the
    command line prints (or its one-line error)."""

    def __init__(self, folder: StudyFolder) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._status: dict = {"state": "idle", "done": 0, "total": 0, "lines": []}

    def status(self) -> dict:
        with self._lock:
            return {**self._status, "lines": list(self._status["lines"])}

    def start(self) -> bool:
        """Start the import unless one is running; whether it was started."""
        with self._lock:
            if self._status["state"] == "running":
                return False
            self._status = {"state": "running", "done": 0, "total": 0, "lines": []}
        threading.Thread(target=self._run, name="qualcode-import", daemon=True).start()
        return True

    def _progress(self, _group: str, total: int) -> None:
        with self._lock:
            self._status["done"] += 1
            self._status["total"] = total

    def _run(self) -> None:
        ending: dict = {"state": "failed", "lines": ["error: the import stopped (see the "
                                                     "server's output)"]}
        try:
            ending = {"state": "done", "lines": self.folder.run_import(self._progress)}
        except QualcodeError as error:
            ending = {"state": "failed", "lines": [f"error: {error}"]}
        finally:
            with self._lock:
                self._status.update(ending)


def routes(site: Site) -> list[Route]:
    folder = site.folder
    job = ImportJob(folder)

    def one_machine() -> None:
        if site.access.tokens is not None:
            raise Forbidden

    async def page(request: Request) -> Response:
        one_machine()
        table, problems = folder.import_preview()
        return site.page(request, "import.html", table=table, problems=problems,
                         blocked=any(p.startswith("error:") for p in problems),
                         status=job.status())

    async def start(request: Request) -> Response:
        one_machine()
        if not job.start():
            return JSONResponse({"error": "an import is running already"}, 409)
        return JSONResponse(job.status(), 202)

    async def status(request: Request) -> Response:
        one_machine()
        return JSONResponse(job.status())

    return [Route("/import", site.guarded(page)),
            Route("/api/import", site.api(start), methods=["POST"]),
            Route("/api/import", site.api(status, change=False), methods=["GET"])]
