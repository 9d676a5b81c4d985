"""Word documents as every output lays them out: A4, the study's language tag, French
typography, numbered captions, tables with widths."""

from __future__ import annotations

from pathlib import Path

from qualcode.io.files import write_office
from qualcode.io.reuse import ready
from qualcode.report.wording import Wording, typography

LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def new_document(language: str, *, landscape: bool = False):
    """An empty python-docx document on A4 (portrait or landscape) with 2 cm margins, its
    text tagged in ``language`` (spelling and hyphenation follow it)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5 if landscape else 2.0))
    tag = LANGUAGE_TAGS.get(language, language)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    lang = OxmlElement("w:lang")
    for key in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(key), tag)
    properties.append(lang)
    for style in document.styles:  # styles of the template that name a language of their own
        element = style.element.find(qn("w:rPr"))
        if element is not None:
            for old in element.findall(qn("w:lang")):
                old.set(qn("w:val"), tag)
    _resolve_styles_once(document)
    return document


def _resolve_styles_once(document) -> None:
    """Look each style name up once per document: python-docx searches the styles by name,
    and scans them all for the default one, every time a paragraph, heading or table is given
    a style by name (a third of the time spent writing a report). A document's styles are set
    when it is made, so the ids found first are the ids python-docx would find each time
    (same bytes)."""
    part = document.part
    resolve, known = part.get_style_id, {}

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):
            return resolve(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in known:
            known[key] = resolve(style_or_name, style_type)
        return known[key]

    part.get_style_id = get_style_id


def save_document(path: Path, document, language: str) -> Path:
    """Give every run of ``document`` (body, tables, headers and footers) the typography of
    ``language``, then write it atomically."""
    for paragraph in _paragraphs(document):
        for run in paragraph.runs:
            text = typography(run.text, language)
            if text != run.text:  # setting a run's text removes its picture, if any
                run.text = text
    return write_office(path, document)


def _paragraphs(document):
    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", ()):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from walk(part)


def add_figure(document, path: Path | None, width: float) -> bool:
    """The figure at ``path``, ``width`` cm wide, once written (a worker of the run may still
    be drawing it); whether there was one."""
    from docx.shared import Cm

    if path is None:
        return False
    ready(path)
    if not Path(path).is_file():
        return False
    document.add_picture(str(path), width=Cm(width))
    return True


class Numbering:
    """Numbered captions of tables and figures: "Tableau 1. ...", "Figure 2. ..."."""

    def __init__(self, words: Wording) -> None:
        self.words, self.tables, self.figures = words, 0, 0

    def table(self, document, caption: str) -> None:
        """A caption above the next table."""
        self.tables += 1
        self._caption(document, self.words("report.table", n=self.tables, caption=caption))

    def figure(self, document, path: Path | None, caption: str, width: float = 16) -> None:
        """The figure at ``path`` (when it was written) with its caption below."""
        if not add_figure(document, path, width):
            return
        self.figures += 1
        self._caption(document, self.words("report.figure", n=self.figures, caption=caption))

    @staticmethod
    def _caption(document, text: str) -> None:
        paragraph = document.add_paragraph()
        number, _, rest = text.partition(". ")
        paragraph.add_run(number + ". ").bold = True
        paragraph.add_run(rest).italic = True


def add_table(document, header: list[str], rows: list[list[str]],
              widths: list[float] | None = None):
    """A grid table with a bold header row repeated on every page; ``widths`` in cm."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = str(text)
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    if widths:
        grid.autofit = False
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = Cm(width)  # the grid LibreOffice reads
            for cell in column.cells:
                cell.width = Cm(width)  # the cell widths Word reads
    document.add_paragraph()
    return grid
