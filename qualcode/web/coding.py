"""The coding pages: the study at a glance (``/``), a coder's transcripts
(``/code/<coder>``), the coding page (``/code/<coder>/<transcript>``) and the one request that
changes a coder's work (``POST /api/code/<coder>/<transcript>``). A coder's pages show their
own work only (blind coding).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.library import Loaded, QualcodeError
from qualcode.web.site import BadRequest, Site, json_body


def routes(site: Site) -> list[Route]:
    folder = site.folder

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
        return site.page(request, "overview.html", loaded=loaded, status=status,
                         problems=problems, run=folder.last_run(), everyone_done=everyone_done,
                         me=site.me(request), local=site.access.tokens is None)

    async def coder_home(request: Request) -> Response:
        loaded = folder.loaded()
        coder = request.path_params["coder"]
        site.allow_coder(request, coder, loaded)
        try:
            status = folder.progress()
        except QualcodeError:
            status = {}
        return site.page(request, "coder.html", loaded=loaded, coder=coder, status=status)

    async def coding_page(request: Request) -> Response:
        loaded = folder.loaded()
        coder, transcript_id = request.path_params["coder"], request.path_params["transcript"]
        site.allow_coder(request, coder, loaded)
        segments = loaded.by_transcript[transcript_id]
        work = folder.work(coder, transcript_id)
        codebook, language = loaded.codebook, site.language(request)
        labels = {code.id: codebook.text(code.label, language) for code in codebook.codes}
        return site.page(request, "code.html", loaded=loaded, coder=coder,
                         transcript_id=transcript_id, turns=_turns(segments),
                         applied=work.applied(segments, share=loaded.study.span_share),
                         notes=work.notes, done=work.done, labels=labels,
                         tree=_tree(codebook, language),
                         n_codable=int(segments["codable"].sum()))

    async def change(request: Request) -> Response:
        loaded = folder.loaded()
        coder, transcript_id = request.path_params["coder"], request.path_params["transcript"]
        site.allow_coder(request, coder, loaded)
        body = await json_body(request)
        try:
            operation = _operation(body, loaded, transcript_id)
        except (ValueError, TypeError, KeyError) as error:
            raise BadRequest(error) from error
        work = folder.change(coder, transcript_id, operation)
        segments = loaded.by_transcript[transcript_id]
        applied = work.applied(segments, share=loaded.study.span_share)
        language = site.language(request)
        return JSONResponse({
            "applied": {s: [[c, loaded.codebook.text(loaded.codebook[c].label, language),
                             passage] for c, passage in codes.items()]
                        for s, codes in applied.items()},
            "notes": work.notes, "done": work.done})

    return [Route("/", site.guarded(overview)),
            Route("/code/{coder}", site.guarded(coder_home)),
            Route("/code/{coder}/{transcript}", site.guarded(coding_page)),
            Route("/api/code/{coder}/{transcript}", site.api(change), methods=["POST"])]


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
