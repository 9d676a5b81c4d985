"""The browser workspace's web application: every family of pages (:mod:`.coding`,
:mod:`.review`) on one :class:`~qualcode.web.site.Site`, and the package's own static files
(never a file of the study folder).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from qualcode.web import coding, confirm, imports, results, review, run
from qualcode.web.library import StudyFolder
from qualcode.web.site import Access, Site

STATIC = Path(__file__).parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
PAGES = (coding, review, confirm, imports, run, results)
"""The families of pages, each a module with ``routes(site)``."""


def create_app(root: Path, *, tokens: dict[str, str] | None = None,
               hosts: tuple[str, ...] = LOCAL_HOSTS, folder: StudyFolder | None = None
               ) -> Starlette:
    """The application for the study in ``root``. ``tokens`` (coder id -> token) makes every
    page need a coder's link; ``hosts`` are the host names accepted (DNS rebinding)."""
    site = Site(folder or StudyFolder(Path(root)), Access(tokens, secrets.token_urlsafe(24)))
    routes = [route for pages in PAGES for route in pages.routes(site)]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware,
                                                           allowed_hosts=list(hosts))])
