"""The checklist for elected officials, in Word and Markdown (layout only), in the study's
language.

A one-page summary first (who was heard, the strongest requirements ranked, how priorities
are set), then the requirements in the sections of a *programme fonctionnel* (capacity,
location, spaces, services, management, costs, timeline: the codebook's requirement
categories say which), by priority and evidence score within each, then the assessment of
each design (what it meets, what is missing, what is unknown), then the method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from qualcode.agreement.tables import AgreementTables
from qualcode.checklist import PRIORITIES, PriorityRules
from qualcode.codebook import SECTIONS, Codebook
from qualcode.report.document import add_figure, new_document, save_document
from qualcode.report.wording import Wording, study_wording
from qualcode.study import Study

BOX = "☐"
TOP = 8
"""How many requirements the summary ranks."""


@dataclass(frozen=True, slots=True)
class ChecklistContext:
    """What the checklist says about the study: sites, participants, coding, agreement."""

    study: Study
    codebook: Codebook
    coding: str
    agreement_sentence: str
    rules: PriorityRules = field(default_factory=PriorityRules)

    @property
    def words(self) -> Wording:
        return study_wording(self.study)

    @property
    def unit(self) -> str:
        """What the evidence counts: the groups when each site held one, else the sites."""
        same = len(self.study.groups) == len(self.study.sites)
        return self.words.noun("group" if same else "site")


def evidence_sentence(row: Mapping[str, Any], words: Wording, *, unit: str | None = None
                      ) -> str:
    """The evidence in words, for officials: "évoqué dans les 3 focus groups, par 15 internes
    sur 22 (68 %), 31 passages"."""
    unit = unit or words.noun("site")
    if row["n_segments"] == 0:
        return words("evidence.none", groups=unit)
    sites = words("evidence.all_sites", n=row["n_sites"]) \
        if row["n_sites"] == row["n_sites_total"] else \
        words("evidence.some_sites", n=row["n_sites"], total=row["n_sites_total"])
    return words("evidence", sites=sites, unit=unit, n=row["n_participants"],
                 noun=words.noun("participant", row["n_participants_total"]),
                 total=row["n_participants_total"],
                 share=words.percent(row["share_participants"]),
                 passages=words.count(row["n_segments"], "passage"))


def sections(table: pd.DataFrame, codebook: Codebook) -> list[tuple[str, pd.DataFrame]]:
    """The requirements by section of the functional brief, in :data:`SECTIONS` order, each
    in the table's order (priority, then evidence score)."""
    section = table["category"].map(lambda c: codebook.category(c).section)
    return [(name, table[section == name]) for name in SECTIONS if (section == name).any()]


def summary_paragraphs(table: pd.DataFrame, context: ChecklistContext
                       ) -> tuple[list[str], list[str]]:
    """The one-page summary around its ranked list: before it, what was studied, who,
    where; after it, the counts by priority, what the data leave empty, how to read the
    priorities."""
    study, words = context.study, context.words
    towns = ", ".join(f"{site.name} ({words.label('kind', site.kind)})"
                      for site in study.sites)
    invited = sum(g.invited or 0 for g in study.groups)
    counts = table["priority"].value_counts()
    rules = context.rules
    # the parts of a functional brief the data leave empty, when the codebook maps to one
    empty = [words.label("section", s) for s in SECTIONS[:-1]
             if s not in {name for name, _ in sections(table, context.codebook)}] \
        if context.codebook.categories else []
    return [
        *([words("checklist.fictional")] if study.fictional else []),
        words("checklist.who", participants=words.count(len(study.participants),
                                                        "participant"),
              groups=words.count(len(study.groups), "group"),
              invited=words("checklist.invited", n=invited) if invited else "",
              sites=words.count(len(study.sites), "site"), towns=towns),
        words("checklist.how", coders=words.count(len(study.coders) or 2, "coder"),
              coding=context.coding)], [
        words("checklist.counts", counts=", ".join(
            words.count(int(counts.get(p, 0)), p) for p in PRIORITIES),
              total=words.count(len(table), "requirement")),
        *([words("checklist.no_data", sections=words.join([e.lower() for e in empty]))]
          if empty else []),
        words("checklist.rule", essential=words.percent(rules.indispensable_share),
              site_share=words.percent(rules.indispensable_site_share),
              important=words.percent(rules.important_share), sites=rules.important_sites,
              noun=words.noun("participant")),
    ]


def ranked(table: pd.DataFrame, context: ChecklistContext) -> list[str]:
    """The strongest requirements (raised ones, best first), each with why."""
    words = context.words
    raised = table[table["priority"] != "not_raised"].head(TOP)
    return [words("checklist.top_row", text=row["text"],
                  why=_tag(row, words) + words("colon") + words(
                      "checklist.short", sites=row["n_sites"], total=row["n_sites_total"],
                      share=words.percent(row["share_participants"]),
                      noun=words.noun("participant")))
            for row in raised.to_dict("records")]


