"""The browser workspace's web application: the study at a glance (``/``), a coder's
transcripts (``/code/<coder>``), the coding page (``/code/<coder>/<transcript>``) and the one
request that changes data (``POST /api/code/<coder>/<transcript>``).

Safety: only the pages and the package's own static files are served (never a file of the
study folder); a coder's pages show their own work only; on a network each coder opens a
personal link (a token, then kept in a cookie) and reaches only their own workspace; a change
needs the page's CSRF token in a header, JSON, and no foreign ``Origin``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from qualcode.web.library import Loaded, QualcodeError, StudyFolder, TranscriptWork
from qualcode.web.wording import LANGUAGES, words

STATIC = Path(__file__).parent / "static"
TOKEN_COOKIE = "qualcode_token"
LANG_COOKIE = "qualcode_lang"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


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


def create_app(root: Path, *, tokens: dict[str, str] | None = None,
               hosts: tuple[str, ...] = LOCAL_HOSTS, folder: StudyFolder | None = None
               ) -> Starlette:
    """The application for the study in ``root``. ``tokens`` (coder id -> token) makes every
    page need a coder's link; ``hosts`` are the host names accepted (DNS rebinding)."""
    folder = folder or StudyFolder(Path(root))
    access = Access(tokens, secrets.token_urlsafe(24))
    env = Environment(loader=PackageLoader("qualcode.web", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True)

    def page(request: Request, name: str, http_status: int = 200, **context) -> HTMLResponse:
        language = _language(request, folder)
        html = env.get_template(name).render(w=words(language), lang=language,
                                             csrf=access.csrf, path=request.url.path,
                                             **context)
        response = HTMLResponse(html, status_code=http_status)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, request.query_params["lang"], samesite="strict")
        return response

    def guarded(handler):
        """Check the coder's token (on a network); an unknown coder or transcript is 404, a
        study that cannot be loaded shows its error as the command line gives it."""
        async def endpoint(request: Request) -> Response:
            token = request.query_params.get("token")
            if access.tokens is not None and token is not None:
                clean = RedirectResponse(request.url.remove_query_params("token"), 303)
                clean.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
                return clean
            try:
                if access.tokens is not None and access.coder_of(request) is None:
                    raise Forbidden
                return await handler(request)
            except Forbidden:
                return page(request, "message.html", http_status=403, title="forbidden")
            except KeyError:
                return page(request, "message.html", http_status=404, title="not_found")
            except QualcodeError as error:
                return page(request, "message.html", http_status=500, title="error",
                            message=f"error: {error}")
        return endpoint

    def coder_allowed(request: Request, coder: str, loaded: Loaded) -> None:
        if coder not in {c.id for c in loaded.study.coders}:
            raise KeyError(coder)
        if access.tokens is not None and access.coder_of(request) != coder:
            raise Forbidden

    async def overview(request: Request) -> Response:
        loaded = folder.loaded()
        problems, status = list(loaded.warnings), {}
        try:
            problems += folder.collected()[1]
            status = folder.progress()
        except QualcodeError as error:
            problems.append(f"error: {error}")
        everyone_done = all(status.get((c.id, t), "") == "done" for c in loaded.study.coders
                            for t in loaded.by_transcript)
        me = access.coder_of(request)
        return page(request, "overview.html", loaded=loaded, status=status, problems=problems,
                    run=folder.last_run(), everyone_done=everyone_done, me=me,
                    local=access.tokens is None)

    async def coder_home(request: Request) -> Response:
        loaded = folder.loaded()
        coder = request.path_params["coder"]
        coder_allowed(request, coder, loaded)
        try:
            status = folder.progress()
        except QualcodeError:
            status = {}
        return page(request, "coder.html", loaded=loaded, coder=coder, status=status)

    async def coding_page(request: Request) -> Response:
        loaded = folder.loaded()
        coder, transcript_id = request.path_params["coder"], request.path_params["transcript"]
        coder_allowed(request, coder, loaded)
        segments = loaded.by_transcript[transcript_id]
        work = folder.work(coder, transcript_id)
        codebook, language = loaded.codebook, _language(request, folder)
        labels = {code.id: codebook.text(code.label, language) for code in codebook.codes}
        return page(request, "code.html", loaded=loaded, coder=coder,
                    transcript_id=transcript_id, turns=_turns(segments),
                    applied=work.applied(segments, share=loaded.study.span_share),
                    notes=work.notes, done=work.done, labels=labels,
                    tree=_tree(codebook, language), n_codable=int(segments["codable"].sum()))

    async def change(request: Request) -> Response:
        loaded = folder.loaded()
        coder, transcript_id = request.path_params["coder"], request.path_params["transcript"]
        coder_allowed(request, coder, loaded)
        _check_csrf(request, access)
        try:
            body = json.loads(await request.body())
            operation = _operation(body, loaded, transcript_id)
        except (ValueError, TypeError, KeyError) as error:
            return JSONResponse({"error": f"bad request: {error}"}, 400)
        work = folder.change(coder, transcript_id, operation)
        segments = loaded.by_transcript[transcript_id]
        applied = work.applied(segments, share=loaded.study.span_share)
        language = _language(request, folder)
        return JSONResponse({
            "applied": {s: [[c, loaded.codebook.text(loaded.codebook[c].label, language),
                             passage] for c, passage in codes.items()]
                        for s, codes in applied.items()},
            "notes": work.notes, "done": work.done})

    async def change_endpoint(request: Request) -> Response:
        try:
            return await change(request)
        except Forbidden:
            return JSONResponse({"error": words(_language(request, folder))["forbidden"]}, 403)
        except KeyError:
            return JSONResponse({"error": "not found"}, 404)
        except QualcodeError as error:
            return JSONResponse({"error": f"error: {error}"}, 500)

    async def change_guarded(request: Request) -> Response:
        if access.tokens is not None and access.coder_of(request) is None:
            return JSONResponse({"error": words(_language(request, folder))["forbidden"]}, 403)
        return await change_endpoint(request)

    async def review(request: Request) -> Response:
        loaded = folder.loaded()
        if access.tokens is not None and access.coder_of(request) is None:
            raise Forbidden
        differ, decided, problems = folder.review()
        language = _language(request, folder)
        items = _disagreements(loaded, differ, decided, language)
        transcript, code = (request.query_params.get("transcript", ""),
                            request.query_params.get("code", ""))
        shown = [i for i in items if (not transcript or i["transcript_id"] == transcript)
                 and (not code or i["code_id"] == code)]
        return page(request, "review.html", loaded=loaded, items=shown, problems=problems,
                    settled=sum(bool(i["decision"]) for i in items), total=len(items),
                    transcripts=sorted({i["transcript_id"] for i in items}),
                    codes=sorted({(i["code_id"], i["label"]) for i in items}),
                    transcript=transcript, code=code, me=access.coder_of(request))

    async def decide(request: Request) -> Response:
        _check_csrf(request, access)
        try:
            body = json.loads(await request.body())
            pair = (str(body["segment_id"]), str(body["code_id"]))
            decision, decided_by = str(body["decision"]), str(body["decided_by"])
            rationale = str(body.get("rationale", ""))[:5000]
        except (ValueError, TypeError, KeyError) as error:
            return JSONResponse({"error": f"bad request: {error}"}, 400)
        differ = folder.review()[0]
        if pair not in set(zip(differ["segment_id"], differ["code_id"], strict=True)):
            return JSONResponse({"error": f"{pair[0]} {pair[1]} is not a disagreement"}, 400)
        folder.decide(*pair, decision, rationale, decided_by)
        return JSONResponse({"decision": decision})

    async def decide_endpoint(request: Request) -> Response:
        if access.tokens is not None and access.coder_of(request) is None:
            return JSONResponse({"error": words(_language(request, folder))["forbidden"]}, 403)
        try:
            return await decide(request)
        except Forbidden:
            return JSONResponse({"error": words(_language(request, folder))["forbidden"]}, 403)
        except QualcodeError as error:
            return JSONResponse({"error": f"error: {error}"}, 400)

    routes = [
        Route("/review", guarded(review)),
        Route("/api/review", decide_endpoint, methods=["POST"]),
        Route("/", guarded(overview)),
        Route("/code/{coder}", guarded(coder_home)),
        Route("/code/{coder}/{transcript}", guarded(coding_page)),
        Route("/api/code/{coder}/{transcript}", change_guarded, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware,
                                                           allowed_hosts=list(hosts))])


