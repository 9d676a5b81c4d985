"""The machine coder's suggestions and the researchers' review of them.

``codings/suggest.csv`` keeps every suggestion with its probability, the segment's text (to
detect a transcript that changed), and the review: ``decision`` (accept or reject) and
``reviewed_by`` (the coder who decided). ``codings/decisions/suggestions.xlsx`` is the review
sheet made from it, with the same two columns to fill in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.errors import CodingError
from qualcode.io.files import write_csv, write_office
from qualcode.io.workbooks import filled_table, kept_table, protect

REVIEW_SHEET = "suggestions"
REVIEW_DECISIONS = ("accept", "reject")
KEPT_COLUMNS = (S.CODER, S.SEGMENT_ID, S.CODE_ID, "probability", S.TEXT, "decision",
                "reviewed_by")
SHEET_COLUMNS = (S.SEGMENT_ID, S.GROUP_ID, S.PARTICIPANT_ID, S.TEXT, S.CODE_ID, "label",
                 "probability", "code_f1", "decision", "reviewed_by")


def read_kept_suggestions(path: Path) -> pd.DataFrame:
    """``codings/suggest.csv`` (with ``location``, its line); empty when there is none."""
    return checked_review(kept_table(path, KEPT_COLUMNS), path)


def write_kept_suggestions(path: Path, table: pd.DataFrame) -> Path:
    """Keep the suggestions and their review in ``codings/suggest.csv``, sorted."""
    return write_csv(path, table[list(KEPT_COLUMNS)].sort_values([S.SEGMENT_ID, S.CODE_ID]))


def read_review_sheet(path: Path) -> pd.DataFrame:
    """Every row of a review sheet (:data:`SHEET_COLUMNS`, ``location`` = its row), its
    decisions checked."""
    return checked_review(filled_table(path, REVIEW_SHEET, SHEET_COLUMNS), path)


def checked_review(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Refuse a (segment, code) listed twice, a decision other than accept, reject or empty,
    and a decision without the coder who took it."""
    table["decision"] = table["decision"].str.lower()
    twice = table[table.duplicated([S.SEGMENT_ID, S.CODE_ID])]
    if not twice.empty:
        raise CodingError(f"{twice[S.SEGMENT_ID].iloc[0]} {twice[S.CODE_ID].iloc[0]} is listed "
                          "twice; keep one row", path=path, line=twice["location"].iloc[0])
    bad = table[~table["decision"].isin(("", *REVIEW_DECISIONS))]
    if not bad.empty:
        raise CodingError(f"decision '{bad['decision'].iloc[0]}' must be accept, reject or "
                          "empty", path=path, line=bad["location"].iloc[0])
    anonymous = table[(table["decision"] != "") & (table["reviewed_by"] == "")]
    if not anonymous.empty:
        raise CodingError("a decision needs the id of the coder who took it in "
                          "'reviewed_by'", path=path, line=anonymous["location"].iloc[0])
    return table


def write_review_sheet(path: Path, table: pd.DataFrame, coders: list[str]) -> Path:
    """The review sheet: one row per suggestion (:data:`SHEET_COLUMNS`), only ``decision``
    (accept or reject) and ``reviewed_by`` (a coder id) editable, both drop-downs. Numbers
    read back from a sheet as text are written as numbers again."""
    from openpyxl import Workbook

    table = table.assign(**{c: pd.to_numeric(table[c], errors="coerce")
                            for c in ("probability", "code_f1")})

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REVIEW_SHEET
    sheet.append(list(SHEET_COLUMNS))
    for row in table[list(SHEET_COLUMNS)].itertuples(index=False):
        sheet.append([None if pd.isna(value) else value for value in row])
    protect(sheet, editable=2,
            choices={len(SHEET_COLUMNS) - 1: (REVIEW_DECISIONS, "Choose accept or reject."),
                     len(SHEET_COLUMNS): (tuple(coders), "Choose a coder of study.yaml.")},
            widths=(10, 6, 8, 60, 26, 24, 9, 8, 9, 11))
    return write_office(path, workbook)
