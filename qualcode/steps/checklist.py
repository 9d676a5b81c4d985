"""The checklist step: evidence-ranked requirements for elected officials, in Word, Markdown,
Excel and CSV, and housing designs assessed against them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.agreement.tables import AgreementTables
from qualcode.assessment import Design, assess, design_files, load_design
from qualcode.checklist import (
    PRIORITIES,
    PriorityRules,
    code_evidence,
    code_segments,
    representative_quotes,
    requirements,
)
from qualcode.codebook import Codebook
from qualcode.coding import CONSENSUS, reference_codings
from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.io.cache import Cache
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


def code_evidence_table(stage: CodingStage, imported: ImportResult, study: Study,
                        codebook: Codebook, agreement: AgreementTables | None,
                        site: pd.DataFrame, summary: pd.DataFrame, *,
                        cache: Cache | None = None) -> pd.DataFrame:
    """The evidence of every code (:func:`qualcode.checklist.code_evidence`) from the site
    matrix and the convergence summary of the reference coding; ``cache`` keeps each code's
    quotes by the segments they are chosen from (one decision changes one code's)."""
    codings, _ = reference_codings(stage.codings.codings)
    cache = cache or Cache(None)
    quotes = {code: cache.value("quotes", fingerprint(source_fingerprint(), mine),
                                lambda m=mine: representative_quotes(m), encode=list,
                                decode=lambda stored: [tuple(map(str, q)) for q in stored])
              for code, mine in code_segments(codings, imported.segments).items()}
    return code_evidence(site, codebook, quotes, language=study.language,
                         agreement=None if agreement is None else agreement.codes,
                         convergence=summary)


def checklist_table(evidence: pd.DataFrame, study: Study, codebook: Codebook) -> pd.DataFrame:
    """The requirements with their evidence and priority, from the codes' ``evidence``
    (:func:`code_evidence_table`)."""
    return requirements(evidence, codebook, language=study.language,
                        rules=PriorityRules.from_study(study.checklist))


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
    evidence = code_evidence_table(stage, imported, study, codebook, None, site,
                                   convergence_by_code)
    table = checklist_table(evidence, study, codebook)
    summary, gaps = assess(load_design(path, set(table["requirement_id"])), table)
    target = study.paths.analyses / f"assessment-{Path(path).stem}.csv"
    return summary, gaps, [write_csv(target, gaps)]
