"""``run()``: every stage that exists, for one study, into its ``analyses/`` folder.

Everything is computed first and written last into a staging folder that then replaces
``analyses/`` as a whole, so a failure or a killed run leaves the previous outputs as they
were. The stages themselves are the steps of :mod:`qualcode.steps`,
one module per stage, which the command line also calls one command at a time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

import pandas as pd

from qualcode import schema as S
from qualcode.agreement.tables import AgreementTables
from qualcode.assessment import assess
from qualcode.codebook import Codebook
from qualcode.coding import human_codings
from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.io.cache import Cache
from qualcode.io.files import TEMPORARY, os_errors, remove_temporary, write_text
from qualcode.io.folders import interrupted, replaced_as_a_set
from qualcode.io.reuse import Reuse, reused, session
from qualcode.io.workers import workers
from qualcode.names import study_matcher
from qualcode.paths import ANALYSES, FIGURES, INPUTS, MANIFEST, TRANSCRIPTS
from qualcode.process import owned
from qualcode.report.codebook import codebook_markdown, write_codebook_docx
from qualcode.report.figures import prepare as prepare_figures
from qualcode.saturation import Saturation
from qualcode.steps.agreement import AgreementOptions, compute_agreement, write_agreement
from qualcode.steps.audit import Audit, audit_folder, check_paths, raise_findings
from qualcode.steps.checklist import (
    checklist_table,
    code_evidence_table,
    load_designs,
    write_checklist,
)
from qualcode.steps.coding import write_coding
from qualcode.steps.collect import CodingStage, coding_stage_if_any
from qualcode.steps.imports import ImportResult, Progress
from qualcode.steps.refiqda import write_exports
from qualcode.steps.report import write_extract_report, write_report
from qualcode.steps.results import Results
from qualcode.steps.saturation import SaturationOptions, compute_saturation, write_saturation
from qualcode.steps.suggestions import run_quality, write_quality
from qualcode.steps.transcripts import prepare, write_import, write_name_review
from qualcode.steps.triangulation import (
    compute_triangulation,
    confirmations,
    write_triangulation,
)
from qualcode.study import Study, load_identities, load_study
from qualcode.suggest import SuggestOptions
from qualcode.suggest_quality import SuggestionQuality


@dataclass(frozen=True, slots=True)
class RunResult:
    study: Study
    codebook: Codebook
    imported: ImportResult
    coding: CodingStage | None
    agreement: AgreementTables | None
    written: tuple[Path, ...]
    audit: Audit
    saturation: Saturation | None = None
    convergence: pd.DataFrame | None = None
    suggestions: SuggestionQuality | None = None


StageHook = Callable[[str, str], None]
"""Told ``(stage, "start")`` when a stage of a run begins and ``(stage, "done")`` when it
ends, in order: the browser shows a run's progress with it."""


def run(root: Path = Path("."), *, progress: Progress | None = None,
        on_stage: StageHook | None = None, force: bool = False,
        background: bool | None = None) -> RunResult:
    """Import the study at ``root`` and write the analysis into ``root/analyses``."""
    return run_study(load_study(root), progress=progress, on_stage=on_stage, force=force,
                     background=background)


