"""Reading back the workbooks researchers fill in (decisions, confirmations)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from qualcode.errors import CodingError
from qualcode.io.cells import unguard
from qualcode.io.files import unreadable
from qualcode.io.office import read_workbook


def read_filled(path: Path, sheet: str, columns: Iterable[str]
                ) -> list[tuple[int, dict[str, str]]]:
    """``(row number, {column: text})`` for each non-empty row of ``sheet``; the first row
    must name every one of ``columns``. Empty cells read as ``""``."""
    columns = list(columns)
    names, sheets = read_workbook(path, (sheet,), CodingError)
    if sheet not in names:
        raise CodingError(f"no worksheet named '{sheet}'; rename it back", path=path)
    rows = sheets[sheet]
    header = [str(h) for h in rows[0]] if rows else []
    if any(column not in header for column in columns):
        raise CodingError(f"the first row must name the columns {', '.join(columns)}",
                          path=path, line="row 1")
    position = {column: header.index(column) for column in columns}
    return [(number, {c: "" if row[i] is None else str(row[i]).strip()
                      for c, i in position.items()})
            for number, row in enumerate(rows[1:], 2) if row and row[0] is not None]


def filled_table(path: Path, sheet: str, columns: Iterable[str]) -> pd.DataFrame:
    """:func:`read_filled` as a table, each row's place in ``location`` (``row 4``)."""
    return _located(read_filled(path, sheet, columns), columns, "row")


def kept_table(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    """:func:`read_kept` as a table, each row's place in ``location`` (``line 4``); empty
    when the file does not exist (nothing kept yet)."""
    return _located(read_kept(path, columns) if path.is_file() else [], columns, "line")


def _located(rows: list[tuple[int, dict[str, str]]], columns: Iterable[str], unit: str
             ) -> pd.DataFrame:
    return pd.DataFrame([{**values, "location": f"{unit} {number}"} for number, values in rows],
                        columns=[*columns, "location"])


def read_kept(path: Path, columns: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """``(line number, {column: text})`` for each row of a CSV file where researchers'
    decisions are kept; the header must name every one of ``columns``."""
    import csv

    columns = list(columns)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or any(c not in reader.fieldnames for c in columns):
                raise CodingError(f"the header must name the columns {','.join(columns)}",
                                  path=path, line=1)
            return [(reader.line_num, {c: unguard((row[c] or "").strip()) for c in columns})
                    for row in reader]
    except UnicodeDecodeError:
        raise CodingError("not UTF-8 text; save it as CSV UTF-8", path=path) from None
    except csv.Error as err:
        raise CodingError(f"not a valid CSV file ({err})", path=path) from None
    except OSError as err:
        raise unreadable(path, err, CodingError) from None


def protect(sheet, *, editable: int, choices: dict[int, tuple[tuple[str, ...], str]],
            widths: Iterable[float]) -> None:
    """Lock a filled worksheet except its last ``editable`` columns, offer drop-down
    ``choices`` (column number -> values, error message), set the column widths, freeze the
    header and keep filtering and sorting possible."""
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    unlocked, wrap = Protection(locked=False), Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
        for cell in row[-editable:]:
            cell.protection = unlocked
    for column, (values, error) in choices.items():
        validation = DataValidation(type="list", formula1=f'"{",".join(values)}"',
                                    allow_blank=True, showErrorMessage=True, error=error,
                                    errorTitle="qualcode")
        letter = get_column_letter(column)
        validation.add(f"{letter}2:{letter}{max(sheet.max_row, 2)}")
        sheet.add_data_validation(validation)
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.protection.sheet = True
    sheet.protection.autoFilter = sheet.protection.sort = False