def _check_csrf(request: Request, access: Access) -> None:
    """A change comes from this server's own page: its CSRF token in the header, JSON (which
    a foreign form cannot send without asking), and no other site's ``Origin``."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if not secrets.compare_digest(request.headers.get("x-qualcode-csrf", ""), access.csrf) \
            or not request.headers.get("content-type", "").startswith("application/json") \
            or (origin is not None and origin.split("://", 1)[-1] != host):
        raise Forbidden


def _operation(body: dict, loaded: Loaded, transcript_id: str):
    """The change a request asks for, checked (known codable segment of this transcript,
    codable code, a passage inside the transcript), as a function of the work."""
    segments = loaded.by_transcript[transcript_id]
    kind = body["op"]
    codable = set(segments.loc[segments["codable"], "segment_id"])

    def segment() -> str:
        if body["segment_id"] not in codable:
            raise ValueError(f"{body['segment_id']} is not a codable segment of "
                             f"{transcript_id}")
        return body["segment_id"]

    def code() -> str:
        code_id = body["code_id"]
        if code_id not in loaded.codebook or not loaded.codebook[code_id].codable:
            raise ValueError(f"{code_id} is not a codable code")
        return code_id

    if kind == "add":
        segment_id, code_id = segment(), code()
        return lambda work, _, __: work.add_code(segment_id, code_id)
    if kind == "remove":
        segment_id, code_id = segment(), code()
        return lambda work, segs, share: work.remove_code(segment_id, code_id, segs,
                                                          share=share)
    if kind == "span":
        start, end, code_id = int(body["start"]), int(body["end"]), code()
        length = len(next(t.text for t in loaded.imported.transcripts if t.id == transcript_id))
        if not 0 <= start < end <= length:
            raise ValueError(f"passage {start}-{end} is outside the transcript")
        return lambda work, _, __: work.spans.add((start, end, code_id))
    if kind == "note":
        segment_id, note = segment(), str(body["note"])[:5000]
        return lambda work, _, __: work.set_note(segment_id, note)
    if kind == "done":
        done = bool(body["done"])
        return lambda work, _, __: setattr(work, "done", done)
    raise ValueError(f"unknown op {kind!r}")


def _disagreements(loaded: Loaded, differ, decided, language: str) -> list[dict]:
    """Each disagreement with its transcript, the segment before it (context), the code's
    label and definition, and the decision already recorded or typed (empty when none)."""
    segments = loaded.imported.segments
    texts = dict(zip(segments["segment_id"], segments["text"], strict=True))
    transcript_of = dict(zip(segments["segment_id"], segments["transcript_id"], strict=True))
    previous = dict(zip(segments["segment_id"], segments.groupby(
        "transcript_id", sort=False)["segment_id"].shift(1), strict=True))
    decisions = {(r.segment_id, r.code_id): r for r in decided.itertuples(index=False)}
    codebook, items = loaded.codebook, []
    for row in differ.itertuples(index=False):
        code = codebook[row.code_id]
        before = previous.get(row.segment_id)
        made = decisions.get((row.segment_id, row.code_id))
        items.append({
            "segment_id": row.segment_id, "code_id": row.code_id,
            "transcript_id": transcript_of[row.segment_id], "speaker": row.participant_id,
            "text": row.text, "context": texts[before] if isinstance(before, str) else "",
            "label": codebook.text(code.label, language),
            "definition": codebook.text(code.definition, language) if code.definition else "",
            "applied_by": row.applied_by, "not_applied_by": row.not_applied_by,
            "decision": made.decision if made is not None else "",
            "rationale": made.rationale if made is not None else "",
            "decided_by": made.decided_by if made is not None else ""})
    return items


def _language(request: Request, folder: StudyFolder) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    try:
        return folder.loaded().study.language
    except QualcodeError:
        return "en"


def _turns(segments) -> list[dict]:
    """The transcript by turns, each with its speaker and segments."""
    turns: list[dict] = []
    for row in segments.itertuples(index=False):
        if not turns or turns[-1]["turn"] != row.turn:
            turns.append({"turn": row.turn, "speaker": row.participant_id,
                          "codable": bool(row.codable), "segments": []})
        turns[-1]["segments"].append(row)
    return turns


def _tree(codebook, language: str) -> list[dict]:
    """The codebook in order, each code with its depth and texts, for the tree."""
    text = codebook.text
    return [{"id": code.id, "depth": code.depth, "codable": code.codable,
             "label": text(code.label, language),
             "definition": text(code.definition, language) if code.definition else "",
             "include": text(code.include, language) if code.include else "",
             "exclude": text(code.exclude, language) if code.exclude else "",
             "examples": code.examples} for code in codebook.codes]


__all__ = ["TranscriptWork", "create_app"]
