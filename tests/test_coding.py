"""Coding sheets, CSV and Word-comment codings, span mapping, disagreements and consensus."""

from __future__ import annotations

import csv

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook

from qualcode.coding import spans_to_segments
from qualcode.errors import CodingError, QualcodeError, QualcodeWarning, UndecidedError
from qualcode.io.sheets import FIRST_ROW
from qualcode.pipeline import run
from qualcode.steps.coding import collect, decide_consensus, export_docx, make_sheet
from qualcode.study import load_study
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT


@pytest.fixture
def study(make_study):
    return load_study(make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES, extra=CODERS))


def fill_sheet(path, marks: dict[str, list[str]]) -> None:
    """Type x in a coding sheet, as a coder does in Excel."""
    workbook = load_workbook(path)
    sheet = workbook["coding"]
    columns = {sheet.cell(3, c).value: c for c in range(1, sheet.max_column + 1)}
    rows = {sheet.cell(r, 1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    for segment_id, codes in marks.items():
        for code in codes:
            sheet.cell(rows[segment_id], columns[code], "x")
    workbook.save(path)


def codings_of(stage, coder: str) -> set[tuple[str, str]]:
    table = stage.codings.codings
    mine = table[table["coder"] == coder]
    return set(zip(mine["segment_id"], mine["code_id"], strict=True))


def test_coding_sheet_layout(study):
    path = make_sheet(study, "A").path
    workbook = load_workbook(path)
    sheet = workbook["coding"]
    assert [sheet.cell(1, c).value for c in range(1, 6)] == ["segment_id", "group", "speaker",
                                                             "context", "text"]
    assert sheet.cell(3, 6).value == "housing.private_room"
    assert sheet.cell(2, 6).value == "Chambre individuelle"
    assert sheet.freeze_panes == "F4"
    assert sheet.protection.sheet
    assert sheet.cell(FIRST_ROW, 5).protection.locked
    assert not sheet.cell(FIRST_ROW, 6).protection.locked
    # Only codable segments (not the moderator's), each with the previous one as context.
    assert sheet.cell(FIRST_ROW, 1).value == "FG1-0002"
    assert sheet.cell(FIRST_ROW, 4).value.startswith("Qu'est-ce qui compte")
    assert workbook["codebook"].cell(2, 1).value == "housing"
    assert workbook["qualcode"].sheet_state == "hidden"
    with pytest.raises(QualcodeError, match="pass --force"):
        make_sheet(study, "A")


def test_coding_sheet_round_trip(study):
    marks = {"FG1-0002": ["housing.private_room"],
             "FG1-0003": ["housing.private_bathroom"],
             "FG1-0005": ["housing.parking", "quality_of_life.commute"]}
    path = make_sheet(study, "A").path
    fill_sheet(path, marks)
    stage, written = collect(study)
    assert codings_of(stage, "A") == {(s, c) for s, codes in marks.items() for c in codes}
    assert set(stage.codings.codings["source"]) == {"codings/sheets/A.xlsx"}
    saved = pd.read_csv(study.root / "analyses" / "codings.csv")
    assert len(saved) == 4 and study.root / "analyses" / "codings.csv" in written


def test_coding_sheet_refuses_anything_but_x(study):
    path = make_sheet(study, "A").path
    workbook = load_workbook(path)
    workbook["coding"].cell(FIRST_ROW + 1, 7, "oui")
    workbook.save(path)
    with pytest.raises(CodingError, match=r"cell G5 .* holds 'oui'; type x"):
        collect(study)


def test_coding_sheet_without_its_coder_cell_is_read_as_the_file_name(study):
    # The hidden 'qualcode' sheet keeps 'coder' but lost its value column: the file name
    # says who coded, as for a sheet without that hidden sheet (found by tests/test_fuzz.py).
    path = make_sheet(study, "A").path
    fill_sheet(path, {"FG1-0002": ["housing.private_room"]})
    workbook = load_workbook(path)
    workbook["qualcode"].delete_cols(2)
    workbook.save(path)
    stage, _ = collect(study)
    assert codings_of(stage, "A") == {("FG1-0002", "housing.private_room")}


def test_coding_drift_is_refused_and_nothing_is_written(study):
    fill_sheet(make_sheet(study, "A").path, {"FG1-0002": ["housing.private_room"]})
    transcript = study.root / "transcripts" / "fg1.txt"
    transcript.write_text(TRANSCRIPT.replace("fermée à clé", "qui ferme à clé"),
                          encoding="utf-8")
    with pytest.raises(CodingError) as info:
        collect(study)
    assert "text of segment FG1-0002 changed" in str(info.value)
    assert str(info.value).startswith("codings/sheets/A.xlsx:row 4: ")
    assert not (study.root / "analyses").exists()


def write_csv(study, name: str, rows: list[list]) -> None:
    with (study.root / "codings" / name).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_coding_csv_long_and_span_forms(study):
    from qualcode.steps.imports import import_study

    canonical = import_study(study).transcripts[0].text
    start = canonical.index("Moi c'est le parking.")
    end = start + len("Moi c'est le parking.")
    (study.root / "codings").mkdir()
    write_csv(study, "b.csv", [["coder", "segment_id", "code_id"],
                               ["B", "FG1-0002", "Chambre individuelle"]])  # a label works
    write_csv(study, "b-spans.csv", [["coder", "transcript_id", "start", "end", "code_id"],
                                     ["B", "FG1", start, end, "housing.parking"]])
    with pytest.warns(QualcodeWarning, match=r"several files, all used: B on FG1 "
                                             r"\(codings/b-spans.csv, codings/b.csv\)"):
        stage, _ = collect(study)
    assert codings_of(stage, "B") == {("FG1-0002", "housing.private_room"),
                                      ("FG1-0004", "housing.parking")}
    spans = stage.codings.spans
    assert spans[["start", "end", "source"]].values.tolist() == [[start, end,
                                                                 "codings/b-spans.csv"]]


@pytest.mark.parametrize("row,message", [
    (["B", "FG1-0002", "housing.private_rom"], "unknown code 'housing.private_rom'; closest "
                                               "valid ids: housing.private_room"),
    (["B", "FG1-0002", "housing"], "'housing' is a category"),
    (["B", "FG1-9999", "housing.parking"], "unknown segment 'FG1-9999'"),
    (["B", "FG1-0001", "housing.parking"], "is a moderator's"),
    (["Z", "FG1-0002", "housing.parking"], "coder 'Z' is not a coder of study.yaml"),
])
def test_coding_csv_errors_name_the_line(study, row, message):
    (study.root / "codings").mkdir()
    write_csv(study, "b.csv", [["coder", "segment_id", "code_id"],
                               ["B", "FG1-0003", "housing.private_bathroom"], row])
    with pytest.raises(CodingError, match=message) as info:
        collect(study)
    assert info.value.line == 3
    assert str(info.value).startswith("codings/b.csv:3: ")
    assert not (study.root / "analyses").exists()


def test_coding_span_mapping_rule():
    segments = pd.DataFrame({"segment_id": ["S1", "S2", "S3"], "transcript_id": "T",
                             "start": [0, 10, 30], "end": [10, 30, 40],
                             "codable": [True, True, True]})
    spans = pd.DataFrame({"coder": ["A"], "transcript_id": ["T"], "start": [4], "end": [21],
                          "code_id": ["c"], "source": ["f"]})
    # S1: 6 of 10 characters (kept); S2: 11 of 20 (kept at 0.5, not at 0.6); S3: none.
    assert [row[1] for row in spans_to_segments(spans, segments, share=0.5)] == ["S1", "S2"]
    assert [row[1] for row in spans_to_segments(spans, segments, share=0.6)] == ["S1"]


def test_coding_word_comments_map_to_segments_and_spans(study):
    from qualcode.steps.imports import import_study

    [path] = export_docx(study)
    document = docx.Document(str(path))
    turn = document.paragraphs[3]  # heading, instructions, MOD's turn, then P11's turn
    assert turn.text.startswith("P11 : Une chambre à moi")
    text_run = turn.runs[1]
    first, second = text_run.text.split(" Et ")
    text_run.text = first + " "
    second_run = turn.add_run("Et " + second)
    document.add_comment([second_run], text="housing.private_bathroom; Stationnement",
                         author="Alice Durand")
    hugo = document.paragraphs[4]
    document.add_comment(hugo.runs[1:], text="quality_of_life.commute", author="a")
    (study.root / "codings").mkdir()
    document.save(str(study.root / "codings" / "fg1-alice.docx"))
    stage, _ = collect(study)
    assert codings_of(stage, "A") == {("FG1-0003", "housing.private_bathroom"),
                                      ("FG1-0003", "housing.parking"),
                                      ("FG1-0004", "quality_of_life.commute"),
                                      ("FG1-0005", "quality_of_life.commute")}
    canonical = import_study(study).transcripts[0].text
    spans = stage.codings.spans
    covered = {canonical[s:e] for s, e in zip(spans["start"], spans["end"], strict=True)}
    assert covered == {"Et une salle de bain pas partagée.",
                       "Moi c'est le parking. Sans voiture, impossible de faire mes trois "
                       "cabinets."}


def test_coding_word_file_is_a4_and_in_the_study_language(study):
    """A French coder's Word file prints on A4, Word checks its spelling in French, and the
    instructions stand apart in italics."""
    from docx.oxml.ns import qn

    [path] = export_docx(study)
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "fr-FR"
    assert round(section.left_margin.cm, 1) == 2.0
    assert document.paragraphs[1].runs[0].italic  # the instructions, apart from the text


def test_coding_word_comment_on_the_whole_last_turn_is_kept(study):
    from qualcode.steps.imports import import_study

    # Selecting the last paragraph in Word takes its final line break too: the span ends at
    # the end of the canonical text, after the last segment (found by tests/test_fuzz.py).
    [path] = export_docx(study)
    document = docx.Document(str(path))
    last = document.paragraphs[-1]
    assert last.text.startswith("P11 : Moins que les 300 euros")
    document.add_comment(last.runs, text="attractiveness.rent_pricing", author="B")
    (study.root / "codings").mkdir()
    document.save(str(study.root / "codings" / "fg1-b.docx"))
    stage, _ = collect(study)
    assert codings_of(stage, "B") == {("FG1-0007", "attractiveness.rent_pricing")}
    canonical = import_study(study).transcripts[0].text
    assert stage.codings.spans["end"].tolist() == [len(canonical)]


def test_coding_word_file_with_edited_text_is_refused(study):
    [path] = export_docx(study)
    document = docx.Document(str(path))
    document.paragraphs[4].runs[1].text = "Moi c'est le garage."
    (study.root / "codings").mkdir()
    document.save(str(study.root / "codings" / "fg1.docx"))
    with pytest.raises(CodingError, match="text was edited after export") as info:
        collect(study)
    assert info.value.line == "paragraph 5"


def test_coding_disagreements_consensus_and_audit_log(study):
    fill_sheet(make_sheet(study, "A").path, {"FG1-0002": ["housing.private_room"],
                                        "FG1-0003": ["housing.private_bathroom"],
                                        "FG1-0005": ["housing.parking"]})
    fill_sheet(make_sheet(study, "B").path, {"FG1-0002": ["housing.private_room"],
                                        "FG1-0005": ["housing.parking",
                                                     "quality_of_life.commute"],
                                        "FG1-0007": ["attractiveness.rent_pricing"]})
    stage, _ = collect(study)
    differ = stage.disagreements
    assert differ[["segment_id", "code_id", "applied_by", "not_applied_by"]].values.tolist() \
        == [["FG1-0003", "housing.private_bathroom", "A", "B"],
            ["FG1-0005", "quality_of_life.commute", "B", "A"],
            ["FG1-0007", "attractiveness.rent_pricing", "B", "A"]]
    workbook_path = study.root / "codings" / "decisions" / "disagreements.xlsx"
    workbook = load_workbook(workbook_path)
    sheet = workbook["disagreements"]
    header = [c.value for c in sheet[1]]
    decision, rationale, by = (header.index(c) + 1 for c in ("decision", "rationale",
                                                             "decided_by"))
    for row, value in ((2, "keep"), (3, "drop")):
        sheet.cell(row, decision, value)
        sheet.cell(row, rationale, "discuté en réunion")
        sheet.cell(row, by, "A+B")
    workbook.save(workbook_path)
    with pytest.raises(UndecidedError, match=r"1 disagreement\(s\) have no decision.*FG1-0007 "
                                             "attractiveness.rent_pricing"):
        decide_consensus(study)
    assert not (study.root / "codings" / "consensus.csv").exists()
    sheet.cell(4, decision, "keep")
    sheet.cell(4, by, "A+B+directrice")
    workbook.save(workbook_path)
    log, _ = decide_consensus(study)
    saved = pd.read_csv(study.root / "codings" / "consensus.csv")
    assert saved["decision"].tolist() == ["keep", "drop", "keep"]
    assert log.values.tolist() == [["attractiveness.rent_pricing", "keep", "A+B+directrice", 1],
                                   ["housing.private_bathroom", "keep", "A+B", 1],
                                   ["quality_of_life.commute", "drop", "A+B", 1]]
    result = run(study.root)
    assert codings_of(result.coding, "consensus") == {
        ("FG1-0002", "housing.private_room"), ("FG1-0003", "housing.private_bathroom"),
        ("FG1-0005", "housing.parking"), ("FG1-0007", "attractiveness.rent_pricing")}
    assert result.coding.consensus_status.startswith("consensus complete")
    # The regenerated workbook keeps the decisions already taken.
    again = load_workbook(workbook_path)["disagreements"]
    assert [again.cell(r, decision).value for r in (2, 3, 4)] == ["keep", "drop", "keep"]


def test_coding_sheet_mark_under_a_column_without_code_id_is_refused(study):
    """An x whose code id was deleted from row 3 (or typed past the last column) would be
    lost: it stops collect, naming the cell; notes stay free text."""
    path = make_sheet(study, "A").path
    fill_sheet(path, {"FG1-0002": ["housing.private_room"]})
    workbook = load_workbook(path)
    sheet = workbook["coding"]
    note = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == "note")
    sheet.cell(FIRST_ROW + 1, note, "à revoir avec B")
    workbook.save(path)
    stage, _ = collect(study)
    assert codings_of(stage, "A") == {("FG1-0002", "housing.private_room")}
    sheet.cell(3, 6).value = None  # the code id of the first code column, deleted
    workbook.save(path)
    with pytest.raises(CodingError, match=r"A.xlsx:row 4: cell F4 holds 'x' in a column with "
                                          r"no code id in row 3"):
        collect(study)
