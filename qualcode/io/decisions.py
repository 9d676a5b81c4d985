"""Consensus decisions: the disagreements workbook researchers fill in, and
``codings/consensus.csv`` where their decisions are kept (the audit trail)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.errors import CodingError
from qualcode.io.files import write_csv, write_office
from qualcode.io.workbooks import read_filled
from qualcode.schema import DECISION_COLUMNS, DECISIONS, DISAGREEMENT_COLUMNS

SHEET = "disagreements"
COLUMNS = (*DISAGREEMENT_COLUMNS, "label", "decision", "rationale", "decided_by")


def write_disagreements(path: Path, table: pd.DataFrame, decisions: pd.DataFrame,
                        labels: dict[str, str]) -> None:
    """The disagreements workbook, with decisions already taken filled in.

    ``decision`` accepts only keep or drop (a drop-down); ``rationale`` and ``decided_by`` are
    free text. Only these three columns are editable.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    known = {(segment, code): taken for segment, code, *taken in
             decisions[list(DECISION_COLUMNS)].itertuples(index=False)}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    unlocked, wrap = Protection(locked=False), Alignment(wrap_text=True, vertical="top")
    # Cells are reached by their row and column: openpyxl's max_row and sheet[row] scan every
    # cell of the sheet, which made writing quadratic (minutes for 50,000 disagreements).
    for number, row in enumerate(table.itertuples(index=False), 2):
        taken = known.get((row.segment_id, row.code_id), ("", "", ""))
        sheet.append([*row, labels.get(row.code_id, ""), *taken])
        for column in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(number, column)
            cell.alignment = wrap
            if column > len(COLUMNS) - 3:
                cell.protection = unlocked
    validation = DataValidation(type="list", formula1=f'"{",".join(DECISIONS)}"',
                                allow_blank=True, showErrorMessage=True,
                                error="Choose keep or drop.", errorTitle="qualcode")
    first_decision = len(COLUMNS) - 2
    letter = sheet.cell(1, first_decision).column_letter
    validation.add(f"{letter}2:{letter}{max(len(table) + 1, 2)}")
    sheet.add_data_validation(validation)
    for letter, width in zip("ABCDEFGHIJK", (10, 6, 8, 60, 26, 10, 10, 24, 9, 40, 12),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.protection.sheet = True
    sheet.protection.autoFilter = sheet.protection.sort = False
    write_office(path, workbook)


def read_disagreements(path: Path) -> pd.DataFrame:
    """Decisions from a filled disagreements workbook (``location`` = its row)."""
    records = [{**values, "location": f"row {number}"}
               for number, values in read_filled(path, SHEET, DECISION_COLUMNS)]
    return _checked(pd.DataFrame(records, columns=[*DECISION_COLUMNS, "location"]), path)


def read_decisions(path: Path) -> pd.DataFrame:
    """Decisions kept in ``codings/consensus.csv``; an empty table when there is none."""
    if not path.is_file():
        return pd.DataFrame(columns=[*DECISION_COLUMNS, "location"])
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or any(c not in reader.fieldnames
                                                for c in DECISION_COLUMNS):
                raise CodingError(f"the header must name the columns "
                                  f"{','.join(DECISION_COLUMNS)}", path=path, line=1)
            records = [{**{c: (row[c] or "").strip() for c in DECISION_COLUMNS},
                        "location": f"line {reader.line_num}"} for row in reader]
    except UnicodeDecodeError:
        raise CodingError("not UTF-8 text; save it as CSV UTF-8", path=path) from None
    except csv.Error as err:
        raise CodingError(f"not a valid CSV file ({err})", path=path) from None
    return _checked(pd.DataFrame(records, columns=[*DECISION_COLUMNS, "location"]), path)


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
    """Keep the decisions taken (sorted) in ``codings/consensus.csv``."""
    taken = decisions[decisions["decision"] != ""][list(DECISION_COLUMNS)]
    return write_csv(path, taken.sort_values([S.SEGMENT_ID, S.CODE_ID]))
