"""Result tables as one Excel workbook, a sheet per table (layout only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.io.files import write_office
from qualcode.report.wording import Wording

# The columns whose values are codes the wording puts into words, and which kind of code.
_VALUE_KINDS = {"priority": ("priority",), "status": ("status", "agreement"),
                "agreement_status": ("agreement",), "convergence": ("convergence",),
                "suggested": ("convergence",), "confirmed": ("convergence",),
                "kind": ("kind",)}


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], *,
                   words: Wording | None = None) -> Path:
    """One sheet per table, numbers rounded to 3 decimals, laid out for reading and
    printing: header bold, shaded and frozen (with the first column), columns as wide as
    their content (up to 60 characters, longer text wrapped), A4 landscape fitted to the page
    width with the header repeated on every page. With ``words``, headers, codes (priority,
    status, convergence...) and yes/no are in the study's language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, table in sheets.items():
        sheet = workbook.create_sheet(name[:31])
        table = _in_words(table, words) if words is not None else table
        sheet.append([str(c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="D9E2F3")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.round(3).itertuples(index=False):
            sheet.append([None if pd.isna(v) else v.item() if hasattr(v, "item") else v
                          for v in row])
        for i, column in enumerate(table.columns, 1):
            values = table[column].astype(str).str.len()
            longest = max([len(str(column)) * 0.8, *(values.tolist() or [0])])
            width = max(9, min(60, int(longest) + 2))
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = width
            if longest > 60:
                for cell in sheet[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "B2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return write_office(path, workbook)


def _in_words(table: pd.DataFrame, words: Wording) -> pd.DataFrame:
    """``table`` with its coded values and yes/no in words, and its headers translated."""
    table = table.copy()
    for column in table.columns:
        kinds = _VALUE_KINDS.get(str(column))
        if kinds is not None:
            table[column] = table[column].map(lambda v, k=kinds: _value(v, k, words))
        elif table[column].dtype == bool:
            table[column] = table[column].map(words.yes_no)
    return table.rename(columns=lambda c: words.column(str(c)))


def _value(value, kinds: tuple[str, ...], words: Wording):
    if not isinstance(value, str) or not value:
        return value
    for kind in kinds:
        word = words.label(kind, value)
        if word != value.replace("_", " ") or kind == kinds[-1]:
            return word
    return value


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
