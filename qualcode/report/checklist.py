"""The checklist for elected officials, in Word and Markdown (layout only, in French)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.agreement.tables import AgreementTables
from qualcode.checklist import PRIORITIES, evidence_sentence
from qualcode.codebook import Codebook
from qualcode.io.files import write_office
from qualcode.study import Study

BOX = "☐"
KIND_WORDS = {"university_city": "ville universitaire", "prefecture": "préfecture",
               "rural_town": "petite ville rurale"}


@dataclass(frozen=True, slots=True)
class ChecklistContext:
    """What the checklist says about the study: sites, participants, coding, agreement."""

    study: Study
    codebook: Codebook
    coding: str
    agreement_sentence: str

    @property
    def unit(self) -> str:
        return "groupes" if len(self.study.groups) == len(self.study.sites) else "sites"


def summary_paragraphs(context: ChecklistContext) -> list[str]:
    """The one-page summary: what was studied, who, where, how to read the list."""
    study = context.study
    towns = ", ".join(f"{site.name} ({KIND_WORDS.get(site.kind, site.kind)})"
                      for site in study.sites)
    invited = sum(g.invited or 0 for g in study.groups)
    fictional = ["Étude fictive de démonstration : les propos et les chiffres sont inventés."] \
        if study.fictional else []
    return [*fictional,
            f"{len(study.participants)} internes de médecine générale ont participé à "
            f"{len(study.groups)} focus groups"
            + (f" ({invited} invités)" if invited else "") + f", dans {len(study.sites)} "
            f"villes de types différents : {towns}.",
            "Les échanges ont été enregistrés, retranscrits, pseudonymisés, puis codés "
            "indépendamment par deux chercheurs, qui ont ensuite tranché leurs désaccords "
            f"({context.coding}).",
            "Chaque exigence ci-après découle d'un thème exprimé par les internes. Sa priorité "
            "dit la force des données : « Indispensable » = évoqué dans tous les "
            f"{context.unit} et par au moins 40 % des internes ; « Important » = au moins deux "
            f"{context.unit} ou 25 % des internes ; « Souhaitable » = évoqué ; « Non évoqué » "
            "= aucune donnée. « À confirmer » signale un thème dont le codage est peu fiable.",
            "Cochez ☐ chaque exigence que votre projet satisfait.",
            ]


def write_checklist_docx(path: Path, table: pd.DataFrame, context: ChecklistContext,
                         figure: Path | None = None,
                         assessments: list[tuple[dict, pd.DataFrame]] = ()) -> Path:
    """Title page, summary, the requirements by domain (each with ☐, priority, evidence and
    quotes), the assessment of each housing design (coverage and gaps), and a method
    annex."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    study, codebook = context.study, context.codebook
    colours = dict(zip(PRIORITIES, (RGBColor(0xB0, 0x1E, 0x1E), RGBColor(0xB3, 0x5C, 0x00),
                                    RGBColor(0x2E, 0x6B, 0x30), RGBColor(0x66, 0x66, 0x66)),
                       strict=True))
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10.5)
    for _ in range(6):
        document.add_paragraph()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("Logement des internes de médecine générale\nCahier des exigences")
    run.bold, run.font.size = True, Pt(24)
    subtitle = document.add_paragraph(study.title)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.runs[0].font.size = Pt(13)
    note = document.add_paragraph("À l'attention des élus et des porteurs de projet d'un "
                                  "hébergement territorial des étudiants en santé (HTES)")
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.runs[0].italic = True
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("En bref", level=1)
    for text in summary_paragraphs(context):
        document.add_paragraph(text)
    counts = table["priority"].value_counts()
    document.add_paragraph(" ; ".join(f"{counts.get(p, 0)} {p.lower()}" for p in PRIORITIES)
                           + f" ({len(table)} exigences).")
    if figure is not None and figure.is_file():
        document.add_picture(str(figure), width=Cm(15))
    for domain in codebook.domains:
        mine = table[table["domain"] == domain.id]
        if mine.empty:
            continue
        document.add_page_break()
        document.add_heading(codebook.text(domain.label, study.language), level=1)
        for row in mine.to_dict("records"):
            item = document.add_paragraph()
            item.paragraph_format.space_before = Pt(8)
            item.add_run(f"{BOX} ").font.size = Pt(13)
            item.add_run(row["text"]).bold = True
            details = document.add_paragraph()
            details.paragraph_format.left_indent = Cm(0.8)
            tag = details.add_run(row["priority"] + (" · à confirmer" if row["to_confirm"]
                                                      else ""))
            tag.bold = True
            tag.font.color.rgb = colours[row["priority"]]
            details.add_run(f" — {evidence_sentence(row, unit=context.unit)}. "
                            f"Thème : {row['label']} ({row['requirement_id']}).")
            for quote in filter(None, row["quotes"].split("\n")[:2]):
                line = document.add_paragraph(quote)
                line.paragraph_format.left_indent = Cm(1.2)
                line.runs[0].italic = True
                line.runs[0].font.size = Pt(9.5)
                line.runs[0].font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    for summary, gaps in assessments:
        _assessment_section(document, summary, gaps)
    document.add_page_break()
    document.add_heading("Annexe : méthode", level=1)
    for text in _method(context):
        document.add_paragraph(text)
    return write_office(path, document)


