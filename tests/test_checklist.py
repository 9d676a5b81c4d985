"""Requirement priorities on hand-made evidence, and the checklist documents."""

from __future__ import annotations

import re

import docx
import pandas as pd
import pytest

from qualcode.checklist import PriorityRules
from qualcode.report.checklist import evidence_sentence
from qualcode.report.wording import Wording


@pytest.mark.parametrize("n_sites,share,n_segments,expected", [
    (3, 0.40, 12, "essential"),    # every site and 40% (30% in each site): the first rule
    (3, 0.39, 12, "important"),    # every site but 39%: at least two sites and 25%
    (2, 0.30, 4, "important"),     # two sites and 30%
    (2, 0.10, 4, "desirable"),     # two sites, but 10% only: breadth of sites is not enough
    (1, 0.30, 5, "desirable"),     # 30% but in one site only
    (1, 0.10, 1, "desirable"),     # raised once
    (0, 0.00, 0, "not_raised"),
])
def test_checklist_default_priority_rules(n_sites, share, n_segments, expected):
    assert PriorityRules().tier(n_sites, 3, share, n_segments) == expected


def test_checklist_priority_weighs_each_site_and_reliability():
    rules = PriorityRules()
    # 60% overall, but only 20% of the weakest site's participants: not essential
    assert rules.tier(3, 3, 0.6, 30, weakest=0.2) == "important"
    assert rules.tier(3, 3, 0.6, 30, weakest=0.3) == "essential"
    # an unreliable code stays important at most
    assert rules.tier(3, 3, 0.6, 30, weakest=0.5, reliable=False) == "important"


def test_checklist_rules_from_study_yaml():
    rules = PriorityRules.from_study({"indispensable": {"share": 0.6},
                                      "important": {"sites": 3}})
    assert rules.tier(3, 3, 0.5, 9) == "important"    # 50% < 60%
    assert rules.tier(2, 3, 0.3, 9) == "desirable"    # two sites are not enough any more


def test_checklist_evidence_in_words():
    row = {"n_segments": 31, "n_sites": 3, "n_sites_total": 3, "n_participants": 15,
           "n_participants_total": 22, "share_participants": 15 / 22}
    french = Wording("fr", ("interne", "internes"))
    assert evidence_sentence(row, french, unit="groupes") == \
        "évoqué dans les 3 groupes, par 15 internes sur 22 (68 %), 31 passages"
    assert evidence_sentence({**row, "n_sites": 2}, french).startswith(
        "évoqué dans 2 des 3 sites")
    assert evidence_sentence({**row, "n_segments": 1}, french).endswith(", 1 passage")
    english = Wording("en", ("patient", "patients"), "interviews")
    assert evidence_sentence(row, english) == \
        "raised in all 3 sites, by 15 patients of 22 (68%), 31 passages"


