"""REFI-QDA import and export, IRaMuTeQ export.

The schemas in tests/data/refi are the standard's (MIT); the vendor samples of ../shared are
only read in place, never copied, and their tests skip where ../shared is absent.
"""

from __future__ import annotations

import io
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xmlschema
from conftest import ROOT
from test_cli import invoke

from qualcode import schema as S
from qualcode.coding import human_codings
from qualcode.errors import CodingError, QualcodeError
from qualcode.io import refiqda
from qualcode.io.refiqda import (
    RefiCode,
    RefiProject,
    RefiSelection,
    RefiSource,
    read_project,
    stable_guid,
    write_qdpx,
)
from qualcode.steps.coding import collect
from qualcode.steps.refiqda import import_into_study, study_from_project
from qualcode.study import load_study

SCHEMAS = ROOT / "tests" / "data" / "refi"
PROJECT_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
USER = "11111111-2222-3333-4444-555555555555"
CODE = "aaaaaaaa-2222-3333-4444-555555555555"


def qde(project: Path) -> bytes:
    with zipfile.ZipFile(project) as archive:
        return archive.read("project.qde")


def study_copy(demo_copy: Path, tmp_path: Path, *, codings: bool = True) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(demo_copy, root, ignore=shutil.ignore_patterns("analyses"))
    if not codings:
        shutil.rmtree(root / "codings")
        (root / "codings").mkdir()
    return root


# --- export --------------------------------------------------------------------------------

def test_export_validates_against_both_schemas(demo_copy):
    project = xmlschema.XMLSchema(SCHEMAS / "Project-mrt2019.xsd")
    codebook = xmlschema.XMLSchema(SCHEMAS / "Codebook.xsd")
    assert list(project.iter_errors(io.BytesIO(qde(demo_copy / "analyses" / "project.qdpx"))
                                    )) == []
    assert list(codebook.iter_errors(str(demo_copy / "analyses" / "codebook.qdc"))) == []


def test_export_holds_pseudonymised_texts_coders_codes_and_cases(demo_copy):
    project = read_project(demo_copy / "analyses" / "project.qdpx")
    texts = {t.stem: t.read_text(encoding="utf-8")
             for t in (demo_copy / "analyses" / "transcripts").glob("*.txt")}
    assert {s.name: s.text for s in project.sources} == texts
    assert sorted(project.users.values()) == ["Codeur A", "Codeur B", "consensus"]
    assert sorted(project.user_ids.values()) == ["A", "B", "consensus"]
    assert len(project.cases) == 22
    case = next(c for c in project.cases if c.name == "P01")
    # Typed variables: semester comes back an integer, car a boolean.
    assert dict(case.variables) == {"site": "Bordeaux", "site_kind": "university_city",
                                    "group": "FG1", "semester": 5, "sex": "F",
                                    "placement": "periurban", "car": True}
    # The case holds its own turns, not the group's whole transcript.
    assert case.sources == () and case.selections
    source = project.sources[0]
    turns = {s.guid: s for s in source.selections}
    assert set(case.selections) <= set(turns)
    assert all(not turns[g].codings and not turns[g].user for g in case.selections)
    # Offsets are exact: each selection's name quotes its text.
    for selection in source.selections[:50]:
        assert source.text[selection.start:selection.end].startswith(
            selection.name.rstrip("…")[:20])


def test_export_is_byte_identical_twice(demo_copy, tmp_path):
    from qualcode.steps.refiqda import export_qdpx

    study = load_study(demo_copy)
    first = export_qdpx(study, tmp_path / "a.qdpx").read_bytes()
    assert export_qdpx(study, tmp_path / "b.qdpx").read_bytes() == first


# --- round trips ---------------------------------------------------------------------------

def test_round_trip_through_codings_folder_gives_back_every_coding(demo_copy, tmp_path):
    """Export, then read the .qdpx back as the only file of codings/: the same codings, coder
    by coder, segment by segment, and the same reviewed transcripts."""
    before, _ = collect(load_study(demo_copy))
    root = study_copy(demo_copy, tmp_path, codings=False)
    shutil.copy(demo_copy / "analyses" / "project.qdpx", root / "codings" / "nvivo.qdpx")
    after, _ = collect(load_study(root))
    key = [S.CODER, S.SEGMENT_ID, S.CODE_ID]
    expected = human_codings(before.codings.codings)[key].sort_values(key)
    assert len(expected) == 2085
    pd.testing.assert_frame_equal(after.codings.codings[key].sort_values(key)
                                  .reset_index(drop=True), expected.reset_index(drop=True))
    pd.testing.assert_frame_equal(after.codings.reviewed, before.codings.reviewed)


