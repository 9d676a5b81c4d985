"""The report step: ``analyses/report.docx`` (the thesis chapter) and ``analyses/extracts.docx``
(every coded passage) from the results of a run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.coding import CONSENSUS, reference_codings
from qualcode.paths import FIGURES
from qualcode.report.extracts import write_extracts
from qualcode.report.study_report import ReportData, write_study_report
from qualcode.report.wording import study_wording
from qualcode.steps.results import Results
from qualcode.steps.saturation import SaturationOptions


def write_report(*, results: Results, into: Path | None = None) -> Path:
    """``report.docx`` in ``into`` (default: ``analyses/``), from the ``results`` of a run in
    which codings were collected (its figures already written there)."""
    from qualcode._version import __version__

    study, stage, agreement = results.study, results.coding, results.agreement
    if stage is None or results.triangulation is None:
        raise ValueError("the report needs collected codings")
    analyses = into or study.paths.analyses
    figures = analyses / FIGURES
    codes, n_confirmed = _evidence(results)
    data = ReportData(
        study=study, codebook=results.codebook, imported=results.imported.summary,
        coding_status=stage.consensus_status, consensus_log=stage.log,
        agreement_domains=None if agreement is None else agreement.domains,
        agreement_interval="" if agreement is None else agreement.interval,
        convergence=results.triangulation.summary,
        saturation=None if results.saturation is None else results.saturation.summary,
        saturation_level=SaturationOptions().level, requirements=results.checklist,
        figures={"agreement": figures / "agreement.png", "matrix": figures / "matrix-site.png",
                 "saturation": figures / "saturation.png",
                 "suggestions": figures / "suggestions.png"},
        version=__version__, suggestions=results.suggestions, codes=codes,
        n_confirmed=n_confirmed)
    return write_study_report(analyses / "report.docx", data)


def _evidence(results: Results) -> tuple[pd.DataFrame, int]:
    """The evidence of every code (for the results of any codebook), and how many of the
    codes' convergence classes are settled: confirmed by the researchers, or silences."""
    merged = results.triangulation.merged
    settled = (merged["confirmed"] != "") | (merged["suggested"] == "silence")
    per_code = settled[merged["row"] == "code"].groupby(merged[S.CODE_ID]).all()
    return results.evidence, int(per_code.sum())


def write_extract_report(results: Results, *, into: Path | None = None) -> Path:
    """``extracts.docx`` in ``into`` (default: ``analyses/``): every passage of the reference
    coding, code by code and site by site."""
    study = results.study
    codings, which = reference_codings(results.coding.codings.codings)
    words = study_wording(study)
    return write_extracts((into or study.paths.analyses) / "extracts.docx", study,
                          results.codebook, codings, results.imported.segments,
                          words("coding.consensus" if which == CONSENSUS else "coding.union"))
