"""The checklist step: evidence-ranked requirements for elected officials, in Word, Markdown,
Excel and CSV, and housing designs assessed against them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.agreement.tables import AgreementTables
from qualcode.assessment import Design, assess, design_files, load_design
from qualcode.checklist import PRIORITIES, PriorityRules, requirements
from qualcode.codebook import Codebook
from qualcode.coding import CONSENSUS, reference_codings
from qualcode.collect import ANALYSES, CodingStage, coding_stage
from qualcode.imports import ImportResult
from qualcode.io.files import write_csv, write_text
from qualcode.report.checklist import ChecklistContext, checklist_markdown, write_checklist_docx
from qualcode.report.figures import requirements_bars, save_figure
from qualcode.report.tables import write_workbook
from qualcode.report.wording import study_wording
from qualcode.steps.transcripts import prepare
from qualcode.steps.triangulation import confirmations
from qualcode.study import Study
from qualcode.triangulation import confirmed_convergence, framework_matrix

DESIGNS = "designs"


def checklist_table(stage: CodingStage, imported: ImportResult, study: Study,
                    codebook: Codebook, agreement: AgreementTables | None,
                    site: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The requirements with their evidence and priority, from the site matrix and the
    convergence summary of the reference coding."""
    codings, _ = reference_codings(stage.codings.codings)
    rules = PriorityRules.from_study(study.checklist, study.root / "study.yaml")
    return requirements(site, codebook, codings, imported.segments, language=study.language,
                        rules=rules, agreement=None if agreement is None else agreement.codes,
                        convergence=summary)


def load_designs(study: Study, codebook: Codebook) -> list[Design]:
    """Every design of ``designs/``, checked against the codebook's requirement ids."""
    ids = {code.requirement.id for code in codebook.codable if code.requirement is not None}
    return [load_design(path, ids) for path in design_files(study.root / DESIGNS)]


def write_checklist(found: pd.DataFrame, stage: CodingStage, study: Study,
                    codebook: Codebook, agreement: AgreementTables | None,
                    designs: list[Design], *, into: Path | None = None) -> list[Path]:
    """The requirement checklist: ``checklist.docx``, ``.md``, ``.xlsx``, ``.csv`` and the
    figure of requirements by domain and priority, with every design of ``designs/``, in
    ``into`` (default: ``analyses/``)."""
    analyses = into or study.root / ANALYSES
    _, which = reference_codings(stage.codings.codings)
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    words = study_wording(study)
    figure = save_figure(requirements_bars(found, domains=domains, priorities={
        p: words.label("priority", p) for p in PRIORITIES}, language=study.language),
                         analyses / "figures" / "checklist")
    context = ChecklistContext(study, codebook, words("coding.consensus") if which == CONSENSUS
                               else words("coding.union"), _agreement_sentence(agreement, words),
                               PriorityRules.from_study(study.checklist,
                                                        study.root / "study.yaml"))
    assessments = [assess(design, found) for design in designs]
    sheets = {"checklist": found}
    if assessments:
        sheets["assessments"] = pd.DataFrame([scores for scores, _ in assessments])
        sheets |= {scores["design"][:31]: gaps for scores, gaps in assessments}
    return [
        write_csv(analyses / "checklist.csv", found.assign(coding=which)),
        write_workbook(analyses / "checklist.xlsx", sheets, words=words),
        write_text(analyses / "checklist.md", checklist_markdown(found, context)),
        write_checklist_docx(analyses / "checklist.docx", found, context, figure[0],
                             assessments),
        *figure]


def assess_design(study: Study, path: Path) -> tuple[dict, pd.DataFrame, list[Path]]:
    """``qualcode assess``: one design against the study's checklist, written to
    ``analyses/assessment-<design>.csv``."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    codings, _ = reference_codings(stage.codings.codings)
    site = framework_matrix(codings, imported.segments, study, codebook, dimension="site")
    _, convergence_by_code = confirmed_convergence(site, codebook,
                                                   confirmations(study).merged)
    table = checklist_table(stage, imported, study, codebook, None, site, convergence_by_code)
    summary, gaps = assess(load_design(path, set(table["requirement_id"])), table)
    target = study.root / ANALYSES / f"assessment-{Path(path).stem}.csv"
    return summary, gaps, [write_csv(target, gaps)]


def _agreement_sentence(agreement: AgreementTables | None, words) -> str:
    if agreement is None:
        return words("checklist.no_agreement")
    overall = agreement.domains[(agreement.domains["domain"] == "all")
                                & (agreement.domains["method"] == "pooled")].iloc[0]
    return words("checklist.agreement", alpha=words.number(overall["krippendorff_alpha"]),
                 low=words.number(overall["alpha_low"]),
                 high=words.number(overall["alpha_high"]),
                 percent=words.percent(overall["percent_agreement"]))
