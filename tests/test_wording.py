"""The words of the outputs: one catalogue per language, numbers that agree, French
typography, and the demo rendered in English with no French template word (and in French with
no English one), on A4 with its language tag."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from qualcode.assessment import load_design
from qualcode.codebook import load_codebook
from qualcode.report.study_report import REFERENCES
from qualcode.report.wording import _LABELS, Wording, typography
from qualcode.study import load_study
from tests.conftest import copy_demo

DOCUMENTS = ("report.docx", "checklist.docx", "codebook.docx")


def test_wording_counts_agree_with_their_number():
    french, english = Wording("fr"), Wording("en")
    assert french.count(1, "requirement") == "1 exigence"
    assert french.count(2, "requirement") == "2 exigences"
    assert french.count(0, "code") == "0 code"   # French: the singular below 2
    assert french.count(1, "met") == "1 satisfaite"
    assert english.count(1, "code") == "1 code" and english.count(0, "code") == "0 codes"
    # the study's own nouns
    patients = Wording("fr", ("patient", "patients"), "consultations")
    assert patients.count(1, "participant") == "1 patient"
    assert patients.count(13, "group") == "13 consultations"
    assert Wording("en", kind="interviews").count(1, "group") == "1 interview"


def test_wording_labels_codes_and_unknown_ones_readably():
    french = Wording("fr", site_kinds={"gp_practice": "cabinet de médecine générale"})
    assert french.label("priority", "essential") == "Indispensable"
    assert french.label("status", "not_met") == "non satisfaite"
    assert french.label("kind", "gp_practice") == "cabinet de médecine générale"
    assert Wording("en").label("kind", "gp_practice") == "gp practice"  # never raw
    assert french.number(0.8123) == "0,81" and Wording("en").number(0.8123) == "0.81"


def test_wording_catalogues_hold_the_same_keys():
    assert set(_LABELS["fr"]) == set(_LABELS["en"])


def test_typography_french():
    text = "« Une chambre à moi » : c'est le minimum ; vraiment ? 68 % ! À 10:30, voir a:b."
    assert typography(text, "fr") == ("«\u00a0Une chambre à moi\u00a0»\u00a0: c’est le "
                                      "minimum\u202f; vraiment\u202f? 68\u202f%\u202f! À "
                                      "10:30, voir a:b.")
    assert typography(text, "en") == text


@pytest.fixture(scope="module")
def demo_english(tmp_path_factory) -> Path:
    """The demo study with ``language: en``, analysed."""
    from qualcode.pipeline import run

    root = copy_demo(tmp_path_factory.mktemp("demo-en"))
    study = root / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("\nlanguage: fr\n",
                                                               "\nlanguage: en\n"),
                     encoding="utf-8")
    run(root)
    return root


def _texts(path: Path) -> list[str]:
    """Every paragraph of a Word file, tables included."""
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def _template_text(root: Path) -> str:
    """What the outputs print, with the data taken out: quotes, the study's and the
    codebook's own texts (titles, labels, definitions, requirements, COREQ answers)."""
    study = load_study(root)
    codebook = load_codebook(study.codebook)
    data = [study.title, *REFERENCES, *study.coreq.values(), *(g.location or "" for g in study.groups),
            *(str(v) for p in study.participants for v in p.attributes.values()),
            *(s.id for s in study.sites), *(s.name for s in study.sites)]
    for code in codebook.codes:
        for field in (code.label, code.definition, code.include, code.exclude):
            data += field.values()
        data += code.examples
        if code.requirement is not None:
            data += code.requirement.text.values()
    data += [*codebook.title.values(), *(t for c in codebook.categories
                                          for t in c.label.values())]
    ids = {code.requirement.id for code in codebook.codes if code.requirement is not None}
    for path in sorted((root / "designs").glob("*.yaml")):
        design = load_design(path, ids)
        data += [design.name, design.source, *design.facts.values(),
                 *(note for _, note in design.assessment.values())]
    texts = [t for name in DOCUMENTS for t in _texts(root / "analyses" / name)]
    workbook = load_workbook(root / "analyses" / "checklist.xlsx")
    texts += [str(c.value) for sheet in workbook for c in sheet[1]]
    texts.append((root / "analyses" / "checklist.md").read_text(encoding="utf-8"))
    def plain(text: str) -> str:
        return " ".join(text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
                        .split(" "))

    text = plain("\n".join(texts))
    for item in sorted((d for d in data if len(d) > 3), key=len, reverse=True):
        text = text.replace(plain(" ".join(item.split())).rstrip(" ."), " ")
    return re.sub(r"«[^»]*»", " ", text)


def _catalogue_words(language: str, other: str) -> set[str]:
    """Words of one catalogue the other never uses (5 letters or more)."""
    def words(lang: str) -> set[str]:
        return {w.lower() for value in _LABELS[lang].values()
                for w in re.findall(r"[^\W\d_]{5,}", value.replace("’", "'"))}
    return words(language) - words(other) - {"coder"}  # French verb, English noun


def _foreign(text: str, language: str, other: str) -> list[str]:
    found = {w.lower() for w in re.findall(r"[^\W\d_]{5,}", text)}
    return sorted(found & _catalogue_words(other, language))


def test_wording_demo_in_english_has_no_french_template_word(demo_english):
    text = _template_text(demo_english)
    assert "Requirements checklist" in text and "Methods" in text
    assert _foreign(text, "en", "fr") == []


def test_wording_demo_in_french_has_no_english_template_word(demo_copy):
    text = _template_text(demo_copy)
    assert "Cahier des exigences" in text and "Méthode" in text
    assert _foreign(text, "fr", "en") == []


@pytest.mark.parametrize("language,tag", [("fr", "fr-FR"), ("en", "en-GB")])
def test_wording_documents_are_a4_tagged_and_typeset(demo_copy, demo_english, language, tag):
    from docx.oxml.ns import qn

    root = demo_copy if language == "fr" else demo_english
    for name in DOCUMENTS:
        document = docx.Document(str(root / "analyses" / name))
        section = document.sections[0]
        size = sorted((round(section.page_width.cm, 1), round(section.page_height.cm, 1)))
        assert size == [21.0, 29.7], name
        defaults = document.styles.element.find(qn("w:docDefaults"))
        assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == tag, name
        texts = _texts(root / "analyses" / name)
        text = "\n".join(texts)
        if language == "fr":
            assert not re.search(r"« | »| [:;!?](\s|$)|\w'\w", text), (name, re.findall(
                r".{20}(?:« | »| [:;!?](?:\s|$)|\w'\w).{20}", text)[:3])
        assert "à compléter" not in texts and "to complete" not in texts  # COREQ answers


def test_wording_quotes_are_complete_in_english_too(demo_english):
    texts = _texts(demo_english / "analyses" / "checklist.docx")
    quotes = [t for t in texts if t.startswith("«")]
    assert quotes and all(re.search(r"» \(P\d+, FG\d-\d{4}\)$", t) for t in quotes)
