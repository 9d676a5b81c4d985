"""Reading back what ``qualcode run`` wrote into ``analyses/``, for the browser's results
page: its tables (as written, nothing computed again), the checklist's words laid out from
``checklist.csv``, and the assessment of each design from ``checklist.xlsx``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.checklist import PriorityRules
from qualcode.codebook import Codebook
from qualcode.coding import CONSENSUS
from qualcode.errors import StudyError
from qualcode.io.cells import unguard
from qualcode.paths import ANALYSES
from qualcode.report.checklist import (
    ChecklistContext,
    ChecklistText,
    checklist_text,
    coding_words,
)
from qualcode.report.wording import study_wording
from qualcode.study import Study

__all__ = ["ChecklistText", "assessment_sheets", "checklist_view", "read_output"]

CHECKLIST_SHEET = "checklist"
"""The sheet of ``checklist.xlsx`` that holds the checklist itself; the others assess the
designs (``assessments``, then one sheet of gaps per design)."""


def read_output(study: Study, name: str) -> pd.DataFrame:
    """The CSV table ``analyses/<name>`` as the run wrote it, text cells as typed (the
    guard against spreadsheet formulas removed); a file that cannot be read is a
    :class:`StudyError` naming it."""
    path = study.paths.analyses / name
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as error:
        raise StudyError(f"cannot be read as a table ({error}); run 'qualcode run' again",
                         path=Path(ANALYSES) / name) from error
    for column in table.select_dtypes(exclude=["number", "bool"]).columns:
        table[column] = table[column].map(lambda v: unguard(v) if isinstance(v, str) else v)
    return table


def checklist_view(study: Study, codebook: Codebook) -> ChecklistText:
    """The checklist as the officials read it (its summary and its requirements by section
    of the functional brief, in the study's language), laid out from ``checklist.csv``."""
    table = read_output(study, "checklist.csv")
    table["quotes"] = table["quotes"].fillna("")
    words = study_wording(study)
    consensus = not table.empty and table["coding"].iloc[0] == CONSENSUS
    context = ChecklistContext(study, codebook, coding_words(consensus, words), "",
                               PriorityRules.from_study(study.checklist))
    return checklist_text(table, context)


def assessment_sheets(study: Study) -> dict[str, pd.DataFrame]:
    """The designs' assessment as ``checklist.xlsx`` holds it (headers in the study's
    language): the scores of every design, then each design's requirements; empty when no
    design was assessed."""
    path = study.paths.analyses / "checklist.xlsx"
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    except (OSError, ValueError) as error:
        raise StudyError(f"cannot be read ({error}); run 'qualcode run' again",
                         path=Path(ANALYSES) / path.name) from error
    return {name: sheet.fillna("") for name, sheet in sheets.items() if name != CHECKLIST_SHEET}
