"""Result tables as one Excel workbook, a sheet per table (layout only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.io.files import write_office


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """One sheet per table, header bold and frozen, numbers rounded to 3 decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, table in sheets.items():
        sheet = workbook.create_sheet(name[:31])
        sheet.append([str(c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.round(3).itertuples(index=False):
            sheet.append([None if pd.isna(v) else v.item() if hasattr(v, "item") else v
                          for v in row])
        for i, column in enumerate(table.columns, 1):
            sheet.column_dimensions[get_column_letter(i)].width = max(9, min(40,
                                                                           len(str(column)) + 2))
        sheet.freeze_panes = "B2"
    return write_office(path, workbook)


def matrix_sheet(matrix: pd.DataFrame) -> pd.DataFrame:
    """A long framework matrix laid out wide for reading: one row per code or domain, and per
    column value its participants (``5/8 (62%)``), segments and quotes."""
    keys = ["code_id", "label", "row"]
    wide = matrix[keys].drop_duplicates().reset_index(drop=True)
    for value, cell in matrix.groupby("value", sort=False):
        cell = cell.reset_index(drop=True)
        wide[f"{value}: participants"] = [
            f"{n}/{total} ({share:.0%})" if total else f"{n}/0"
            for n, total, share in zip(cell["n_participants"], cell["n_column_participants"],
                                       cell["share_participants"], strict=True)]
        wide[f"{value}: segments"] = cell["n_segments"]
        wide[f"{value}: quotes"] = cell["quotes"]
    return wide
