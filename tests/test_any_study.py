"""Any study, not only HTES: four fictional doctor-patient interviews on teleconsultation
(``tests/data/interviews``), with their own codebook, two requirements in an undeclared
category, the study's own nouns, in French and in English."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest

from qualcode.report.study_report import REFERENCES
from tests.test_wording import _foreign, _template_text, _texts

INTERVIEWS = Path(__file__).resolve().parent / "data" / "interviews"


@pytest.fixture(scope="module", params=["fr", "en"])
def interviews(request, tmp_path_factory) -> tuple[Path, str]:
    """The interview study, analysed in French or in English."""
    from qualcode.pipeline import run

    root = tmp_path_factory.mktemp(f"interviews-{request.param}") / "study"
    shutil.copytree(INTERVIEWS, root)
    study = root / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "\nlanguage: fr\n", f"\nlanguage: {request.param}\n"), encoding="utf-8")
    run(root)
    return root, request.param


def test_any_study_checklist_speaks_of_its_own_study(interviews):
    root, language = interviews
    text = "\n".join(_texts(root / "analyses" / "checklist.docx")).replace("\u00a0", " ")
    assert "HTES" not in text and "intern" not in text.lower()
    assert "focus group" not in text.lower()
    if language == "fr":
        assert "Téléconsultation au cabinet\nCahier des exigences" in text
        assert "4 patients ont participé à 4 entretiens, dans 2 sites" in text
        assert "Cabinet du bourg (cabinet de médecine générale)" in text
        assert "Autres exigences" in text  # its category, undeclared, in the last section
        assert "programme fonctionnel" not in text  # its codebook maps to none
    else:
        assert "Teleconsultation at the practice\nRequirements checklist" in text
        assert "4 patients took part in 4 interviews, in 2 sites" in text
        assert "Cabinet du bourg (general practice)" in text


def test_any_study_report_has_results_for_every_code(interviews):
    root, language = interviews
    document = docx.Document(str(root / "analyses" / "report.docx"))
    texts = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    results = "Résultats par domaine et par code" if language == "fr" else \
        "Results by domain and code"
    assert results in headings
    after = texts[texts.index(results):]
    # codes without a requirement are results too
    missing = "Examen clinique manquant" if language == "fr" else "Missing examination"
    assert any(t.startswith(missing) for t in after)
    coreq = {row.cells[0].text: row.cells[2].text for row in document.tables[-1].rows[1:]}
    assert coreq["12"] == ("4 patients en 4 entretiens" if language == "fr" else
                           "4 patients in 4 interviews")
    assert "focus" not in coreq["12"] + coreq["16"]
    # no focus-group caveat for interviews, but the caveats of code saturation
    assert not any("focus group" in t for t in texts if t not in REFERENCES)


def test_any_study_has_no_foreign_template_word(interviews):
    root, language = interviews
    other = "en" if language == "fr" else "fr"
    assert _foreign(_template_text(root), language, other) == []


def test_any_study_extracts_hold_every_coded_passage(interviews):
    import pandas as pd

    root, _ = interviews
    texts = _texts(root / "analyses" / "extracts.docx")
    quotes = [t for t in texts if t.startswith("«")]
    codings = pd.read_csv(root / "analyses" / "codings.csv")
    union = codings[codings["coder"].isin(["A", "B"])][["segment_id", "code_id"]]
    assert len(quotes) == len(union.drop_duplicates())
    assert all(re.search(r"» \(P0\d, E\d-\d{4}\)$", q) for q in quotes)
