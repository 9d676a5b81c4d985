"""The codebook as Markdown and as a Word document that coders keep open while coding."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from qualcode.codebook import Code, Codebook
from qualcode.report.document import new_document, save_document

_HEADINGS = {
    "fr": {"code": "Code", "definition": "Définition", "include": "Inclure",
           "exclude": "Exclure", "examples": "Exemples", "requirement": "Exigence",
           "domain": "Domaine", "codable": "codes", "intro":
           "Une ligne par code. Coder un segment avec le code le plus précis qui s'applique ; "
           "plusieurs codes par segment sont permis. Les identifiants (en gris) sont ceux à "
           "saisir dans les feuilles de codage."},
    "en": {"code": "Code", "definition": "Definition", "include": "Include",
           "exclude": "Exclude", "examples": "Examples", "requirement": "Requirement",
           "domain": "Domain", "codable": "codes", "intro":
           "One row per code. Code a segment with the most specific code that applies; several "
           "codes per segment are allowed. The ids (in grey) are what coding sheets take."},
}


def _words(language: str) -> Mapping[str, str]:
    return _HEADINGS.get(language, _HEADINGS["en"])


def codebook_markdown(codebook: Codebook, *, language: str | None = None) -> str:
    """The codebook as Markdown: one section per domain, one entry per code."""
    lang = language or codebook.language
    words = _words(lang)
    lines = [f"# {codebook.text(codebook.title, lang)}", "",
             f"`{codebook.id}` {codebook.version}".strip(), "", words["intro"], ""]
    for code in codebook.codes:
        heading = "#" * min(code.depth + 2, 6)
        lines += [f"{heading} {codebook.text(code.label, lang)} (`{code.id}`)", "",
                  codebook.text(code.definition, lang), ""]
        for key in ("include", "exclude"):
            if getattr(code, key):
                lines.append(f"- **{words[key]}** : {codebook.text(getattr(code, key), lang)}"
                             if lang == "fr" else
                             f"- **{words[key]}**: {codebook.text(getattr(code, key), lang)}")
        for example in code.examples:
            lines.append(f"- *« {example} »*" if lang == "fr" else f"- *\"{example}\"*")
        if code.requirement is not None:
            text = code.requirement.text.get(lang) or next(iter(code.requirement.text.values()))
            lines.append(f"- **{words['requirement']}** {code.requirement.id} : {text}")
        if code.codable:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_codebook_docx(codebook: Codebook, path: Path, *, language: str | None = None) -> Path:
    """A landscape Word codebook: one table per domain (definition, include, exclude,
    examples), written atomically."""
    from docx.shared import Cm, Pt, RGBColor

    lang = language or codebook.language
    words = _words(lang)
    document = new_document(lang, landscape=True)
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(codebook.text(codebook.title, lang), level=0)
    document.add_paragraph(words["intro"])
    widths = (Cm(5), Cm(6), Cm(5), Cm(5), Cm(5.7))
    for domain in codebook.domains:
        document.add_heading(f"{codebook.text(domain.label, lang)} ({domain.id})", level=1)
        document.add_paragraph(codebook.text(domain.definition, lang))
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, key in zip(table.rows[0].cells, ("code", "definition", "include", "exclude",
                                                   "examples"), strict=True):
            cell.text = words[key]
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell, "D9E2F3")
        for code in _descendants(codebook, domain):
            cells = table.add_row().cells
            label = cells[0].paragraphs[0]
            label.add_run(codebook.text(code.label, lang)).bold = True
            grey = cells[0].add_paragraph().add_run(code.id)
            grey.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
            cells[1].text = codebook.text(code.definition, lang)
            if not code.codable:
                for cell in cells:
                    _shade(cell)
                continue
            cells[2].text = codebook.text(code.include, lang) if code.include else ""
            cells[3].text = codebook.text(code.exclude, lang) if code.exclude else ""
            cells[4].text = "\n".join(f"« {e} »" if lang == "fr" else f'"{e}"'
                                      for e in code.examples)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
        _repeat_header(table.rows[0])
    return save_document(path, document, lang)


def _descendants(codebook: Codebook, domain: Code) -> list[Code]:
    return [c for c in codebook.codes if c.id.startswith(domain.id + ".")]


def _shade(cell, fill: str = "E7E6E6") -> None:
    """Give a table cell a background colour (categories stand out from codes)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    """Mark a table row as a header repeated on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)
