"""Opening the Word, Excel and LibreOffice files researchers bring, which may be damaged.

A ``.docx``, ``.xlsx`` or ``.ods`` file is a zip archive of XML parts, first checked by
:func:`~qualcode.io.zipped.check_office` (readable, a zip, of bounded size). A file cut short,
damaged by a bad copy, or another format renamed fails deep inside ``zipfile``, ``zlib``, the
XML parsers or the python-docx and openpyxl object builders, each with its own exception. This
module turns all of them into one :class:`~qualcode.errors.QualcodeError` naming the file, and
reads everything it needs while catching them (openpyxl parses a worksheet only when its rows
are iterated, so the rows are read here, not later).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.io.zipped import check_office

# What a damaged Office file raises: a broken zip (BadZipFile, zlib.error, EOFError, OSError on
# a seek past the end, NotImplementedError for an unknown zip version or compression), broken
# XML (xml.etree's ParseError and lxml's XMLSyntaxError are both SyntaxError), and XML that
# parses but does not build the objects (KeyError for a missing part, ValueError and TypeError
# for wrong attributes).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, SyntaxError,
           KeyError, ValueError, TypeError)


def open_docx(path: Path, error: type[QualcodeError]):
    """The python-docx ``Document`` of ``path``; a damaged file raises ``error``."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    check_office(path, error, _DAMAGED_DOCX)
    try:
        document = docx.Document(str(path))
        # A main part that is not a Word document (damaged content types) fails here, not
        # later where the properties and comments are read.
        document.core_properties.identifier  # noqa: B018
        document.comments  # noqa: B018
    except (PackageNotFoundError, AttributeError, *DAMAGED):
        document = None
    if document is None or document.element.find(qn("w:body")) is None:
        raise error(_DAMAGED_DOCX, path=path)
    return document


_DAMAGED_DOCX = ("not a readable Word .docx file (damaged, or another format renamed .docx); "
                 "open it in Word or LibreOffice and save it again as .docx")
_DAMAGED_XLSX = ("not a readable Excel .xlsx file (damaged, or another format renamed .xlsx); "
                 "open it in Excel or LibreOffice and save it again as .xlsx")
_DAMAGED_ODS = ("not a readable OpenDocument .ods file (damaged, or another format renamed "
                ".ods); open it in LibreOffice and save it again")


def read_workbook(path: Path, sheets: Iterable[str], error: type[QualcodeError]
                  ) -> tuple[list[str], dict[str, list[tuple]]]:
    """The worksheet names of the Excel (``.xlsx``, ``.xlsm``) or LibreOffice (``.ods``)
    file ``path`` and the rows (cell values) of those of ``sheets`` it holds; a damaged file
    raises ``error``."""
    from openpyxl import load_workbook

    if path.suffix.lower() == ".ods":
        return _read_ods(path, sheets, error)
    check_office(path, error, _DAMAGED_XLSX)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            names = list(workbook.sheetnames)
            rows = {name: [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
                    for name in sheets if name in names}
        finally:
            workbook.close()
    except DAMAGED:
        raise error(_DAMAGED_XLSX, path=path) from None
    return names, rows


def _read_ods(path: Path, sheets: Iterable[str], error: type[QualcodeError]
              ) -> tuple[list[str], dict[str, list[tuple]]]:
    """:func:`read_workbook` for LibreOffice's ``.ods``, read by pandas with odfpy (empty
    cells are None, as openpyxl gives them; empty rows are kept, so row numbers match)."""
    import pandas as pd

    check_office(path, error, _DAMAGED_ODS)
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, engine="odf", dtype=object)
    except (*DAMAGED, AttributeError, IndexError) as err:
        raise error(f"{_DAMAGED_ODS} ({type(err).__name__})", path=path) from None
    rows = {name: [tuple(None if pd.isna(v) else v for v in row)
                   for row in frame.itertuples(index=False)]
            for name, frame in frames.items() if name in set(sheets)}
    return list(frames), rows
