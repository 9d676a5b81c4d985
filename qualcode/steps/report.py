"""The report step: ``analyses/report.docx`` from the results of a run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.agreement.tables import AgreementTables
from qualcode.codebook import Codebook
from qualcode.paths import FIGURES
from qualcode.report.study_report import ReportData, write_study_report
from qualcode.saturation import Saturation
from qualcode.steps.collect import CodingStage
from qualcode.steps.imports import ImportResult
from qualcode.steps.saturation import SaturationOptions
from qualcode.study import Study
from qualcode.suggest_quality import SuggestionQuality


def write_report(study: Study, codebook: Codebook, imported: ImportResult,
                 stage: CodingStage, agreement: AgreementTables | None,
                 saturated: Saturation | None, found: pd.DataFrame | None,
                 summary: pd.DataFrame, quality: SuggestionQuality | None = None, *,
                 into: Path | None = None) -> Path:
    """``report.docx`` in ``into`` (default: ``analyses/``), from the results of the run
    (figures already written there)."""
    from qualcode._version import __version__

    analyses = into or study.paths.analyses
    figures = analyses / FIGURES
    data = ReportData(
        study=study, codebook=codebook, imported=imported.summary,
        coding_status=stage.consensus_status, consensus_log=stage.log,
        agreement_domains=None if agreement is None else agreement.domains,
        agreement_interval="" if agreement is None else agreement.interval,
        convergence=summary, saturation=None if saturated is None else saturated.summary,
        saturation_level=SaturationOptions().level, requirements=found,
        figures={"agreement": figures / "agreement.png", "matrix": figures / "matrix-site.png",
                 "saturation": figures / "saturation.png",
                 "suggestions": figures / "suggestions.png"},
        version=__version__, suggestions=quality)
    return write_study_report(analyses / "report.docx", data)

