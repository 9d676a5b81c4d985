"""Everything a run computed, in one frozen object, before anything is written.

:func:`qualcode.pipeline.run` computes every stage into :class:`Results`, then hands it to
the writers (:func:`qualcode.steps.report.write_report`,
:func:`qualcode.steps.checklist.write_checklist`), which only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualcode.agreement.tables import AgreementTables
from qualcode.codebook import Codebook
from qualcode.saturation import Saturation
from qualcode.steps.collect import CodingStage
from qualcode.steps.imports import ImportResult
from qualcode.steps.triangulation import Triangulation
from qualcode.study import Study
from qualcode.suggest_quality import SuggestionQuality


@dataclass(frozen=True, slots=True)
class Results:
    """The results of every stage of a run for one study; a stage that did not run (no
    coder's file yet, a single coder, no requirement in the codebook) is None."""

    study: Study
    codebook: Codebook
    imported: ImportResult
    coding: CodingStage | None = None
    agreement: AgreementTables | None = None
    suggestions: SuggestionQuality | None = None
    triangulation: Triangulation | None = None
    saturation: Saturation | None = None
    evidence: pd.DataFrame | None = None
    """The evidence of every code (:func:`qualcode.checklist.code_evidence`), which the
    report shows and the checklist ranks."""
    checklist: pd.DataFrame | None = None
    assessments: tuple[tuple[dict, pd.DataFrame], ...] = ()
    """Each design of ``designs/`` against the checklist: its scores and its gaps."""
