"""Settling disagreements (``/review``): each disagreement with its context, who applied the
code, its definition; a decision (``POST /api/review``) is saved at once where ``qualcode
consensus`` reads it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.library import Loaded, around
from qualcode.web.site import BadRequest, Site, json_body


def routes(site: Site) -> list[Route]:
    folder = site.folder

    async def review(request: Request) -> Response:
        loaded = folder.loaded()
        differ, decided, problems = folder.review()
        coder_ids = [c.id for c in loaded.study.coders]
        items = _disagreements(loaded, differ, decided, site.language(request))
        filters = {key: request.query_params.get(key, "")
                   for key in ("transcript", "domain", "code", "coder", "unsettled")}
        codebook, language = loaded.codebook, site.language(request)
        return site.page(request, "review.html", loaded=loaded, problems=problems,
                         items=[i for i in items if _shown(i, filters)], filters=filters,
                         settled=sum(bool(i["decision"]) for i in items), total=len(items),
                         transcripts=sorted({i["transcript_id"] for i in items}),
                         domains=[(d.id, codebook.text(d.label, language))
                                  for d in codebook.domains],
                         codes=sorted({(i["code_id"], i["label"]) for i in items}),
                         me=site.me(request), coder_ids=coder_ids,
                         used=sorted(set(decided["decided_by"]) - {"", *coder_ids}))

    async def decide(request: Request) -> Response:
        body = await json_body(request)
        try:
            pair = (str(body["segment_id"]), str(body["code_id"]))
            decision, decided_by = str(body["decision"]), str(body["decided_by"])
            rationale = str(body.get("rationale", ""))[:5000]
        except KeyError as error:
            raise BadRequest(f"missing {error}") from error
        differ = folder.review()[0]
        if pair not in set(zip(differ["segment_id"], differ["code_id"], strict=True)):
            raise BadRequest(f"{pair[0]} {pair[1]} is not a disagreement")
        folder.decide(*pair, decision, rationale, decided_by)
        return JSONResponse({"decision": decision})

    return [Route("/review", site.guarded(review)),
            Route("/api/review", site.api(decide), methods=["POST"])]


def _shown(item: dict, filters: dict[str, str]) -> bool:
    """Whether a disagreement passes the page's filters (an empty filter passes all)."""
    coders = {*item["applied_by"].split(", "), *item["not_applied_by"].split(", ")}
    return ((not filters["transcript"] or item["transcript_id"] == filters["transcript"])
            and (not filters["domain"] or item["domain"] == filters["domain"])
            and (not filters["code"] or item["code_id"] == filters["code"])
            and (not filters["coder"] or filters["coder"] in coders)
            and not (filters["unsettled"] and item["decision"]))


def _disagreements(loaded: Loaded, differ, decided, language: str) -> list[dict]:
    """Each disagreement with its transcript, the segment before it (context), the code's
    label and definition, and the decision already recorded or typed (empty when none)."""
    where = around(loaded.imported.segments)
    decisions = {(r.segment_id, r.code_id): r for r in decided.itertuples(index=False)}
    codebook, items = loaded.codebook, []
    for row in differ.itertuples(index=False):
        code = codebook[row.code_id]
        made = decisions.get((row.segment_id, row.code_id))
        items.append({
            "segment_id": row.segment_id, "code_id": row.code_id,
            "transcript_id": where[row.segment_id].transcript_id,
            "speaker": row.participant_id, "text": row.text,
            "context": where[row.segment_id].before,
            "label": codebook.text(code.label, language), "domain": code.domain,
            "definition": codebook.text(code.definition, language) if code.definition else "",
            "applied_by": row.applied_by, "not_applied_by": row.not_applied_by,
            "decision": made.decision if made is not None else "",
            "rationale": made.rationale if made is not None else "",
            "decided_by": made.decided_by if made is not None else ""})
    return items
