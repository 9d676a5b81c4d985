"""Consensus decisions: the disagreements workbook researchers fill in
(``codings/decisions/disagreements.xlsx``), and ``codings/consensus.csv`` where their
decisions are recorded (the audit trail)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.errors import CodingError
from qualcode.io.files import write_csv, write_office
from qualcode.io.workbooks import filled_table, kept_table, protect
from qualcode.schema import DECISION_COLUMNS, DECISIONS, DISAGREEMENT_COLUMNS

SHEET = "disagreements"
COLUMNS = (*DISAGREEMENT_COLUMNS, "label", "decision", "rationale", "decided_by")


def write_disagreements(path: Path, rows: pd.DataFrame) -> Path:
    """The disagreements workbook: ``rows`` with :data:`COLUMNS` (decisions already typed
    included).

    ``decision`` accepts only keep or drop (a drop-down); ``rationale`` and ``decided_by`` are
    free text. Only these three columns are editable.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for row in rows[list(COLUMNS)].itertuples(index=False):
        sheet.append(list(row))
    protect(sheet, editable=3,
            choices={len(COLUMNS) - 2: (DECISIONS, "Choose keep or drop.")},
            widths=(10, 6, 8, 60, 26, 10, 10, 24, 9, 40, 12))
    return write_office(path, workbook)


def read_disagreements(path: Path) -> pd.DataFrame:
    """Every row of a disagreements workbook (:data:`COLUMNS`, ``location`` = its row), its
    decisions checked."""
    return _checked(filled_table(path, SHEET, COLUMNS), path)


def read_decisions(path: Path) -> pd.DataFrame:
    """Decisions kept in ``codings/consensus.csv``; an empty table when there is none."""
    return _checked(kept_table(path, DECISION_COLUMNS), path)


def _checked(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    table["decision"] = table["decision"].str.lower()
    twice = table[table.duplicated([S.SEGMENT_ID, S.CODE_ID], keep="first")]
    if not twice.empty:
        raise CodingError(f"{twice[S.SEGMENT_ID].iloc[0]} {twice[S.CODE_ID].iloc[0]} is decided "
                          "twice; keep one row", path=path, line=twice["location"].iloc[0])
    bad = table[~table["decision"].isin(("", *DECISIONS))]
    if not bad.empty:
        raise CodingError(f"decision '{bad['decision'].iloc[0]}' must be keep, drop or empty",
                          path=path, line=bad["location"].iloc[0])
    return table


def write_decisions(path: Path, decisions: pd.DataFrame) -> Path:
    """Record the decisions (every row with something typed) in ``codings/consensus.csv``,
    sorted."""
    return write_csv(path, decisions[list(DECISION_COLUMNS)].sort_values(
        [S.SEGMENT_ID, S.CODE_ID]))
