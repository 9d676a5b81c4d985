"""Running the analysis from the browser (``/run``): ``qualcode run`` in a background thread
of the server (one at a time), each stage shown as it starts and ends with its seconds (the
page polls ``GET /api/run``), then the audit's verdict as the command line prints it, or the
command line's one-line error.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.jobs import Job
from qualcode.web.site import Site
from qualcode.web.wording import stage_names, words

START = "start"


def run_job(site: Site) -> Job:
    """``qualcode run`` as a task: each stage with its state (``start``, ``done``, or any
    other the pipeline tells) and seconds, then the lines the command line prints, the
    audit's verdict last (``verdict``)."""
    started: dict[str, float] = {}

    def work(job: Job) -> list[str]:
        started.clear()

        def on_stage(stage: str, state: str) -> None:
            now = time.perf_counter()
            if state == START:
                started[stage] = now
            seconds = None if state == START else round(now - started.get(stage, now), 2)

            def change(status: dict) -> None:
                stages = status["stages"]
                entry = next((s for s in stages if s["stage"] == stage), None)
                if entry is None:
                    stages.append(entry := {"stage": stage})
                entry.update(state=state, seconds=seconds)
            job.update(change)

        lines = site.folder.run_analysis(on_stage)
        job.update(lambda status: status.update(verdict=lines[-1]))
        return lines[:-1]

    return Job(site.folder, work, stages=[], verdict="")


def routes(site: Site) -> list[Route]:
    job = run_job(site)

    async def page(request: Request) -> Response:
        return site.page(request, "run.html", status=job.status(),
                         stage_names=stage_names(site.language(request)))

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