def test_round_trip_into_a_new_study_gives_back_transcripts_codes_coders(demo_copy,
                                                                          tmp_path):
    summary = study_from_project(demo_copy / "analyses" / "project.qdpx", tmp_path / "new")
    # 2,085 codings of the two coders and 1,015 of the consensus user.
    assert summary.set_index("item").loc["codings", "imported"] == 2085 + 1015
    study = load_study(tmp_path / "new")
    original = load_study(demo_copy)
    assert [c.id for c in study.coders] == ["A", "B"]
    assert [g.id for g in study.groups] == ["FG1", "FG2", "FG3"]
    assert {p.id: p.group for p in study.participants} == \
        {p.id: p.group for p in original.participants}
    assert {g.id: g.site for g in study.groups} == {g.id: g.site for g in original.groups}
    from qualcode.codebook import load_codebook

    assert [c.id for c in load_codebook(study.codebook).codes] == \
        [c.id for c in load_codebook(original.codebook).codes]
    before, _ = collect(original)
    after, _ = collect(study)
    key = [S.CODER, S.SEGMENT_ID, S.CODE_ID]
    # Every coder's codings, and the consensus (made again from the decisions imported).
    assert set(map(tuple, after.codings.codings[key].values)) == \
        set(map(tuple, before.codings.codings[key].values))
    assert (after.codings.codings[S.CODER] == "consensus").sum() == 1015


def test_import_into_study_writes_a_span_csv(demo_copy, tmp_path):
    root = study_copy(demo_copy, tmp_path, codings=False)
    target, summary = import_into_study(load_study(root),
                                        demo_copy / "analyses" / "project.qdpx")
    assert target == root / "codings" / "project.csv"
    spans = pd.read_csv(target)
    assert list(spans.columns) == ["coder", "transcript_id", "start", "end", "code_id"]
    assert set(spans["coder"]) == {"A", "B"}
    # One selection per coder and span (the consensus' are not imported into a study).
    assert summary.set_index("item").loc["text selections", "imported"] == 1846


# --- a project coded on the original transcripts --------------------------------------------

def raw_project(path: Path, text: str, selections: list[tuple[int, int, str]], *,
                name: str = "fg2-mont-de-marsan", origin: str = "NVivo 14",
                user: str = "Codeur A") -> Path:
    codes = tuple(RefiCode(stable_guid("code", c), c.rpartition(".")[2]) for c in
                  dict.fromkeys(code for *_, code in selections))
    source = RefiSource("bbbbbbbb-2222-3333-4444-555555555555", name, text, tuple(
        RefiSelection(f"cccccccc-2222-3333-4444-{n:012d}", start, end,
                      ((stable_guid("code", code), USER),), text[start:end])
        for n, (start, end, code) in enumerate(selections)))
    return write_qdpx(path, RefiProject("Projet NVivo", origin, {USER: user}, {}, codes,
                                        (source,)))


def test_project_coded_on_raw_transcript_maps_onto_pseudonymised_text(demo_copy, tmp_path):
    """A project coded on the original FG2 transcript (real names, speaker labels, no
    pseudonyms): its selection lands on the same words of the canonical text."""
    raw = (demo_copy / "transcripts" / "fg2-mont-de-marsan.txt").read_bytes().decode("cp1252")
    phrase = "Allez, moi. Nicolas, cinquième semestre"
    start = raw.index(phrase)
    path = raw_project(tmp_path / "raw.qdpx", raw,
                       [(start, start + len(phrase), "context.rural_practice_appeal")])
    root = study_copy(demo_copy, tmp_path, codings=False)
    target, _ = import_into_study(load_study(root), path)
    span = pd.read_csv(target).iloc[0]
    canonical = (demo_copy / "analyses" / "transcripts" / "FG2.txt").read_text(
        encoding="utf-8")
    assert span["transcript_id"] == "FG2"
    assert canonical[span["start"]:span["end"]] == "Allez, moi. P14, cinquième semestre"


@pytest.mark.parametrize("convention", ["one", "two"])
def test_crlf_offsets_in_either_convention(demo_copy, tmp_path, convention):
    """NVivo for Windows counts CRLF as two characters, ATLAS.ti as one: with the option
    (or the selection names, in auto mode) both land on the same words."""
    canonical = (demo_copy / "analyses" / "transcripts" / "FG1.txt").read_text(
        encoding="utf-8")
    crlf = canonical.replace("\n", "\r\n")
    phrase = "pas de voiture"
    at = canonical.index(phrase)
    before = canonical[:at].count("\n") if convention == "two" else 0
    start = at + before
    codes = (RefiCode(stable_guid("code", "quality_of_life.transport_links"), "x"),)
    source = RefiSource(stable_guid("transcript", "FG1"), "FG1", crlf, (RefiSelection(
        "cccccccc-2222-3333-4444-000000000001", start, start + len(phrase),
        ((codes[0].guid, USER),), phrase),))
    path = write_qdpx(tmp_path / "crlf.qdpx", RefiProject("p", "NVivo", {USER: "A"}, {},
                                                          codes, (source,)))
    for option in (convention, "auto"):
        selection = read_project(path, crlf=option).sources[0].selections[0]
        assert canonical[selection.start:selection.end] == phrase


