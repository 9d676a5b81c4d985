"""Confirming what qualcode suggests: the convergence class of each code and pair of sites
(``/convergence``, saved where ``qualcode triangulate`` reads it) and the machine coder's
code suggestions (``/suggestions``, saved where ``qualcode collect`` reads them).
"""

from __future__ import annotations

import pandas as pd
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qualcode.web.library import CLASSES, Around, Loaded, Triangulation, around
from qualcode.web.site import BadRequest, Site, json_body


def routes(site: Site) -> list[Route]:
    folder = site.folder

    async def convergence(request: Request) -> Response:
        loaded = folder.loaded()
        result, problems = folder.convergence()
        items = [] if result is None else _pairs(loaded, result, site.language(request))
        query = request.query_params
        code, domain, pair = query.get("code", ""), query.get("domain", ""), query.get("pair", "")
        shown = [i for i in items if (not code or i["code_id"] == code)
                 and (not domain or i["domain"] == domain)
                 and (not pair or i["sites"] == pair)]
        names = {s.id: s.name for s in loaded.study.sites}
        return site.page(request, "convergence.html", loaded=loaded, items=shown,
                         problems=problems, coded=result is not None, classes=CLASSES,
                         confirmed=sum(bool(i["confirmed"]) for i in items), total=len(items),
                         codes=sorted({(i["code_id"], i["label"]) for i in items}),
                         domains=sorted({(i["domain"], i["domain_label"]) for i in items}),
                         pairs=sorted({(i["sites"], f"{names[i['site_a']]} / "
                                        f"{names[i['site_b']]}") for i in items}),
                         code=code, domain=domain, pair=pair, me=site.me(request),
                         coder_ids=[c.id for c in loaded.study.coders], used=())

    async def confirm(request: Request) -> Response:
        body = await json_body(request)
        try:
            key = (str(body["code_id"]), str(body["site_a"]), str(body["site_b"]))
            confirmed, decided_by = str(body["confirmed"]), str(body["decided_by"])
            rationale = str(body.get("rationale", ""))[:5000]
        except KeyError as error:
            raise BadRequest(f"missing {error}") from error
        result = folder.convergence()[0]
        merged = result.merged if result is not None else pd.DataFrame(
            columns=["code_id", "site_a", "site_b"])
        if key not in set(zip(merged["code_id"], merged["site_a"], merged["site_b"],
                              strict=True)):
            raise BadRequest(f"{' '.join(key)} is not a code and pair of sites of the "
                             "convergence table")
        folder.confirm(*key, confirmed, rationale, decided_by)
        return JSONResponse({"confirmed": confirmed})

    async def suggestions(request: Request) -> Response:
        loaded = folder.loaded()
        kept, f1, problems = folder.suggestions()
        items = _suggestions(loaded, kept, f1, site.language(request))
        code, transcript = (request.query_params.get("code", ""),
                            request.query_params.get("transcript", ""))
        shown = [i for i in items if (not code or i["code_id"] == code)
                 and (not transcript or i["transcript_id"] == transcript)]
        return site.page(request, "suggestions.html", loaded=loaded, items=shown,
                         problems=problems, reviewed=sum(bool(i["decision"]) for i in items),
                         total=len(items), codes=sorted({(i["code_id"], i["label"])
                                                         for i in items}),
                         transcripts=sorted({i["transcript_id"] for i in items}),
                         code=code, transcript=transcript, me=site.me(request),
                         coder_ids=[c.id for c in loaded.study.coders])

    async def review(request: Request) -> Response:
        body = await json_body(request)
        try:
            pair = (str(body["segment_id"]), str(body["code_id"]))
            decision, reviewed_by = str(body["decision"]), str(body["reviewed_by"])
        except KeyError as error:
            raise BadRequest(f"missing {error}") from error
        kept = folder.suggestions()[0]
        if pair not in set(zip(kept["segment_id"], kept["code_id"], strict=True)):
            raise BadRequest(f"{pair[0]} {pair[1]} is not a suggestion")
        folder.review_suggestion(*pair, decision, reviewed_by)
        return JSONResponse({"decision": decision})

    return [Route("/convergence", site.guarded(convergence)),
            Route("/api/convergence", site.api(confirm), methods=["POST"]),
            Route("/suggestions", site.guarded(suggestions)),
            Route("/api/suggestions", site.api(review), methods=["POST"])]


def _pairs(loaded: Loaded, result: Triangulation, language: str) -> list[dict]:
    """Each code (category, domain) and pair of sites with the class suggested, the class
    confirmed (empty when none) and its note, and each site's evidence as the framework
    matrix gives it: segments, participants who raised the code of those of the site, their
    share, and up to two quotes (for a category or domain, of its codes)."""
    codebook, study = loaded.codebook, loaded.study
    names = {s.id: s.name for s in study.sites}
    cells = {(r.code_id, r.value): r for r in result.site.itertuples(index=False)}
    items = []
    for row in result.merged.itertuples(index=False):
        code = codebook[row.code_id]
        evidence = []
        for side in (row.site_a, row.site_b):
            cell = cells[row.code_id, side]
            evidence.append({"site": names[side], "n_segments": cell.n_segments,
                             "n_participants": cell.n_participants,
                             "n_column": cell.n_column_participants,
                             "share": cell.share_participants,
                             "quotes": _quotes(cells, row.code_id, side)})
        items.append({
            "code_id": row.code_id, "kind": row.row, "sites": f"{row.site_a}|{row.site_b}",
            "site_a": row.site_a, "site_b": row.site_b,
            "label": codebook.text(code.label, language),
            "definition": codebook.text(code.definition, language) if code.definition else "",
            "domain": code.domain,
            "domain_label": codebook.text(codebook[code.domain].label, language),
            "difference": row.difference, "overlap": row.child_overlap,
            "suggested": row.suggested, "confirmed": row.confirmed,
            "note": row.note if isinstance(row.note, str) else "",
            "evidence": evidence})
    return items


def _quotes(cells: dict, code_id: str, site: str, n: int = 2) -> list[str]:
    """The quotes the framework matrix gives the code in the site, or, for a category or a
    domain, the first ``n`` of its codes'."""
    found = [quote for (code, value), cell in cells.items()
             if value == site and (code == code_id or code.startswith(code_id + "."))
             for quote in str(cell.quotes or "").split("\n") if quote]
    return found[:n]


def _suggestions(loaded: Loaded, kept: pd.DataFrame, f1: dict[str, str], language: str
                 ) -> list[dict]:
    """Each suggestion kept with its transcript, the segment before it (context), the code's
    label, definition and cross-validated F1, and its review (empty when none)."""
    where = around(loaded.imported.segments)
    nowhere = Around("", "", "")
    codes = {code.id: code for code in loaded.codebook.codes}
    items = []
    for row in kept.itertuples(index=False):
        code, at = codes.get(row.code_id), where.get(row.segment_id, nowhere)
        items.append({
            "segment_id": row.segment_id, "code_id": row.code_id,
            "transcript_id": at.transcript_id, "speaker": at.speaker, "text": row.text,
            "context": at.before,
            "label": loaded.codebook.text(code.label, language) if code else row.code_id,
            "definition": loaded.codebook.text(code.definition, language)
            if code and code.definition else "",
            "probability": row.probability, "f1": f1.get(row.code_id, ""),
            "decision": row.decision, "reviewed_by": row.reviewed_by})
    return items
