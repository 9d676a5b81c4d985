"""Requirement priorities on hand-made evidence, and the checklist documents."""

from __future__ import annotations

import re

import docx
import pandas as pd
import pytest

from qualcode.checklist import PriorityRules, evidence_sentence


@pytest.mark.parametrize("n_sites,share,n_segments,expected", [
    (3, 0.40, 12, "Indispensable"),   # every site and 40%: the first rule
    (3, 0.39, 12, "Important"),       # every site but 39%: at least two sites
    (2, 0.10, 4, "Important"),        # two sites
    (1, 0.30, 5, "Important"),        # one site but 30% >= 25%
    (1, 0.10, 1, "Souhaitable"),      # raised once
    (0, 0.00, 0, "Non évoqué"),
])
def test_checklist_default_priority_rules(n_sites, share, n_segments, expected):
    assert PriorityRules().tier(n_sites, 3, share, n_segments) == expected


def test_checklist_rules_from_study_yaml():
    rules = PriorityRules.from_study({"indispensable": {"share": 0.6},
                                      "important": {"sites": 3}})
    assert rules.tier(3, 3, 0.5, 9) == "Important"    # 50% < 60%
    assert rules.tier(2, 3, 0.2, 9) == "Souhaitable"  # two sites are not enough any more


def test_checklist_evidence_in_words():
    row = {"n_segments": 31, "n_sites": 3, "n_sites_total": 3, "n_participants": 15,
           "n_participants_total": 22, "share_participants": 15 / 22}
    assert evidence_sentence(row) == \
        "évoqué dans les 3 groupes, par 15 internes sur 22 (68 %), 31 passages"
    assert evidence_sentence({**row, "n_sites": 2}).startswith("évoqué dans 2 des 3 groupes")


def test_checklist_demo_documents(demo_copy):
    analyses = demo_copy / "analyses"
    table = pd.read_csv(analyses / "checklist.csv")
    assert len(table) == 41 and table["requirement_id"].is_unique
    assert set(table["priority"]) <= {"Indispensable", "Important", "Souhaitable",
                                      "Non évoqué"}
    document = docx.Document(str(analyses / "checklist.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "En bref" and "Qualité de l'hébergement" in headings
    assert headings[-1] == "Annexe : méthode"
    boxes = [p.text for p in document.paragraphs if p.text.startswith("☐ ")]
    assert len(boxes) == 41
    assert len(document.inline_shapes) == 1  # the figure of requirements by priority
    assert "- [ ] **" in (analyses / "checklist.md").read_text(encoding="utf-8")


def test_checklist_quotes_are_complete_when_a_segment_spans_lines(demo_copy):
    # FG1-0182 holds a line break ("Quatre mois.\nEt entre-temps..."): every quote in the
    # checklist and the report opens with « and closes with » and its speaker and segment.
    analyses = demo_copy / "analyses"
    for name in ("checklist.docx", "report.docx"):
        texts = [p.text for p in docx.Document(str(analyses / name)).paragraphs]
        quotes = [t for t in texts if t.startswith("« ")]
        assert quotes, name
        assert all(re.search(r" » \(P\d+, FG\d-\d{4}\)$", t) for t in quotes), \
            [t for t in quotes if not re.search(r"\)$", t)]
    markdown = (analyses / "checklist.md").read_text(encoding="utf-8")
    assert "« Quatre mois. Et entre-temps, j'avais payé une autre caution" in markdown


def test_checklist_demo_study_report(demo_copy):
    document = docx.Document(str(demo_copy / "analyses" / "report.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for heading in ("Méthode", "Accord inter-codeurs", "Triangulation des sites", "Saturation",
                    "Résultats par domaine", "Cahier des exigences",
                    "Annexe 1 : grille de codage", "Annexe 2 : consensus",
                    "Annexe 3 : grille COREQ"):
        assert heading in headings
    # forest plot, suggestions next to the coders, heatmap, saturation curves
    assert len(document.inline_shapes) == 4
    coreq = document.tables[-1]
    assert len(coreq.rows) == 33  # header and the 32 items
    answers = {row.cells[0].text: row.cells[2].text for row in coreq.rows[1:]}
    assert answers["12"] == "22 participants en 3 focus groups"
    assert answers["13"] == "26 invités, 22 présents (4 absents)"
    assert answers["22"].startswith("all : saturation atteinte à n = ")
    assert answers["1"] == "à compléter"
    methods = document.tables[0]
    assert [c.text for c in methods.rows[1].cells[:5]] == ["FG1", "Bordeaux", "2024-02-13",
                                                           "9", "8"]
    # The report is in French, the intervals' description too.
    # Its 22 participants are resampled (cluster bootstrap), over the codes used.
    assert ("Intervalles : bootstrap percentile à 95 %, 1000 rééchantillonnages des participants "
            "(bootstrap par grappes). Accord regroupé sur les codes appliqués par au moins un "
            "codeur." in [p.text.split(" Alpha")[0] for p in document.paragraphs])


def test_checklist_renders_to_pdf(demo_copy, tmp_path):
    """Render the checklist with LibreOffice, when it is installed (Debian: libreoffice-writer
    and poppler-utils); skipped otherwise."""
    import shutil
    import subprocess

    if shutil.which("libreoffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and pdftotext are not installed")
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), str(demo_copy / "analyses" / "checklist.docx")],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / "checklist.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Cahier des exigences" in text and text.count("☐") >= 41
    assert "Évaluation : Internat rural de Hagetmau" in text