def test_flat_code_names_become_a_hierarchy(tmp_path):
    """ATLAS.ti 8 writes 'Coke::diet Coke', Taguette 'interesting\\places': nested codes."""
    from qualcode.codebook import load_codebook
    from qualcode.io.refiqda import codebook_xml
    from qualcode.steps.refiqda import import_codebook

    codes = (RefiCode(CODE, "Logement::Chambre individuelle"),
             RefiCode("aaaaaaaa-2222-3333-4444-000000000002", "Logement\\Salle de bain"),
             RefiCode("aaaaaaaa-2222-3333-4444-000000000003", "Transport"))
    qdc = tmp_path / "taguette.qdc"
    qdc.write_bytes(codebook_xml(codes, origin="Taguette 1.5.2"))
    (tmp_path / "codebooks").mkdir()
    codebook = load_codebook(import_codebook(tmp_path, qdc))
    assert [(c.id, c.codable) for c in codebook.codes] == [
        ("logement", False), ("logement.chambre_individuelle", True),
        ("logement.salle_de_bain", True), ("transport", True)]


# --- IRaMuTeQ ------------------------------------------------------------------------------

def test_iramuteq_corpus_per_participant(demo_copy):
    from qualcode.io.iramuteq import iramuteq_corpus
    from qualcode.steps.imports import import_study

    study = load_study(demo_copy)
    segments = pd.read_csv(demo_copy / "analyses" / "segments.csv")
    text = iramuteq_corpus(segments, study, per="participant")
    heads = [line for line in text.splitlines() if line.startswith("****")]
    assert len(heads) == 22
    assert heads[0] == ("**** *site_bordeaux *group_fg1 *participant_p01 *semester_5 *sex_f "
                        "*placement_periurban *car_true")
    assert "MOD :" not in text and "Sophie" not in text
    per_turn = (demo_copy / "analyses" / "iramuteq.txt").read_text(encoding="utf-8")
    turns = import_study(study).segments
    spoken = turns[turns[S.PARTICIPANT_ID].str.startswith("P")]
    assert per_turn.count("****") == len(spoken.drop_duplicates([S.TRANSCRIPT_ID, S.TURN]))


# --- vendor samples (../shared, read in place) ----------------------------------------------

