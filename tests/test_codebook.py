"""The codebook loader, its errors, the HTES codebook, and its Markdown and Word exports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import docx
import pytest

from qualcode.codebook import load_codebook
from qualcode.errors import CodebookError
from qualcode.report.codebook import codebook_markdown, write_codebook_docx

ROOT = Path(__file__).resolve().parent.parent
HTES = ROOT / "codebooks" / "htes.yaml"

SMALL = """\
id: petit
language: fr
codes:
  - id: housing
    label: {fr: Logement, en: Housing}
    definition: Le logement lui-même.
    children:
      - id: housing.private_room
        label: {fr: Chambre individuelle, en: Private bedroom}
        definition: Avoir sa propre chambre.
        include: Chambre à soi, fermant à clé.
        exclude: La salle de bain (housing.private_bathroom).
        examples: ["Une chambre à moi, c'est le minimum."]
        requirement: {id: R-1, fr: Une chambre par interne., en: One room each., category: private_space}
  - id: housing.parking
    label: {fr: Stationnement, en: Parking}
    definition: Pouvoir garer sa voiture.
"""


def test_codebook_declares_its_requirement_categories(tmp_path):
    # Without requirement_categories, any category word is accepted (a consultation study's
    # "communication"), in the section "other"; declared, they are checked and mapped to
    # the sections of a functional brief.
    free = load_codebook(write(tmp_path, SMALL.replace("private_space", "communication")))
    assert free.category("communication").section == "other"
    declared = "requirement_categories:\n  - {id: rooms, label: {fr: Chambres, en: Rooms}, " \
        "section: spaces}\n"
    codebook = load_codebook(write(tmp_path, SMALL.replace("codes:\n", declared + "codes:\n")
                                   .replace("private_space", "rooms")))
    assert codebook.category("rooms").section == "spaces"
    assert codebook.text(codebook.category("rooms").label, "en") == "Rooms"
    with pytest.raises(CodebookError, match=r"'luxury' of code 'housing\.private_room' is not "
                       r"declared; use one of rooms") as info:
        load_codebook(write(tmp_path, SMALL.replace("codes:\n", declared + "codes:\n")
                            .replace("private_space", "luxury")))
    assert info.value.line == 10  # the code, two lines down after the declarations
    with pytest.raises(CodebookError, match="section 'garden' of requirement category"):
        load_codebook(write(tmp_path, SMALL.replace("codes:\n", declared.replace(
            "spaces", "garden") + "codes:\n")))


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_codebook_nested_and_flat_forms_make_one_tree(tmp_path):
    codebook = load_codebook(write(tmp_path, SMALL))
    assert [c.id for c in codebook.codes] == ["housing", "housing.private_room",
                                              "housing.parking"]
    assert [c.id for c in codebook.codable] == ["housing.private_room", "housing.parking"]
    room = codebook["housing.private_room"]
    assert room.parent == "housing" and room.domain == "housing" and room.depth == 1
    assert room.requirement.text["en"] == "One room each."
    assert codebook.text(room.label, "en") == "Private bedroom"
    assert codebook.text(room.definition, "en") == "Avoir sa propre chambre."  # falls back
    assert codebook.closest("housing.private_rom")[0] == "housing.private_room"


@pytest.mark.parametrize("old,new,message,line", [
    ("  - id: housing.parking", "  - id: housing.private_room",
     r"defined twice \(lines 8 and 15\)", 15),
    ("  - id: housing.parking", "  - id: transport.parking", "unknown parent 'transport'", 15),
    ("    definition: Pouvoir garer sa voiture.\n", "", "missing definition", 15),
    ("{fr: Stationnement, en: Parking}", "{fr: '', en: Parking}", "empty or missing label",
     16),
    ("      - id: housing.private_room", "      - id: parking.private_room",
     "must start with 'housing.'", 8),
    ("    label: {fr: Stationnement", "    lable: {fr: Stationnement", "did you mean 'label'",
     16),
    ("id: housing.parking", "id: housing.Parking", "dot path of lower-case words", 15),
])
def test_codebook_errors_name_the_line(tmp_path, old, new, message, line):
    assert old in SMALL
    path = write(tmp_path, SMALL.replace(old, new, 1))
    with pytest.raises(CodebookError, match=message) as info:
        load_codebook(path)
    assert info.value.path == path and info.value.line == line


def test_codebook_duplicate_yaml_keys_are_refused(tmp_path):
    path = write(tmp_path, SMALL.replace("    definition: Le logement lui-même.\n",
                                         "    definition: A.\n    definition: B.\n"))
    with pytest.raises(CodebookError, match="appears twice") as info:
        load_codebook(path)
    assert info.value.line == 7


def test_codebook_htes_covers_the_five_domains_and_context():
    codebook = load_codebook(HTES)
    assert [d.id for d in codebook.domains] == ["housing", "attractiveness", "quality_of_life",
                                                "territory", "local_actions", "context"]
    assert len(codebook.codable) >= 35
    for code in codebook.codable:
        assert code.include and code.exclude and code.examples, code.id
        assert set(code.label) == {"fr", "en"}, code.id
    requirements = [c.requirement.id for c in codebook.codable if c.requirement]
    assert len(requirements) == len(set(requirements)) >= 35
    assert {c.origin for c in codebook.children("context")} == {"inductive"}
    assert "quality_of_life.town_services.shops" in codebook


def test_codebook_htes_markdown_has_every_code():
    codebook = load_codebook(HTES)
    markdown = codebook_markdown(codebook)
    assert all(f"(`{code.id}`)" in markdown for code in codebook.codes)
    assert "**Inclure** :" in markdown
    assert "## Quality of the housing (`housing`)" in codebook_markdown(codebook, language="en")


def test_codebook_word_export_has_one_table_per_domain(tmp_path):
    codebook = load_codebook(HTES)
    path = write_codebook_docx(codebook, tmp_path / "codebook.docx")
    document = docx.Document(str(path))
    assert len(document.tables) == len(codebook.domains)
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["Code", "Définition", "Inclure", "Exclure",
                                                     "Exemples"]
    assert first.rows[1].cells[0].text == "Chambre individuelle\nhousing.private_room"
    assert not list(tmp_path.glob(".*.tmp"))