def _assessment_section(document, summary: dict, table: pd.DataFrame) -> None:
    from docx.shared import Cm

    from qualcode.assessment import STATUS_FR

    document.add_page_break()
    document.add_heading(f"Évaluation : {summary['design']}", level=1)
    document.add_paragraph(
        f"Couverture pondérée par la priorité : {summary['coverage']:.0%} des exigences "
        f"({summary['n_met']} satisfaites, {summary['n_partly']} en partie, "
        f"{summary['n_not_met']} non satisfaites, {summary['n_unknown']} inconnues faute "
        "d'information)".replace("%", " %") + ". Les exigences inconnues sont à vérifier "
        "auprès du porteur du projet.")
    gaps = table[table["status"].isin(("partly", "not_met"))]
    if not gaps.empty:
        grid = document.add_table(rows=1, cols=4)
        grid.style = "Table Grid"
        for cell, title in zip(grid.rows[0].cells, ("Exigence", "Priorité", "État", "Note"),
                               strict=True):
            cell.text = title
            cell.paragraphs[0].runs[0].bold = True
        for row in gaps.itertuples(index=False):
            cells = grid.add_row().cells
            cells[0].text = f"{row.text} ({row.requirement_id})"
            cells[1].text, cells[2].text, cells[3].text = (row.priority, STATUS_FR[row.status],
                                                           row.note)
        grid.autofit = False
        widths = [Cm(w) for w in (7.4, 2.9, 2.1, 4.6)]
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width  # the grid LibreOffice reads
            for cell in column.cells:
                cell.width = width  # the cell widths Word reads
    unknown = table[(table["status"] == "unknown") & (table["priority"] == "Indispensable")]
    if not unknown.empty:
        document.add_paragraph("Exigences indispensables sur lesquelles l'information manque "
                               "(à demander au porteur du projet) :")
        for row in unknown.itertuples(index=False):
            document.add_paragraph(f"{row.text} ({row.requirement_id})", style="List Bullet")


def _method(context: ChecklistContext) -> list[str]:
    return [
        "Focus groups enregistrés et retranscrits intégralement ; les participants sont "
        "désignés par un identifiant (P01…), les noms cités ont été remplacés.",
        f"Codage : grille hiérarchique « {context.codebook.text(context.codebook.title)} » "
        f"({len(context.codebook.codable)} codes en {len(context.codebook.domains)} domaines), "
        "double codage indépendant par phrase, désaccords tranchés en réunion de consensus "
        "et consignés.",
        context.agreement_sentence,
        "Triangulation des sites : chaque thème est comparé d'une ville à l'autre (présence, "
        "part des internes qui l'évoquent). Les citations sont choisies parmi les passages "
        "les plus représentatifs du thème (les plus proches du centre du thème, en phrases "
        "complètes, une par interne).",
        "Analyse réalisée avec qualcode (logiciel libre).",
    ]


def checklist_markdown(table: pd.DataFrame, context: ChecklistContext) -> str:
    """The same checklist as Markdown."""
    codebook, study = context.codebook, context.study
    lines = ["# Cahier des exigences : logement des internes", "", study.title, ""]
    lines += [f"{p}\n" for p in summary_paragraphs(context)]
    for domain in codebook.domains:
        mine = table[table["domain"] == domain.id]
        if mine.empty:
            continue
        lines += [f"## {codebook.text(domain.label, study.language)}", ""]
        for row in mine.to_dict("records"):
            confirm = " · à confirmer" if row["to_confirm"] else ""
            lines += [f"- [ ] **{row['text']}** — *{row['priority']}{confirm}* : "
                      f"{evidence_sentence(row, unit=context.unit)} ({row['requirement_id']})"]
            lines += [f"  > {quote}" for quote in filter(None, row["quotes"].split("\n")[:2])]
        lines.append("")
    lines += ["## Méthode", ""] + [f"{text}\n" for text in _method(context)]
    return "\n".join(lines).rstrip() + "\n"


def coding_words(consensus: bool) -> str:
    """Which coding the checklist is drawn from, in words."""
    return "codage de consensus" if consensus else "union des codeurs, consensus en cours"


def agreement_sentence(agreement: AgreementTables | None) -> str:
    """The checklist's sentence on inter-coder agreement."""
    if agreement is None:
        return "Accord inter-codeurs : non calculé (un seul codeur)."
    overall = agreement.domains[(agreement.domains["domain"] == "all")
                                & (agreement.domains["method"] == "pooled")].iloc[0]

    def french(value: float) -> str:
        return f"{value:.2f}".replace(".", ",")

    return (f"Accord inter-codeurs sur les codes utilisés : alpha de Krippendorff "
            f"{french(overall['krippendorff_alpha'])} (IC à 95 % "
            f"{french(overall['alpha_low'])} à {french(overall['alpha_high'])}), accord brut "
            f"{overall['percent_agreement']:.0%} (0,80 et plus : fiable ; de 0,667 à 0,80 : "
            "acceptable).").replace("%", " %")

