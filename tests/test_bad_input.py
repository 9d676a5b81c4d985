"""Bad input, file by file: exit status 1, one line naming the file, nothing written.

Each case is one file of ``tests/data/bad/`` (the binary ones, and those whose bytes matter,
are written by ``tests/data/bad/make.py``), named ``<case id><suffix of its target>``. It
replaces one file of a small valid study (``target``), then the command that reads that file
runs. The documentation promises (docs/errors.md): "Problems with the input are reported on one line, ``error:
<file>:<line>: <what> <how to fix it>``, with exit status 1; nothing is written." So:

- exit status 1, and no exception other than the exit (another one is a traceback for a user);
- stderr is exactly one line, it starts with ``error: `` and holds the file's name;
- no file or folder of the study was added or changed (so ``analyses/`` is not created by
  ``import`` or ``run``, and ``collect`` writes no ``analyses/codings.csv``).
"""

from __future__ import annotations

import hashlib
import shutil
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli import app
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT

BAD = Path(__file__).resolve().parent / "data" / "bad"
runner = CliRunner()

# Two coders who differ on two segments, the consensus deciding both, and a design: the valid
# study every case breaks one file of ('qualcode run' succeeds on it).
VALID = {
    "codings/A.csv": "coder,segment_id,code_id\nA,FG1-0002,housing.private_room\n"
                     "A,FG1-0004,housing.parking\n",
    "codings/B.csv": "coder,segment_id,code_id\nB,FG1-0002,housing.private_room\n"
                     "B,FG1-0005,quality_of_life.commute\n",
    "codings/consensus.csv": "segment_id,code_id,decision,rationale,decided_by\n"
                             "FG1-0004,housing.parking,keep,évoqué,A+B\n"
                             "FG1-0005,quality_of_life.commute,drop,hors sujet,A+B\n",
    "designs/maison.yaml": "name: Maison test\nassessment:\n  R-HQ-01: {status: met}\n",
}

IMPORT = ("import", "--no-name-check")
RUN = ("run", "--no-name-check")
COLLECT = ("collect",)
CHECK = ("codebook", "check")
ASSESS = ("assess", "{target}")
TRANSCRIPT_DOCX, TRANSCRIPT_TXT = "transcripts/fg1.docx", "transcripts/fg1.txt"
STUDY, IDENTITIES_CSV, CODEBOOK = "study.yaml", "identities.csv", "codebooks/htes.yaml"
CSV, SHEET, WORD = "codings/B.csv", "codings/B.xlsx", "codings/fg1.docx"
DECISIONS, DESIGN = "codings/consensus.csv", "designs/maison.yaml"
PROJECT = "codings/B.qdpx"
DISAGREEMENTS, CONSENSUS = "analyses/disagreements.xlsx", ("consensus",)


def case(name: str, target: str, command: tuple[str, ...]):
    return pytest.param(name, target, command, id=name)