def run_study(study: Study, *, progress: Progress | None = None,
              on_stage: StageHook | None = None, force: bool = False,
              background: bool | None = None) -> RunResult:
    """Every stage for an already loaded study; see :func:`run`. The seconds each stage took
    are kept in ``analyses/run.json`` (``seconds``), so a slow stage can be named; ``on_stage``
    is told when each begins and ends.

    With ``background``, the figures are drawn by worker processes while the run goes on
    (:mod:`qualcode.io.workers`; the same bytes); by default (None) only when the entry point
    that owns the process allowed it (:func:`qualcode.process.own_process`, which the command
    line, and so the browser's server, calls).

    Runs are incremental: what an output was made from is fingerprinted
    (:mod:`qualcode.fingerprint`, qualcode's own code included) and recorded in ``run.json``
    (``reuse``) with the SHA-256 of its files; an output whose inputs did not change is copied
    from the previous set instead of written (:mod:`qualcode.io.reuse`), and the expensive
    computations (import, lemmas, cross-validation, audit) are kept in the study's private
    cache, ``.qualcode/cache/`` (:mod:`qualcode.io.cache`). The outputs are byte for byte
    those of a full run; ``force`` recomputes and rewrites everything.

    Confidentiality is checked on both ends: input file names, which the outputs record, are
    refused first when they hold a name of ``identities.csv``; the new outputs are audited
    before they replace ``analyses/``, and any name found raises a
    :class:`~qualcode.errors.ConfidentialityError` (the outputs holding it are not kept).

    The outputs are one set: they are written into a staging folder that replaces
    ``analyses/`` at the end (:mod:`qualcode.io.folders`), so a run that fails or is killed
    leaves the previous complete set. ``analyses/`` is checked before the long work (a file in
    its place, a folder that cannot be written); every system fault is a :class:`SystemFault`.
    """
    target = study.paths.analyses
    pool = workers() if (owned() if background is None else background) else None
    remove_temporary(study.paths.codings)  # left by killed writers (analyses/ is rebuilt)
    with os_errors(), replaced_as_a_set(target, marker=MANIFEST, own=previous_outputs(target),
                                        folders=OUTPUT_FOLDERS,
                                        lock=study.paths.run_lock) as staging, \
            session(Reuse(target, staging, previous_records(target), force=force,
                          pool=pool)) as reuse:
        if pool is not None:
            pool.warm(prepare_figures)  # while the run computes
        cache = Cache(study.paths.cache, read=not force)
        result = _compute_and_write(study, staging, progress, StageTimer(on_stage, reuse),
                                    reuse, cache)
    return replace(result, written=tuple(target / p.relative_to(staging)
                                         if p.is_relative_to(staging) else p
                                         for p in result.written))


def _compute_and_write(study: Study, analyses: Path, progress: Progress | None,
                       timer: StageTimer, reuse: Reuse, cache: Cache) -> RunResult:
    """Every stage computed, then written into ``analyses`` (the staging folder), the
    manifest last, then audited."""
    matcher = study_matcher(study, load_identities(study))
    check_paths(input_files(study), matcher, root=study.root)
    results = compute(study, timer, progress=progress, cache=cache)
    written = write_results(results, analyses, timer)
    with timer("figures"):  # drawn by worker processes meanwhile
        reuse.settle()
    written.append(write_manifest(study, analyses, written, timer.seconds, reuse))
    with timer("audit"):
        audited = audit_folder(analyses, matcher, cache=cache)
    raise_findings(audited, kept=False)
    cache.flush()  # only a run that succeeded keeps what it computed
    return RunResult(study, results.codebook, results.imported, results.coding,
                     results.agreement, tuple(written), audited, results.saturation,
                     None if results.triangulation is None else results.triangulation.summary,
                     results.suggestions)


def compute(study: Study, timer: StageTimer, *, progress: Progress | None = None,
            cache: Cache | None = None) -> Results:
    """Every stage of a run, computed; nothing is written (the designs and the decisions
    typed are read, and checked, before anything is). ``cache`` keeps the expensive
    computations (none: memory only)."""
    cache = cache or Cache(None)
    with timer("import"):
        codebook, imported = prepare(study, progress=progress, cache=cache)
    with timer("codings"):
        designs = load_designs(study, codebook)
        confirmed = confirmations(study)
        stage = coding_stage_if_any(study, imported, codebook, cache=cache)
    results = Results(study, codebook, imported, coding=stage)
    if stage is None:
        return results
    agreement = None
    with timer("agreement"):
        if len(set(human_codings(stage.codings.codings)[S.CODER])) >= 2:
            agreement = compute_agreement(stage, imported, codebook, AgreementOptions())
    with timer("suggestions"):
        quality = run_quality(stage, imported, codebook, study, cache=cache)
    with timer("triangulation"):
        triangulated = compute_triangulation(stage, imported, study, codebook, confirmed)
    with timer("saturation"):
        saturated = compute_saturation(stage, imported, study, SaturationOptions())
    with timer("checklist"):
        evidence = code_evidence_table(stage, imported, study, codebook, agreement,
                                       triangulated.site, triangulated.summary, cache=cache)
        found = checklist_table(evidence, study, codebook)
        found = None if found.empty else found  # no code names a requirement: no checklist
        assessments = () if found is None else tuple(assess(d, found) for d in designs)
    return replace(results, agreement=agreement, suggestions=quality,
                   triangulation=triangulated, saturation=saturated, evidence=evidence,
                   checklist=found,
                   assessments=assessments)