SAMPLES = {  # file: counts the samples' README lists
    "atlasti-8.4.0-mac_standard-project_Project.qde": dict(
        User=3, Code=14, TextSource=6, PDFSource=2, PictureSource=1, AudioSource=1,
        VideoSource=2, PlainTextSelection=8, PDFSelection=4, PictureSelection=1,
        VideoSelection=2, Coding=16, Note=2, Set=16, Link=1, Graph=1),
    "atlasti-23.2.3-win_blank-atlas-project.qdpx": dict(User=2),
    "atlasti-23.2.3-win_target-atlas-project.qdpx": dict(User=2, Code=3),
    "f4-2025.2.9_valid-document.xml": dict(Code=1, TextSource=4, PlainTextSelection=4,
                                           Coding=2, Note=3),
    "maxqda-24.7.0_2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx": dict(
        User=1, Code=307, TextSource=10, Set=2),
    "nvivo-mac-15.0.0_nvivo_project.qdpx": dict(User=2, Code=262, TextSource=2),
    "qc-1.3.2_demo.qdpx": dict(User=1, Code=262, TextSource=2, PlainTextSelection=158,
                               Coding=205),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_vendor_project_samples_read_with_their_counts(shared, name, tmp_path):
    path = shared / "refi-qda" / "samples" / name
    project = read_project(path)
    assert dict(project.found) == SAMPLES[name]
    # As a new study: made, or refused with one clear line (no speaker turns, no text).
    try:
        summary = study_from_project(path, tmp_path / "study")
    except QualcodeError as error:
        assert "\n" not in str(error) and str(path) in str(error)
        assert not (tmp_path / "study").exists()
    else:
        assert (summary["imported"] <= summary["found"]).all()
        load_study(tmp_path / "study")


def test_vendor_sample_qc_keeps_every_coding_of_its_text(shared):
    project = read_project(shared / "refi-qda" / "samples" / "qc-1.3.2_demo.qdpx")
    selections = [s for source in project.sources for s in source.selections]
    assert len(selections) == 158 and sum(len(s.codings) for s in selections) == 205
    assert all(s.text[x.start:x.end] for s in project.sources for x in s.selections)


@pytest.mark.parametrize("name,codes", [
    ("atlasti-win-23.4.0_codebook_from-requal-test.qdc", 1),
    ("taguette-1.5.2_codebook_reconstructed-from-tests.qdc", 3)])
def test_vendor_codebook_samples(shared, name, codes, tmp_path):
    from qualcode.codebook import load_codebook
    from qualcode.steps.refiqda import import_codebook

    _, found, _ = refiqda.read_codes(shared / "refi-qda" / "samples" / name)
    assert len(found) == codes
    (tmp_path / "codebooks").mkdir()
    assert load_codebook(import_codebook(tmp_path, shared / "refi-qda" / "samples" / name))


# --- hostile and broken files ---------------------------------------------------------------

def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


MINIMAL = (PROJECT_HEAD + '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
           '<Users><User guid="' + USER + '" name="A"/></Users></Project>').encode()
LAUGHS = (PROJECT_HEAD + '<!DOCTYPE Project [<!ENTITY a "haha">'
          + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">'
                    for i in range(8))
          + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&i;"/>').encode()


@pytest.mark.parametrize("members,message", [
    ({"project.qde": LAUGHS}, "declares a DTD or entities"),
    ({"project.qde": MINIMAL, "../../evil.txt": b"x"}, "absolute or '..' path"),
    ({"project.qde": MINIMAL, "/etc/evil": b"x"}, "absolute or '..' path"),
    ({"project.qde": b"<Project name='p'><Users>"}, "not well-formed XML"),
    ({"a.qde": MINIMAL, "b.qde": MINIMAL}, "exactly one .qde"),
    ({"notes.txt": b"x"}, "exactly one .qde"),
    ({"project.qde": PROJECT_HEAD.encode() + b"<CodeBook/>"}, "not <Project>"),
])
def test_hostile_or_broken_projects_are_refused(tmp_path, members, message):
    path = zipped(tmp_path / "bad.qdpx", members)
    with pytest.raises(CodingError, match=message) as error:
        read_project(path)
    assert "\n" not in str(error.value)


def test_huge_member_and_too_many_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(refiqda, "MAX_TOTAL_BYTES", 1 << 20)
    path = zipped(tmp_path / "huge.qdpx", {"project.qde": MINIMAL,
                                           "sources/x.txt": b"0" * (2 << 20)})
    with pytest.raises(CodingError, match="unpacks to more than 1 MB"):
        read_project(path)
    monkeypatch.setattr(refiqda, "MAX_MEMBERS", 5)
    path = zipped(tmp_path / "many.qdpx", {"project.qde": MINIMAL} |
                  {f"sources/{n}.txt": b"x" for n in range(5)})
    with pytest.raises(CodingError, match="holds 6 files"):
        read_project(path)


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "projet.qdpx"
    path.write_text("ceci n'est pas une archive", encoding="utf-8")
    with pytest.raises(CodingError, match="not a zip archive"):
        read_project(path)


def test_selection_outside_its_text_is_refused_in_codings(demo_copy, tmp_path):
    canonical = (demo_copy / "analyses" / "transcripts" / "FG1.txt").read_text(
        encoding="utf-8")
    root = study_copy(demo_copy, tmp_path, codings=False)
    raw_project(root / "codings" / "A.qdpx", canonical,
                [(10, 40, "housing.private_room"),
                 (len(canonical) - 5, len(canonical) + 20, "housing.private_room")],
                name="FG1")
    result = invoke("collect", "--study", root)
    assert result.exit_code == 1
    assert "codings/A.qdpx: 1 selection(s) outside their text, first PlainTextSelection " \
        "cccccccc-2222-3333-4444-000000000001" in result.stderr
    assert not (root / "analyses").exists()


def test_cli_import_qdpx_refuses_unknown_codes_and_users(demo_copy, tmp_path):
    canonical = (demo_copy / "analyses" / "transcripts" / "FG1.txt").read_text(
        encoding="utf-8")
    root = study_copy(demo_copy, tmp_path, codings=False)
    path = raw_project(tmp_path / "x.qdpx", canonical, [(10, 40, "parking_velo")],
                       name="FG1")
    result = invoke("import-qdpx", path, "--study", root)
    assert result.exit_code == 1
    assert "not codable codes of the study's codebook: parking_velo" in result.stderr
    path = raw_project(tmp_path / "y.qdpx", canonical, [(10, 40, "housing.private_room")],
                       name="FG1", user="Zoé Martin")
    result = invoke("import-qdpx", path, "--study", root)
    assert result.exit_code == 1 and "user(s) Zoé Martin" in result.stderr
    assert list((root / "codings").iterdir()) == []


def test_cli_import_qdpx_new_study_then_run(demo_copy, tmp_path):
    result = invoke("import-qdpx", demo_copy / "analyses" / "project.qdpx", tmp_path / "new")
    assert result.exit_code == 0, result.output
    assert "codings" in result.output and "3100" in result.output
    text = textwrap.dedent((tmp_path / "new" / "study.yaml").read_text(encoding="utf-8"))
    assert "Made by 'qualcode import-qdpx'" in text
    # The imported codebook keeps the codes' design requirements: the run makes the
    # checklist too.
    result = invoke("run", "--study", tmp_path / "new", "--no-name-check")
    assert result.exit_code == 0, result.output
    analyses = tmp_path / "new" / "analyses"
    assert (analyses / "report.docx").is_file() and (analyses / "agreement.csv").is_file()
    assert (analyses / "checklist.docx").is_file()


def test_relative_text_is_read_beside_the_project_only(tmp_path):
    """A bare .qde may point at its texts with relative:// paths: they are read from the
    project's folder, never above it; absolute:// paths are not read (reported lost)."""
    (tmp_path / "projet").mkdir()
    (tmp_path / "secret.txt").write_text("Camille Martin", encoding="utf-8")
    (tmp_path / "projet" / "fg1.txt").write_text("Camille : Une chambre à moi.",
                                                  encoding="utf-8")
    sources = "".join(
        f'<TextSource guid="bbbbbbbb-2222-3333-4444-00000000000{n}" name="s{n}" '
        f'plainTextPath="{where}"/>' for n, where in enumerate(
            ["relative:///fg1.txt", "relative:///../secret.txt", "absolute:///etc/hostname"]))
    qde_path = tmp_path / "projet" / "project.qde"
    qde_path.write_text(PROJECT_HEAD + '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
                        f"<Sources>{sources}</Sources></Project>", encoding="utf-8")
    project = read_project(qde_path)
    assert [(s.name, s.text) for s in project.sources] == [("s0", "Camille : Une chambre à moi.")]
    assert dict(project.found)["TextSource"] == 3


def test_vendor_sample_qc_as_a_new_study_runs_and_leaks_no_speaker_name(shared, tmp_path):
    """qc's demo names its speakers (``Mr. Dauber :``): as a new study they become
    participants, their names are replaced in the text, and the run's audit passes."""
    path = shared / "refi-qda" / "samples" / "qc-1.3.2_demo.qdpx"
    study_from_project(path, tmp_path / "qc")
    identities = pd.read_csv(tmp_path / "qc" / "identities.csv", keep_default_na=False)
    assert "Mr. Dauber" in set(identities["name"])
    result = invoke("run", "--study", tmp_path / "qc", "--no-name-check")
    assert result.exit_code == 0, result.output + result.stderr
    assert "no name from identities.csv" in result.output


def test_export_warns_about_characters_counted_differently_by_utf16_tools(demo_copy):
    """An emoji counts one code point (the standard) but two UTF-16 units (NVivo, MAXQDA):
    the export says so, naming the transcript."""
    from dataclasses import replace

    from qualcode.codebook import load_codebook
    from qualcode.errors import QualcodeWarning
    from qualcode.interchange import export_project
    from qualcode.steps.imports import read_transcripts

    study = load_study(demo_copy)
    transcripts = [replace(t, text=t.text + " 🙂") if t.id == "FG2" else t
                   for t in read_transcripts(study)]
    segments = pd.read_csv(demo_copy / "analyses" / "segments.csv", keep_default_na=False)
    empty = pd.DataFrame(columns=["coder", "segment_id", "code_id", "source"])
    with pytest.warns(QualcodeWarning, match="^FG2: characters outside Unicode's basic plane"):
        project = export_project(study, transcripts, load_codebook(study.codebook), empty,
                                 pd.DataFrame(columns=["coder"]), segments)
    assert [s.name for s in project.sources if s.text.endswith("🙂")] == ["FG2"]


def test_imported_codebook_is_checked_before_it_is_written(tmp_path, monkeypatch):
    """A code tree that would not make a valid codebook is refused, naming the .qdc, and
    leaves no file in codebooks/."""
    from qualcode.errors import CodingError
    from qualcode.io.refiqda import codebook_xml
    from qualcode.steps import refiqda as projects

    qdc = tmp_path / "nvivo.qdc"
    qdc.write_bytes(codebook_xml((RefiCode(CODE, "Logement"),), origin="NVivo 14"))
    (tmp_path / "codebooks").mkdir()
    monkeypatch.setattr(projects, "_codebook", lambda codes, origin: (
        [{"id": "logement", "label": "", "definition": "x", "codable": True}], {}))
    with pytest.raises(CodingError, match=r"nvivo.qdc: its code tree does not make a valid "
                                          r"codebook \("):
        projects.import_codebook(tmp_path, qdc)
    assert list((tmp_path / "codebooks").iterdir()) == []


# --- exports other tools read (issue #20) ---------------------------------------------------

def test_export_read_as_qualcoder_does_keeps_every_coding_with_its_coder(demo_copy):
    """QualCoder takes the coder of a coding from its selection's creatingUser: read so, the
    export gives every coder's 2,085 codings to the right coder (and the consensus' to
    user 'consensus')."""
    from lxml import etree

    root = etree.fromstring(qde(demo_copy / "analyses" / "project.qdpx"))
    ns = {"q": refiqda.PROJECT_NS}
    users = {u.get("guid"): u.get("id") for u in root.iterfind(".//q:User", ns)}
    codes = {stable_guid("code", c.id): c.id
             for c in __import__("qualcode.codebook").codebook.load_codebook(
                 demo_copy / "codebooks" / "htes.yaml").codes}
    read = set()
    for source in root.iterfind(".//q:TextSource", ns):
        for selection in source.iterfind("q:PlainTextSelection", ns):
            for coding in selection.iterfind("q:Coding", ns):
                read.add((users[selection.get("creatingUser")], source.get("name"),
                          int(selection.get("startPosition")),
                          int(selection.get("endPosition")),
                          codes[coding.find("q:CodeRef", ns).get("targetGUID")]))
    segments = pd.read_csv(demo_copy / "analyses" / "segments.csv", keep_default_na=False)
    codings = pd.read_csv(demo_copy / "analyses" / "codings.csv", keep_default_na=False)
    placed = codings.merge(segments, on=S.SEGMENT_ID)
    expected = set(zip(placed[S.CODER], placed[S.TRANSCRIPT_ID], placed[S.START],
                       placed[S.END], placed[S.CODE_ID], strict=True))
    assert read == expected
    assert sum(1 for row in read if row[0] != "consensus") == 2085


def test_export_round_trip_gives_back_every_codebook_field(demo_copy, tmp_path):
    from qualcode.codebook import load_codebook

    study_from_project(demo_copy / "analyses" / "project.qdpx", tmp_path / "new")
    original = load_codebook(demo_copy / "codebooks" / "htes.yaml")
    back = load_codebook(load_study(tmp_path / "new").codebook)

    def fields(code):
        return (code.id, dict(code.label), dict(code.definition), dict(code.include),
                dict(code.exclude), code.examples, code.origin, code.codable,
                code.requirement)

    assert [fields(c) for c in back.codes] == [fields(c) for c in original.codes]
    assert back["housing.private_room"].label["en"] == "Private bedroom"


def test_taguette_csv_codebook_anywhere_with_o(demo_copy, tmp_path):
    import csv

    target = tmp_path / "elsewhere" / "taguette.csv"
    target.parent.mkdir()
    result = invoke("export-qdc", "--study", demo_copy, "-o", target)
    assert result.exit_code == 0, result.output + result.stderr
    assert str(target) in result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert list(rows[0]) == ["tag", "description"]
    assert "Qualité de l'hébergement\\Chambre individuelle" in {r["tag"] for r in rows}
    result = invoke("export-qdpx", "--study", demo_copy, "-o", tmp_path / "p.qdpx")
    assert result.exit_code == 0 and (tmp_path / "p.qdpx").is_file()


# --- the import policy: refused with one line, nothing written ------------------------------

def project_qde(body: str, users: str = f'<User guid="{USER}" name="A"/>') -> bytes:
    return (PROJECT_HEAD + '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
            f"<Users>{users}</Users><CodeBook><Codes>"
            f'<Code guid="{stable_guid("code", "housing.private_room")}" name="x" '
            f'isCodable="true"/></Codes></CodeBook>{body}</Project>').encode()


SOURCE = "bbbbbbbb-2222-3333-4444-555555555555"


def text_source(start: int = 0, end: int = 10, code: str | None = None,
                path: str = f"internal://{SOURCE}.txt", name: str = "FG1") -> str:
    code = code or stable_guid("code", "housing.private_room")
    return (f'<Sources><TextSource guid="{SOURCE}" name="{name}" plainTextPath="{path}">'
            f'<PlainTextSelection guid="cccccccc-2222-3333-4444-000000000001" '
            f'startPosition="{start}" endPosition="{end}" creatingUser="{USER}">'
            f'<Coding guid="dddddddd-2222-3333-4444-000000000001" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
            "</TextSource></Sources>")


@pytest.mark.parametrize("case,message", [
    ("outside", "1 selection(s) outside their text, first PlainTextSelection "
                "cccccccc-2222-3333-4444-000000000001 (0-99999999)"),
    ("unknown code", "refers to code eeeeeeee-2222-3333-4444-555555555555, which the "
                     "project's codebook does not hold"),
    ("duplicate users", f"GUID given twice: User {USER}"),
    ("missing", "the text of 1 text source(s) is missing from the file: 'FG1'"),
    ("empty", "1 text source(s) are empty: 'FG1'"),
])
@pytest.mark.parametrize("mode", ["study", "new study", "collect"])
def test_import_refuses_what_it_cannot_place(demo_copy, tmp_path, case, message, mode):
    text = (demo_copy / "analyses" / "transcripts" / "FG1.txt").read_bytes()
    members = {f"sources/{SOURCE}.txt": b"\n" if case == "empty" else text}
    body = text_source()
    if case == "outside":
        body = text_source(0, 99999999)
    elif case == "unknown code":
        body = text_source(code="eeeeeeee-2222-3333-4444-555555555555")
    elif case == "missing":
        members = {}
    users = f'<User guid="{USER}" name="A"/>' * (2 if case == "duplicate users" else 1)
    root = study_copy(demo_copy, tmp_path, codings=False)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    where = root / "codings" / "A.qdpx" if mode == "collect" else tmp_path / "A.qdpx"
    zipped(where, {"project.qde": project_qde(body, users)} | members)
    args = {"study": ("import-qdpx", where, "--study", root),
            "new study": ("import-qdpx", where, tmp_path / "new"),
            "collect": ("collect", "--study", root)}[mode]
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert str(where) in result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()
            and p != where} == before
    assert not (tmp_path / "new").exists()


