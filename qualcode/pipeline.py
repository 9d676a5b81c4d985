"""``run()``: every stage that exists, for one study, into its ``analyses/`` folder.

Everything is computed first and written last, each file atomically, so a failure leaves the
previous outputs as they were. Later stages (agreement, triangulation, checklist) plug in
here. The other functions are the steps of the coding workflow, one per command.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.agreement.tables import AgreementTables, agreement_table
from qualcode.assessment import Design, assess, design_files, load_design
from qualcode.checklist import PRIORITIES, PriorityRules, requirements
from qualcode.codebook import Codebook, load_codebook
from qualcode.coding import CONSENSUS, human_codings, reference_codings, summarise_coders
from qualcode.collect import (
    ANALYSES,
    CODINGS,
    REVIEW_FILE,
    CodingStage,
    add_consensus,
    coding_stage,
    coding_stage_if_any,
)
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.imports import ImportResult, Progress, import_study
from qualcode.io.codingfolder import CONFIRMATIONS_FILE, DECISIONS_FILE, coding_files
from qualcode.io.confirmations import (
    read_confirmed,
    read_convergence,
    write_confirmed,
    write_convergence,
)
from qualcode.io.decisions import (
    read_decisions,
    read_disagreements,
    write_decisions,
    write_disagreements,
)
from qualcode.io.files import write_csv, write_text
from qualcode.io.sheets import sheet_segments, write_sheet
from qualcode.io.suggestions import SUGGESTIONS_FILE, write_kept_suggestions, write_review_sheet
from qualcode.io.worddocs import write_transcript_docx
from qualcode.projects import write_exports
from qualcode.report.checklist import ChecklistContext, checklist_markdown, write_checklist_docx
from qualcode.report.codebook import codebook_markdown, write_codebook_docx
from qualcode.report.figures import (
    agreement_forest,
    cooccurrence_heatmap,
    matrix_heatmap,
    new_codes_bars,
    requirements_bars,
    saturation_curves,
    save_figure,
    suggestion_forest,
)
from qualcode.report.study_report import ReportData, write_study_report
from qualcode.report.tables import matrix_sheet, write_workbook
from qualcode.saturation import Saturation, events, saturation
from qualcode.study import Study, load_study
from qualcode.suggest import (
    Examples,
    SuggestOptions,
    TrainingSet,
    codebook_examples,
    fit_model,
    merge_suggestions,
    segment_lemmas,
    suggestion_table,
    training_set,
    uncoded_segments,
)
from qualcode.suggest_quality import SuggestionQuality, evaluate
from qualcode.triangulation import (
    CLASSES,
    CONVERGENCE_COLUMNS,
    coder_matrix,
    confirmed_convergence,
    convergence,
    cooccurrence,
    dimensions,
    framework_matrix,
    share_table,
)

DESIGNS = "designs"
DISAGREEMENTS = "disagreements.xlsx"


@dataclass(frozen=True, slots=True)
class RunResult:
    study: Study
    codebook: Codebook
    imported: ImportResult
    coding: CodingStage | None
    agreement: AgreementTables | None
    written: tuple[Path, ...]
    saturation: Saturation | None = None
    convergence: pd.DataFrame | None = None
    suggestions: SuggestionQuality | None = None


@dataclass(frozen=True, slots=True)
class AgreementOptions:
    """How ``qualcode agree`` compares coders (see :func:`agreement_table`)."""

    coders: tuple[str, ...] | None = None
    unit: str = "segment"
    bootstrap: int = 1000
    seed: int = 0
    cluster: str | None = None


def write_import(imported: ImportResult, analyses: Path) -> list[Path]:
    """``segments.csv``, ``import.csv`` and each canonical transcript as text."""
    written = [write_csv(analyses / "segments.csv", imported.segments),
               write_csv(analyses / "import.csv", imported.summary)]
    for transcript in imported.transcripts:
        written.append(write_text(analyses / "transcripts" / f"{transcript.id}.txt",
                                  transcript.text))
    return written


def run(root: Path = Path("."), *, progress: Progress | None = None) -> RunResult:
    """Import the study at ``root`` and write the analysis into ``root/analyses``."""
    return run_study(load_study(root), progress=progress)


def run_study(study: Study, *, progress: Progress | None = None) -> RunResult:
    """Every stage for an already loaded study; see :func:`run`. The seconds each stage took
    are kept in ``analyses/run.json`` (``seconds``), so a slow stage can be named."""
    timer = StageTimer()
    with timer("import"):
        codebook, imported = prepare(study, progress=progress)
    with timer("codings"):
        designs = load_designs(study, codebook)  # checked before anything is written
        confirmed = read_confirmed(study.root / CODINGS / CONFIRMATIONS_FILE)
        stage = coding_stage_if_any(study, imported, codebook)
    agreement = None
    with timer("agreement"):
        if stage is not None and len(set(human_codings(stage.codings.codings)[S.CODER])) >= 2:
            agreement = compute_agreement(stage, imported, codebook, AgreementOptions())
    with timer("suggestions"):
        quality = None if stage is None else run_quality(stage, imported, codebook, study)
    analyses = study.root / ANALYSES
    with timer("write segments and codebook"):
        written = write_import(imported, analyses)
        written.append(write_text(analyses / "codebook.md",
                                  codebook_markdown(codebook, language=study.language)))
        written.append(write_codebook_docx(codebook, analyses / "codebook.docx",
                                           language=study.language))
    saturated = summary = None
    if stage is not None:
        with timer("write codings and disagreements"):
            written += write_coding(stage, study, codebook)
    with timer("exports (REFI-QDA, IRaMuTeQ)"):
        written += write_exports(study, codebook, imported, stage)
    if agreement is not None:
        with timer("write agreement"):
            written += write_agreement(agreement, study, codebook)
    if quality is not None:
        with timer("write suggestions"):
            written += write_quality(quality, study, codebook)
    if stage is not None:
        with timer("triangulation"):
            site, summary, files = write_matrices(stage, imported, study, codebook, confirmed)
            written += files
        with timer("saturation"):
            saturated, files = write_saturation(stage, imported, study, SaturationOptions())
            written += files
        with timer("checklist"):
            found = checklist_table(stage, imported, study, codebook, agreement, site, summary)
            if found.empty:  # no code of the codebook names a requirement: no checklist
                found = None
            else:
                written += write_checklist(found, stage, study, codebook, agreement, designs)
        with timer("report"):
            written.append(write_report(study, codebook, imported, stage, agreement,
                                        saturated, found, summary, quality))
    written.append(write_manifest(study, written, timer.seconds))
    return RunResult(study, codebook, imported, stage, agreement, tuple(written), saturated,
                     summary, quality)


class StageTimer:
    """Wall-clock seconds per stage of a run: ``with timer("import"): ...``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


