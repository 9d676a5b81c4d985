"""Convergence confirmations: the workbook researchers fill in
(``codings/decisions/convergence.xlsx``), and ``codings/convergence.csv`` where their
confirmations are recorded."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from qualcode.errors import CodingError
from qualcode.io.cells import unguard
from qualcode.io.files import write_csv, write_office
from qualcode.io.workbooks import filled_table

SHEET = "convergence"
KEYS = ("code_id", "site_a", "site_b")
FILLED = ("confirmed", "note")
NUMBERS = ("share_a", "share_b", "difference", "child_overlap")


def write_convergence(path: Path, rows: pd.DataFrame, classes: tuple[str, ...]) -> Path:
    """The convergence workbook: ``rows`` (the convergence table, then :data:`FILLED`, the
    confirmations already typed included), with a ``confirmed`` drop-down and a ``note``.
    Shares read back from a workbook as text are written as numbers again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = rows.assign(**{c: pd.to_numeric(rows[c], errors="coerce")
                          for c in NUMBERS if c in rows.columns})
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(rows.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    width = len(rows.columns)
    for number, row in enumerate(rows.itertuples(index=False), 2):
        sheet.append([None if pd.isna(v) else v for v in row])
        for column in (width - 1, width):  # not sheet[row]: it scans all
            sheet.cell(number, column).protection = Protection(locked=False)
    letter = sheet.cell(1, width - 1).column_letter
    validation = DataValidation(type="list", formula1=f'"{",".join(classes)}"',
                                allow_blank=True, showErrorMessage=True)
    validation.add(f"{letter}2:{letter}{max(len(rows) + 1, 2)}")
    sheet.add_data_validation(validation)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.protection.sheet = True
    sheet.protection.autoFilter = sheet.protection.sort = False
    return write_office(path, workbook)


def read_convergence(path: Path, classes: tuple[str, ...],
                     columns: tuple[str, ...] = KEYS) -> pd.DataFrame:
    """Every row of a convergence workbook (``columns`` and :data:`FILLED`, ``location`` =
    its row); a class other than ``classes`` is refused."""
    table = filled_table(path, SHEET, tuple(dict.fromkeys((*columns, *KEYS, *FILLED))))
    bad = table[(table["confirmed"] != "") & ~table["confirmed"].isin(classes)]
    if not bad.empty:
        raise CodingError(f"'{bad['confirmed'].iloc[0]}' is not one of {', '.join(classes)}",
                          path=path, line=bad["location"].iloc[0])
    return table


def read_confirmed(path: Path) -> pd.DataFrame:
    """The confirmations kept in ``codings/convergence.csv`` (empty when there are none)."""
    if not path.is_file():
        return pd.DataFrame(columns=[*KEYS, *FILLED])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or any(c not in reader.fieldnames for c in
                                            (*KEYS, *FILLED)):
            raise CodingError(f"the header must name the columns {','.join((*KEYS, *FILLED))}",
                              path=path, line=1)
        return pd.DataFrame([{c: unguard((row[c] or "").strip()) for c in (*KEYS, *FILLED)}
                             for row in reader], columns=[*KEYS, *FILLED])


def write_confirmed(path: Path, confirmed: pd.DataFrame) -> Path:
    return write_csv(path, confirmed.sort_values(list(KEYS)))