def crlf_project(path: Path, canonical: str, phrases: list[str], *, convention: str,
                 names: bool, origin: str = "ATLAS.ti") -> Path:
    """FG1 with CRLF line ends, one selection per phrase, offsets counting CRLF as
    ``convention`` characters."""
    crlf = canonical.replace("\n", "\r\n")
    codes = (RefiCode(stable_guid("code", "housing.private_room"), "x"),)
    selections = []
    for n, phrase in enumerate(phrases):
        at = canonical.index(phrase)
        start = at + (canonical[:at].count("\n") if convention == "two" else 0)
        selections.append(RefiSelection(f"cccccccc-2222-3333-4444-{n:012d}", start,
                                        start + len(phrase), ((codes[0].guid, USER),),
                                        phrase if names else ""))
    source = RefiSource(stable_guid("transcript", "FG1"), "FG1", crlf, tuple(selections))
    return write_qdpx(path, RefiProject("p", origin, {USER: "A"}, {}, codes, (source,)))


def test_crlf_two_without_names_is_decided_by_word_boundaries(demo_copy, tmp_path):
    """The issue's case: CRLF counted two, no names, not NVivo: every selection is a
    sentence; under 'one' they would start and end inside words."""
    import re

    canonical = (demo_copy / "analyses" / "transcripts" / "FG1.txt").read_text(
        encoding="utf-8")
    sentences = [m.group() for m in re.finditer(r"[A-ZÉ][^.?!\n]{20,80}[.?!]", canonical)]
    sentences = [s for s in dict.fromkeys(sentences) if canonical.count(s) == 1][5:45]
    path = crlf_project(tmp_path / "p.qdpx", canonical, sentences, convention="two",
                        names=False)
    project = read_project(path)
    assert project.offsets.startswith("CRLF counted as two")
    placed = [canonical[s.start:s.end] for s in project.sources[0].selections]
    assert placed == sorted(sentences, key=canonical.index)


