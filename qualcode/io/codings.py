"""Coding files in CSV: long form (one code on one segment), span form (one code on a
stretch of a transcript's canonical text), or a coder's browser workspace (``qualcode
serve``), which holds both with the coder's notes and which transcripts they coded there."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from qualcode.errors import CodingError
from qualcode.io.cells import unguard
from qualcode.io.files import unreadable, write_csv

LONG = ("coder", "segment_id", "code_id")
SPAN = ("coder", "transcript_id", "start", "end", "code_id")
WORKSPACE = ("record", "coder", "transcript_id", "segment_id", "start", "end", "code_id", "text",
             "note")
"""A browser workspace: one row per ``record``: ``open`` or ``done`` (a transcript the coder
codes in the browser, marked done or not), ``code`` (a code on a segment, with the segment's
``text`` to detect drift), ``span`` (a code on ``start``-``end``) or ``note`` (on a segment)."""
RECORDS = ("open", "done", "code", "span", "note")


def read_coding_csv(path: Path) -> tuple[str, pd.DataFrame]:
    """``("long" | "span" | "workspace", rows)``; rows keep their file line number in column
    ``row``.

    Long form needs the columns ``coder, segment_id, code_id`` (an optional ``text`` column is
    checked against the segment's text); span form needs ``coder, transcript_id, start, end,
    code_id`` with ``end`` exclusive. The delimiter is a comma, or a semicolon when the header
    holds semicolons and no comma (as French Excel saves CSV).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
        header_line = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = ";" if ";" in header_line and "," not in header_line else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [(reader.line_num, row) for row in reader if any(v.strip() for v in row)]
    except UnicodeDecodeError:
        raise CodingError("not UTF-8 text; save it as CSV UTF-8", path=path) from None
    except csv.Error as err:
        raise CodingError(f"not a valid CSV file ({err})", path=path) from None
    except OSError as err:
        raise unreadable(path, err, CodingError) from None
    if not rows:
        raise CodingError(f"empty file; it needs the header {','.join(LONG)} or "
                          f"{','.join(SPAN)}", path=path, line=1)
    header = [h.strip() for h in rows[0][1]]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise CodingError(f"column '{repeated[0]}' appears twice in the header; keep one",
                          path=path, line=rows[0][0])
    form = "workspace" if set(WORKSPACE) <= set(header) else "span" if set(SPAN) <= set(
        header) else "long" if set(LONG) <= set(header) else None
    if form is None:
        hint = " (the delimiter must be a comma or a semicolon)" if len(header) == 1 else ""
        raise CodingError(f"the header must name the columns {','.join(LONG)} (one code per "
                          f"segment) or {','.join(SPAN)} (one code per span){hint}",
                          path=path, line=rows[0][0])
    records = []
    for number, values in rows[1:]:
        if len(values) != len(header):
            raise CodingError(f"{len(values)} values for {len(header)} columns; check the "
                              "delimiter and quoting", path=path, line=number)
        records.append({"row": number, **{h: unguard(v.strip()) for h, v in zip(header, values,
                                                                                strict=True)}})
    table = pd.DataFrame(records, columns=["row", *header])
    if form == "workspace":
        return form, _workspace(table, path)
    if form == "span":
        for column in ("start", "end"):
            bad = table[~table[column].str.fullmatch(r"\d{1,15}")]
            if not bad.empty:
                raise CodingError(f"{column} '{bad[column].iloc[0]}' is not a whole number of "
                                  "characters", path=path, line=int(bad["row"].iloc[0]))
        table = table.astype({"start": "int64", "end": "int64"})
    return form, table


def _workspace(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A workspace's rows checked: known records, whole offsets on spans."""
    bad = table[~table["record"].isin(RECORDS)]
    if not bad.empty:
        raise CodingError(f"record '{bad['record'].iloc[0]}' is not one of "
                          f"{', '.join(RECORDS)}", path=path, line=int(bad["row"].iloc[0]))
    spans = table["record"] == "span"
    for column in ("start", "end"):
        bad = table[spans & ~table[column].str.fullmatch(r"\d{1,15}")]
        if not bad.empty:
            raise CodingError(f"{column} '{bad[column].iloc[0]}' is not a whole number of "
                              "characters", path=path, line=int(bad["row"].iloc[0]))
    return table


def write_workspace(path: Path, rows: list[tuple]) -> Path:
    """Write a browser workspace (rows in the order of :data:`WORKSPACE`), atomically."""
    return write_csv(path, pd.DataFrame(rows, columns=list(WORKSPACE), dtype=str))