CASES = [
    # --- transcripts --------------------------------------------------------------------------
    # A .docx cut off after 60% of its bytes: the zip has no central directory.
    case("docx-truncated", TRANSCRIPT_DOCX, IMPORT),
    # A plain text file renamed .docx: not a zip at all.
    case("docx-not-zip", TRANSCRIPT_DOCX, IMPORT),
    # An old binary Word file (OLE2 .doc) renamed .docx.
    case("docx-ole-doc", TRANSCRIPT_DOCX, IMPORT),
    # An Excel workbook renamed .docx: a valid Office zip, but not a Word document.
    case("docx-xlsx-renamed", TRANSCRIPT_DOCX, RUN),
    # A .docx whose word/document.xml is not well-formed XML (a <w:t> never closed).
    case("docx-bad-xml", TRANSCRIPT_DOCX, IMPORT),
    # A .docx package whose main part word/document.xml is missing.
    case("docx-no-document", TRANSCRIPT_DOCX, IMPORT),
    # A .docx whose w:document holds paragraphs but no w:body.
    case("docx-no-body", TRANSCRIPT_DOCX, IMPORT),
    # A valid .docx holding only empty and blank paragraphs: no text, no speaker turn.
    case("docx-no-text", TRANSCRIPT_DOCX, IMPORT),
    # A .docx whose last bold speaker label ('Inconnue') is in no identities row.
    case("docx-unknown-speaker", TRANSCRIPT_DOCX, IMPORT),
    # Headers claiming the members unpack to 1 GB each (a zip bomb's shape).
    case("docx-oversized", TRANSCRIPT_DOCX, IMPORT),
    # An empty transcript (0 bytes).
    case("txt-empty", TRANSCRIPT_TXT, IMPORT),
    # A transcript of spaces, tabs, a no-break space and CRLF blank lines only.
    case("txt-whitespace", TRANSCRIPT_TXT, RUN),
    # Prose without any speaker label.
    case("txt-no-speakers", TRANSCRIPT_TXT, IMPORT),
    # A Markdown transcript with headings and a note, but no turn.
    case("md-headings-only", "transcripts/fg1.md", IMPORT),
    # UTF-8 on line 1 and Windows-1252 on line 2 in the same file.
    case("txt-mixed-encodings", TRANSCRIPT_TXT, IMPORT),
    # Bytes 0x81, 0x8d, 0x8f, 0x90, 0x9d: neither UTF-8 nor Windows-1252.
    case("txt-undecodable", TRANSCRIPT_TXT, IMPORT),
    # UTF-16 without a BOM, cut in the middle of a character (odd number of bytes).
    case("txt-utf16-truncated", TRANSCRIPT_TXT, IMPORT),
    # Speaker 'Léa' is missing from identities.csv.
    case("txt-unknown-speaker", TRANSCRIPT_TXT, IMPORT),
    # Timestamped turns; speaker 'Intervenant 3' is missing from identities.csv.
    case("txt-unknown-speaker-run", TRANSCRIPT_TXT, RUN),
    # An unsupported transcript extension (.doc).
    case("doc-extension", "transcripts/fg1.doc", IMPORT),
    # A WebVTT file without its 'WEBVTT' first line.
    case("vtt-no-header", "transcripts/fg1.vtt", IMPORT),
    # A WebVTT cue ending at '00:00:7.5' (seconds need two digits).
    case("vtt-broken-timestamp", "transcripts/fg1.vtt", IMPORT),
    # A WebVTT cue whose timing line has '-' instead of '-->'.
    case("vtt-no-timing", "transcripts/fg1.vtt", IMPORT),
    # A WebVTT voice tag <v Inconnue> for a speaker missing from identities.csv.
    case("vtt-unknown-voice", "transcripts/fg1.vtt", RUN),
    # An SRT cue at minute 75 ('00:75:05,000').
    case("srt-broken-timestamp", "transcripts/fg1.srt", IMPORT),
    # An SRT cue whose timing line has '->' instead of '-->'.
    case("srt-no-arrow", "transcripts/fg1.srt", IMPORT),
    # --- identities.csv -------------------------------------------------------------------------
    # Semicolons instead of commas (a French Excel export).
    case("identities-semicolon", IDENTITIES_CSV, IMPORT),
    # participant_id P99 is not a participant of study.yaml.
    case("identities-unknown-participant", IDENTITIES_CSV, IMPORT),
    # No header line: the first line is already a row.
    case("identities-no-header", IDENTITIES_CSV, IMPORT),
    # group_id FG9 is not a group of study.yaml.
    case("identities-unknown-group", IDENTITIES_CSV, IMPORT),
    # An unquoted comma in a name gives a row of five values.
    case("identities-wrong-count", IDENTITIES_CSV, IMPORT),
    # The same speaker label (any case) mapped to P11 and to P13 in the same group.
    case("identities-two-ids", IDENTITIES_CSV, IMPORT),
    # A row with neither a speaker label nor a name.
    case("identities-no-label-no-name", IDENTITIES_CSV, IMPORT),
    # An empty file (0 bytes): no header.
    case("identities-empty", IDENTITIES_CSV, RUN),
    # Saved as Windows-1252, not UTF-8.
    case("identities-cp1252", IDENTITIES_CSV, IMPORT),
    # --- study.yaml -----------------------------------------------------------------------------
    # YAML syntax error: a flow mapping '{id: ville, ...' never closed.
    case("study-yaml-syntax", STUDY, IMPORT),
    # Wrong type: invited: "nine".
    case("study-invited-nine", STUDY, IMPORT),
    # Unknown (misspelt) key 'titel'.
    case("study-unknown-key", STUDY, IMPORT),
    # Participant id P11 listed twice.
    case("study-duplicate-participant", STUDY, IMPORT),
    # Group id FG1 listed twice.
    case("study-duplicate-group", STUDY, IMPORT),
    # The transcript transcripts/fg2.txt does not exist.
    case("study-missing-transcript", STUDY, RUN),
    # A group at unknown site 'paris'.
    case("study-unknown-site", STUDY, IMPORT),
    # A participant in unknown group 'FG9'.
    case("study-unknown-group", STUDY, IMPORT),
    # The key 'title' appears twice.
    case("study-duplicate-key", STUDY, IMPORT),
    # A date written 13/02/2024 instead of YYYY-MM-DD.
    case("study-date-format", STUDY, IMPORT),
    # attended: 7 but two participants listed.
    case("study-attended-mismatch", STUDY, IMPORT),
    # coding_unit: paragraph (sentence or turn only).
    case("study-coding-unit", STUDY, IMPORT),
    # The document is a list, not a mapping.
    case("study-not-mapping", STUDY, IMPORT),
    # A tab character used for indentation.
    case("study-tab-indent", STUDY, IMPORT),
    # moderator OBS is not a declared role.
    case("study-moderator-not-role", STUDY, IMPORT),
    # sites: ville, a text instead of a list.
    case("study-sites-not-list", STUDY, IMPORT),
    # span_share: 2 (must be above 0 and at most 1).
    case("study-span-share", STUDY, IMPORT),
    # The codebook path codebooks/htes.yml does not exist.
    case("study-missing-codebook", STUDY, IMPORT),
    # Participant id 'P 12' holds a space.
    case("study-participant-id-space", STUDY, IMPORT),
    # An empty study.yaml (0 bytes).
    case("study-empty", STUDY, IMPORT),
    # coders: [A, B], texts instead of mappings.
    case("study-coders-not-mappings", STUDY, IMPORT),
    # Participant attributes given as a list.
    case("study-attributes-list", STUDY, IMPORT),
    # Saved as Windows-1252, not UTF-8.
    case("study-cp1252", STUDY, IMPORT),
    # An impossible date, 2024-02-30.
    case("study-impossible-date", STUDY, IMPORT),
    # checklist share: forty (not a number), through 'qualcode run'.
    case("study-checklist-share", STUDY, RUN),
    # Wrong type: checklist: strict (a text instead of a mapping).
    case("study-checklist-text", STUDY, IMPORT),
    # Wrong type: names_allowed: 5 (a number instead of a list).
    case("study-names-allowed-number", STUDY, IMPORT),
    # Wrong type: a group's site: [ville] (a list).
    case("study-site-list", STUDY, IMPORT),
    # Wrong type: a group's moderator: [MOD] (a list).
    case("study-moderator-list", STUDY, IMPORT),
    # Wrong type: a participant's group: [FG1] (a list).
    case("study-group-list", STUDY, IMPORT),
    # An attribute named 'semestre/année': it names a file and an Excel sheet of the matrices.
    case("study-attribute-slash", STUDY, RUN),
    # An attribute named 'site', which would replace the site matrix.
    case("study-attribute-site", STUDY, RUN),
    # Wrong type: a coder's name: [Bruno, Petit] (a list; Word comment authors are matched to it).
    case("study-coder-name-list", STUDY, RUN),
    # Wrong type: fictional: "false" (quoted text, which would read as true).
    case("study-fictional-text", STUDY, IMPORT),
    # Wrong type: a role's codable: "no" (quoted text, which would read as true).
    case("study-codable-text", STUDY, IMPORT),
    # --- codebooks ------------------------------------------------------------------------------
    # Code id housing.private_room defined twice.
    case("codebook-duplicate-id", CODEBOOK, CHECK),
    # transport.bus has no parent 'transport'.
    case("codebook-unknown-parent", CODEBOOK, CHECK),
    # An empty label.
    case("codebook-empty-label", CODEBOOK, CHECK),
    # Requirement category 'bedroom' is not one of the categories the codebook declares.
    case("codebook-bad-category", CODEBOOK, CHECK),
    # YAML syntax error: a flow mapping never closed.
    case("codebook-yaml-syntax", CODEBOOK, RUN),
    # Misspelt key 'defintion'.
    case("codebook-unknown-key", CODEBOOK, CHECK),
    # A child 'parking' nested under 'housing' without the 'housing.' prefix.
    case("codebook-child-prefix", CODEBOOK, CHECK),
    # codes: [] (no code at all).
    case("codebook-no-codes", CODEBOOK, CHECK),
    # Requirement id R-HQ-01 used by two codes.
    case("codebook-duplicate-requirement", CODEBOOK, CHECK),
    # codable: "yes" (text, not a boolean).
    case("codebook-codable-text", CODEBOOK, CHECK),
    # Code id housing.Parking with an upper-case letter.
    case("codebook-uppercase-id", CODEBOOK, CHECK),
    # A code without its definition.
    case("codebook-missing-definition", CODEBOOK, CHECK),
    # origin: emergent (deductive or inductive only).
    case("codebook-bad-origin", CODEBOOK, CHECK),
    # codes is a mapping, not a list.
    case("codebook-codes-mapping", CODEBOOK, CHECK),
    # children: housing.parking, a text instead of a list.
    case("codebook-children-text", CODEBOOK, CHECK),
    # examples: [1, 2], numbers instead of quotes; checked as a file argument.
    case("codebook-examples-numbers", "codebooks/autre.yaml", (*CHECK, "{target}")),
    # --- coding CSV files -----------------------------------------------------------------------
    # Unknown code housing.private_rom (a typo).
    case("csv-unknown-code", CSV, COLLECT),
    # Unknown segment FG1-0099.
    case("csv-unknown-segment", CSV, COLLECT),
    # Drifted text: the text column no longer matches segment FG1-0002.
    case("csv-drifted-text", CSV, COLLECT),
    # Missing column code_id.
    case("csv-missing-columns", CSV, COLLECT),
    # Wrong delimiter: tabs (a semicolon, as French Excel saves, is read).
    case("csv-tabs", CSV, COLLECT),
    # Non-integer span offset 71.5.
    case("csv-span-not-integer", CSV, COLLECT),
    # Span 300-9000 outside the transcript's 314 characters.
    case("csv-span-outside", CSV, COLLECT),
    # Span with start after end (103-71).
    case("csv-span-reversed", CSV, COLLECT),
    # Span on unknown transcript FG2.
    case("csv-span-unknown-transcript", CSV, COLLECT),
    # Span end 99999999999999999999, beyond any transcript and a 64-bit integer.
    case("csv-span-huge", CSV, COLLECT),
    # The header names code_id twice.
    case("csv-duplicate-column", CSV, COLLECT),
    # Coder C is not a coder of study.yaml.
    case("csv-unknown-coder", CSV, COLLECT),
    # The category 'housing' used as a code.
    case("csv-category-code", CSV, COLLECT),
    # A code on the moderator's segment FG1-0001.
    case("csv-moderator-segment", CSV, COLLECT),
    # A row with four values under three columns.
    case("csv-extra-values", CSV, COLLECT),
    # An empty file (0 bytes).
    case("csv-empty", CSV, COLLECT),
    # Saved as Windows-1252, not UTF-8.
    case("csv-cp1252", CSV, COLLECT),
    # Unknown code 'parking gratuit', through 'qualcode run'.
    case("csv-unknown-code-run", CSV, RUN),
    # --- Excel coding sheets --------------------------------------------------------------------
    # The 'coding' worksheet renamed 'Feuil1'.
    case("sheet-renamed", SHEET, COLLECT),
    # 'oui' typed in a code cell instead of x.
    case("sheet-mark-oui", SHEET, COLLECT),
    # The number 1 in a code cell instead of x.
    case("sheet-mark-number", SHEET, COLLECT),
    # A CSV file named .xlsx.
    case("sheet-not-xlsx", SHEET, COLLECT),
    # An .xlsx cut in half.
    case("sheet-truncated", SHEET, COLLECT),
    # The fixed columns moved (text first).
    case("sheet-columns-moved", SHEET, COLLECT),
    # x under a column whose code id (row 3) was edited into housing.private_rom.
    case("sheet-unknown-code", SHEET, COLLECT),
    # Drifted text: the segment's text differs from the imported one.
    case("sheet-drift", SHEET, COLLECT),
    # A row for unknown segment FG1-0099.
    case("sheet-unknown-segment", SHEET, COLLECT),
    # The hidden sheet names coder 'Zoé', not a coder of study.yaml.
    case("sheet-unknown-coder", SHEET, RUN),
    # The 'coding' worksheet is empty.
    case("sheet-empty", SHEET, COLLECT),
    # Row 4 holds only its segment id, in a sheet without a <dimension> element.
    case("sheet-no-dimension", SHEET, COLLECT),
    # The worksheet's XML is cut short (openpyxl parses it only when its rows are read).
    case("sheet-bad-xml", SHEET, COLLECT),
    # The worksheet's compressed data is damaged: the zip opens, the member does not inflate.
    case("sheet-bad-deflate", SHEET, RUN),
    # Headers claiming the members unpack to 1 GB each (a zip bomb's shape).
    case("sheet-oversized", SHEET, COLLECT),
    # An old Excel .xls file (OLE2): refused with how to save it, never skipped.
    case("sheet-xls", "codings/B.xls", COLLECT),
    # A LibreOffice .ods cut in half.
    case("sheet-ods-damaged", "codings/B.ods", COLLECT),
    # --- Word files with comments ---------------------------------------------------------------
    # A Word file not written by 'qualcode export-docx' (no identifier).
    case("word-not-exported", WORD, COLLECT),
    # The text of the third turn was edited after export.
    case("word-edited", WORD, COLLECT),
    # The comment's author 'Zoé Martin' is not a coder.
    case("word-unknown-author", WORD, COLLECT),
    # The comment holds 'chambre privée à clé', not a code id or label.
    case("word-unknown-code", WORD, COLLECT),
    # word/document.xml is not well-formed XML.
    case("word-bad-xml", WORD, COLLECT),
    # A Word file cut after 900 bytes.
    case("word-truncated", WORD, COLLECT),
    # [Content_Types].xml no longer declares word/comments.xml as comments.
    case("word-comments-undeclared", WORD, COLLECT),
    # word/document.xml's compressed data is damaged.
    case("word-bad-deflate", WORD, COLLECT),
    # --- consensus decisions --------------------------------------------------------------------
    # codings/consensus.csv: decision 'peut-être' (keep or drop only).
    case("consensus-invalid-decision", DECISIONS, COLLECT),
    # codings/consensus.csv: decision 'garder', through 'qualcode run'.
    case("consensus-invalid-decision-run", DECISIONS, RUN),
    # codings/consensus.csv: two decisions (keep, then drop) for FG1-0004 housing.parking.
    case("consensus-duplicate-decision", DECISIONS, COLLECT),
    # codings/consensus.csv without the rationale and decided_by columns.
    case("consensus-missing-columns", DECISIONS, COLLECT),
    # codings/consensus.csv saved as Windows-1252, not UTF-8.
    case("consensus-cp1252", DECISIONS, COLLECT),
    # analyses/disagreements.xlsx: decision 'peut-être'.
    case("disagreements-bad-decision", DISAGREEMENTS, CONSENSUS),
    # analyses/disagreements.xlsx: two rows (keep, then drop) for FG1-0004 housing.parking.
    case("disagreements-duplicate-row", DISAGREEMENTS, CONSENSUS),
    # analyses/disagreements.xlsx: the worksheet renamed 'Feuille1'.
    case("disagreements-renamed", DISAGREEMENTS, CONSENSUS),
    # analyses/disagreements.xlsx: the 'decision' column renamed 'choix'.
    case("disagreements-no-decision-column", DISAGREEMENTS, CONSENSUS),
    # --- convergence confirmations --------------------------------------------------------------
    # analyses/convergence.xlsx: class 'accord total' is not one of the four classes.
    case("convergence-bad-class", "analyses/convergence.xlsx", ("triangulate", "--confirm")),
    # codings/convergence.csv without the 'note' column (read before anything is written).
    case("convergence-missing-columns", "codings/convergence.csv", ("triangulate",)),
    # --- housing designs ------------------------------------------------------------------------
    # Unknown requirement id R-HQ-99.
    case("design-unknown-requirement", DESIGN, ASSESS),
    # status: half (met, partly, not_met or unknown only).
    case("design-bad-status", DESIGN, ASSESS),
    # YAML syntax error: a flow mapping never closed.
    case("design-yaml-syntax", DESIGN, ASSESS),
    # kind: planned (existing or candidate only).
    case("design-bad-kind", DESIGN, ASSESS),
    # facts given as a list.
    case("design-facts-list", DESIGN, ASSESS),
    # An assessment entry 'R-HQ-01: met', not a mapping.
    case("design-entry-not-mapping", DESIGN, ASSESS),
    # No 'name'.
    case("design-no-name", DESIGN, ASSESS),
    # assessment given as a list of entries rather than a mapping.
    case("design-assessment-list", DESIGN, ASSESS),
    # Unknown requirement id R-XX-01, through 'qualcode run'.
    case("design-unknown-requirement-run", DESIGN, RUN),
    # --- REFI-QDA projects in codings/ ------------------------------------------------------------
    # project.qde is cut short: not well-formed XML.
    case("qdpx-bad-xml", PROJECT, COLLECT),
    # A DTD declaring nested entities (the "billion laughs" expansion): refused unexpanded.
    case("qdpx-entities", PROJECT, COLLECT),
    # A member named ../../evil.txt (zip slip).
    case("qdpx-zip-slip", PROJECT, COLLECT),
    # Headers claiming a member unpacks to 3.75 GB.
    case("qdpx-oversized", PROJECT, COLLECT),
    # A selection from character 200 to 900 of a 320-character transcript.
    case("qdpx-offsets-outside", PROJECT, COLLECT),
    # Codings by a user who is not a coder of study.yaml.
    case("qdpx-unknown-user", PROJECT, COLLECT),
    # An archive with the sources but no project.qde.
    case("qdpx-no-project", PROJECT, COLLECT),
    # An XML file renamed .qdpx: not a zip.
    case("qdpx-not-zip", PROJECT, COLLECT),
]


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder of the study, files with a hash of their bytes."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            if path.is_file() else "folder" for path in sorted(root.rglob("*"))}


def broken_study(make_study, name: str, target: str) -> Path:
    """The valid study, with ``target`` replaced by the case's file."""
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES, extra=CODERS)
    for path, text in VALID.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    if target.startswith("transcripts/") and target != TRANSCRIPT_TXT:
        (root / TRANSCRIPT_TXT).unlink()
        manifest = root / STUDY
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(TRANSCRIPT_TXT, target),
                            encoding="utf-8")
    (root / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BAD / (name + Path(target).suffix), root / target)
    return root


@pytest.mark.parametrize("name,target,command", CASES)
def test_bad_input_is_one_line_naming_the_file_and_nothing_is_written(make_study, name,
                                                                       target, command):
    root = broken_study(make_study, name, target)
    before = snapshot(root)
    args = [arg.replace("{target}", str(root / target)) for arg in command]
    result = runner.invoke(app, [*args, "--study", str(root)])
    crash = "" if isinstance(result.exception, SystemExit | None) else \
        "".join(traceback.format_exception(*result.exc_info))
    assert not crash and "Traceback" not in result.output, crash
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert Path(target).name in result.stderr, result.stderr
    assert snapshot(root) == before, "files written or changed"
