"""Nothing people type is lost: decisions typed in codings/decisions/ survive every command,
sheets are copied before being replaced or updated, and a name added late costs no coding."""

from __future__ import annotations

import shutil

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook

from qualcode.errors import CodingError, QualcodeWarning
from qualcode.io.sheets import read_sheet
from qualcode.pipeline import run
from qualcode.steps.coding import collect, export_docx, make_sheet
from qualcode.study import load_study
from qualcode.textdiff import pseudonym_alignment, same_passage
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT
from tests.test_coding import codings_of, fill_sheet

DECISIONS = ("codings", "decisions")


@pytest.fixture
def demo(demo_copy, tmp_path):
    """A fresh copy of the analysed demo, for one test."""
    root = tmp_path / "demo"
    shutil.copytree(demo_copy, root)
    return root


def type_in(path, sheet_name: str, values: dict[int, dict[str, str]]) -> None:
    """Type values in a decision workbook, as a researcher does in Excel: {row: {column:
    value}}."""
    workbook = load_workbook(path)
    sheet = workbook[sheet_name]
    header = [c.value for c in sheet[1]]
    for row, cells in values.items():
        for column, value in cells.items():
            sheet.cell(row, header.index(column) + 1, value)
    workbook.save(path)


def column(path, sheet_name: str, name: str) -> list:
    sheet = load_workbook(path)[sheet_name]
    header = [c.value for c in sheet[1]]
    return [sheet.cell(r, header.index(name) + 1).value for r in range(2, sheet.max_row + 1)]


def test_decisions_typed_then_run_are_kept_and_used(demo):
    """The testers' case: decisions typed in the workbook, then 'qualcode run' (not
    'qualcode consensus'): every decision is recorded and used, none erased."""
    recorded = pd.read_csv(demo / "codings" / "consensus.csv", dtype=str,
                           keep_default_na=False)
    (demo / "codings" / "consensus.csv").unlink()  # the decisions were never recorded
    stage, _ = collect(load_study(demo))
    assert stage.log is None and stage.consensus_status.startswith("no consensus yet")
    workbook = demo.joinpath(*DECISIONS, "disagreements.xlsx")
    listed = column(workbook, "disagreements", "segment_id")
    assert len(listed) == len(recorded) and set(column(workbook, "disagreements",
                                                       "decision")) == {None}
    taken = recorded.set_index(["segment_id", "code_id"])
    codes = column(workbook, "disagreements", "code_id")
    type_in(workbook, "disagreements", {
        row: {"decision": taken.loc[(s, c), "decision"], "rationale": "vu en réunion",
              "decided_by": "A+B"}
        for row, s, c in zip(range(2, len(listed) + 2), listed, codes, strict=True)})

    result = run(demo)
    assert result.coding.consensus_status.startswith("consensus complete")
    again = pd.read_csv(demo / "codings" / "consensus.csv", dtype=str, keep_default_na=False)
    assert again[["segment_id", "code_id", "decision"]].values.tolist() == \
        recorded[["segment_id", "code_id", "decision"]].values.tolist()
    assert set(again["rationale"]) == {"vu en réunion"}
    kept = set(zip(*[recorded.loc[recorded["decision"] == "keep", c]
                     for c in ("segment_id", "code_id")], strict=True))
    dropped = set(zip(*[recorded.loc[recorded["decision"] == "drop", c]
                        for c in ("segment_id", "code_id")], strict=True))
    consensus = codings_of(result.coding, "consensus")
    assert kept <= consensus and not dropped & consensus
    # The workbook still holds every decision typed, and is not written again.
    before = workbook.read_bytes()
    assert column(workbook, "disagreements", "decision") == [
        taken.loc[(s, c), "decision"] for s, c in zip(listed, codes, strict=True)]
    collect(load_study(demo))
    assert workbook.read_bytes() == before


