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
from qualcode.io.files import write_csv, write_text
from qualcode.paths import FIGURES
from qualcode.report.checklist import (
    ChecklistContext,
    agreement_sentence,
    checklist_markdown,
    coding_words,
    write_checklist_docx,
)
from qualcode.report.figures import requirements_bars, save_figure
from qualcode.report.tables import write_workbook
from qualcode.report.wording import study_wording
from qualcode.steps.collect import CodingStage, coding_stage
from qualcode.steps.imports import ImportResult
from qualcode.steps.results import Results
from qualcode.steps.transcripts import prepare
from qualcode.steps.triangulation import confirmations
from qualcode.study import Study
from qualcode.triangulation import confirmed_convergence, framework_matrix


def checklist_table(stage: CodingStage, imported: ImportResult, study: Study,
                    codebook: Codebook, agreement: AgreementTables | None,
                    site: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The requirements with their evidence and priority, from the site matrix and the
    convergence summary of the reference coding."""
    codings, _ = reference_codings(stage.codings.codings)
    rules = PriorityRules.from_study(study.checklist)
    return requirements(site, codebook, codings, imported.segments, language=study.language,
                        rules=rules, agreement=None if agreement is None else agreement.codes,
                        convergence=summary)


def load_designs(study: Study, codebook: Codebook) -> tuple[Design, ...]:
    """Every design of ``designs/``, checked against the codebook's requirement ids."""
    ids = {code.requirement.id for code in codebook.codable if code.requirement is not None}
    return tuple(load_design(path, ids) for path in design_files(study.paths.designs))


def write_checklist(*, results: Results, into: Path | None = None) -> list[Path]:
    """The requirement checklist of ``results``: ``checklist.docx``, ``.md``, ``.xlsx``,
    ``.csv`` and the figure of requirements by domain and priority, with every design of
    ``designs/``, in ``into`` (default: ``analyses/``)."""
    study, codebook, found = results.study, results.codebook, results.checklist
    if results.coding is None or found is None:
        raise ValueError("the checklist needs collected codings and requirements")
    analyses = into or study.paths.analyses
    _, which = reference_codings(results.coding.codings.codings)
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    words = study_wording(study)
    figure = save_figure(analyses / FIGURES / "checklist", requirements_bars,
                         found[["domain", "priority"]].sort_values(["domain", "priority"])
                         .reset_index(drop=True),  # what it draws, in an order ranks leave
                         domains=domains, priorities={p: words.label("priority", p)
                                                      for p in PRIORITIES},
                         language=study.language)
    context = ChecklistContext(study, codebook, coding_words(which == CONSENSUS, words),
                               agreement_sentence(results.agreement, words),
                               PriorityRules.from_study(study.checklist))
    assessments = results.assessments
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
    target = study.paths.analyses / f"assessment-{Path(path).stem}.csv"
    return summary, gaps, [write_csv(target, gaps)]
