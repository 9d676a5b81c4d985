"""The command line, as a researcher meets it: help, set-up, import, errors and outputs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.main import get_command
from typer.testing import CliRunner

from qualcode.cli import app
from qualcode.text import fold
from tests.conftest import CODERS

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def commands(group=None, prefix=()):
    group = group or get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


@pytest.mark.parametrize("path,command", list(commands()), ids=lambda v: " ".join(v)
                         if isinstance(v, tuple) else "")
def test_cli_every_command_has_help_with_example_and_is_in_the_reference(path, command):
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert "Example: qualcode " + " ".join(path) in result.output
    assert "## qualcode " + " ".join(path) + "\n" in \
        (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")


def test_cli_help_does_not_load_spacy():
    code = "import sys; from qualcode.cli import app; print('spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_cli_init_demo_then_preview_writes_nothing(tmp_path):
    target = tmp_path / "etude"
    assert invoke("init", target, "--demo").exit_code == 0
    assert (target / "transcripts" / "fg1-bordeaux.docx").is_file()
    # a demo copy is where a resident starts, then puts real names: kept out of git too
    ignored = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"identities.csv", "names-review.csv", "analyses/"} <= set(ignored)
    result = invoke("import", "--preview", "--study", target)
    assert result.exit_code == 0, result.output
    assert "P16" in result.output and "?" not in result.output.split("Speakers")[1][:0]
    assert not (target / "analyses").exists()


def test_cli_init_empty_study_is_a_template(tmp_path):
    target = tmp_path / "nouvelle"
    assert invoke("init", target).exit_code == 0
    assert (target / "codebooks" / "htes.yaml").is_file()
    assert "identities.csv" in (target / ".gitignore").read_text(encoding="utf-8")
    result = invoke("codebook", "check", "--study", target)
    assert result.exit_code == 1  # the template's empty lists are reported, one line
    assert result.stderr.count("\n") == 1 and "study.yaml:2: study.yaml has no 'sites'" in \
        result.stderr


def test_cli_init_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = invoke("init", tmp_path)
    assert result.exit_code == 1 and "not empty" in result.stderr


def test_cli_import_writes_segments_and_summary(make_study):
    root = make_study({"fg1.txt": "P11 : Une chambre à moi. Et le wifi.\nMOD : Merci.\n"})
    result = invoke("import", "--study", root, "--no-name-check")
    assert result.exit_code == 0, result.output
    assert "analyses/segments.csv" in result.output
    assert (root / "analyses" / "segments.csv").read_text(encoding="utf-8").count("\n") == 4


def bad_docx(root: Path) -> None:
    (root / "transcripts" / "fg1.txt").unlink()
    (root / "transcripts" / "fg1.docx").write_bytes(b"PK\x03\x04 broken")
    manifest = root / "study.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("fg1.txt", "fg1.docx"),
                        encoding="utf-8")


@pytest.mark.parametrize("breakage,message", [
    (bad_docx, "transcripts/fg1.docx: not a readable Word .docx file"),
    (lambda root: (root / "transcripts" / "fg1.txt").write_text("Inconnu : Bonjour.\n",
                                                                 encoding="utf-8"),
     "1 speaker label(s) map to nobody: transcripts/fg1.txt:1 'Inconnu'"),
    (lambda root: (root / "study.yaml").write_text("title: x\ncodebook: codebooks/htes.yaml\n",
                                                   encoding="utf-8"),
     "study.yaml:1: study.yaml has no 'sites'; add it"),
])
@pytest.mark.parametrize("command", ["run", "import"])
def test_cli_bad_input_is_one_line_exit_1_and_writes_nothing(make_study, breakage, message,
                                                             command):
    root = make_study({"fg1.txt": "P11 : Bonjour.\n"})
    breakage(root)
    result = invoke(command, "--study", root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (root / "analyses").exists()


def test_cli_errors_name_the_place_as_file_colon_place(make_study):
    # The same form for every file: a line number in text files, a named place elsewhere.
    from qualcode.errors import CodingError, StudyError

    assert str(StudyError("bad value", path="study.yaml", line=12)) == \
        "study.yaml:12: bad value"
    assert str(CodingError("cell G5 holds 'oui'", path="codings/A.xlsx", line="row 5")) == \
        "codings/A.xlsx:row 5: cell G5 holds 'oui'"
    assert str(CodingError("no text", path="codings/fg1.docx")) == "codings/fg1.docx: no text"
    root = make_study({"fg1.txt": "P11 : Une chambre à moi.\n"}, extra=CODERS)
    (root / "codings").mkdir()
    (root / "codings" / "B.csv").write_text("coder,segment_id,code_id\nB,FG1-0001,housing.parkin\n",
                                            encoding="utf-8")
    result = invoke("collect", "--study", root)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: codings/B.csv:2: unknown code 'housing.parkin'"), \
        result.stderr


def test_cli_usage_error_is_exit_2():
    assert invoke("codebook", "export", "--format", "pdf").exit_code == 2


def test_cli_codebook_commands(tmp_path):
    result = invoke("codebook", "check", ROOT / "codebooks" / "htes.yaml")
    assert result.exit_code == 0 and "41 codable" in result.output
    result = invoke("codebook", "show", "--study", ROOT, "--language", "en")
    assert "Private bedroom" in result.output and "housing.private_room" in result.output
    target = tmp_path / "cb.md"
    result = invoke("codebook", "export", "--study", ROOT, "--format", "md", "-o", target)
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("# ")


def test_cli_codebook_show_counts_codings(demo_copy):
    codings = (demo_copy / "analyses" / "codings.csv").read_text(encoding="utf-8")
    n = len({line.split(",")[1] for line in codings.splitlines()
             if ",housing.private_room," in line})
    result = invoke("codebook", "show", "--study", demo_copy)
    assert f"housing.private_room  [{n}]" in result.output and n > 10


# --- the demo study, end to end --------------------------------------------------------------


def output_texts(analyses: Path):
    for path in sorted(analyses.rglob("*")):
        if path.suffix == ".xlsx":
            workbook = load_workbook(path, read_only=True)
            yield path, "\n".join(str(v) for sheet in workbook for row in
                                  sheet.iter_rows(values_only=True) for v in row if v)
        elif path.suffix == ".docx":
            document = docx.Document(str(path))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            yield path, "\n".join([p.text for p in document.paragraphs] + cells)
        elif path.suffix == ".qdpx":  # the project and every source text inside
            with zipfile.ZipFile(path) as archive:
                yield path, "\n".join(archive.read(n).decode("utf-8")
                                      for n in archive.namelist())
        elif path.is_file() and path.suffix != ".png":  # figures are also written as SVG text
            yield path, path.read_text(encoding="utf-8")


def test_cli_demo_outputs_hold_no_name_from_identities(demo_copy):
    # What identities.csv promises to replace: speaker labels, full names and first names.
    rows = (demo_copy / "identities.csv").read_text(encoding="utf-8").splitlines()[2:]
    names = set()
    for row in rows:
        _, speaker, name, _ = row.split(",")
        names |= {fold(n) for n in (speaker, name, name.split()[0]) if len(n) > 2}
    assert "camille" in names and "etcheverry" in names
    outputs = dict(output_texts(demo_copy / "analyses"))
    assert len(outputs) >= 7
    for path, text in outputs.items():
        words = set(fold(text).replace("’", " ").replace("'", " ").split())
        words |= {w.strip(".,;:!?«»()[]\"…") for w in words}
        leaked = names & words
        leaked |= {n for n in names if " " in n and n in fold(text)}
        assert not leaked, f"{path.name} contains {sorted(leaked)}"


def test_cli_demo_import_matches_the_study(demo_copy):
    summary = (demo_copy / "analyses" / "import.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0] == "transcript_id,group_id,site_id,n_turns,n_segments,n_words,n_speakers"
    assert [line.split(",")[-1] for line in summary[1:]] == ["9", "8", "8"]  # + moderator


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cli_run_is_reproducible_and_leaves_inputs_untouched(demo_copy):
    inputs = {name: digest(demo_copy / name) for name in ("transcripts", "codebooks")}
    manifest = json.loads((demo_copy / "analyses" / "run.json").read_text(encoding="utf-8"))
    first = digest(demo_copy / "analyses")
    result = invoke("run", "--study", demo_copy, "--no-name-check")
    assert result.exit_code == 0, result.output
    second = digest(demo_copy / "analyses")
    # Only run.json may change: it records the time of the run and of each stage, and what
    # this run reused (the incremental run's bookkeeping).
    again = json.loads((demo_copy / "analyses" / "run.json").read_text(encoding="utf-8"))
    per_run = ("time", "seconds", "reused", "reuse")
    assert {k: v for k, v in manifest.items() if k not in per_run} == \
        {k: v for k, v in again.items() if k not in per_run}
    assert set(again["reuse"]) >= {"report", "write agreement"}
    assert list(again["seconds"]) == [  # every stage computed, then every output written
        "import", "codings", "agreement", "suggestions", "triangulation", "saturation",
        "checklist", "write segments and codebook", "write codings and disagreements",
        "exports (REFI-QDA, IRaMuTeQ)", "write agreement", "write suggestions",
        "write triangulation", "write saturation", "write checklist", "report",
        "figures"]  # the last figures the workers draw, waited for
    assert all(seconds >= 0 for seconds in again["seconds"].values())
    assert "transcripts/fg3-hagetmau.vtt" in manifest["inputs"]
    first.pop("run.json"), second.pop("run.json")
    assert first == second
    assert inputs == {name: digest(demo_copy / name) for name in ("transcripts", "codebooks")}
    assert not list((demo_copy / "analyses").rglob(".*.tmp"))


def test_cli_demo_run_collects_both_coders_and_the_consensus(demo_copy):
    codings = pd.read_csv(demo_copy / "analyses" / "codings.csv")
    assert set(codings["coder"]) == {"A", "B", "consensus"}
    log = pd.read_csv(demo_copy / "analyses" / "consensus-log.csv")
    decisions = pd.read_csv(demo_copy / "codings" / "consensus.csv")
    assert log["n"].sum() == len(decisions) > 100
    assert set(log["decision"]) == {"keep", "drop"}


def test_cli_demo_agreement_outputs(demo_copy):
    analyses = demo_copy / "analyses"
    codes = pd.read_csv(analyses / "agreement.csv")
    assert len(codes) == 41 and set(codes["status"]) <= {"reliable", "tentative", "unreliable"}
    assert (codes["alpha_low"] <= codes["krippendorff_alpha"]).all()
    assert (analyses / "figures" / "agreement.png").stat().st_size > 10_000
    assert "Accord inter-codeurs" in (analyses / "figures" / "agreement.svg").read_text()
    assert set(load_workbook(analyses / "tables.xlsx").sheetnames) == {
        "agreement", "agreement-by-domain", "agreement-by-transcript", "agreement-by-site"}


def test_cli_agree_character_unit_reports_unitizing_alpha(demo_copy, tmp_path):
    result = invoke("agree", "--study", demo_copy, "--unit", "character", "--bootstrap", "50",
                    "--coders", "A,B")
    assert result.exit_code == 0, result.output
    assert "participants (cluster bootstrap) with their characters" in result.output
    unitizing = pd.read_csv(demo_copy / "analyses" / "agreement-unitizing.csv")
    assert unitizing["unitizing_alpha"].between(-1, 1).all()
    invoke("agree", "--study", demo_copy)  # leave the demo's default tables for other tests
    assert not (demo_copy / "analyses" / "agreement-unitizing.csv").exists()


def test_cli_audit_finds_a_leaked_name(demo_copy):
    result = invoke("audit", "--study", demo_copy)
    assert result.exit_code == 0 and "no name from identities.csv" in result.output
    leak = demo_copy / "analyses" / "notes.md"
    leak.write_text("Résumé\nComme disait CAMILLE MARTIN, et Léandre aussi.\n",
                    encoding="utf-8")
    try:
        result = invoke("audit", "--study", demo_copy)
    finally:
        leak.unlink()
    assert result.exit_code == 1
    assert "analyses/notes.md:2 'camille martin'" in result.stderr
    assert "leandre" not in result.stderr  # a name inside a longer word is not a match


def test_cli_audit_leaves_role_words_out(make_study):
    # A moderator labelled "Animateur" is not a person: the report's own "Enquêteur /
    # animateur" must not fail the run (found by benchmarks/scale.py). Names still count.
    from qualcode.names import study_matcher
    from qualcode.study import Identity, load_study

    study = load_study(make_study({"fg1.txt": "MOD : Bonjour.\n"}))
    found = study_matcher(study, (Identity("MOD", "Animateur", "Olivier Dupont"),
                                  Identity("P11", "Intervenant 3", ""),
                                  Identity("P12", "Cam", ""))).owners
    assert set(found) == {"olivier dupont", "olivier", "dupont", "cam"}


def test_cli_interrupted_run_leaves_no_half_written_file(demo_copy, tmp_path, monkeypatch):
    """Interrupt a run in the middle of its writes (the 20th rename): no temporary file is
    left, and every output is either the previous one or a complete new one (runs are
    deterministic, so all are byte-identical to before)."""
    import os
    import shutil

    from qualcode.pipeline import run

    root = tmp_path / "demo"
    shutil.copytree(demo_copy, root)
    before = digest(root / "analyses")
    calls = {"n": 0}
    replace = os.replace

    def interrupted(source, target):
        calls["n"] += 1
        if calls["n"] == 20:
            raise KeyboardInterrupt
        replace(source, target)

    monkeypatch.setattr("qualcode.io.files.os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(root)
    assert not [p for p in (root / "analyses").rglob("*") if p.name.endswith(".tmp")]
    # Every file is as before, run.json included: the run stopped before rewriting it.
    assert digest(root / "analyses") == before


def test_cli_name_check_lists_each_unknown_name_once_most_frequent_first(make_study):
    root = make_study({"fg1.txt": (
        "P11 : J'en ai parlé avec Mathilde Dubreuil, la coordinatrice.\n"
        "P11 : Franchement, Mathilde Dubreuil répond vite.\n"
        "P11 : Et Mathilde Dubreuil connaît le maire.\n"
        "P11 : Mathilde Dubreuil encore, puis Bertrand Lagache au conseil.\n")})
    result = invoke("import", "--study", root)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Name check:"))
    assert lines[start].startswith("Name check: 2 possible person name(s) in 5 segment(s)")
    assert lines[start + 1] == "Mathilde Dubreuil: FG1-0001, FG1-0002, FG1-0003 and 1 more"
    assert lines[start + 2] == "Bertrand Lagache: FG1-0004"