def write_results(results: Results, analyses: Path, timer: StageTimer) -> list[Path]:
    """Every output of ``results`` written into ``analyses``; the decisions typed since the
    last run recorded under ``codings/``."""
    study, codebook, imported, stage = (results.study, results.codebook, results.imported,
                                        results.coding)
    def output(stage: str, inputs: tuple, write: Callable[[], list[Path]]) -> list[Path]:
        with timer(stage):
            return reused(stage, lambda: fingerprint(source_fingerprint(), stage, inputs), write)

    def import_files() -> list[Path]:
        return [*write_import(imported, analyses),
                write_text(analyses / "codebook.md",
                           codebook_markdown(codebook, language=study.language)),
                write_codebook_docx(codebook, analyses / "codebook.docx",
                                    language=study.language)]

    write_name_review(imported, study)  # private: not an output, not in run.json
    written = output("write segments and codebook",
                     (imported.transcripts, imported.segments, imported.summary, codebook,
                      study.language), import_files)
    if stage is not None:
        with timer("write codings and disagreements"):  # records the decisions typed
            written += write_coding(stage, study, codebook, into=analyses)
    written += output("exports (REFI-QDA, IRaMuTeQ)",  # identities: the coders' names shown
                      (study, load_identities(study), codebook, imported, stage),
                      lambda: write_exports(study, codebook, imported, stage, into=analyses))
    if stage is None:
        return written
    if results.agreement is not None:
        written += output("write agreement", (results.agreement, study, codebook),
                          lambda: write_agreement(results.agreement, study, codebook,
                                                  into=analyses))
    if results.suggestions is not None:
        written += output("write suggestions", (results.suggestions, study, codebook),
                          lambda: write_quality(results.suggestions, study, codebook,
                                                into=analyses))
    with timer("write triangulation"):  # records the convergence confirmed
        written += write_triangulation(results.triangulation, study, codebook, into=analyses)
    written += output("write saturation", (results.saturation, stage, study),
                      lambda: write_saturation(results.saturation, stage, study,
                                               SaturationOptions(), into=analyses))
    if results.checklist is not None:
        written += output("write checklist", (results,),
                          lambda: write_checklist(results=results, into=analyses))
    written += output("report", (results,),
                      lambda: [write_extract_report(results, into=analyses),  # while the
                               write_report(results=results, into=analyses)])  # figures draw
    return written


