"""Confidentiality: every listed name replaced in every speaker's words, and an audit that
finds what the replacement could not fix. Each form is tested both ways: the pseudonymiser
replaces it in a transcript, and the audit finds it planted in an output."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT
from typer.testing import CliRunner

import qualcode
from qualcode.cli import app
from qualcode.corpus import Pseudonymiser
from qualcode.errors import ConfidentialityError
from qualcode.names import ordinary_words, study_matcher
from qualcode.steps.audit import audit_folder
from qualcode.steps.imports import find_person_names, import_study
from qualcode.study import load_identities, load_study

runner = CliRunner()

# A consultation: a doctor (the interviewer, a role) and her patients, with real-looking names.
IDENTITIES = """\
    group_id,speaker,name,participant_id
    ,Docteure,Hélène Ferrand,MOD
    ,Plusieurs,,MOD
    FG1,Julien,Julien Courbet,P11
    FG1,Pauline,Pauline Guérin,P12
    FG1,Sarah,Sarah Lefèvre,P13
    FG1,Jean-Luc,Jean-Luc Martin-Dupont,P14
    ,,Girard,TIERS
    ,,Laurent,TIERS
    """
EXTRA = "  - {id: TIERS, label: personne citée}\n"


@pytest.fixture
def consultation(make_study):
    def build(text: str, **options):
        return make_study({"fg1.txt": text}, identities=IDENTITIES,
                          extra=options.pop("extra", EXTRA), **options)
    return build


def pseudonymised(root) -> str:
    study = load_study(root)
    return "\n".join(t.text for t in import_study(study).transcripts)


@pytest.mark.parametrize("said,kept", [
    ("Bonjour monsieur Courbet, asseyez-vous.", "Bonjour monsieur P11, asseyez-vous."),
    ("Vous avez vu Mme Laurent ?", "Vous avez vu Mme TIERS ?"),
    ("C'est le Dr Ferrand qui me suit.", "C'est le Dr MOD qui me suit."),
    ("Lefèvre a raison.", "P13 a raison."),
    ("Girard, c'est moi qui l'ai appelé.", "TIERS, c'est moi qui l'ai appelé."),
    ("Jean-Luc et Martin-Dupont, c'est le même.", "P14 et P14, c'est le même."),
    ("Luc est venu, Dupont aussi.", "P14 est venu, P14 aussi."),
])
def test_names_surnames_alone_are_replaced_in_the_interviewers_words(consultation, said,
                                                                      kept):
    root = consultation(f"Docteure : {said}\nJulien : Oui.\n")
    assert pseudonymised(root).startswith(f"MOD : {kept}")


@pytest.mark.parametrize("written", [
    "Ju\u200blien",        # a zero-width space, after copy-paste from a transcription service
    "Paul\u00adine",       # a soft hyphen
    "ＳＡＲＡＨ",           # full-width letters
    "S\u0430rah",          # a Cyrillic а
    "P\u0430uline",        # another Cyrillic а
    "\u200eSarah\u200f",   # direction marks
])
def test_names_obfuscated_forms_are_replaced_and_invisible_characters_dropped(consultation,
                                                                              written):
    root = consultation(f"Docteure : Alors {written}, ça va ?\nJulien : Oui.\n")
    text = pseudonymised(root)
    assert text.startswith("MOD : Alors P1"), text
    assert "\u200b" not in text and "\u00ad" not in text and "\u200e" not in text


def test_names_a_name_cut_by_a_line_break_is_replaced(consultation):
    root = consultation("Docteure : J'ai appelé Pau-\nline hier, et Sa\nrah aussi, "
                        "puis Ju- lien.\nJulien : Oui.\n")
    text = pseudonymised(root)
    assert "P12 hier, et P13 aussi, puis P11." in text, text


def test_names_a_role_word_label_is_not_a_name(consultation):
    # "Plusieurs :" for crosstalk, mapped to a role: an ordinary word, never reported.
    root = consultation("Docteure : On commence ?\nPlusieurs : Oui, plusieurs fois.\n"
                        "Julien : D'accord.\n")
    matcher = study_matcher(load_study(root), load_identities(load_study(root)))
    assert "plusieurs" not in matcher.owners
    assert "Oui, plusieurs fois." in pseudonymised(root)


# --- surnames that are ordinary French words -------------------------------------------------

COMMON_SURNAMES = ("Petit Blanc Roux Marchand Boulanger Brun Meunier Mercier Boucher "
                   "Charpentier Berger Fontaine Chevalier Renard Barbier Picard Bouvier "
                   "Fournier Chauvin Clément Baron Bourgeois Sauvage Poirier Moulin Vacher "
                   "Pasteur Prince Comte Bonnet Carré Rivière").split()


def test_names_the_surnames_tested_are_ordinary_words():
    assert len(COMMON_SURNAMES) >= 30
    lexicon = ordinary_words()
    assert {s for s in COMMON_SURNAMES
            if s.lower().replace("é", "e").replace("è", "e") not in lexicon} == set()


def common_surname_matcher(make_study, surname):
    root = make_study({"fg1.txt": "Animatrice : Bonjour.\n"}, identities=f"""\
        group_id,speaker,name,participant_id
        ,Animatrice,,MOD
        FG1,Claire,Claire {surname},P11
        """)
    study = load_study(root)
    return Pseudonymiser(study, load_identities(study))


@pytest.mark.parametrize("surname", COMMON_SURNAMES)
def test_names_common_word_surnames_follow_the_rule(make_study, surname):
    word = surname.lower()
    pseudonymiser = common_surname_matcher(make_study, surname)
    said = (f"Bonjour madame {surname}. J'ai vu le docteur {word} hier. On en parlait avec "
            f"{surname} ce matin. {surname}, c'est elle. Il y a un {word} dans la phrase. "
            f"{surname} tout court en début de phrase.")
    found: dict = {}
    text = pseudonymiser.pseudonymise(said, "FG1", found)
    # Replaced: after a title (any case), capitalised inside a sentence, followed by a comma.
    assert text.startswith("Bonjour madame P11. J'ai vu le docteur P11 hier. On en parlait "
                           "avec P11 ce matin. P11, c'est elle.")
    # Left as written, and listed for review: lower case, or at a sentence start.
    assert f"Il y a un {word} dans la phrase. {surname} tout court" in text
    assert sorted(written for written, _, replaced_by in found if not replaced_by) == \
        sorted([word, surname])


# --- the audit -------------------------------------------------------------------------------


def audit_with(root, tmp_path, plant):
    folder = tmp_path / "analyses"
    shutil.copytree(root / "analyses", folder)
    plant(folder)
    study = load_study(root)
    return audit_folder(folder, study_matcher(study, load_identities(study)))


def test_names_the_demos_outputs_pass_the_audit(demo_copy):
    study = load_study(demo_copy)
    result = audit_folder(demo_copy / "analyses", study_matcher(study, load_identities(study)))
    assert result.clean, result.findings
    assert result.to_review > 0  # "petit" in lower case: counted, not a finding


@pytest.mark.parametrize("leak,name", [
    ("Bonjour monsieur Lambert.", "lambert"),        # a surname alone (Sarah Lambert)
    ("Ju\u200blien est venu.", "julien"),            # zero-width space
    ("Paul\u00adine est venue.", "pauline"),         # soft hyphen
    ("ＳＡＲＡＨ aussi.", "sarah"),                    # full-width
    ("S\u0430rah aussi.", "sarah"),                   # Cyrillic а
    ("*placement_cabinet_lacoste", "lacoste"),       # _ separates words
    ("FG2-Guerin-2024", "guerin"),                    # - and digits too
])
def test_names_the_audit_finds_planted_leaks_in_text_outputs(demo_copy, tmp_path, leak, name):
    def plant(folder):
        with (folder / "iramuteq.txt").open("a", encoding="utf-8") as handle:
            handle.write(f"\n{leak}\n")

    result = audit_with(demo_copy, tmp_path, plant)
    assert name in set(result.findings["name"]), result.findings
    assert set(result.findings["file"]) == {"analyses/iramuteq.txt"}


def test_names_the_audit_reads_file_names_and_word_properties(demo_copy, tmp_path):
    import docx

    def plant(folder):
        (folder / "transcripts" / "FG1.txt").rename(folder / "transcripts" /
                                                      "entretien_Pauline_Guerin.txt")
        document = docx.Document(str(folder / "report.docx"))
        document.core_properties.author = "Chloé Fournier"
        paragraph = document.add_paragraph("Merci à Hu")
        paragraph.add_run("go pour sa relecture.")  # a name cut between two runs
        document.save(str(folder / "report.docx"))

    result = audit_with(demo_copy, tmp_path, plant)
    found = set(zip(result.findings["file"], result.findings["name"], strict=True))
    assert ("analyses/transcripts/entretien_Pauline_Guerin.txt", "pauline") in found
    assert ("analyses/report.docx", "chloe fournier") in found
    assert ("analyses/report.docx", "hugo") in found


def test_names_the_audit_reads_excel_cells_and_refi_qda_selection_names(demo_copy, tmp_path):
    import zipfile

    from openpyxl import load_workbook

    def plant(folder):
        workbook = load_workbook(folder / "matrix.xlsx")
        workbook.active["A1"] = "Dr Etcheverry"
        workbook.save(folder / "matrix.xlsx")
        with zipfile.ZipFile(folder / "project.qdpx", "a") as archive:
            archive.writestr("extra.qde", '<Project><PlainTextSelection name="Théo Morel"/>'
                                          "</Project>")

    result = audit_with(demo_copy, tmp_path, plant)
    found = set(zip(result.findings["file"], result.findings["name"], strict=True))
    assert ("analyses/matrix.xlsx", "etcheverry") in found
    assert ("analyses/project.qdpx", "theo morel") in found


def test_names_run_from_python_audits_and_raises_on_a_leak(consultation):
    # A name written into the codebook reaches codebook.md: the library stops, as the
    # command does.
    root = consultation("Docteure : Bonjour.\nJulien : Bonjour.\n")
    codebook = root / "codebooks" / "htes.yaml"
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("Ce que les internes attendent",
                                     "Selon Hélène Ferrand, ce que les internes attendent", 1),
                        encoding="utf-8")
    with pytest.raises(ConfidentialityError, match=r"analyses/codebook\.md:\d+ 'helene "
                                                    r"ferrand'"):
        qualcode.run(root)
    result = runner.invoke(app, ["run", "--study", str(root), "--no-name-check"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Audit: no name" not in result.output


def test_names_a_transcript_file_named_after_a_person_is_refused_before_any_work(
        consultation):
    root = consultation("Docteure : Bonjour.\nJulien : Bonjour.\n")
    (root / "transcripts" / "fg1.txt").rename(root / "transcripts" / "entretien_Pauline_Guerin.txt")
    manifest = root / "study.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "transcripts/fg1.txt", "transcripts/entretien_Pauline_Guerin.txt"), encoding="utf-8")
    result = runner.invoke(app, ["run", "--study", str(root)])
    assert result.exit_code == 1
    assert "transcripts/entretien_Pauline_Guerin.txt: 'Pauline'" in result.stderr
    assert "Rename" in result.stderr
    assert not (root / "analyses").exists()


def test_names_the_name_check_reads_the_interviewer_and_knows_listed_names(consultation):
    root = consultation("Docteure : Bonjour, je suis avec Mathilde Dubreuil, l'interne. "
                        "Le résultat de Pauline est là.\nJulien : D'accord.\n")
    study = load_study(root)
    imported = import_study(study)
    names = find_person_names(imported.segments, study)
    assert "Mathilde Dubreuil" in set(names["name"])
    assert not names["listed"].any()
    # A listed part the check meets (a form written differently) is marked listed, never
    # "not in identities.csv".
    listed = find_person_names(imported.segments.assign(text="Merci à Ｐauline Guérin."),
                               study)
    assert listed.empty or listed["listed"].all()


def test_names_the_review_list_is_private_and_complete(consultation):
    root = consultation("Docteure : Bonjour monsieur Courbet. Un petit mot.\n"
                        "Julien : Bonjour.\n")
    result = runner.invoke(app, ["import", "--study", str(root), "--no-name-check"])
    assert result.exit_code == 0, result.output
    review = (root / "names-review.csv").read_text(encoding="utf-8")
    assert "FG1,Courbet,courbet,P11,1,transcripts/fg1.txt:1" in review
    assert not list((root / "analyses").rglob("names-review*"))
    assert "names-review.csv" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_names_the_audit_reads_csv_cells_as_sentences(demo_copy, tmp_path):
    # "Petit" is a surname of the demo (Manon Petit): starting a cell it is the ordinary
    # word, counted for review; inside a sentence it is the name, a finding.
    def plant(folder):
        with (folder / "coders.csv").open("a", encoding="utf-8") as handle:
            handle.write('Petit déjeuner,"Petit, c\'est elle",vu avec Petit hier\n')

    result = audit_with(demo_copy, tmp_path, plant)
    rows = result.findings[result.findings["file"] == "analyses/coders.csv"]
    assert rows["name"].tolist() == ["petit", "petit"]