INPUTS = ("study.yaml", "identities.csv", "transcripts", "codebooks", "codings", DESIGNS)


def write_manifest(study: Study, written: list[Path], seconds: dict[str, float]) -> Path:
    """``analyses/run.json``: qualcode's version, the time, the seconds each stage took, the
    seeds, a SHA-256 of every input file and the list of outputs, so that a result can be
    traced to what produced it. (Only this file changes between two runs on the same
    inputs.)"""
    import datetime as dt
    import hashlib
    import json

    from qualcode import __version__

    files = []
    for name in INPUTS:
        path = study.root / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else \
            [path] if path.is_file() else []
    manifest = {
        "qualcode": __version__,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": {stage: round(value, 3) for stage, value in seconds.items()},
        "seeds": {"agreement": AgreementOptions().seed, "saturation": SaturationOptions().seed,
                  "suggest": SuggestOptions().seed},
        "inputs": {str(p.relative_to(study.root)): hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in files if not p.name.startswith(("~$", ".~lock"))},
        "outputs": sorted(str(p.relative_to(study.root)) for p in written),
    }
    return write_text(study.root / ANALYSES / "run.json",
                      json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def write_matrices(stage: CodingStage, imported: ImportResult, study: Study,
                   codebook: Codebook, confirmed: pd.DataFrame
                   ) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """The framework matrices of the reference coding (consensus, or the coders' union) along
    every dimension (a CSV each, ``matrix.xlsx``, the code x site heatmap), co-occurrence and
    convergence across sites; returns the site matrix and the convergence summary with the
    files."""
    analyses = study.root / ANALYSES
    codings, which = reference_codings(stage.codings.codings)
    matrices = {dimension: framework_matrix(codings, imported.segments, study, codebook,
                                            dimension=dimension).assign(coding=which)
                for dimension in dimensions(study)}
    written = [write_csv(analyses / f"matrix-{name}.csv", matrix)
               for name, matrix in matrices.items()]
    written.append(write_workbook(analyses / "matrix.xlsx",
                                  {name: matrix_sheet(m) for name, m in matrices.items()}))
    site = matrices["site"]
    codes = site[site["row"] == "code"]
    shares = share_table(site)
    names = {s.id: s.name for s in study.sites}
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    labels = codes.drop_duplicates(S.CODE_ID)
    figure = matrix_heatmap(shares, labels=labels["label"].tolist(),
                            domains=labels["domain"].tolist(),
                            columns=[names[v] for v in shares.columns],
                            language=study.language, domain_labels=domains)
    written += save_figure(figure, analyses / "figures" / "matrix-site")
    pairs = cooccurrence(codings, imported.segments, [c.id for c in codebook.codable])
    written.append(write_csv(analyses / "cooccurrence.csv", pairs.assign(coding=which)))
    labels = {c.id: codebook.text(c.label, study.language) for c in codebook.codable}
    written += save_figure(cooccurrence_heatmap(pairs, labels, language=study.language),
                           analyses / "figures" / "cooccurrence")
    merged, summary = confirmed_convergence(site, codebook, confirmed)
    written += [write_csv(analyses / "convergence.csv", merged),
                write_csv(analyses / "convergence-summary.csv", summary),
                write_convergence(analyses / "convergence.xlsx",
                                  merged[list(CONVERGENCE_COLUMNS)], confirmed, CLASSES)]
    return site, summary, written


@dataclass(frozen=True, slots=True)
class SaturationOptions:
    """How ``qualcode saturation`` counts (see :func:`qualcode.saturation.saturation`)."""

    level: str = "participant"
    base: int = 4
    run: int = 2
    threshold: float = 0.05
    runs: str = "rolling"
    orders: int = 1000
    seed: int = 0


def write_saturation(stage: CodingStage, imported: ImportResult, study: Study,
                     options: SaturationOptions) -> tuple[Saturation, list[Path]]:
    """Saturation tables and figures for the reference coding."""
    analyses = study.root / ANALYSES
    codings, which = reference_codings(stage.codings.codings)
    table = events(codings, imported.segments, study, level=options.level)
    result = saturation(table, base=options.base, run=options.run,
                        threshold=options.threshold, runs=options.runs,
                        orders=options.orders, seed=options.seed)
    names = {site.id: site.name for site in study.sites}
    written = [write_csv(analyses / "saturation.csv",
                         result.events.assign(level=options.level, coding=which)),
               write_csv(analyses / "saturation-summary.csv",
                         result.summary.assign(level=options.level, coding=which)),
               write_csv(analyses / "saturation-orders.csv", result.band)]
    written += save_figure(saturation_curves(result.events, result.band, result.summary,
                                             language=study.language, names=names),
                           analyses / "figures" / "saturation")
    written += save_figure(new_codes_bars(result.events, language=study.language,
                                          names=names),
                           analyses / "figures" / "saturation-new")
    return result, written


def saturation_stage(study: Study, options: SaturationOptions) -> tuple[Saturation, list[Path]]:
    """``qualcode saturation``."""
    codebook, imported = prepare(study)
    return write_saturation(coding_stage(study, imported, codebook), imported, study, options)




def confirm_convergence(study: Study) -> Path:
    """Keep the classes confirmed in ``analyses/convergence.xlsx`` in
    ``codings/convergence.csv``."""
    workbook = study.root / ANALYSES / "convergence.xlsx"
    if not workbook.is_file():
        raise QualcodeError("not found; run 'qualcode triangulate' and fill in the "
                            "'confirmed' column first", path=workbook)
    return write_confirmed(study.root / CODINGS / CONFIRMATIONS_FILE,
                           read_convergence(workbook, CLASSES))


def compute_agreement(stage: CodingStage, imported: ImportResult, codebook: Codebook,
                      options: AgreementOptions) -> AgreementTables:
    """Agreement between the human coders of ``stage``."""
    return agreement_table(stage.codings.codings, segments=imported.segments,
                           codebook=codebook, coders=list(options.coders or []) or None,
                           unit=options.unit, bootstrap=options.bootstrap, seed=options.seed,
                           cluster=options.cluster, spans=stage.codings.spans)


def write_agreement(tables: AgreementTables, study: Study, codebook: Codebook) -> list[Path]:
    """The agreement CSVs, ``tables.xlsx`` (one sheet each) and the forest plot."""
    analyses = study.root / ANALYSES
    sheets = {"agreement": tables.codes, "agreement-by-domain": tables.domains,
              "agreement-by-transcript": tables.transcripts,
              "agreement-by-site": tables.sites}
    if tables.unitizing is not None:
        sheets["agreement-unitizing"] = tables.unitizing
    else:  # a unitizing table from an earlier character-level run no longer applies
        (analyses / "agreement-unitizing.csv").unlink(missing_ok=True)
    written = [write_csv(analyses / f"{name}.csv", table.assign(interval=tables.interval))
               for name, table in sheets.items()]
    written.append(write_workbook(analyses / "tables.xlsx", sheets))
    kappa = "cohen_kappa" if tables.codes["cohen_kappa"].notna().any() else "fleiss_kappa"
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    figure = agreement_forest(tables.codes, kappa=kappa, language=study.language,
                              domain_labels=domains)
    written += save_figure(figure, analyses / "figures" / "agreement")
    return written


def agree(study: Study, options: AgreementOptions) -> tuple[AgreementTables, list[Path]]:
    """``qualcode agree``: collect the codings and write the agreement tables and figure."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    tables = compute_agreement(stage, imported, codebook, options)
    return tables, write_agreement(tables, study, codebook)


def prepare(study: Study, *, progress: Progress | None = None
            ) -> tuple[Codebook, ImportResult]:
    """The study's codebook and imported transcripts, which every step starts from."""
    return load_codebook(study.codebook), import_study(study, progress=progress)


def write_coding(stage: CodingStage, study: Study, codebook: Codebook) -> list[Path]:
    """``codings.csv``, ``spans.csv``, ``coders.csv``, the disagreements workbook (with the
    decisions already taken) and, with a consensus, ``consensus-log.csv``; ``disagreements.xlsx``
    comes second, after ``codings.csv``."""
    analyses = study.root / ANALYSES
    humans = human_codings(stage.codings.codings)
    labels = {code.id: codebook.text(code.label, study.language) for code in codebook.codes}
    written = [write_csv(analyses / "codings.csv", stage.codings.codings),
               write_csv(analyses / "spans.csv", stage.codings.spans),
               write_csv(analyses / "coders.csv", summarise_coders(humans, codebook))]
    decisions = read_decisions(study.root / CODINGS / DECISIONS_FILE)
    write_disagreements(analyses / DISAGREEMENTS, stage.disagreements, decisions, labels)
    written.append(analyses / DISAGREEMENTS)
    if stage.log is not None:
        written.append(write_csv(analyses / "consensus-log.csv", stage.log))
    if (analyses / REVIEW_FILE).is_file() and stage.suggestions is not None \
            and not stage.suggestions.empty:  # keep the review's decisions with the codings
        written.append(write_kept_suggestions(study.root / CODINGS / SUGGESTIONS_FILE,
                                              stage.suggestions))
    return written


def make_sheet(study: Study, coder: str, *, force: bool = False) -> Path:
    """A blank coding sheet for ``coder`` in ``codings/sheets/<coder>.xlsx``."""
    if coder not in {c.id for c in study.coders}:
        raise QualcodeError(f"'{coder}' is not a coder of study.yaml; add it under 'coders' "
                            "(- {id: " + coder + "})", path=study.root / "study.yaml")
    path = study.root / CODINGS / "sheets" / f"{coder}.xlsx"
    if path.exists() and not force:
        raise QualcodeError("exists already (it may hold codes); pass --force to replace it "
                            "with a blank sheet", path=path)
    codebook, imported = prepare(study)
    write_sheet(path, sheet_segments(imported.segments), codebook, coder=coder,
                language=study.language)
    return path


def export_docx(study: Study) -> list[Path]:
    """Each pseudonymised transcript as Word, for coding with comments, in
    ``analyses/word/``."""
    _, imported = prepare(study)
    paths = []
    for transcript in imported.transcripts:
        path = study.root / ANALYSES / "word" / f"{transcript.id}.docx"
        write_transcript_docx(path, transcript.id, transcript.text,
                              title=f"{study.title} — {transcript.id}",
                              language=study.language)
        paths.append(path)
    return paths


def collect(study: Study) -> tuple[CodingStage, list[Path]]:
    """Read every coder's files and write the coding tables."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    return stage, write_coding(stage, study, codebook)


def decide_consensus(study: Study) -> tuple[pd.DataFrame, list[Path]]:
    """Read the filled disagreements workbook, check that every disagreement is decided, keep
    the decisions in ``codings/consensus.csv`` and write the consensus and its log."""
    workbook = study.root / ANALYSES / DISAGREEMENTS
    if not workbook.is_file():
        raise QualcodeError("not found; run 'qualcode disagreements' and fill it in first",
                            path=workbook)
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    decisions = read_disagreements(workbook)
    codings, log = add_consensus(stage.codings, imported.segments, decisions,
                                 source=str(Path(CODINGS) / DECISIONS_FILE))
    decided = replace(stage, codings=codings, log=log, consensus_status="consensus complete")
    written = [write_decisions(study.root / CODINGS / DECISIONS_FILE, decisions)]
    return log, written + write_coding(decided, study, codebook)


def code_counts(analyses: Path) -> pd.Series | None:
    """Segments per code in ``analyses/codings.csv``, once codings have been collected."""
    path = analyses / "codings.csv"
    if not path.is_file():
        return None
    codings = pd.read_csv(path, dtype=str)
    return codings.groupby("code_id")["segment_id"].nunique()


def triangulate(study: Study, *, confirm: bool = False, across_coders: bool = False
                ) -> tuple[pd.DataFrame, list[Path]]:
    """``qualcode triangulate``: the framework matrices, the heatmap and convergence coding;
    with ``confirm``, first keep the researchers' confirmations; with ``across_coders``, also
    convergence between the coders (``analyses/convergence-coders.csv``). Returns the
    per-code convergence summary with the files."""
    kept = [confirm_convergence(study)] if confirm else []
    codebook, imported = prepare(study)
    confirmed = read_confirmed(study.root / CODINGS / CONFIRMATIONS_FILE)
    stage = coding_stage(study, imported, codebook)
    _, summary, written = write_matrices(stage, imported, study, codebook, confirmed)
    written = kept + written
    if across_coders:
        matrix = coder_matrix(human_codings(stage.codings.codings), imported.segments, study,
                              codebook)
        written.append(write_csv(study.root / ANALYSES / "convergence-coders.csv",
                                 convergence(matrix, codebook)))
    return summary, written


def checklist_table(stage: CodingStage, imported: ImportResult, study: Study,
                    codebook: Codebook, agreement: AgreementTables | None,
                    site: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The requirements with their evidence and priority, from the site matrix and the
    convergence summary of the reference coding."""
    codings, _ = reference_codings(stage.codings.codings)
    rules = PriorityRules.from_study(study.checklist, study.root / "study.yaml")
    return requirements(site, codebook, codings, imported.segments, language=study.language,
                        rules=rules, agreement=None if agreement is None else agreement.codes,
                        convergence=summary)


def load_designs(study: Study, codebook: Codebook) -> list[Design]:
    """Every design of ``designs/``, checked against the codebook's requirement ids."""
    ids = {code.requirement.id for code in codebook.codable if code.requirement is not None}
    return [load_design(path, ids) for path in design_files(study.root / DESIGNS)]


def write_checklist(found: pd.DataFrame, stage: CodingStage, study: Study,
                    codebook: Codebook, agreement: AgreementTables | None,
                    designs: list[Design]) -> list[Path]:
    """The requirement checklist: ``checklist.docx``, ``.md``, ``.xlsx``, ``.csv`` and the
    figure of requirements by domain and priority, with every design of ``designs/``."""
    analyses = study.root / ANALYSES
    _, which = reference_codings(stage.codings.codings)
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    figure = save_figure(requirements_bars(found, domains=domains, priorities=PRIORITIES,
                                           language=study.language),
                         analyses / "figures" / "checklist")
    context = ChecklistContext(study, codebook, "codage de consensus" if which == CONSENSUS
                               else "union des codeurs, consensus en cours",
                               _agreement_sentence(agreement))
    assessments = [assess(design, found) for design in designs]
    sheets = {"checklist": found}
    if assessments:
        sheets["assessments"] = pd.DataFrame([scores for scores, _ in assessments])
        sheets |= {scores["design"][:31]: gaps for scores, gaps in assessments}
    return [
        write_csv(analyses / "checklist.csv", found.assign(coding=which)),
        write_workbook(analyses / "checklist.xlsx", sheets),
        write_text(analyses / "checklist.md", checklist_markdown(found, context)),
        write_checklist_docx(analyses / "checklist.docx", found, context, figure[0],
                             assessments),
        *figure]




def assess_design(study: Study, path: Path) -> tuple[dict, pd.DataFrame, list[Path]]:
    """``qualcode assess``: one design against the study's checklist, written to
    ``analyses/assessment-<design>.csv``."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    codings, _ = reference_codings(stage.codings.codings)
    site = framework_matrix(codings, imported.segments, study, codebook, dimension="site")
    _, convergence_by_code = confirmed_convergence(
        site, codebook, read_confirmed(study.root / CODINGS / CONFIRMATIONS_FILE))
    table = checklist_table(stage, imported, study, codebook, None, site, convergence_by_code)
    summary, gaps = assess(load_design(path, set(table["requirement_id"])), table)
    target = study.root / ANALYSES / f"assessment-{Path(path).stem}.csv"
    return summary, gaps, [write_csv(target, gaps)]


def _agreement_sentence(agreement: AgreementTables | None) -> str:
    if agreement is None:
        return "Accord inter-codeurs : non calculé (un seul codeur)."
    overall = agreement.domains[(agreement.domains["domain"] == "all")
                                & (agreement.domains["method"] == "pooled")].iloc[0]

    def french(value: float) -> str:
        return f"{value:.2f}".replace(".", ",")

    return (f"Accord inter-codeurs sur l'ensemble des codes : alpha de Krippendorff "
            f"{french(overall['krippendorff_alpha'])} (IC à 95 % "
            f"{french(overall['alpha_low'])} à {french(overall['alpha_high'])}), accord brut "
            f"{overall['percent_agreement']:.0%} (0,80 et plus : fiable ; de 0,667 à 0,80 : "
            "acceptable).").replace("%", " %")


def write_report(study: Study, codebook: Codebook, imported: ImportResult,
                 stage: CodingStage, agreement: AgreementTables | None,
                 saturated: Saturation | None, found: pd.DataFrame | None,
                 summary: pd.DataFrame, quality: SuggestionQuality | None = None) -> Path:
    """``analyses/report.docx``, from the results of the run (figures already written)."""
    from qualcode import __version__

    figures = study.root / ANALYSES / "figures"
    data = ReportData(
        study=study, codebook=codebook, imported=imported.summary,
        coding_status=stage.consensus_status, consensus_log=stage.log,
        agreement_domains=None if agreement is None else agreement.domains,
        agreement_interval="" if agreement is None else agreement.interval,
        convergence=summary, saturation=None if saturated is None else saturated.summary,
        saturation_level=SaturationOptions().level, requirements=found,
        figures={"agreement": figures / "agreement.png", "matrix": figures / "matrix-site.png",
                 "saturation": figures / "saturation.png",
                 "suggestions": figures / "suggestions.png"},
        version=__version__, suggestions=quality)
    return write_study_report(study.root / ANALYSES / "report.docx", data)


def learn(stage: CodingStage, imported: ImportResult, codebook: Codebook,
          options: SuggestOptions) -> tuple[TrainingSet, Examples, dict[str, str]]:
    """What the suggestions learn from: the coding's units and labels, the codebook's
    examples, and the lemmas of every codable segment."""
    lemmas = segment_lemmas(imported.segments)
    training = training_set(stage.codings, imported.segments, codebook, lemmas,
                            coder=options.coder)
    return training, codebook_examples(codebook, training.codes), lemmas


RUN_SUGGESTIONS_UP_TO = 10_000
"""``qualcode run`` scores the suggestions on studies up to this many segments: the
cross-validated models take about a minute per 5,000 segments on 2 cores, and grow faster
than the study (``benchmarks/suggest.py``)."""


def run_quality(stage: CodingStage, imported: ImportResult, codebook: Codebook,
                study: Study) -> SuggestionQuality | None:
    """For ``qualcode run``: the suggestions' quality as a coder, once coded segments span
    at least two groups (a model is always tested on a group it did not learn from)."""
    reviewed = set(stage.codings.reviewed[S.TRANSCRIPT_ID])
    segments = imported.segments
    if segments.loc[segments[S.TRANSCRIPT_ID].isin(reviewed), S.GROUP_ID].nunique() < 2:
        return None
    if len(segments) > RUN_SUGGESTIONS_UP_TO:
        warnings.warn(f"suggestion quality is not computed by 'qualcode run' for studies of "
                      f"more than {RUN_SUGGESTIONS_UP_TO:,} segments (this one has "
                      f"{len(segments):,}): it would take long; run 'qualcode suggest' for it",
                      QualcodeWarning, stacklevel=2)
        return None
    options = SuggestOptions()
    training, examples, _ = learn(stage, imported, codebook, options)
    return evaluate(training, examples, stage.codings, codebook, options=options,
                    language=study.language)


def write_quality(quality: SuggestionQuality, study: Study, codebook: Codebook) -> list[Path]:
    """``suggestions-quality.csv`` (per rater overall, then per code and rater),
    ``suggestions-cv.csv`` (the out-of-fold suggestions) and the figure."""
    analyses = study.root / ANALYSES
    table = pd.concat([quality.overall, quality.codes], ignore_index=True).assign(
        coding=quality.coding, validation=quality.validation, interval=quality.interval)
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    return [write_csv(analyses / "suggestions-quality.csv", table),
            write_csv(analyses / "suggestions-cv.csv", quality.predictions),
            *save_figure(suggestion_forest(quality.codes, language=study.language,
                                           domain_labels=domains),
                         analyses / "figures" / "suggestions")]


@dataclass(frozen=True, slots=True)
class SuggestResult:
    """``qualcode suggest``: the quality of the suggestions, every suggestion kept (with its
    review), how many are new, and how many segments nobody has coded."""

    quality: SuggestionQuality
    suggestions: pd.DataFrame
    n_new: int
    n_uncoded: int


def suggest(study: Study, options: SuggestOptions) -> tuple[SuggestResult, list[Path]]:
    """Score the suggestions as a coder, then suggest codes for the segments of transcripts
    nobody has coded: ``codings/suggest.csv`` and the review sheet
    ``analyses/suggestions.xlsx``, with the decisions already taken."""
    codebook, imported = prepare(study)
    if not coding_files(study.root / CODINGS):
        raise QualcodeError("no coding to learn from; code some transcripts first (see "
                            "'qualcode sheet')", path=study.root / CODINGS)
    stage = coding_stage(study, imported, codebook)
    training, examples, lemmas = learn(stage, imported, codebook, options)
    quality = evaluate(training, examples, stage.codings, codebook, options=options,
                       language=study.language)
    model = fit_model(training.lemmas, training.labels, training.codes, examples,
                      min_segments=options.min_segments, seed=options.seed,
                      n_jobs=options.n_jobs)
    targets = uncoded_segments(stage.codings, imported.segments)
    new = suggestion_table(model, targets, lemmas, training.codes, threshold=options.threshold)
    kept = merge_suggestions(new, stage.suggestions, imported.segments)
    written = write_quality(quality, study, codebook)
    if not kept.empty:
        written.append(write_kept_suggestions(study.root / CODINGS / SUGGESTIONS_FILE, kept))
        written.append(write_review_sheet(study.root / ANALYSES / REVIEW_FILE,
                                          review_rows(kept, imported.segments, codebook,
                                                      quality, study.language),
                                          [c.id for c in study.coders]))
    fresh = int((kept["decision"] == "").sum())
    return SuggestResult(quality, kept, fresh, len(targets)), written


def review_rows(kept: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook,
                quality: SuggestionQuality, language: str) -> pd.DataFrame:
    """The review sheet's rows: each suggestion with its segment, the code's label and the
    code's cross-validated F1."""
    model = quality.codes[quality.codes["kind"] == "model"].set_index(S.CODE_ID)["f1"]
    labels = {code.id: codebook.text(code.label, language) for code in codebook.codable}
    info = segments.set_index(S.SEGMENT_ID)
    return kept.assign(**{
        S.GROUP_ID: info[S.GROUP_ID].reindex(kept[S.SEGMENT_ID]).to_numpy(),
        S.PARTICIPANT_ID: info[S.PARTICIPANT_ID].reindex(kept[S.SEGMENT_ID]).to_numpy(),
        "label": kept[S.CODE_ID].map(labels),
        "probability": kept["probability"].astype(float),
        "code_f1": kept[S.CODE_ID].map(model).round(2).to_numpy()})
