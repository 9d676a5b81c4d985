"""Excel coding sheets: one per coder, blank, with one column per codable code.

Layout of the ``coding`` worksheet (rows 1-3 are headers, frozen with the first five columns):

- row 1: ``segment_id``, ``group``, ``speaker``, ``context``, ``text``, then each domain's name
  over its codes, then ``note``;
- row 2: the code labels (rotated); row 3: the code ids, which is what :func:`read_sheet` reads;
- from row 4, one row per codable segment; a coder types ``x`` under every code that applies.

Why one column per code rather than drop-down lists: a coder sees every code of the codebook
on every row, applies one with a single key press, applies several without extra columns, and
cannot mistype (the cells accept only ``x``); drop-downs of 41 labels are slow to scroll and
behave differently in Excel and LibreOffice. Id and text cells are locked (the sheet is
protected without a password). A hidden ``qualcode`` worksheet records the coder.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from qualcode import schema as S
from qualcode.errors import CodingError

if TYPE_CHECKING:  # a name for annotations only: io/ imports nothing of the study model
    from qualcode.codebook import Codebook

SHEET = "coding"
CODEBOOK_SHEET = "codebook"
META_SHEET = "qualcode"
FIXED = ("segment_id", "group", "speaker", "context", "text")
FIRST_ROW = 4
NOTE = "note"
_MARKS = {"x"}
_FILLS = ("DDEBF7", "E2EFDA", "FFF2CC", "FCE4D6", "EDE2F6", "E7E6E6")


@dataclass(frozen=True, slots=True)
class SheetCoding:
    """One ``x`` in a sheet: the coder applied ``code_id`` to ``segment_id`` (at ``row``)."""

    segment_id: str
    code_id: str
    row: int


def write_sheet(path: Path, segments: pd.DataFrame, codebook: Codebook, *, coder: str,
                language: str, codes: dict[str, list[str]] | None = None,
                notes: dict[str, str] | None = None) -> None:
    """Write a coding sheet for ``coder`` (``segments`` are the codable ones, in order, with a
    ``context`` column holding the previous segment's text): blank, or with the ``codes``
    (segment id -> code ids) and ``notes`` carried over from an older sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from qualcode.io.files import write_office

    codable = codebook.codable
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    bold, grey = Font(bold=True), Font(color="808080", size=8)
    for column, name in enumerate(FIXED, 1):
        sheet.cell(1, column, name).font = bold
        sheet.merge_cells(start_row=1, end_row=3, start_column=column, end_column=column)
    first_code = len(FIXED) + 1
    domains = list(dict.fromkeys(code.domain for code in codable))
    for offset, code in enumerate(codable):
        column = first_code + offset
        fill = PatternFill("solid", fgColor=_FILLS[domains.index(code.domain) % len(_FILLS)])
        label = sheet.cell(2, column, codebook.text(code.label, language))
        label.alignment = Alignment(text_rotation=90, vertical="bottom", horizontal="center")
        label.comment = Comment(codebook.text(code.definition, language), "qualcode")
        sheet.cell(3, column, code.id).font = grey
        for row in (1, 2, 3):
            sheet.cell(row, column).fill = fill
        sheet.column_dimensions[get_column_letter(column)].width = 4
    for domain in domains:
        columns = [first_code + i for i, code in enumerate(codable) if code.domain == domain]
        sheet.cell(1, columns[0], codebook.text(codebook[domain].label, language)).font = bold
        sheet.merge_cells(start_row=1, end_row=1, start_column=columns[0],
                          end_column=columns[-1])
    note = first_code + len(codable)
    column_of = {code.id: first_code + i for i, code in enumerate(codable)}
    sheet.cell(1, note, NOTE).font = bold
    sheet.row_dimensions[2].height = 150
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    for r, row in enumerate(segments.itertuples(index=False), FIRST_ROW):
        context = row.context if len(row.context) <= 160 else row.context[:159] + "…"
        values = (row.segment_id, row.group_id, row.participant_id, context, row.text)
        for column, value in enumerate(values, 1):
            sheet.cell(r, column, value).alignment = wrap
        # Row heights are not fitted to wrapped text on opening, so estimate them.
        lines = max(math.ceil(len(row.text) / 62), math.ceil(len(context) / 30), 1)
        sheet.row_dimensions[r].height = 13 * lines
        sheet.cell(r, 4).font = Font(italic=True, color="808080")
        for column in range(first_code, note + 1):
            sheet.cell(r, column).protection = unlocked
        for code_id in (codes or {}).get(row.segment_id, ()):
            sheet.cell(r, column_of[code_id], "x")
        if (notes or {}).get(row.segment_id):
            sheet.cell(r, note, notes[row.segment_id])
    last = FIRST_ROW + len(segments) - 1
    code_range = f"{get_column_letter(first_code)}{FIRST_ROW}:{get_column_letter(note - 1)}" \
                 f"{max(last, FIRST_ROW)}"
    validation = DataValidation(type="list", formula1='"x"', allow_blank=True,
                                showErrorMessage=True, error="Type x to apply this code, or "
                                "leave the cell empty.", errorTitle="qualcode")
    validation.add(code_range)
    sheet.add_data_validation(validation)
    sheet.conditional_formatting.add(code_range, CellIsRule(
        operator="equal", formula=['"x"'], fill=PatternFill("solid", fgColor="70AD47")))
    for column, width in zip("ABCDE", (10, 7, 8, 30, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions[get_column_letter(note)].width = 30
    sheet.freeze_panes = sheet.cell(FIRST_ROW, first_code)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    _codebook_sheet(workbook.create_sheet(CODEBOOK_SHEET), codebook, language)
    meta = workbook.create_sheet(META_SHEET)
    meta.append(["coder", coder])
    meta.sheet_state = "hidden"
    write_office(path, workbook)


def _codebook_sheet(sheet, codebook: Codebook, language: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(["code_id", "label", "definition", "include", "exclude", "examples"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for code in codebook.codes:
        sheet.append([code.id, codebook.text(code.label, language),
                      codebook.text(code.definition, language),
                      codebook.text(code.include, language) if code.include else "",
                      codebook.text(code.exclude, language) if code.exclude else "",
                      "\n".join(code.examples)])
        if not code.codable:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (34, 28, 50, 50, 50, 50), strict=True):
        sheet.column_dimensions[column].width = width
        for cell in sheet[column]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"


def read_sheet(path: Path) -> tuple[str | None, dict[str, tuple[int, str]], list[SheetCoding],
                                    dict[str, str]]:
    """A filled sheet: its coder, ``{segment_id: (row, text)}`` of every row, the codings,
    and the notes (``{segment_id: note}``).

    Raises :class:`CodingError` naming the row and column of anything but ``x`` in a code cell.
    """
    from qualcode.io.office import read_workbook

    names, sheets = read_workbook(path, (SHEET, META_SHEET), CodingError)
    if SHEET not in names:
        raise CodingError(f"no worksheet named '{SHEET}' (found: {', '.join(names)}); rename "
                          "it back, or make a new sheet with 'qualcode sheet'", path=path)
    coder = None
    for key, value, *_ in ((*row, None, None) for row in sheets.get(META_SHEET, [])):
        if key == "coder" and value:
            coder = str(value)
    rows = sheets[SHEET]
    if len(rows) < FIRST_ROW - 1 or tuple(rows[0][:len(FIXED)]) != FIXED:
        raise CodingError(f"the first columns must be {', '.join(FIXED)}; this is not a "
                          "qualcode coding sheet, or its columns were moved", path=path,
                          line="row 1")
    code_ids = tuple(rows[2]) + (None,) * max(0, len(FIXED) - len(rows[2]))
    notes = {column for column, name in enumerate(rows[0]) if name == NOTE}
    texts, codings, written = {}, [], {}
    width = max(len(code_ids), *(len(row) for row in rows))
    for number, row in enumerate(rows[FIRST_ROW - 1:], FIRST_ROW):
        if not row or row[0] is None:
            continue
        row = tuple(row) + (None,) * (width - len(row))
        segment_id = str(row[0]).strip()
        texts[segment_id] = (number, "" if row[4] is None else str(row[4]))
        codings.extend(_marks(row, code_ids, notes, segment_id, number, path))
        typed = [str(row[c]) for c in sorted(notes) if row[c] is not None and str(row[c]).strip()]
        if typed:
            written[segment_id] = "\n".join(typed)
    return coder, texts, codings, written


def _marks(row, code_ids, notes: set[int], segment_id: str, number: int, path: Path
           ) -> Iterator[SheetCoding]:
    """The codes marked on one row; anything typed outside the code and note columns is an
    error rather than lost."""
    from openpyxl.utils import get_column_letter

    for column in range(len(FIXED), len(row)):
        value, code_id = row[column], code_ids[column] if column < len(code_ids) else None
        if value is None or not str(value).strip() or column in notes:
            continue
        if code_id is None:
            raise CodingError(f"cell {get_column_letter(column + 1)}{number} holds '{value}' "
                              "in a column with no code id in row 3; put the code id back "
                              "(see the codebook sheet), or move the text to the note column",
                              path=path, line=f"row {number}")
        if str(value).strip().lower() not in _MARKS:
            raise CodingError(f"cell {get_column_letter(column + 1)}{number} ({code_id}) holds "
                              f"'{value}'; type x to apply a code, or leave the cell empty",
                              path=path, line=f"row {number}")
        yield SheetCoding(segment_id, str(code_id), number)


def sheet_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """The codable segments, each with the text of the segment before it as context."""
    context = segments.groupby(S.TRANSCRIPT_ID)[S.TEXT].shift(1).fillna("")
    return segments.assign(context=context)[segments[S.CODABLE]]