def test_decision_typed_in_the_old_workbook_is_still_read(demo):
    """A study whose decisions were typed in analyses/disagreements.xlsx (where earlier
    versions made it) loses none of them: they are read, recorded and used, with a
    warning to type them in codings/decisions/ from now on."""
    from qualcode.io.decisions import write_disagreements

    recorded = pd.read_csv(demo / "codings" / "consensus.csv", dtype=str,
                           keep_default_na=False)
    first = recorded.iloc[0]
    stage, _ = collect(load_study(demo))
    rows = stage.disagreements.assign(label="", decision="", rationale="", decided_by="")
    row = rows.index[(rows["segment_id"] == first["segment_id"])
                     & (rows["code_id"] == first["code_id"])][0]
    flipped = "keep" if first["decision"] == "drop" else "drop"
    rows.loc[row, ["decision", "decided_by"]] = flipped, "A+B+directrice"
    write_disagreements(demo / "analyses" / "disagreements.xlsx", rows)
    with pytest.warns(QualcodeWarning, match="analyses/disagreements.xlsx .* was read"):
        stage, _ = collect(load_study(demo))
    again = pd.read_csv(demo / "codings" / "consensus.csv", dtype=str, keep_default_na=False)
    assert again.loc[0, ["decision", "decided_by"]].tolist() == [flipped, "A+B+directrice"]
    assert ((first["segment_id"], first["code_id"]) in codings_of(stage, "consensus")) == \
        (flipped == "keep")


def test_convergence_confirmed_then_run_is_kept_and_used(demo):
    from qualcode.steps.triangulation import triangulate

    study = load_study(demo)
    triangulate(study)
    workbook = demo.joinpath(*DECISIONS, "convergence.xlsx")
    codes = column(workbook, "convergence", "code_id")
    type_in(workbook, "convergence", {2: {"confirmed": "dissonance", "note": "à revoir"},
                                      4: {"confirmed": "agreement"}})
    result = run(demo)
    recorded = pd.read_csv(demo / "codings" / "convergence.csv", dtype=str,
                           keep_default_na=False)
    assert sorted(recorded[["code_id", "confirmed", "note"]].values.tolist()) == sorted(
        [[codes[0], "dissonance", "à revoir"], [codes[2], "agreement", ""]])
    merged = pd.read_csv(demo / "analyses" / "convergence.csv", dtype=str,
                         keep_default_na=False)
    assert merged.loc[0, "convergence"] == "dissonance" and result.convergence is not None
    assert column(workbook, "convergence", "confirmed")[:3] == ["dissonance", None,
                                                                "agreement"]
    run(demo)  # again: nothing typed is cleared
    assert column(workbook, "convergence", "note")[0] == "à revoir"


@pytest.fixture
def study(make_study):
    return load_study(make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES, extra=CODERS))


def test_sheet_force_keeps_a_copy_that_collect_does_not_read(study):
    path = make_sheet(study, "A").path
    fill_sheet(path, {"FG1-0002": ["housing.private_room"], "FG1-0005": ["housing.parking"]})
    made = make_sheet(study, "A", force=True)
    assert made.backup is not None and made.backup.parent == study.root / "codings" / "backups"
    assert len(read_sheet(made.backup)[2]) == 2 and read_sheet(made.path)[2] == []
    stage, _ = collect(study)  # the copy is not a second coding file of A
    assert codings_of(stage, "A") == set()
    assert make_sheet(study, "A", force=True).backup is None  # a blank sheet needs no copy


def test_sheet_update_carries_the_codes_of_unchanged_segments(study):
    path = make_sheet(study, "A").path
    fill_sheet(path, {"FG1-0002": ["housing.private_room"],
                      "FG1-0003": ["housing.private_bathroom"],
                      "FG1-0004": ["housing.parking"]})
    transcript = study.root / "transcripts" / "fg1.txt"
    transcript.write_text(TRANSCRIPT.replace("Moi c'est le parking.", "Moi c'est le garage."),
                          encoding="utf-8")
    with pytest.raises(CodingError, match=r"--coder ID --update"):
        collect(study)
    made = make_sheet(study, "A", update=True)
    assert made.not_carried == ("FG1-0004",)
    assert set(made.carried) == {"FG1-0002", "FG1-0003"}
    assert made.backup is not None and len(read_sheet(made.backup)[2]) == 3
    stage, _ = collect(study)
    assert codings_of(stage, "A") == {("FG1-0002", "housing.private_room"),
                                      ("FG1-0003", "housing.private_bathroom")}


