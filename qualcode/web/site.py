"""What every page of the browser workspace shares: who may do what (:class:`Access`), the
templates, the language, and the wrappers that turn an error into a page or a JSON answer.
Each family of pages (:mod:`.coding`, :mod:`.review`, ...) gives its routes from a
:class:`Site`.

Safety: only the pages and the package's own static files are served (never a file of the
study folder); on a network each coder opens a personal link (a token, then kept in a cookie);
a change needs the page's CSRF token in a header, JSON, and no foreign ``Origin``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from qualcode.web.library import Loaded, QualcodeError, StudyFolder
from qualcode.web.wording import LANGUAGES, words

TOKEN_COOKIE = "qualcode_token"
LANG_COOKIE = "qualcode_lang"

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Access:
    """Who may do what: ``tokens`` (coder id -> token) when served on a network, else None
    (one machine: every local page is open); the CSRF token of this server's pages."""

    tokens: dict[str, str] | None
    csrf: str

    def coder_of(self, request: Request) -> str | None:
        if self.tokens is None:
            return None
        token = request.cookies.get(TOKEN_COOKIE, "")
        return next((c for c, t in self.tokens.items() if secrets.compare_digest(t, token)),
                    None)


class Forbidden(Exception):
    pass


class BadRequest(ValueError):
    """A request whose body is not what the page sends (answered 400)."""


class Site:
    """The study folder served, who may do what, and the templates."""

    def __init__(self, folder: StudyFolder, access: Access) -> None:
        self.folder = folder
        self.access = access
        self.env = Environment(loader=PackageLoader("qualcode.web", "templates"),
                               autoescape=select_autoescape(default=True), trim_blocks=True,
                               lstrip_blocks=True)

    def language(self, request: Request) -> str:
        """The language chosen (``?lang=``, then its cookie), else the study's."""
        chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        if chosen in LANGUAGES:
            return chosen
        try:
            return self.folder.loaded().study.language
        except QualcodeError:
            return "en"

    def me(self, request: Request) -> str | None:
        """The coder whose link opened the page (None on one machine)."""
        return self.access.coder_of(request)

    def page(self, request: Request, name: str, http_status: int = 200, **context
             ) -> HTMLResponse:
        language = self.language(request)
        html = self.env.get_template(name).render(w=words(language), lang=language,
                                                  csrf=self.access.csrf,
                                                  path=request.url.path, **context)
        response = HTMLResponse(html, status_code=http_status)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, request.query_params["lang"], samesite="strict")
        return response

    def _check_token(self, request: Request) -> None:
        if self.access.tokens is not None and self.access.coder_of(request) is None:
            raise Forbidden

    def guarded(self, handler: Handler) -> Handler:
        """A page: the coder's token checked (on a network); an unknown coder or transcript
        is 404, a study that cannot be loaded shows its error as the command line gives it."""
        async def endpoint(request: Request) -> Response:
            token = request.query_params.get("token")
            if self.access.tokens is not None and token is not None:
                clean = RedirectResponse(request.url.remove_query_params("token"), 303)
                clean.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
                return clean
            try:
                self._check_token(request)
                return await handler(request)
            except Forbidden:
                return self.page(request, "message.html", http_status=403, title="forbidden")
            except KeyError:
                return self.page(request, "message.html", http_status=404, title="not_found")
            except QualcodeError as error:
                return self.page(request, "message.html", http_status=500, title="error",
                                 message=f"error: {error}")
        return endpoint

    def api(self, handler: Handler, *, change: bool = True) -> Handler:
        """A JSON request: the token checked, and for a ``change`` the CSRF checks; a bad
        body is 400, an unknown coder or transcript 404, a QualcodeError its one line."""
        async def endpoint(request: Request) -> Response:
            try:
                self._check_token(request)
                if change:
                    self.check_csrf(request)
                return await handler(request)
            except Forbidden:
                return JSONResponse({"error": words(self.language(request))["forbidden"]}, 403)
            except BadRequest as error:
                return JSONResponse({"error": f"bad request: {error}"}, 400)
            except KeyError:
                return JSONResponse({"error": "not found"}, 404)
            except QualcodeError as error:
                return JSONResponse({"error": f"error: {error}"}, 400)
        return endpoint

    def check_csrf(self, request: Request) -> None:
        """A change comes from this server's own page: its CSRF token in the header, JSON
        (which a foreign form cannot send without asking), and no other site's ``Origin``."""
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if not secrets.compare_digest(request.headers.get("x-qualcode-csrf", ""),
                                      self.access.csrf) \
                or not request.headers.get("content-type", "").startswith("application/json") \
                or (origin is not None and origin.split("://", 1)[-1] != host):
            raise Forbidden

    def allow_coder(self, request: Request, coder: str, loaded: Loaded) -> None:
        """``coder`` is a coder of the study, and on a network the one whose link this is."""
        if coder not in {c.id for c in loaded.study.coders}:
            raise KeyError(coder)
        if self.access.tokens is not None and self.access.coder_of(request) != coder:
            raise Forbidden


async def json_body(request: Request) -> dict:
    """The request's JSON object, or :class:`BadRequest`."""
    try:
        body = json.loads(await request.body())
    except ValueError as error:
        raise BadRequest(error) from error
    if not isinstance(body, dict):
        raise BadRequest("a JSON object is expected")
    return body
