"""Convergence confirmations: the workbook researchers fill in, and
``codings/convergence.csv`` where their confirmations are kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from qualcode.errors import CodingError
from qualcode.io.cells import unguard
from qualcode.io.files import write_csv, write_office
from qualcode.io.workbooks import read_filled

SHEET = "convergence"
KEYS = ("code_id", "site_a", "site_b")
FILLED = ("confirmed", "note")


def write_convergence(path: Path, table: pd.DataFrame, confirmed: pd.DataFrame,
                      classes: tuple[str, ...]) -> Path:
    """The convergence table with a ``confirmed`` drop-down and a ``note``, pre-filled with
    the confirmations already given."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    known = confirmed.set_index(list(KEYS))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([*table.columns, *FILLED])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(table.round(3).itertuples(index=False), 2):
        key = (row.code_id, row.site_a, row.site_b)
        given = known.loc[key] if key in known.index else None
        sheet.append([None if pd.isna(v) else v for v in row] +
                     (["", ""] if given is None else [given["confirmed"], given["note"]]))
        for column in (len(table.columns) + 1, len(table.columns) + 2):  # not sheet[row]:
            sheet.cell(number, column).protection = Protection(locked=False)  # it scans all
    letter = sheet.cell(1, len(table.columns) + 1).column_letter
    validation = DataValidation(type="list", formula1=f'"{",".join(classes)}"',
                                allow_blank=True, showErrorMessage=True)
    validation.add(f"{letter}2:{letter}{max(len(table) + 1, 2)}")
    sheet.add_data_validation(validation)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.protection.sheet = True
    sheet.protection.autoFilter = sheet.protection.sort = False
    return write_office(path, workbook)


def read_convergence(path: Path, classes: tuple[str, ...]) -> pd.DataFrame:
    """Confirmations from a filled workbook (rows left empty are not confirmations)."""
    records = []
    for number, value in read_filled(path, SHEET, (*KEYS, *FILLED)):
        if value["confirmed"] and value["confirmed"] not in classes:
            raise CodingError(f"'{value['confirmed']}' is not one of {', '.join(classes)}",
                              path=path, line=f"row {number}")
        if value["confirmed"]:
            records.append(value)
    return pd.DataFrame(records, columns=[*KEYS, *FILLED])


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