LATE = TRANSCRIPT.replace("Une chambre à moi, fermée à clé.",
                          "Mme Dupuy m'a trouvé une chambre à moi, fermée à clé.")


def test_a_name_added_late_keeps_the_sheets_and_word_comments(make_study):
    root = make_study({"fg1.txt": LATE}, identities=IDENTITIES,
                      extra="  - {id: TIERS, label: personne citée}\n" + CODERS)
    study = load_study(root)
    sheet = make_sheet(study, "A").path
    fill_sheet(sheet, {"FG1-0002": ["housing.private_room"]})
    [word] = export_docx(study)
    document = docx.Document(str(word))
    turn = document.paragraphs[3]
    assert turn.text.startswith("P11 : Mme Dupuy m'a trouvé")
    document.add_comment(turn.runs[1:], text="housing.private_bathroom", author="B")
    document.save(str(root / "codings" / "fg1-b.docx"))
    with (root / "identities.csv").open("a", encoding="utf-8") as handle:
        handle.write(",,Dupuy,TIERS\n")
    with pytest.warns(QualcodeWarning, match="names added to identities.csv") as caught:
        stage, _ = collect(study)
    assert not any("Dupuy" in str(w.message) for w in caught)
    assert codings_of(stage, "A") == {("FG1-0002", "housing.private_room")}
    assert codings_of(stage, "B") == {("FG1-0002", "housing.private_bathroom"),
                                      ("FG1-0003", "housing.private_bathroom")}
    from qualcode.steps.imports import import_study

    canonical = import_study(study).transcripts[0].text
    [(start, end)] = stage.codings.spans[["start", "end"]].values.tolist()
    assert canonical[start:end].startswith("Mme TIERS m'a trouvé")
    assert canonical[start:end].endswith("pas partagée.")
    made = make_sheet(study, "A", update=True)  # the new sheet shows the new text
    assert made.not_carried == () and made.carried == ("FG1-0002",)
    assert read_sheet(made.path)[1]["FG1-0002"][1].startswith("Mme TIERS m'a trouvé")


@pytest.mark.parametrize(("old", "new", "same"), [
    ("Mme Dupuy m'a aidée.", "Mme TIERS m'a aidée.", True),
    ("Camille Martin est là.", "P11 est là.", True),
    ("Le Dr. Jean-Pierre Roux vient.", "Le Dr. TIERS vient.", True),
    ("Mme Dupuy m'a aidée.", "Mme Durand m'a aidée.", False),  # a name is not an id
    ("P11 m'a aidée.", "P12 m'a aidée.", False),  # an id changed: who is meant changed
    ("Mme Dupuy m'a aidée.", "Mme TIERS nous a aidées.", False),
    ("Mme Dupuy m'a aidée.", "TIERS m'a aidée hier.", False),
])
def test_only_a_name_becoming_a_pseudonym_is_the_same_passage(old, new, same):
    assert same_passage(old, new, {"P11", "P12", "TIERS"}) is same


def test_offsets_move_with_a_shorter_pseudonym():
    old, new = "Oui. Mme Dupuy-Martin m'a aidée, merci.", "Oui. Mme TIERS m'a aidée, merci."
    alignment = pseudonym_alignment(old, new, {"TIERS"})
    start, end = old.index("m'a"), old.index(",")
    assert new[alignment.offset(start):alignment.offset(end, end=True)] == "m'a aidée"
    name = old.index("Dupuy"), old.index(" m'a")
    assert new[alignment.offset(name[0]):alignment.offset(name[1], end=True)] == "TIERS"
    assert new[alignment.offset(old.index("Mme")):alignment.offset(old.index("Dupuy") + 2,
                                                                   end=True)] == "Mme TIERS"