def test_crlf_without_evidence_asks_and_writes_nothing(demo_copy, tmp_path):
    """Lines of one word each: a selection of a whole word lands on a whole word under
    either convention, and its name is the same word: nothing decides, so qualcode asks."""
    raw = "Oui\r\n" * 10
    source = RefiSource(SOURCE, "FG1", raw, (RefiSelection(
        "cccccccc-2222-3333-4444-000000000001", 20, 23,
        ((stable_guid("code", "housing.private_room"), USER),), "Oui"),))
    path = write_qdpx(tmp_path / "p.qdpx", RefiProject("p", "NVivo", {USER: "A"}, {}, (
        RefiCode(stable_guid("code", "housing.private_room"), "x"),), (source,)))
    root = study_copy(demo_copy, tmp_path, codings=False)
    result = invoke("import-qdpx", path, "--study", root)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "say which with 'qualcode import-qdpx' --crlf one|two" in result.stderr
    assert list((root / "codings").iterdir()) == []
    for convention, start in (("one", 20), ("two", 16)):
        assert read_project(path, crlf=convention).sources[0].selections[0].start == start


def test_utf16_offsets_are_detected_and_offered(tmp_path):
    """A tool counting UTF-16 units counts an emoji twice: the names decide, and
    --offsets says it outright."""
    text = "Camille : Super 🙂 la chambre.\nHugo : Moi 🙂🙂 c'est le parking.\n"
    phrase = "c'est le parking"
    at = text.index(phrase)
    start = at + text[:at].count("🙂")  # UTF-16 units
    codes = (RefiCode(CODE, "x"),)
    source = RefiSource(SOURCE, "fg1", text, (RefiSelection(
        "cccccccc-2222-3333-4444-000000000001", start, start + len(phrase),
        ((CODE, USER),), phrase),))
    path = write_qdpx(tmp_path / "p.qdpx", RefiProject("p", "MAXQDA", {USER: "A"}, {},
                                                       codes, (source,)))
    for units in ("auto", "utf16"):
        project = read_project(path, units=units)
        selection = project.sources[0].selections[0]
        assert text[selection.start:selection.end] == phrase
    assert "UTF-16" in read_project(path).offsets
    counted = read_project(path, units="codepoints").sources[0]
    assert [text[s.start:s.end] for s in counted.selections] != [phrase]