class StageTimer:
    """Wall-clock seconds per stage of a run: ``with timer("import"): ...``; ``on_stage``
    (a :data:`StageHook`) is told when each stage begins and ends: ``"reused"`` instead of
    ``"done"`` when every output of the stage was copied from the previous set (``reuse``)."""

    def __init__(self, on_stage: StageHook | None = None, reuse: Reuse | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.on_stage = on_stage
        self.reuse = reuse

    def _counts(self) -> tuple[int, int]:
        return (0, 0) if self.reuse is None else (len(self.reuse.reused), self.reuse.writes)

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if self.on_stage:
            self.on_stage(stage, "start")
        before = self._counts()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start
        if self.on_stage:
            after = self._counts()
            entirely = after[0] > before[0] and after[1] == before[1]
            self.on_stage(stage, "reused" if entirely else "done")


OUTPUT_FOLDERS = (FIGURES, TRANSCRIPTS)
"""The folders of ``analyses/`` a run writes into, checked before its long work."""


def input_files(study: Study) -> list[Path]:
    """The study's input files, which ``run.json`` lists (not editors' lock files nor the
    temporary files of killed writers)."""
    files = []
    for name in INPUTS:
        path = study.root / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else \
            [path] if path.is_file() else []
    return [p for p in files if not p.name.startswith(("~$", ".~lock"))
            and not TEMPORARY.fullmatch(p.name)]


def write_manifest(study: Study, analyses: Path, written: list[Path],
                   seconds: dict[str, float], reuse: Reuse | None = None) -> Path:
    """``run.json`` in ``analyses`` (the folder the outputs are written into, which becomes
    ``analyses/``): qualcode's version, the time, the seconds each stage took, the seeds, a
    SHA-256 of every input file and the list of outputs, so that a result can be traced to
    what produced it; and what each writer's inputs were (fingerprints) with its files'
    SHA-256, and which were reused, for the next incremental run (see :mod:`qualcode.io.reuse`).
    (Only this file changes between two runs on the same inputs.)"""
    import datetime as dt
    import json

    from qualcode._version import __version__

    manifest = {
        "qualcode": __version__,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": {stage: round(value, 3) for stage, value in seconds.items()},
        "seeds": {"agreement": AgreementOptions().seed, "saturation": SaturationOptions().seed,
                  "suggest": SuggestOptions().seed},
        "inputs": input_hashes(study),
        "outputs": sorted(str(Path(ANALYSES) / p.relative_to(analyses)
                              if p.is_relative_to(analyses) else p.relative_to(study.root))
                          for p in written),
        "reused": sorted(reuse.reused) if reuse else [],
        "reuse": dict(sorted(reuse.made.items())) if reuse else {},
    }
    return write_text(analyses / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False)
                      + "\n")


def last_run(study: Study) -> tuple[str, bool] | None:
    """When ``qualcode run`` last completed (UTC, ISO 8601) and whether its inputs are still
    the study's (same files, same bytes), from ``analyses/run.json``; None before any run."""
    import json

    try:
        manifest = json.loads((study.root / ANALYSES / MANIFEST).read_text(encoding="utf-8"))
        time, inputs = manifest["time"], manifest["inputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return time, input_hashes(study) == inputs


def input_hashes(study: Study) -> dict[str, str]:
    """A SHA-256 of every input file, by its path in the study."""
    import hashlib

    return {str(p.relative_to(study.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in input_files(study)}


def previous_records(analyses: Path) -> object:
    """What the previous run's writers were given and wrote (``reuse`` in its ``run.json``;
    None without a readable one)."""
    import json

    try:
        return json.loads((analyses / MANIFEST).read_text(encoding="utf-8")).get("reuse")
    except (OSError, ValueError, AttributeError):
        return None


def previous_outputs(analyses: Path) -> set[str]:
    """The files of ``analyses/`` that its ``run.json`` lists, as POSIX paths relative to it
    (none without a readable ``run.json``)."""
    import json

    try:
        outputs = json.loads((analyses / MANIFEST).read_text(encoding="utf-8"))["outputs"]
        return {PurePath(name).relative_to(ANALYSES).as_posix() for name in outputs
                if PurePath(name).is_relative_to(ANALYSES)}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def incomplete_outputs(study: Study) -> str | None:
    """Why ``analyses/`` is not one complete set of a run's outputs, in one line, or ``None``:
    a run interrupted, no ``run.json``, or outputs ``run.json`` lists that are missing."""
    target = study.paths.analyses
    left = interrupted(target)
    fix = "; run 'qualcode run' to make a complete set"
    if left is not None:
        return f"{ANALYSES}/: {left}{fix}"
    if not target.is_dir():
        return None
    if not (target / MANIFEST).is_file():
        return (f"{ANALYSES}/: no {MANIFEST}, so its files are not the outputs of one "
                f"complete run{fix}")
    missing = sorted(name for name in previous_outputs(target) if not (target / name).exists())
    if missing:
        return (f"{ANALYSES}/: {len(missing)} output(s) listed in {MANIFEST} are missing "
                f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}){fix}")
    return None

