"""The results of the last complete run (``/results``), read from the tables and figures
``qualcode run`` wrote into ``analyses/`` (nothing is computed again): agreement, the
framework matrix as a heat map whose cells list their quotes, convergence, saturation,
co-occurrence, the checklist as the officials read it, the designs' assessment; and every
output listed in ``analyses/run.json`` to download at ``/files/<path>`` (no other file).
"""

from __future__ import annotations

import math
import mimetypes
from pathlib import PurePosixPath

import pandas as pd
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from qualcode.web.site import Site

ATTACHED = {".docx", ".xlsx", ".csv", ".md", ".txt", ".json", ".qdpx", ".qdc"}
"""Downloaded, never shown in the browser (figures are shown: PNG and SVG)."""
TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8", ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".json": "application/json",
    ".qdpx": "application/zip", ".qdc": "application/xml",
    ".png": "image/png", ".svg": "image/svg+xml",
}
KINDS = (("documents", (".docx", ".md")), ("workbooks", (".xlsx",)), ("tables", (".csv",)),
         ("figures", (".png", ".svg")), ("exchange", (".qdpx", ".qdc", ".txt")))
"""The downloads list, by kind of file."""
AGREEMENT = (("agreement.csv", "code_id"), ("agreement-by-domain.csv", "domain"),
             ("agreement-by-transcript.csv", "transcript_id"), ("agreement-by-site.csv", "site_id"))
"""The agreement tables (per code, domain, transcript, site) and the column naming a row."""
TOP_PAIRS = 12


def routes(site: Site) -> list[Route]:
    folder = site.folder

    async def results(request: Request) -> Response:
        outputs = folder.outputs()
        listed = set(outputs.names)
        if not listed:
            return site.page(request, "results.html", missing=outputs.missing or "",
                             listed=listed)
        by = request.query_params.get("by", "site")
        matrices = sorted(n[len("matrix-"):-len(".csv")] for n in listed
                          if n.startswith("matrix-") and n.endswith(".csv"))
        by = by if by in matrices else (matrices[0] if matrices else "")
        context = {
            "agreement": [(name, key, folder.table(name).to_dict("records"))
                          for name, key in AGREEMENT if name in listed],
            "matrices": matrices, "by": by, "column_names": folder.column_names(by),
            "matrix": heat_map(folder.table(f"matrix-{by}.csv")) if by else None,
            "convergence": _records(folder, listed, "convergence-summary.csv"),
            "saturation": _records(folder, listed, "saturation-summary.csv"),
            "pairs": top_pairs(folder.table("cooccurrence.csv"))
            if "cooccurrence.csv" in listed else [],
            "checklist": folder.checklist() if "checklist.csv" in listed else None,
            "assessments": folder.assessments() if "checklist.xlsx" in listed else {},
            "downloads": downloads(outputs.names), "checklist_lang": outputs.language,
        }
        return site.page(request, "results.html", listed=listed, number=number, **context)

    async def download(request: Request) -> Response:
        name = request.path_params["path"]
        path = folder.output_file(name)
        suffix = path.suffix.lower()
        media = TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] \
            or "application/octet-stream"
        headers = {"X-Content-Type-Options": "nosniff",
                   "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
        if suffix in ATTACHED:
            return FileResponse(path, media_type=media, filename=path.name, headers=headers)
        return FileResponse(path, media_type=media, headers=headers,
                            content_disposition_type="inline", filename=path.name)

    return [Route("/results", site.guarded(results)),
            Route("/files/{path:path}", site.guarded(download))]


def _records(folder, listed: set[str], name: str) -> list[dict]:
    return folder.table(name).to_dict("records") if name in listed else []


def number(value, digits: int = 2) -> str:
    """A table's number as the page shows it: ``—`` when undefined."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def heat_map(matrix: pd.DataFrame) -> dict:
    """The framework matrix (one row per code and column value, as ``matrix-<by>.csv``
    holds it) laid out as rows of cells: the columns in the file's order, each cell with
    its participants, their share of the column, its segments and its quotes."""
    columns = list(dict.fromkeys(matrix["value"].astype(str)))
    rows: dict[tuple, dict] = {}
    for record in matrix.to_dict("records"):
        key = (record["row"], record["code_id"])
        row = rows.setdefault(key, {"row": record["row"], "code_id": record["code_id"],
                                    "label": record["label"], "cells": {}})
        share = record["share_participants"]
        row["cells"][str(record["value"])] = {
            "participants": record["n_participants"],
            "of": record["n_column_participants"], "segments": record["n_segments"],
            "share": 0.0 if pd.isna(share) else float(share),
            "quotes": record["quotes"] if isinstance(record["quotes"], str) else ""}
    return {"columns": columns, "rows": list(rows.values())}


def top_pairs(cooccurrence: pd.DataFrame) -> list[dict]:
    """The pairs of codes most often applied to the same segments (as written)."""
    return cooccurrence.sort_values(["n_segments_both", "code_a", "code_b"],
                                    ascending=[False, True, True]).head(TOP_PAIRS
                                                                       ).to_dict("records")


def downloads(names: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """The outputs by kind (documents, workbooks, tables, figures, exchange files)."""
    grouped = [(kind, [n for n in names if PurePosixPath(n).suffix.lower() in suffixes])
               for kind, suffixes in KINDS]
    return [(kind, found) for kind, found in grouped if found]
