"""The report step: ``analyses/report.docx`` from the results of a run.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.paths import FIGURES
from qualcode.report.study_report import ReportData, write_study_report
from qualcode.steps.results import Results
from qualcode.steps.saturation import SaturationOptions


def write_report(*, results: Results, into: Path | None = None) -> Path:
    """``report.docx`` in ``into`` (default: ``analyses/``), from the ``results`` of a run in
    which codings were collected (its figures already written there)."""
    from qualcode._version import __version__

    study, stage, agreement = results.study, results.coding, results.agreement
    if stage is None:
        raise ValueError("the report needs collected codings")
    analyses = into or study.paths.analyses
    figures = analyses / FIGURES
    data = ReportData(
        study=study, codebook=results.codebook, imported=results.imported.summary,
        coding_status=stage.consensus_status, consensus_log=stage.log,
        agreement_domains=None if agreement is None else agreement.domains,
        agreement_interval="" if agreement is None else agreement.interval,
        convergence=None if results.triangulation is None else results.triangulation.summary,
        saturation=None if results.saturation is None else results.saturation.summary,
        saturation_level=SaturationOptions().level, requirements=results.checklist,
        figures={"agreement": figures / "agreement.png", "matrix": figures / "matrix-site.png",
                 "saturation": figures / "saturation.png",
                 "suggestions": figures / "suggestions.png"},
        version=__version__, suggestions=results.suggestions)
    return write_study_report(analyses / "report.docx", data)
