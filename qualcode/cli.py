"""The ``qualcode`` command: a thin layer over the Python API.

Each command parses its options, calls one library function and prints a summary. Input
problems (:class:`~qualcode.errors.QualcodeError`) are printed as one line on stderr with exit
status 1; usage errors keep click's status 2; bugs keep their traceback.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from qualcode.errors import QualcodeError, QualcodeWarning, error_line
from qualcode.io.refiqda import CRLF_CONVENTIONS, OFFSET_UNITS

app = typer.Typer(help="Team-based qualitative analysis of focus-group transcripts.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None)
codebook_app = typer.Typer(help="Show, check and export the study's codebook.",
                           no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")

out = Console(soft_wrap=True)  # sentences are not cut at 80 columns; tables still fit
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable)

StudyDir = Annotated[Path, typer.Option("--study", "-s", help="The study folder.",
                                        file_okay=False)]


def friendly(command: F) -> F:
    """Turn a QualcodeError, or a system fault (permission denied, disk full...) that no
    layer below named yet, into one line on stderr and exit status 1, and each
    QualcodeWarning into one line on stderr."""
    from qualcode.io.files import os_errors

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from qualcode.process import own_process

        own_process()  # the command line owns its process: heap, reading and figure workers
        try:
            with warnings.catch_warnings(record=True) as caught, os_errors():
                warnings.simplefilter("always", QualcodeWarning)
                result = command(*args, **kwargs)
            for warning in caught:
                if issubclass(warning.category, QualcodeWarning):
                    err.print(f"warning: {warning.message}", markup=False, highlight=False,
                              soft_wrap=True)
            return result
        except QualcodeError as error:
            err.print(error_line(error, under=Path.cwd()), markup=False, highlight=False,
                      soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _paths(paths, root: Path) -> None:
    out.print("Wrote:")
    for path in paths:
        path = Path(path).resolve()
        shown = path.relative_to(root.resolve()) if path.is_relative_to(root.resolve()) \
            else path
        out.print(f"  {shown}", markup=False, highlight=False)


_SHORT = {"transcript_id": "transcript", "group_id": "group", "site_id": "site",
          "participant_id": "participant", "n_turns": "turns", "n_segments": "segments",
          "n_words": "words", "n_speakers": "speakers", "n_codings": "codings",
          "n_codes_used": "codes used", "n_codes_never_used": "codes never used",
          }


def _table(frame, title: str) -> Table:
    frame = frame.rename(columns=_SHORT)
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if frame[column].dtype.kind in "if"
                         else "left", no_wrap=True)
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    return table


@app.command()
@friendly
def init(directory: Annotated[Path, typer.Argument(help="The new study folder.")],
         demo: Annotated[bool, typer.Option(help="Copy the fictional demo study.")] = False
         ) -> None:
    """Create a study folder (study.yaml, identities.csv, codebooks/, transcripts/...).

    Example: qualcode init my-study --demo
    """
    from qualcode.steps.scaffold import init_study

    target = init_study(directory, demo=demo)
    out.print(f"Created {target}. Next: cd {target} && qualcode run", markup=False)


@app.command("import")
@friendly
def import_(study: StudyDir = Path("."),
            preview: Annotated[bool, typer.Option(help="Show the detected speakers and "
                                                  "turns; write nothing.")] = False,
            name_check: Annotated[bool, typer.Option(help="Look for person names unknown "
                                                     "to identities.csv (spaCy NER).")] = True
            ) -> None:
    """Import the transcripts: speaker turns, pseudonymisation, segments.

    Writes analyses/segments.csv, analyses/import.csv and analyses/transcripts/*.txt.

    Example: qualcode import --preview
    """
    from qualcode.steps.imports import import_study, preview_import
    from qualcode.steps.transcripts import write_import, write_name_review
    from qualcode.study import load_study

    manifest = load_study(study)
    if preview:
        out.print(_table(preview_import(manifest), "Speakers detected (nothing written)"))
        return
    imported = _with_progress(manifest, import_study)
    written = write_import(imported, manifest.paths.analyses)
    review = write_name_review(imported, manifest)
    out.print(_table(imported.summary, "Imported transcripts"))
    _names_line(imported.names, review, manifest.root)
    if name_check:
        _name_check(imported.segments, manifest)
    _paths(written, manifest.root)


def _names_line(names, review: Path, root: Path) -> None:
    from qualcode.steps.imports import names_line

    out.print(names_line(names, review.relative_to(root)), markup=False)


def _with_progress(manifest, function):
    from rich.progress import Progress

    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Importing transcripts", total=len(manifest.groups))
        return function(manifest, progress=lambda _: progress.advance(task))


def _name_check(segments, manifest) -> None:
    from qualcode.steps.imports import name_check

    for line, warning in name_check(segments, manifest):
        (err if warning else out).print(line, markup=False, highlight=False)


@app.command()
@friendly
def run(study: StudyDir = Path("."),
        name_check: Annotated[bool, typer.Option(help="Look for person names unknown to "
                                                 "identities.csv (spaCy NER).")] = True,
        force: Annotated[bool, typer.Option(help="Recompute and rewrite everything, "
                                            "reusing nothing from the previous run.")] = False
        ) -> None:
    """Run every stage on the study and write the analysis into analyses/.

    Runs are incremental: outputs whose inputs did not change since the last run are
    reused (byte for byte what a full run writes); --force recomputes everything. One run
    at a time: a run started while another writes analyses/ (from the browser or another
    terminal) is refused.

    Example: qualcode run            (in a clone of qualcode: analyses the demo study)
    """
    from functools import partial

    from qualcode.pipeline import run_study
    from qualcode.study import load_study

    result = _with_progress(load_study(study), partial(run_study, force=force))
    out.print(_table(result.imported.summary, f"{result.study.title}: imported transcripts"))
    out.print(f"Codebook '{result.codebook.id}': {len(result.codebook.domains)} domains, "
              f"{len(result.codebook.codable)} codable codes.", markup=False)
    if result.coding is not None:
        _coding_summary(result.coding, result.codebook)
    if result.agreement is not None:
        _agreement_summary(result.agreement)
    if result.saturation is not None:
        _saturation_lines(result.saturation)
    if result.convergence is not None:
        _convergence_line(result.convergence)
    if result.suggestions is not None:
        _suggestion_summary(result.suggestions)
    _names_line(result.imported.names, result.study.paths.name_review, result.study.root)
    if name_check:
        _name_check(result.imported.segments, result.study)
    _paths(result.written, result.study.root)
    _audit_lines(result.study, result.audit)


def _audit_lines(manifest, audited) -> None:
    """The audit's verdict (a run with findings has already stopped with an error)."""
    from qualcode.steps.audit import audit_verdict, identities_warning

    warning = identities_warning(manifest)
    if warning is not None:
        err.print(warning, markup=False)
    out.print(audit_verdict(audited), markup=False)


@app.command("audit")
@friendly
def audit_command(study: StudyDir = Path(".")) -> None:
    """Check that no name from identities.csv appears in any output under analyses/, and
    that analyses/ is one complete set of outputs (no run interrupted).

    Reads every file and file name: text files, every part of Word, Excel and REFI-QDA
    files (document properties included), and the text chunks of PNG figures.

    Example: qualcode audit
    """
    from qualcode.pipeline import incomplete_outputs
    from qualcode.steps.audit import audit, raise_findings
    from qualcode.study import load_identities, load_study

    manifest = load_study(study)
    incomplete = incomplete_outputs(manifest)
    audited = audit(manifest, load_identities(manifest))
    raise_findings(audited)
    _audit_lines(manifest, audited)
    if incomplete is not None:
        err.print(f"error: {incomplete}", markup=False, highlight=False)
        raise typer.Exit(1)


def _coding_summary(stage, codebook) -> None:
    from qualcode.coding import human_codings, summarise_coders

    summary = summarise_coders(human_codings(stage.codings.codings), codebook)
    out.print(_table(summary.drop(columns="codes_never_used"), "Codings per coder"))
    for row in summary.itertuples(index=False):
        if row.codes_never_used:
            out.print(f"{row.coder} never used: {row.codes_never_used}", markup=False)
    out.print(f"Consensus: {stage.consensus_status}.", markup=False)


@app.command()
@friendly
def sheet(coder: Annotated[str, typer.Option(help="The coder's id in study.yaml.")],
          study: StudyDir = Path("."),
          force: Annotated[bool, typer.Option(help="Replace an existing sheet with a blank "
                                              "one (a copy is kept in codings/backups/).")
                           ] = False,
          update: Annotated[bool, typer.Option(help="Make the sheet again from the current "
                                               "transcripts, carrying its codes over.")
                            ] = False
          ) -> None:
    """Write an Excel coding sheet for one coder, in codings/sheets/<coder>.xlsx.

    Each codable segment is a row (with the previous segment as context); type x under every
    code that applies. The sheet never shows another coder's codes. After a transcript
    changed, --update makes it again and keeps the codes of every unchanged segment.

    Example: qualcode sheet --coder A
    """
    from qualcode.steps.coding import make_sheet
    from qualcode.study import load_study

    manifest = load_study(study)
    made = make_sheet(manifest, coder, force=force, update=update)
    root = manifest.root.resolve()
    if made.backup is not None:
        out.print(f"The sheet it replaces is kept as "
                  f"{made.backup.resolve().relative_to(root)} (collect does not read it).",
                  markup=False, highlight=False)
    if update:
        out.print(f"Codes and notes carried over on {len(made.carried)} segments.",
                  markup=False)
    if made.not_carried:
        err.print(f"warning: not carried over (the segment's text changed or is gone, or the "
                  f"code left the codebook), code these again: {', '.join(made.not_carried)}",
                  markup=False, highlight=False)
    _paths([made.path], manifest.root)


@app.command("export-docx")
@friendly
def export_docx(study: StudyDir = Path(".")) -> None:
    """Write each pseudonymised transcript as Word, to code with comments.

    Copy a file into codings/, select passages and insert comments holding code ids or
    labels; 'qualcode collect' reads them back.

    Example: qualcode export-docx
    """
    from qualcode.steps.coding import export_docx as export
    from qualcode.study import load_study

    manifest = load_study(study)
    _paths(export(manifest), manifest.root)


Crlf = StrEnum("Crlf", {name: name for name in CRLF_CONVENTIONS})
Offsets = StrEnum("Offsets", {name: name for name in OFFSET_UNITS})


class Per(StrEnum):
    turn = "turn"
    participant = "participant"


@app.command("export-qdpx")
@friendly
def export_qdpx(study: StudyDir = Path("."),
                output: Annotated[Path | None, typer.Option(
                    "--output", "-o", help="Where to write (default analyses/project.qdpx).",
                    dir_okay=False)] = None) -> None:
    """Write the study as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    The project holds the pseudonymised transcripts, the codebook, one user per coder with
    their codings, and one case per participant. Code it in your software, export it as
    .qdpx into codings/, and 'qualcode collect' reads it back.

    Example: qualcode export-qdpx -o htes.qdpx
    """
    from qualcode.steps.refiqda import export_qdpx as export
    from qualcode.study import load_study

    manifest = load_study(study)
    _paths([export(manifest, output)], manifest.root)


@app.command("export-qdc")
@friendly
def export_qdc(study: StudyDir = Path("."),
               output: Annotated[Path | None, typer.Option(
                   "--output", "-o", help="Where to write (default analyses/codebook.qdc); "
                   "a name ending .csv gives the CSV Taguette imports.",
                   dir_okay=False)] = None) -> None:
    """Write the codebook as a REFI-QDA codebook (.qdc) for other QDA software, or as a CSV
    codebook for Taguette.

    Example: qualcode export-qdc -o taguette-codebook.csv
    """
    from qualcode.codebook import load_codebook
    from qualcode.steps.refiqda import write_qdc
    from qualcode.study import load_study

    manifest = load_study(study)
    _paths([write_qdc(output or manifest.paths.analyses / "codebook.qdc",
                      load_codebook(manifest.codebook))], manifest.root)


@app.command("export-iramuteq")
@friendly
def export_iramuteq(study: StudyDir = Path("."),
                    per: Annotated[Per, typer.Option(
                        help="One IRaMuTeQ text per participant turn, or per participant.")
                    ] = Per.turn,
                    output: Annotated[Path | None, typer.Option(
                        "--output", "-o", help="Where to write (default "
                        "analyses/iramuteq-<per>.txt).", dir_okay=False)] = None) -> None:
    """Write the participants' words as an IRaMuTeQ corpus with site, group and
    participant variables.

    Example: qualcode export-iramuteq --per participant
    """
    from qualcode.steps.refiqda import export_iramuteq as export
    from qualcode.study import load_study

    manifest = load_study(study)
    _paths([export(manifest, output, per=per.value)], manifest.root)


@app.command("import-qdpx")
@friendly
def import_qdpx(file: Annotated[Path, typer.Argument(help="The .qdpx (or .qde) project.",
                                                     exists=True, dir_okay=False)],
                folder: Annotated[Path | None, typer.Argument(
                    help="A new study folder to make from the project.")] = None,
                study: StudyDir = Path("."),
                crlf: Annotated[Crlf, typer.Option(
                    help="How the project counts a CRLF line end in offsets: one character "
                    "(ATLAS.ti, MAXQDA, QualCoder), two (NVivo for Windows), or auto.")
                ] = Crlf["auto"],
                offsets: Annotated[Offsets, typer.Option(
                    help="What the project's offsets count: code points (the standard), "
                    "UTF-16 units (an emoji is two), or auto.")] = Offsets["auto"],
                force: Annotated[bool, typer.Option(
                    help="Replace an earlier import of the same file.")] = False) -> None:
    """Bring a REFI-QDA project from NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette into
    qualcode.

    With FOLDER, make a new study from the project (texts, codebook, coders, speakers).
    Without it, add the project's codings to the study as codings/<file>.csv: its texts
    must be the study's transcripts and its codes in the study's codebook. A table says
    what was imported and what was lost.

    Example: qualcode import-qdpx nvivo-export.qdpx
    """
    from qualcode.steps.refiqda import import_into_study, study_from_project
    from qualcode.study import load_study

    if folder is not None:
        summary = study_from_project(file, folder, crlf=crlf.value, units=offsets.value)
        out.print(_table(summary, f"Imported from {file.name}"))
        out.print(f"New study in {folder}: check study.yaml (sites, participants) and "
                  "identities.csv, then run 'qualcode run --study " + str(folder) + "'.",
                  markup=False, highlight=False)
        return
    manifest = load_study(study)
    target, summary = import_into_study(manifest, file, crlf=crlf.value, units=offsets.value,
                                        force=force)
    out.print(_table(summary, f"Imported from {file.name}"))
    _paths([target], manifest.root)


@app.command("import-qdc")
@friendly
def import_qdc(file: Annotated[Path, typer.Argument(help="The .qdc codebook.", exists=True,
                                                    dir_okay=False)],
               study: StudyDir = Path(".")) -> None:
    """Turn a REFI-QDA codebook (.qdc) into a qualcode codebook in codebooks/.

    Point study.yaml's 'codebook' at the new file to use it.

    Example: qualcode import-qdc taguette-codebook.qdc
    """
    from qualcode.steps.refiqda import import_codebook

    _paths([import_codebook(study, file)], study)


@app.command()
@friendly
def collect(study: StudyDir = Path(".")) -> None:
    """Read every coder's files in codings/ into analyses/codings.csv.

    Reads Excel sheets, CSV files (coder,segment_id,code_id or
    coder,transcript_id,start,end,code_id) and Word files with comments.

    Example: qualcode collect
    """
    from qualcode.codebook import load_codebook
    from qualcode.steps.coding import collect as collect_study
    from qualcode.study import load_study

    manifest = load_study(study)
    stage, written = collect_study(manifest)
    _coding_summary(stage, load_codebook(manifest.codebook))
    _paths(written, manifest.root)


@app.command()
@friendly
def serve(study: StudyDir = Path("."),
          port: Annotated[int, typer.Option(help="The port to listen on.")] = 8765,
          host: Annotated[str, typer.Option(help="The address to listen on; 0.0.0.0 for a "
                                            "team on a local network (each coder then gets "
                                            "a personal link).")] = "127.0.0.1",
          no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open the "
                                                   "browser.")] = False) -> None:
    """Code in the browser: the study at a glance and each coder's blind workspace, saved
    at once into codings/browser/<coder>.csv, which collect reads. Ctrl-C stops.

    Example: qualcode serve
    """
    from qualcode.web.server import serve as serve_study

    serve_study(study, host=host, port=port, open_browser=not no_browser,
                say=lambda line: out.print(line, markup=False, highlight=False))


@app.command()
@friendly
def disagreements(study: StudyDir = Path(".")) -> None:
    """List where the coders differ, in codings/decisions/disagreements.xlsx, to decide.

    Fill in decision (keep or drop), rationale and decided_by; every later command keeps
    them and adds new disagreements ('qualcode consensus' checks that all are decided).

    Example: qualcode disagreements
    """
    from qualcode.steps.coding import collect as collect_study
    from qualcode.study import load_study

    manifest = load_study(study)
    stage, written = collect_study(manifest, list_disagreements=True)
    out.print(f"{len(stage.disagreements)} disagreements on "
              f"{stage.disagreements['segment_id'].nunique()} segments; "
              f"{stage.consensus_status}.", markup=False)
    _paths(written, manifest.root)


@app.command()
@friendly
def consensus(study: StudyDir = Path(".")) -> None:
    """Check that every disagreement is decided, and record the decisions.

    Reads codings/decisions/disagreements.xlsx (and codings/consensus.csv, where decisions
    are recorded); the undecided disagreements are listed in one error.

    Example: qualcode consensus
    """
    from qualcode.steps.coding import decide_consensus
    from qualcode.study import load_study

    manifest = load_study(study)
    log, written = decide_consensus(manifest)
    totals = log.groupby("decision")["n"].sum()
    out.print("Consensus: " + ", ".join(f"{n} {d}" for d, n in totals.items()) + ".",
              markup=False)
    _paths(written, manifest.root)


class Unit(StrEnum):
    segment = "segment"
    turn = "turn"
    character = "character"


class Cluster(StrEnum):
    auto = "auto"
    none = "none"
    participant = "participant"
    group = "group"


@app.command()
@friendly
def agree(study: StudyDir = Path("."),
          coders: Annotated[str | None, typer.Option(help="Coders to compare, comma-separated "
                                                     "(default: all but the consensus).")
                            ] = None,
          unit: Annotated[Unit, typer.Option(help="The unit of agreement.")] = Unit.segment,
          bootstrap: Annotated[int, typer.Option(min=0, help="Resamples for the 95% "
                                                 "intervals (0: none).")] = 1000,
          seed: Annotated[int, typer.Option(help="Random seed of the bootstrap.")] = 0,
          cluster: Annotated[Cluster, typer.Option(
              help="What the intervals resample: participants (auto: when there are at least "
                   "10), whole groups (at least 10), or segments as if independent (none).")
          ] = Cluster.auto
          ) -> None:
    """Inter-coder agreement per code, domain, transcript and site, with 95% intervals.

    Writes analyses/agreement*.csv, analyses/tables.xlsx and analyses/figures/agreement.png.

    Example: qualcode agree --coders A,B --seed 1
    """
    from qualcode.steps.agreement import AgreementOptions
    from qualcode.steps.agreement import agree as agree_study
    from qualcode.study import load_study

    manifest = load_study(study)
    options = AgreementOptions(
        coders=tuple(c.strip() for c in coders.split(",")) if coders else None,
        unit=unit.value, bootstrap=bootstrap, seed=seed,
        cluster=None if cluster is Cluster.none else cluster.value)
    tables, written = agree_study(manifest, options)
    _agreement_summary(tables)
    _paths(written, manifest.root)


def _agreement_summary(tables) -> None:
    import pandas as pd

    pooled = tables.domains[tables.domains["method"] == "pooled"]
    kappa = "cohen_kappa" if pooled["cohen_kappa"].notna().any() else "fleiss_kappa"
    shown = pd.DataFrame({
        "domain": pooled["domain"], "% agree": pooled["percent_agreement"].round(3),
        "kappa": pooled[kappa].round(3),
        "alpha (95% CI)": [f"{a:.3f} ({lo:.3f}-{hi:.3f})" for a, lo, hi in
                           zip(pooled["krippendorff_alpha"], pooled["alpha_low"],
                               pooled["alpha_high"], strict=True)],
        "AC1": pooled["gwet_ac1"].round(3), "status": pooled["status"]})
    out.print(_table(shown, "Agreement per domain (pooled over codes)"))
    counts = tables.codes["status"].value_counts()
    overall = pooled[pooled["domain"] == "all"].iloc[0]
    flagged = int((tables.codes["flag"].fillna("") != "").sum())
    out.print(f"Pooled over the {overall['n_codes']} codes some coder used (codes never used "
              f"are left out, listed in agreement-by-domain.csv); {flagged} codes flagged "
              "(column 'flag' of agreement.csv).", markup=False)
    out.print(f"Codes: {', '.join(f'{n} {s}' for s, n in counts.items())}. Read alpha: "
              ">= .800 reliable, >= .667 tentative, below unreliable (Krippendorff 2004); "
              f"intervals: {tables.interval}. Every code is in analyses/agreement.csv.",
              markup=False)


@app.command()
@friendly
def triangulate(study: StudyDir = Path("."),
                confirm: Annotated[bool, typer.Option(
                    hidden=True, help="Kept for older scripts: confirmations are recorded "
                    "by every command.")] = False,
                across_coders: Annotated[bool, typer.Option(
                    help="Also compare the coders (investigator triangulation).")] = False
                ) -> None:
    """Framework matrices (codes x sites, groups, attributes) and convergence across sites.

    Uses the consensus coding, or the coders' union while there is none (the 'coding'
    column says which). Writes analyses/matrix-*.csv, matrix.xlsx, convergence*.csv and
    analyses/figures/matrix-site.png, and adds the rows not listed yet to
    codings/decisions/convergence.xlsx, where you confirm the classes (every command then
    records them in codings/convergence.csv).

    Example: qualcode triangulate --across-coders
    """
    from qualcode.steps.triangulation import triangulate as triangulate_study
    from qualcode.study import load_study

    manifest = load_study(study)
    del confirm  # confirmations are recorded whenever they are read
    summary, written = triangulate_study(manifest, across_coders=across_coders)
    _convergence_line(summary)
    _paths(written, manifest.root)


def _convergence_line(summary) -> None:
    codes = summary[summary["row"] == "code"]
    counts = codes["convergence"].value_counts()
    out.print("Convergence across sites: " + ", ".join(
        f"{n} codes in {c}" for c, n in counts.items()) + " (suggested unless confirmed).",
        markup=False)


@app.command("suggest")
@friendly
def suggest_command(
        study: StudyDir = Path("."),
        coder: Annotated[str | None, typer.Option(help="Learn this coder's coding (default: "
                                                  "the consensus, or the coders' union).")
                         ] = None,
        threshold: Annotated[float, typer.Option(min=0, max=1, help="Suggest a code when its "
                                                 "calibrated probability reaches this.")
                             ] = 0.5,
        min_segments: Annotated[int, typer.Option(min=1, help="Coded segments a code needs "
                                                  "to be learnt.")] = 5,
        seed: Annotated[int, typer.Option(help="Random seed (model and bootstrap).")] = 0
        ) -> None:
    """Suggest codes for segments nobody has coded yet, learned from your own coding.

    The suggestions are first scored as a third coder (cross-validation that never trains
    and tests on the same group), next to each coder and a keyword baseline. Writes
    codings/suggest.csv (the machine coder 'suggest') and the review sheet
    codings/decisions/suggestions.xlsx: choose accept or reject and your coder id;
    'qualcode collect' then reads the accepted rows as your codings. Nothing leaves the computer.

    Example: qualcode suggest --min-segments 8
    """
    from qualcode.steps.suggestions import suggest
    from qualcode.study import load_study
    from qualcode.suggest import SuggestOptions

    manifest = load_study(study)
    result, written = suggest(manifest, SuggestOptions(
        coder=coder, threshold=threshold, min_segments=min_segments, seed=seed))
    _suggestion_summary(result.quality)
    if result.n_uncoded == 0:
        out.print("No segment left to suggest codes for: every transcript has been coded "
                  "(add a transcript to study.yaml for suggestions on it).", markup=False)
    else:
        out.print(f"{result.n_new} suggestions to review on {result.n_uncoded} segments "
                  "nobody has coded; decide them in codings/decisions/suggestions.xlsx, then run "
                  "'qualcode collect'.", markup=False)
    _paths(written, manifest.root)


def _suggestion_summary(quality) -> None:
    import pandas as pd

    overall = quality.overall
    shown = pd.DataFrame({
        "rater": overall["rater"], "precision": overall["precision"].round(3),
        "recall": overall["recall"].round(3), "F1": overall["f1"].round(3),
        "alpha (95% CI)": [f"{a:.3f} ({lo:.3f}-{hi:.3f})" for a, lo, hi in
                           zip(overall["krippendorff_alpha"], overall["alpha_low"],
                               overall["alpha_high"], strict=True)]})
    out.print(_table(shown, f"Suggestions scored against the {quality.coding} coding "
                            f"({quality.validation})"))
    model = quality.codes[quality.codes["kind"] == "model"]
    missing = model[~model["learnable"]]
    out.print(f"Learnable codes: {len(model) - len(missing)} of {len(model)}"
              + (f"; not learnable yet: {', '.join(missing['code_id'])}" if len(missing)
                 else "") + ". Every code is in analyses/suggestions-quality.csv.",
              markup=False)


class Level(StrEnum):
    participant = "participant"
    group = "group"
    turn = "turn"


class Runs(StrEnum):
    rolling = "rolling"
    stepped = "stepped"


@app.command("saturation")
@friendly
def saturation_command(
        study: StudyDir = Path("."),
        level: Annotated[Level, typer.Option(help="What an event is.")] = Level.participant,
        base: Annotated[int, typer.Option(min=1, help="Base size b (events).")] = 4,
        run: Annotated[int, typer.Option(min=1, help="Run length r (events).")] = 2,
        threshold: Annotated[float, typer.Option(min=0, max=1, help="New-information "
                                                 "threshold t.")] = 0.05,
        runs: Annotated[Runs, typer.Option(help="Runs moving by one event or by a whole "
                                           "run.")] = Runs.rolling,
        orders: Annotated[int, typer.Option(min=0, help="Random event orders.")] = 1000,
        seed: Annotated[int, typer.Option(help="Random seed of the orders.")] = 0) -> None:
    """Thematic saturation (Guest, Namey and Chen 2020), overall and per site.

    Writes analyses/saturation*.csv and analyses/figures/saturation.png and
    saturation-new.png.

    Example: qualcode saturation --level group --base 2 --run 1
    """
    from qualcode.steps.saturation import SaturationOptions, saturation_stage
    from qualcode.study import load_study

    manifest = load_study(study)
    result, written = saturation_stage(manifest, SaturationOptions(
        level=level.value, base=base, run=run, threshold=threshold, runs=runs.value,
        orders=orders, seed=seed))
    _saturation_lines(result)
    _paths(written, manifest.root)


def _saturation_lines(result) -> None:
    for row in result.summary.itertuples(index=False):
        band = "" if row.median_saturation_n != row.median_saturation_n else \
            (f"; over random orders: median n = {row.median_saturation_n:g} "
             f"(95%: {row.saturation_n_low:.0f}-{row.saturation_n_high:.0f}), reached in "
             f"{row.orders_reaching_saturation:.0%} of orders")
        out.print(f"Saturation, {row.stratum}: {row.statement}{band}.", markup=False)


@app.command()
@friendly
def assess(design: Annotated[Path, typer.Argument(help="A design file, designs/<name>.yaml.",
                                                  dir_okay=False)],
           study: StudyDir = Path(".")) -> None:
    """Assess a housing design against the requirement checklist: coverage and gaps.

    Writes analyses/assessment-<design>.csv; 'qualcode run' assesses every design of
    designs/ in analyses/checklist.docx and .xlsx.

    Example: qualcode assess designs/hagetmau.yaml
    """
    from qualcode.steps.checklist import assess_design
    from qualcode.study import load_study

    manifest = load_study(study)
    summary, table, written = assess_design(manifest, design)
    out.print(f"{summary['design']}: {summary['n_met']} met, {summary['n_partly']} partly, "
              f"{summary['n_not_met']} not met, {summary['n_unknown']} unknown; coverage "
              f"{summary['coverage_of_known']:.0%} of what is known, "
              f"{summary['coverage']:.0%} overall, weighted by priority.", markup=False)
    gaps = table[table["status"].isin(("not_met", "partly"))]
    for row in gaps.head(8).itertuples(index=False):
        out.print(f"  gap: {row.requirement_id} [{row.priority.replace('_', ' ')}] "
                  f"{row.status.replace('_', ' ')}: {row.text}", markup=False,
                  highlight=False)
    _paths(written, manifest.root)


class Format(StrEnum):
    md = "md"
    docx = "docx"


def _codebook(study: Path, file: Path | None):
    from qualcode.codebook import load_codebook
    from qualcode.study import load_study

    if file is not None:
        return load_codebook(file), None
    manifest = load_study(study)
    return load_codebook(manifest.codebook), manifest


CodebookFile = Annotated[Path | None, typer.Argument(
    help="A codebook YAML file (default: the study's codebook).", dir_okay=False)]


@codebook_app.command("show")
@friendly
def codebook_show(file: CodebookFile = None, study: StudyDir = Path("."),
                  language: Annotated[str | None, typer.Option(help="fr or en.")] = None
                  ) -> None:
    """Print the codebook as a tree, with segment counts once codings exist.

    Example: qualcode codebook show --language en
    """
    from qualcode.steps.coding import code_counts

    codebook, manifest = _codebook(study, file)
    counts = code_counts(manifest.paths.analyses) if manifest else None
    lang = language or codebook.language
    tree = Tree(codebook.text(codebook.title, lang))
    nodes = {None: tree}
    for code in codebook.codes:
        count = "" if counts is None else f"  [{int(counts.get(code.id, 0))}]"
        mark = "" if code.codable else " (category)"
        nodes[code.id] = nodes[code.parent].add(
            f"{codebook.text(code.label, lang)}  [dim]{code.id}{mark}[/dim]{count}")
    out.print(tree)


@codebook_app.command("check")
@friendly
def codebook_check(file: CodebookFile = None, study: StudyDir = Path(".")) -> None:
    """Validate the codebook and print what it holds.

    Example: qualcode codebook check codebooks/htes.yaml
    """
    codebook, _ = _codebook(study, file)
    n_req = sum(code.requirement is not None for code in codebook.codable)
    out.print(f"{codebook.path}: valid. {len(codebook.domains)} domains, {len(codebook.codes)} "
              f"codes of which {len(codebook.codable)} codable, {n_req} with a requirement.",
              markup=False)


@codebook_app.command("export")
@friendly
def codebook_export(file: CodebookFile = None, study: StudyDir = Path("."),
                    format: Annotated[Format, typer.Option("--format", "-f")] = Format.docx,
                    output: Annotated[Path | None, typer.Option("--output", "-o",
                                      help="Default: analyses/codebook.<format>.")] = None,
                    language: Annotated[str | None, typer.Option(help="fr or en.")] = None
                    ) -> None:
    """Export the codebook as Markdown or as a Word document for coders.

    Example: qualcode codebook export --format docx -o codebook.docx
    """
    from qualcode.io.files import write_text
    from qualcode.report.codebook import codebook_markdown, write_codebook_docx

    codebook, manifest = _codebook(study, file)
    lang = language or (manifest.language if manifest else codebook.language)
    base = manifest.paths.analyses if manifest else Path(".")
    target = output or base / f"codebook.{format.value}"
    if format is Format.md:
        write_text(target, codebook_markdown(codebook, language=lang))
    else:
        write_codebook_docx(codebook, target, language=lang)
    out.print(f"Wrote {target}", markup=False)
