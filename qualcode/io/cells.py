"""Cells are data, never formulas, in the Excel and CSV files qualcode writes.

Spreadsheets run a cell whose text starts with ``=`` as a formula, and Excel does the same in
a CSV file for ``+``, ``-``, ``@``, a tab or a carriage return: a participant quoted as
``=HYPERLINK("http://…"&A1, "clic")`` would become a live link in a coder's sheet.

- Excel files: every text cell is written as text (openpyxl turns a text starting with ``=``
  into a formula; :func:`text_cells` turns it back), so it reads back as typed.
- CSV files: following OWASP's advice on CSV injection, a text cell starting with one of
  :data:`GUARDED` gets a leading apostrophe, which Excel and LibreOffice show as nothing and
  treat as "this is text". A text already starting with an apostrophe gets one more, so that
  the rule can be undone without doubt: :func:`unguard` removes one leading apostrophe when
  the next character is one of :data:`GUARDED` or an apostrophe (and only then), and
  ``unguard(guard(text)) == text`` for every text. Numbers (``-0.12``) are numbers, not text,
  and are never guarded.
"""

from __future__ import annotations

import pandas as pd

GUARDED = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_GUARD_STARTS = (*GUARDED, _QUOTE)


def guard(text: str) -> str:
    """``text`` as a CSV cell that spreadsheets do not run (see the module's rule)."""
    return _QUOTE + text if text.startswith(_GUARD_STARTS) else text


def unguard(text: str) -> str:
    """The text a CSV cell written by :func:`guard` holds (other cells are unchanged)."""
    return text[1:] if text.startswith(_QUOTE) and text[1:2] in _GUARD_STARTS else text


def guard_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell guarded; number columns are left as they are."""
    texts = [name for name, dtype in table.dtypes.items() if pd.api.types.is_string_dtype(dtype)]
    if not texts:
        return table
    guarded = table.copy()
    for name in texts:
        guarded[name] = table[name].map(lambda v: guard(v) if isinstance(v, str) else v)
    return guarded


def text_cells(workbook) -> None:
    """Make every formula cell of an openpyxl ``workbook`` a text cell: qualcode writes no
    formula, so any is a text that starts with ``=``."""
    for sheet in workbook.worksheets:
        for cell in sheet._cells.values():  # only the cells that exist, not the blank range
            if cell.data_type == "f":
                cell.data_type = "s"
