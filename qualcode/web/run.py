"""Running the analysis from the browser (``/run``): ``qualcode run`` in a background thread
of the server (one at a time), each stage shown as it starts and ends with its seconds (the
page polls ``GET /api/run``), then the audit's verdict as the command line prints it, or the
command line's one-line error.
"""

from __future__ import annotations

import threading
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.library import QualcodeError, StudyFolder
from qualcode.web.site import Site
from qualcode.web.wording import words

START = "start"


class RunJob:
    """The run going on in a background thread, or the last one: its ``state`` (idle,
    running, done, failed), each stage with its state (``start``, ``done``, or any other
    the pipeline tells) and seconds, the lines the command line prints, the audit's verdict
    or the error."""

    def __init__(self, folder: StudyFolder) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}
        self._status: dict = self._fresh("idle")

    @staticmethod
    def _fresh(state: str) -> dict:
        return {"state": state, "stages": [], "lines": [], "verdict": "", "error": ""}

    def status(self) -> dict:
        with self._lock:
            return {**self._status, "stages": [dict(s) for s in self._status["stages"]],
                    "lines": list(self._status["lines"])}

    def start(self) -> bool:
        """Start a run unless one is going on; whether it was started."""
        with self._lock:
            if self._status["state"] == "running":
                return False
            self._status, self._started = self._fresh("running"), {}
        threading.Thread(target=self._run, name="qualcode-run", daemon=True).start()
        return True

    def on_stage(self, stage: str, state: str) -> None:
        """The pipeline's hook: a stage began (``start``) or reached another state."""
        now = time.perf_counter()
        with self._lock:
            stages = self._status["stages"]
            entry = next((s for s in stages if s["stage"] == stage), None)
            if entry is None:
                entry = {"stage": stage, "state": state, "seconds": None}
                stages.append(entry)
            entry["state"] = state
            if state == START:
                self._started[stage] = now
            else:
                entry["seconds"] = round(now - self._started.get(stage, now), 2)

    def _run(self) -> None:
        ending = {"state": "failed",
                  "error": "error: the run stopped (see the server's output)"}
        try:
            lines = self.folder.run_analysis(self.on_stage)
            ending = {"state": "done", "lines": lines[:-1], "verdict": lines[-1]}
        except QualcodeError as error:
            ending = {"state": "failed", "error": self.folder.error_line(error)}
        finally:
            with self._lock:
                self._status.update(ending)


def routes(site: Site) -> list[Route]:
    job = RunJob(site.folder)

    async def page(request: Request) -> Response:
        return site.page(request, "run.html", status=job.status())

    async def start(request: Request) -> Response:
        if not job.start():
            busy = words(site.language(request))["run_busy"]
            return JSONResponse({**job.status(), "error": busy}, 409)
        return JSONResponse(job.status(), 202)

    async def status(request: Request) -> Response:
        return JSONResponse(job.status())

    return [Route("/run", site.guarded(page)),
            Route("/api/run", site.api(start), methods=["POST"]),
            Route("/api/run", site.api(status, change=False), methods=["GET"])]

