"""Framework matrices, on small hand-made codings whose cells were counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode.codebook import load_codebook
from qualcode.study import load_study
from qualcode.triangulation import dimensions, framework_matrix, share_table
from tests.conftest import ROOT


@pytest.fixture
def study(make_study):
    root = make_study({"fg1.txt": "P11 : Bonjour.\n", "fg2.txt": "P21 : Bonjour.\n"})
    manifest = root / "study.yaml"
    text = manifest.read_text(encoding="utf-8").replace(
        "{id: P11, group: FG1}", "{id: P11, group: FG1, attributes: {semester: 5}}").replace(
        "{id: P21, group: FG2}", "{id: P21, group: FG2, attributes: {semester: 5}}")
    manifest.write_text(text, encoding="utf-8")
    return load_study(root)


def segment(number: int, participant: str, text: str) -> tuple:
    group = f"FG{participant[1]}"
    return (f"{group}-{number:04d}", group, group, "ville", participant, number, 0, 1, text,
            True, float("nan"))


SEGMENTS = pd.DataFrame([
    segment(1, "P11", "Sans voiture, impossible de faire mes trois cabinets dans la semaine."),
    segment(2, "P11", "Le parking."),
    segment(3, "P12", "Il faut une place de parking devant la maison, sinon on tourne."),
    segment(4, "P13", "Une chambre à moi, fermée à clé, c'est le minimum pour tenir."),
    segment(5, "P21", "Moi le parking, franchement, je m'en fiche complètement en ville."),
], columns=["segment_id", "transcript_id", "group_id", "site_id", "participant_id", "turn",
            "start", "end", "text", "codable", "time"])
CODINGS = pd.DataFrame({"coder": "consensus",
                        "segment_id": ["FG1-0001", "FG1-0002", "FG1-0003", "FG1-0004",
                                       "FG2-0005"],
                        "code_id": ["housing.parking"] * 3 + ["housing.private_room",
                                                              "housing.parking"],
                        "source": "x"})


def test_triangulation_framework_matrix_by_group(study):
    codebook = load_codebook(ROOT / "codebooks" / "htes.yaml")
    matrix = framework_matrix(CODINGS, SEGMENTS, study, codebook, dimension="group")
    cells = matrix.set_index(["code_id", "value"])
    # housing.parking in FG1: segments 1, 2 (P11) and 3 (P12) -> 3 segments, 2 of the 8
    # participants of FG1 = .25; in FG2: segment 5 (P21) -> 1 segment, 1/8.
    assert tuple(cells.loc[("housing.parking", "FG1"), ["n_segments", "n_participants",
                                                        "n_column_participants"]]) == (3, 2, 8)
    assert cells.loc[("housing.parking", "FG1"), "share_participants"] == 0.25
    assert cells.loc[("housing.parking", "FG2"), "share_participants"] == 1 / 8
    # Domain row: parking (P11, P12) and private room (P13) -> 4 segments, 3 participants.
    assert tuple(cells.loc[("housing", "FG1"), ["row", "n_segments", "n_participants"]]) == \
        ("domain", 4, 3)
    # Quotes: complete sentences of 8-40 words first, one per participant, longest first:
    # segment 3 (12 words), then segment 1 (11 words); segment 2 (2 words) is left out.
    quotes = cells.loc[("housing.parking", "FG1"), "quotes"].split("\n")
    assert quotes == [
        "« Il faut une place de parking devant la maison, sinon on tourne. » (P12, FG1-0003)",
        "« Sans voiture, impossible de faire mes trois cabinets dans la semaine. » "
        "(P11, FG1-0001)"]
    assert cells.loc[("housing.workspace", "FG1"), "n_segments"] == 0


def test_triangulation_attribute_columns_count_only_who_has_the_attribute(study):
    codebook = load_codebook(ROOT / "codebooks" / "htes.yaml")
    assert dimensions(study) == ["site", "group", "semester"]
    matrix = framework_matrix(CODINGS, SEGMENTS, study, codebook, dimension="semester")
    cell = matrix.set_index(["code_id", "value"]).loc[("housing.parking", "5")]
    # Semester 5: P11 and P21 only; both raised parking.
    assert (cell["n_participants"], cell["n_column_participants"]) == (2, 2)
    shares = share_table(framework_matrix(CODINGS, SEGMENTS, study, codebook))
    assert shares.loc["housing.parking", "ville"] == 3 / 16


def site_matrix(rows: dict[str, tuple[str, list[int]]]) -> pd.DataFrame:
    """A framework matrix by site from counts of participants, 8 per site in sites A, B, C."""
    return pd.DataFrame([("site", site, kind, code, code.partition(".")[0], code, n, n, 8,
                          n / 8, "")
                         for code, (kind, counts) in rows.items()
                         for site, n in zip("ABC", counts, strict=True)],
                        columns=["dimension", "value", "row", "code_id", "domain", "label",
                                 "n_segments", "n_participants", "n_column_participants",
                                 "share_participants", "quotes"])


CONVERGENCE_CASE = site_matrix({
    "housing": ("domain", [5, 7, 1]),
    "housing.private_room": ("code", [4, 3, 0]),
    "housing.parking": ("code", [2, 6, 0]),
    "housing.internet": ("code", [0, 0, 1]),
})


def test_triangulation_convergence_classes_by_hand():
    from qualcode.triangulation import convergence, convergence_summary

    codebook = load_codebook(ROOT / "codebooks" / "htes.yaml")
    table = convergence(CONVERGENCE_CASE, codebook)
    got = {(r.code_id, r.site_a, r.site_b): r.suggested for r in table.itertuples()}
    assert got == {
        # housing: shares .625/.875/.125; child codes A {room, parking}, B the same,
        # C {internet}. A-B: difference .25 <= .25 and Jaccard 1 -> agreement; A-C and B-C:
        # differences .5 and .75, Jaccard 0 -> dissonance.
        ("housing", "A", "B"): "agreement",
        ("housing", "A", "C"): "dissonance",
        ("housing", "B", "C"): "dissonance",
        # private room: .5 vs .375 (difference .125) -> agreement; absent in C -> silence.
        ("housing.private_room", "A", "B"): "agreement",
        ("housing.private_room", "A", "C"): "silence",
        ("housing.private_room", "B", "C"): "silence",
        # parking: .25 vs .75 (difference .5) -> partial agreement; absent in C -> silence.
        ("housing.parking", "A", "B"): "partial agreement",
        ("housing.parking", "A", "C"): "silence",
        ("housing.parking", "B", "C"): "silence",
        # internet: only in C; the pair A-B, where nobody raised it, is left out.
        ("housing.internet", "A", "C"): "silence",
        ("housing.internet", "B", "C"): "silence",
    }
    summary = convergence_summary(CONVERGENCE_CASE, table, table["suggested"])
    overall = dict(zip(summary["code_id"], summary["convergence"], strict=True))
    assert overall == {"housing": "dissonance", "housing.private_room": "silence",
                       "housing.parking": "silence", "housing.internet": "silence"}
    assert summary.set_index("code_id").loc["housing.internet", "presence"] == \
        "present in 1 of 3 sites"


def test_triangulation_convergence_confirmations_round_trip(tmp_path):
    from openpyxl import load_workbook

    from qualcode.io.confirmations import read_convergence, write_convergence
    from qualcode.triangulation import CLASSES, convergence

    codebook = load_codebook(ROOT / "codebooks" / "htes.yaml")
    table = convergence(CONVERGENCE_CASE, codebook)
    path = tmp_path / "convergence.xlsx"
    write_convergence(path, table.assign(confirmed="", note=""), CLASSES)
    workbook = load_workbook(path)
    sheet = workbook["convergence"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("confirmed") + 1, "partial agreement")
    sheet.cell(2, header.index("note") + 1, "mêmes thèmes, accents différents")
    workbook.save(path)
    confirmed = read_convergence(path, CLASSES)
    confirmed = confirmed[confirmed["confirmed"] != ""]
    assert confirmed.values.tolist() == [["housing", "A", "B", "partial agreement",
                                          "mêmes thèmes, accents différents", "row 2"]]


def test_triangulation_cooccurrence_by_hand():
    from qualcode.triangulation import cooccurrence

    codings = pd.concat([CODINGS, pd.DataFrame({"coder": ["consensus"],
                                                "segment_id": ["FG1-0001"],
                                                "code_id": ["housing.private_room"],
                                                "source": ["x"]})])
    pairs = cooccurrence(codings, SEGMENTS, ["housing.private_room", "housing.parking",
                                             "housing.internet"])
    row = pairs.set_index(["code_a", "code_b"]).loc[("housing.private_room",
                                                     "housing.parking")]
    # Segments: room {1, 4}, parking {1, 2, 3, 5}: both {1} -> 1 / (2 + 4 - 1) = .2.
    # Participants: room {P11, P13}, parking {P11, P12, P21}: both {P11} -> 1 / 4.
    assert (row["n_segments_both"], row["jaccard_segments"]) == (1, 0.2)
    assert (row["n_participants_both"], row["jaccard_participants"]) == (1, 0.25)
    assert len(pairs) == 3


def test_triangulation_convergence_between_coders(study):
    from qualcode.triangulation import coder_matrix, convergence

    codebook = load_codebook(ROOT / "codebooks" / "htes.yaml")
    codings = pd.concat([CODINGS.assign(coder="A"),
                         CODINGS[CODINGS["code_id"] == "housing.parking"].assign(coder="B")])
    matrix = coder_matrix(codings, SEGMENTS, study, codebook)
    assert set(matrix["value"]) == {"A", "B"}
    table = convergence(matrix, codebook).set_index("code_id")
    # Both coders gave parking to P11, P12 and P21 (3 of 16 participants): agreement;
    # only A gave the private room (P13): silence between the coders.
    assert table.loc["housing.parking", "suggested"] == "agreement"
    assert table.loc["housing.private_room", "suggested"] == "silence"


def test_triangulation_confirmations_are_not_taken_for_a_coder(demo_copy, tmp_path):
    """A confirmation typed in codings/decisions/convergence.xlsx is recorded in a valid
    codings/convergence.csv and read back; neither is collected as a coder's file."""
    import shutil

    from openpyxl import load_workbook

    from qualcode.steps.coding import collect
    from qualcode.steps.triangulation import triangulate

    root = tmp_path / "demo"
    shutil.copytree(demo_copy, root)
    study = load_study(root)
    triangulate(study)
    path = root / "codings" / "decisions" / "convergence.xlsx"
    workbook = load_workbook(path)
    sheet = workbook["convergence"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("confirmed") + 1, "dissonance")
    workbook.save(path)
    triangulate(study)
    assert (root / "codings" / "convergence.csv").is_file()
    collect(study)  # would refuse convergence.csv as a malformed coding file
    merged = pd.read_csv(root / "analyses" / "convergence.csv")
    assert merged.loc[0, "convergence"] == "dissonance"