def write_checklist_docx(path: Path, table: pd.DataFrame, context: ChecklistContext,
                         figure: Path | None = None,
                         assessments: list[tuple[dict, pd.DataFrame]] = ()) -> Path:
    """Title page, the one-page summary, the requirements by section of the functional brief
    (each with ☐, priority, evidence and quotes), the assessment of each design, and a method
    annex with the figure of requirements by domain and priority."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    study, codebook, words = context.study, context.codebook, context.words
    colours = dict(zip(PRIORITIES, (RGBColor(0xB0, 0x1E, 0x1E), RGBColor(0xB3, 0x5C, 0x00),
                                    RGBColor(0x2E, 0x6B, 0x30), RGBColor(0x66, 0x66, 0x66)),
                       strict=True))
    document = new_document(study.language)
    document.styles["Normal"].font.size = Pt(10.5)
    for _ in range(6):
        document.add_paragraph()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{_topic(context)}\n{words('checklist.title')}")
    run.bold, run.font.size = True, Pt(24)
    subtitle = document.add_paragraph(study.title)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.runs[0].font.size = Pt(13)
    if study.audience:
        note = document.add_paragraph(words("checklist.for", audience=study.audience))
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.runs[0].italic = True
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(words("checklist.summary"), level=1)
    intro, notes = summary_paragraphs(table, context)
    for text in intro:
        document.add_paragraph(text)
    document.add_paragraph(words("checklist.top")).runs[0].bold = True
    for text in ranked(table, context):
        document.add_paragraph(text, style="List Number").paragraph_format.space_after = Pt(2)
    document.add_paragraph(words("checklist.tick"))
    for text in notes:
        document.add_paragraph(text).runs[0].font.size = Pt(9)
    for name, mine in sections(table, codebook):
        document.add_page_break()
        document.add_heading(words.label("section", name), level=1)
        for row in mine.to_dict("records"):
            item = document.add_paragraph()
            item.paragraph_format.space_before = Pt(8)
            item.paragraph_format.keep_with_next = True
            item.add_run(f"{BOX} ").font.size = Pt(13)
            item.add_run(row["text"]).bold = True
            details = document.add_paragraph()
            details.paragraph_format.left_indent = Cm(0.8)
            tag = details.add_run(_tag(row, words))
            tag.bold = True
            tag.font.color.rgb = colours[row["priority"]]
            details.add_run(f" — {evidence_sentence(row, words, unit=context.unit)}"
                            + words("semicolon")
                            + words("checklist.score", score=words.number(row["score"]))
                            + ". " + words("checklist.theme", label=row["label"],
                                           id=row["requirement_id"]))
            for quote in filter(None, row["quotes"].split("\n")[:2]):
                line = document.add_paragraph(quote)
                line.paragraph_format.left_indent = Cm(1.2)
                line.runs[0].italic = True
                line.runs[0].font.size = Pt(9.5)
                line.runs[0].font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    for summary, gaps in assessments:
        _assessment_section(document, summary, gaps, words)
    document.add_page_break()
    document.add_heading(words("checklist.method"), level=1)
    for text in _method(context):
        document.add_paragraph(text)
    add_figure(document, figure, 15)
    return save_document(path, document, study.language)


def _topic(context: ChecklistContext) -> str:
    return context.study.topic or context.codebook.text(context.codebook.title,
                                                        context.study.language)


def _tag(row: Mapping[str, Any], words: Wording) -> str:
    label = words.label("priority", row["priority"])
    return label + (f" · {words('to_confirm')}" if row["to_confirm"] else "")


def _assessment_section(document, summary: dict, table: pd.DataFrame, words: Wording) -> None:
    from qualcode.report.document import add_table

    document.add_page_break()
    document.add_heading(words("assessment.title", design=summary["design"]), level=1)
    counts = [words.count(summary[f"n_{s}"], s) for s in ("met", "partly", "not_met",
                                                          "unknown")]
    document.add_paragraph(words(
        "assessment.coverage", total=words.count(summary["n_requirements"], "requirement"),
        counts=words.join(counts), coverage=words.percent(summary["coverage_of_known"]),
        known_n=summary["n_known"], overall=words.percent(summary["coverage"])))
    document.add_paragraph(words("assessment.unknown_note")).runs[0].italic = True
    met = table[table["status"] == "met"]
    document.add_heading(words("assessment.met_list"), level=2)
    if met.empty:
        document.add_paragraph(words("assessment.nothing_met"))
    for row in met.itertuples(index=False):
        document.add_paragraph(f"{row.text} ({words.label('priority', row.priority)}"
                               + (f" ; {row.note}" if row.note else "") + ")",
                               style="List Bullet")
    gaps = table[table["status"].isin(("partly", "not_met"))]
    if not gaps.empty:
        document.add_heading(words("assessment.gaps"), level=2)
        add_table(document, [words("col.requirement"), words("col.priority"),
                             words("col.status"), words("col.note")],
                  [[f"{row.text} ({row.requirement_id})",
                    words.label("priority", row.priority), words.label("status", row.status),
                    row.note] for row in gaps.itertuples(index=False)], [7.4, 2.9, 2.1, 4.6])
    unknown = table[(table["status"] == "unknown")
                    & table["priority"].isin(("essential", "important"))]
    if not unknown.empty:
        document.add_heading(words("assessment.unknown_list"), level=2)
        for row in unknown.itertuples(index=False):
            document.add_paragraph(f"{row.text} ({words.label('priority', row.priority)}, "
                                   f"{row.requirement_id})", style="List Bullet")


def _method(context: ChecklistContext) -> list[str]:
    words, codebook = context.words, context.codebook
    return [
        words("checklist.method.recorded", kind=words.noun("group").capitalize()),
        words("checklist.method.coding", title=codebook.text(codebook.title,
                                                             context.study.language),
              codes=words.count(len(codebook.codable), "code"),
              domains=words.count(len(codebook.domains), "domain"),
              unit=words(f"by.{context.study.coding_unit}")),
        context.agreement_sentence,
        words("checklist.method.sites", noun=words.noun("participant")),
        words("checklist.method.software"),
    ]


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement as the checklist shows it: its text, its priority (with whether to
    confirm) as a tag, the evidence in words and its first two quotes."""

    id: str
    text: str
    priority: str
    tag: str
    evidence: str
    quotes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChecklistText:
    """The checklist's words in the study's language, as the Markdown and the browser lay
    them out: heading, the one-page summary, then the requirements by section."""

    heading: str
    intro: list[str]
    top: list[str]
    notes: list[str]
    sections: list[tuple[str, list[Requirement]]]