def test_checklist_demo_documents(demo_copy):
    analyses = demo_copy / "analyses"
    table = pd.read_csv(analyses / "checklist.csv")
    assert len(table) == 41 and table["requirement_id"].is_unique
    # codes in the CSV, and every priority present (not 40 of 41 in the top two)
    assert set(table["priority"]) == {"essential", "important", "desirable"}
    assert (table["priority"] == "essential").sum() <= 15
    document = docx.Document(str(analyses / "checklist.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "En bref\u00a0: ce qu’il faut prévoir d’abord"
    # the sections of a functional brief, in their order, from the codebook's categories
    assert [h for h in headings if h in (
        "Capacité et public accueilli", "Implantation et environnement",
        "Espaces et équipements", "Services et accueil", "Gestion, règles et suivi",
        "Coûts et financement")] == ["Capacité et public accueilli",
                                     "Implantation et environnement",
                                     "Espaces et équipements", "Services et accueil",
                                     "Gestion, règles et suivi", "Coûts et financement"]
    assert headings[-1] == "Annexe\u00a0: méthode"
    boxes = [p.text for p in document.paragraphs if p.text.startswith("☐ ")]
    assert len(boxes) == 41
    assert len(document.inline_shapes) == 1  # the figure of requirements by priority
    # the summary ranks the strongest first, each with why
    ranked = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert len(ranked) == 8 and all("Indispensable\u00a0: 3 sites sur 3, " in t for t in ranked)
    assert "- [ ] **" in (analyses / "checklist.md").read_text(encoding="utf-8")


def test_checklist_quotes_are_complete_when_a_segment_spans_lines(demo_copy):
    # FG1-0182 holds a line break ("Quatre mois.\nEt entre-temps..."): every quote in the
    # checklist and the report opens with « and closes with » and its speaker and segment.
    analyses = demo_copy / "analyses"
    for name in ("checklist.docx", "report.docx"):
        texts = [p.text for p in docx.Document(str(analyses / name)).paragraphs]
        quotes = [t for t in texts if t.startswith("«\u00a0")]
        assert quotes, name
        assert all(re.search(r"\u00a0» \(P\d+, FG\d-\d{4}\)$", t) for t in quotes), \
            [t for t in quotes if not re.search(r"\)$", t)]
    markdown = (analyses / "checklist.md").read_text(encoding="utf-8")
    assert "« Quatre mois. Et entre-temps, j'avais payé une autre caution" in markdown


def test_checklist_demo_study_report(demo_copy):
    document = docx.Document(str(demo_copy / "analyses" / "report.docx"))
    headings = [p.text.replace("\u00a0", " ").replace("’", "'") for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    for heading in ("Méthode", "Accord inter-codeurs", "Triangulation des sites", "Saturation",
                    "Résultats par domaine et par code", "Cahier des exigences", "Références",
                    "Annexe 1 : grille de codage", "Annexe 2 : consensus",
                    "Annexe 3 : grille COREQ"):
        assert heading in headings
    # results for every domain of the codebook, not only the codes with a requirement
    assert "Qualité de l'hébergement" in headings and "Contexte de l'exercice rural" in \
        headings
    # forest plot, suggestions next to the coders, heatmap, saturation curves, each captioned
    assert len(document.inline_shapes) == 4
    captions = [p.text for p in document.paragraphs if p.text.startswith(("Figure ",
                                                                         "Tableau "))]
    assert [c.split(".")[0] for c in captions if c.startswith("Figure")] == \
        ["Figure 1", "Figure 2", "Figure 3", "Figure 4"]
    assert "Tableau 1. Caractéristiques des participants" in captions
    coreq = document.tables[-1]
    assert len(coreq.rows) == 33  # header and the 32 items
    answers = {row.cells[0].text: row.cells[2].text for row in coreq.rows[1:]}
    assert answers["12"] == "22 internes en 3 focus groups"
    assert answers["13"].endswith("26 invités, 22 présents (4 absents)")
    assert answers["22"].startswith("Ensemble\u00a0: saturation atteinte à n = ")
    assert answers["6"].startswith("Aucune relation préalable")  # from study.yaml's coreq:
    assert "à compléter" not in answers.values()
    participants = document.tables[0]
    assert participants.rows[0].cells[-1].text == "Ensemble (n = 22)"
    assert "Semestre d’internat" in [row.cells[0].text for row in participants.rows]
    groups = document.tables[1]
    assert [c.text for c in groups.rows[1].cells[:5]] == ["FG1", "Bordeaux", "2024-02-13",
                                                          "9", "8"]
    # The methods say what was done: the intervals' description in French, the participant
    # cluster bootstrap; convergence is suggested, to confirm; saturation has its caveats.
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("Intervalles de confiance\u00a0: bootstrap percentile à 95\u202f%, 1000 "
            "rééchantillonnages des participants (bootstrap par grappes)") in text
    assert "suggérée par qualcode" in text and "à confirmer par les chercheurs" in text
    assert "ne sont pas des événements indépendants" in text


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
