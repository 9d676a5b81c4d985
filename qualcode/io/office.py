"""Opening the Word and Excel files researchers bring, which may be damaged.

A ``.docx`` or ``.xlsx`` file is a zip archive of XML parts. A file cut short, damaged by a
bad copy, or another format renamed fails deep inside ``zipfile``, ``zlib``, the XML parsers
or the python-docx and openpyxl object builders, each with its own exception. This module
turns all of them into one :class:`~qualcode.errors.QualcodeError` naming the file, and reads
everything it needs while catching them (openpyxl parses a worksheet only when its rows are
iterated, so the rows are read here, not later).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.io.files import check_readable

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

    check_readable(path)
    try:
        document = docx.Document(str(path))
        # A main part that is not a Word document (damaged content types) fails here, not
        # later where the properties and comments are read.
        document.core_properties.identifier  # noqa: B018
        document.comments  # noqa: B018
    except (PackageNotFoundError, AttributeError, *DAMAGED):
        document = None
    if document is None or document.element.find(qn("w:body")) is None:
        raise error("not a readable Word .docx file (damaged, or another format renamed "
                    ".docx); open it in Word or LibreOffice and save it again as .docx",
                    path=path)
    return document


def read_workbook(path: Path, sheets: Iterable[str], error: type[QualcodeError]
                  ) -> tuple[list[str], dict[str, list[tuple]]]:
    """The worksheet names of the Excel file ``path`` and the rows (cell values) of those of
    ``sheets`` it holds; a damaged file raises ``error``."""
    from openpyxl import load_workbook

    check_readable(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            names = list(workbook.sheetnames)
            rows = {name: [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
                    for name in sheets if name in names}
        finally:
            workbook.close()
    except DAMAGED:
        raise error("not a readable Excel .xlsx file (damaged, or another format renamed "
                    ".xlsx); open it in Excel or LibreOffice and save it again as .xlsx",
                    path=path) from None
    return names, rows
