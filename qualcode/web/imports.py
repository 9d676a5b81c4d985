"""Importing the transcripts from the browser (``/import``): what ``qualcode import
--preview`` shows and the problems in the command line's words, before anything is written;
then the import itself in a background thread (one at a time), its progress polled as JSON.

The preview and the name check show speaker labels and names as the transcripts write them
(real names): like the command line, this page is for the researcher's own machine, and is
refused when the workspace is served on a network.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.jobs import Job
from qualcode.web.site import Forbidden, Site
from qualcode.web.wording import words


def import_job(site: Site) -> Job:
    """``qualcode import`` as a task: how many transcripts are read of how many, then the
    lines the command line prints."""
    def work(job: Job) -> list[str]:
        def progress(_group: str, total: int) -> None:
            job.update(lambda status: status.update(done=status["done"] + 1, total=total))
        return site.folder.run_import(progress)

    return Job(site.folder, work, done=0, total=0)


def routes(site: Site) -> list[Route]:
    folder = site.folder
    job = import_job(site)

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
            busy = words(site.language(request))["run_busy"]
            return JSONResponse({**job.status(), "error": busy}, 409)
        return JSONResponse(job.status(), 202)

    async def status(request: Request) -> Response:
        one_machine()
        return JSONResponse(job.status())

    return [Route("/import", site.guarded(page)),
            Route("/api/import", site.api(start), methods=["POST"]),
            Route("/api/import", site.api(status, change=False), methods=["GET"])]