def test_zip_declaring_a_small_size_is_refused_by_bytes_read(tmp_path, monkeypatch):
    """A member whose headers say 100 bytes but that unpacks to 8 MB: refused once the bytes
    actually read pass the limit, never trusting the header."""
    import time

    monkeypatch.setattr(refiqda, "MAX_TOTAL_BYTES", 1 << 20)
    path = zipped(tmp_path / "bomb.qdpx", {"project.qde": MINIMAL,
                                           "sources/x.txt": b"0" * (8 << 20)})
    data = bytearray(path.read_bytes())
    big = (8 << 20).to_bytes(4, "little")
    for at in [i for i in range(len(data) - 4) if data[i:i + 4] == big]:
        data[at:at + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    began = time.perf_counter()
    with pytest.raises(CodingError) as error:
        source = "sources/x.txt"
        with refiqda.BoundedZip(path, CodingError, limit=1 << 20) as archive:
            archive.read(source)
    assert time.perf_counter() - began < 2 and "\n" not in str(error.value)


def test_import_qdc_refuses_duplicate_guids_and_names_what_it_drops(shared, tmp_path):
    from qualcode.errors import QualcodeWarning
    from qualcode.steps.refiqda import import_codebook

    (tmp_path / "codebooks").mkdir()
    with pytest.warns(QualcodeWarning, match="not imported .*: 1 code groups \\(sets\\), "
                                             "1 colours"):
        import_codebook(tmp_path, shared / "refi-qda" / "samples" /
                        "atlasti-win-23.4.0_codebook_from-requal-test.qdc")
    qdc = tmp_path / "twice.qdc"
    qdc.write_bytes(refiqda.codebook_xml((RefiCode(CODE, "Logement"),
                                          RefiCode(CODE, "Transport")), origin="x"))
    with pytest.raises(CodingError, match=f"GUID given twice: Code {CODE}"):
        import_codebook(tmp_path, qdc)


# --- vendor samples: what each import gives (numbers of ../shared/refi-qda/README.md) -------

@pytest.mark.parametrize("name,message", [
    ("atlasti-8.4.0-mac_standard-project_Project.qde",
     "the text of 6 text source(s) is missing from the file: '1960s Coca Cola commercial"),
    ("f4-2025.2.9_valid-document.xml", "the text of 4 text source(s) is missing from the "
                                       "file: 'Interview 15mins'"),
    ("nvivo-mac-15.0.0_nvivo_project.qdpx", "2 text source(s) are empty"),
    ("maxqda-24.7.0_2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx",
     "no text source of the project is a transcript with speaker turns"),
    ("atlasti-23.2.3-win_target-atlas-project.qdpx", "holds no text source"),
])
def test_vendor_samples_refused_naming_the_cause(shared, tmp_path, name, message):
    with pytest.raises(CodingError, match=re.escape(message)):
        study_from_project(shared / "refi-qda" / "samples" / name, tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_vendor_sample_qc_groups_speakers_and_uncovered_spans(shared, tmp_path):
    """qc's demo: groups after its files, 'admin-1:' is a speaker, 205 codings of 158
    selections, and the 125 line spans that cover no sentence by half are counted for
    coder cp."""
    summary = study_from_project(shared / "refi-qda" / "samples" / "qc-1.3.2_demo.qdpx",
                                 tmp_path / "qc").set_index("item")
    study = load_study(tmp_path / "qc")
    assert [g.id for g in study.groups] == ["board_2017", "admin-1"]
    identities = pd.read_csv(tmp_path / "qc" / "identities.csv", keep_default_na=False)
    assert "admin-1" in set(identities[identities["group_id"] == "admin-1"]["speaker"])
    assert summary.loc["codings", "imported"] == 205
    assert summary.loc["text selections", "imported"] == 158
    assert summary.loc["spans coding no segment (coder cp)", "found"] == 125
