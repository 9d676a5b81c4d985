"""Reading back the workbooks researchers fill in (decisions, confirmations)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from qualcode.errors import CodingError
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
