"""The report step: ``analyses/report.docx`` from the results of a run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.agreement.tables import AgreementTables
from qualcode.checklist import code_evidence
from qualcode.codebook import Codebook
from qualcode.coding import CONSENSUS, reference_codings
from qualcode.collect import ANALYSES, CodingStage
from qualcode.imports import ImportResult
from qualcode.report.extracts import write_extracts
from qualcode.report.study_report import ReportData, write_study_report
from qualcode.report.wording import study_wording
from qualcode.saturation import Saturation
from qualcode.steps.saturation import SaturationOptions
from qualcode.steps.triangulation import confirmations
from qualcode.study import Study
from qualcode.suggest_quality import SuggestionQuality
from qualcode.triangulation import confirmed_convergence, framework_matrix


def write_report(study: Study, codebook: Codebook, imported: ImportResult,
                 stage: CodingStage, agreement: AgreementTables | None,
                 saturated: Saturation | None, found: pd.DataFrame | None,
                 summary: pd.DataFrame, quality: SuggestionQuality | None = None, *,
                 into: Path | None = None) -> Path:
    """``report.docx`` in ``into`` (default: ``analyses/``), from the results of the run
    (figures already written there)."""
    from qualcode import __version__

    analyses = into or study.root / ANALYSES
    figures = analyses / "figures"
    codes, n_confirmed = _evidence(study, codebook, imported, stage, agreement, summary)
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
        version=__version__, suggestions=quality, codes=codes, n_confirmed=n_confirmed)
    return write_study_report(analyses / "report.docx", data)



def _evidence(study: Study, codebook: Codebook, imported: ImportResult, stage: CodingStage,
              agreement: AgreementTables | None, summary: pd.DataFrame
              ) -> tuple[pd.DataFrame, int]:
    """The evidence of every code (for the results of any codebook) and how many of the
    codes' convergence classes are settled: confirmed by the researchers, or silences."""
    codings, _ = reference_codings(stage.codings.codings)
    site = framework_matrix(codings, imported.segments, study, codebook, dimension="site")
    codes = code_evidence(site, codebook, codings, imported.segments,
                          language=study.language,
                          agreement=None if agreement is None else agreement.codes,
                          convergence=summary)
    merged, _ = confirmed_convergence(site, codebook, confirmations(study).merged)
    settled = (merged["confirmed"] != "") | (merged["suggested"] == "silence")
    per_code = settled[merged["row"] == "code"].groupby(merged[S.CODE_ID]).all()
    return codes, int(per_code.sum())


def write_extract_report(study: Study, codebook: Codebook, imported: ImportResult,
                         stage: CodingStage, *, into: Path | None = None) -> Path:
    """``extracts.docx`` in ``into`` (default: ``analyses/``): every passage of the reference
    coding, code by code and site by site."""
    codings, which = reference_codings(stage.codings.codings)
    words = study_wording(study)
    return write_extracts((into or study.root / ANALYSES) / "extracts.docx", study, codebook,
                          codings, imported.segments,
                          words("coding.consensus" if which == CONSENSUS else "coding.union"))