def checklist_text(table: pd.DataFrame, context: ChecklistContext) -> ChecklistText:
    """What the checklist says, from its table (as :func:`checklist_table` gives it, or as
    ``checklist.csv`` holds it)."""
    words = context.words
    intro, notes = summary_paragraphs(table, context)
    return ChecklistText(
        f"{words('checklist.title')}{words('colon')}{_topic(context)}", intro,
        ranked(table, context), notes,
        [(words.label("section", name), [
            Requirement(row["requirement_id"], row["text"], row["priority"], _tag(row, words),
                        evidence_sentence(row, words, unit=context.unit),
                        tuple(filter(None, row["quotes"].split("\n")[:2])))
            for row in mine.to_dict("records")])
         for name, mine in sections(table, context.codebook)])


def checklist_markdown(table: pd.DataFrame, context: ChecklistContext) -> str:
    """The same checklist as Markdown."""
    study, words = context.study, context.words
    text = checklist_text(table, context)
    lines = [f"# {text.heading}", "", study.title, ""]
    if study.audience:
        lines += [f"*{words('checklist.for', audience=study.audience)}*", ""]
    lines += [f"## {words('checklist.summary')}", ""] + [f"{p}\n" for p in text.intro]
    lines += [f"**{words('checklist.top')}**", ""]
    lines += [f"{n}. {line}" for n, line in enumerate(text.top, 1)] + [""]
    lines += [f"{words('checklist.tick')}\n"] + [f"{p}\n" for p in text.notes]
    for heading, items in text.sections:
        lines += [f"## {heading}", ""]
        for item in items:
            lines += [f"- [ ] **{item.text}** — *{item.tag}*{words('colon')}"
                      f"{item.evidence} ({item.id})"]
            lines += [f"  > {quote}" for quote in item.quotes]
        lines.append("")
    lines += [f"## {words('checklist.method')}", ""] + [f"{text}\n" for text in
                                                         _method(context)]
    return "\n".join(lines).rstrip() + "\n"


def coding_words(consensus: bool, words: Wording) -> str:
    """Which coding the checklist is drawn from, in words."""
    return words("coding.consensus") if consensus else words("coding.union")


def agreement_sentence(agreement: AgreementTables | None, words: Wording) -> str:
    """The checklist's sentence on inter-coder agreement."""
    if agreement is None:
        return words("checklist.no_agreement")
    overall = agreement.domains[(agreement.domains["domain"] == "all")
                                & (agreement.domains["method"] == "pooled")].iloc[0]
    return words("checklist.agreement", alpha=words.number(overall["krippendorff_alpha"]),
                 low=words.number(overall["alpha_low"]),
                 high=words.number(overall["alpha_high"]),
                 percent=words.percent(overall["percent_agreement"]))
