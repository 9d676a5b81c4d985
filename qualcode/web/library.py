"""The one module of the web front end that calls the library: the study as the command
line sees it (loaded, imported, its codings collected), kept between requests and loaded
again when one of its files changes, and the coder's work read and changed through
:mod:`qualcode.steps.workspace`. Nothing is computed here that the library does not compute.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook, load_codebook
from qualcode.coding import Codings, disagreements
from qualcode.decisions import CONSENSUS
from qualcode.errors import QualcodeError, QualcodeWarning, error_line
from qualcode.io.files import os_errors
from qualcode.paths import ANALYSES
from qualcode.pipeline import StageHook, incomplete_outputs, last_run, previous_outputs, run_study
from qualcode.steps.audit import audit_verdict, identities_warning
from qualcode.steps.coding import record_decision
from qualcode.steps.collect import (
    coded,
    coding_stage_if_any,
    collect_codings,
    reviewed_suggestions,
    typed_decisions,
    workbook_path,
)
from qualcode.steps.imports import (
    ImportResult,
    import_study,
    name_check,
    names_line,
    preview_import,
    read_transcripts,
)
from qualcode.steps.outputs import ChecklistText, assessment_sheets, checklist_view, read_output
from qualcode.steps.suggestions import record_review
from qualcode.steps.transcripts import prepare, write_import, write_name_review
from qualcode.steps.triangulation import (
    Triangulation,
    compute_triangulation,
    confirmations,
    record_confirmation,
)
from qualcode.steps.workspace import change_work, progress, transcript_work, workspace_path
from qualcode.study import Study, load_study
from qualcode.triangulation import CLASSES
from qualcode.workspace import TranscriptWork

__all__ = [
    "CLASSES",
    "Around",
    "ChecklistText",
    "Loaded",
    "Outputs",
    "QualcodeError",
    "StudyFolder",
    "TranscriptWork",
    "Triangulation",
    "around",
]


@dataclass(frozen=True, slots=True)
class Loaded:
    """The study, its codebook and imported transcripts (with each transcript's segments),
    and the warnings loading gave, in the command line's words."""

    study: Study
    codebook: Codebook
    imported: ImportResult
    by_transcript: dict[str, pd.DataFrame]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Around:
    """Where a segment is: its transcript, its speaker, and the segment before it in its
    transcript (its context; empty for the first)."""

    transcript_id: str
    speaker: str
    before: str


def around(segments: pd.DataFrame) -> dict[str, Around]:
    """Each segment's :class:`Around`."""
    previous = segments.groupby(S.TRANSCRIPT_ID, sort=False)[S.TEXT].shift(1).fillna("")
    return {segment: Around(transcript, speaker, before) for segment, transcript, speaker, before
            in zip(segments[S.SEGMENT_ID], segments[S.TRANSCRIPT_ID],
                   segments[S.PARTICIPANT_ID], previous, strict=True)}


def _caught(function: Callable):
    """``function()`` and the QualcodeWarnings it gave, as the command line prints them."""
    with warnings.catch_warnings(record=True) as caught, os_errors():
        warnings.simplefilter("always", QualcodeWarning)
        result = function()
    return result, tuple(f"warning: {w.message}" for w in caught
                         if issubclass(w.category, QualcodeWarning))


@dataclass(frozen=True, slots=True)
class Outputs:
    """The outputs of the last complete run (their paths under ``analyses/``, as
    ``run.json`` lists them), or, when there is no complete set, why (None before any run)."""

    names: tuple[str, ...]
    language: str
    missing: str | None = None


class StudyFolder:
    """A study folder served to the browser. Loading (spaCy segmentation) and collecting
    take seconds, so both are kept and made again only when their files change: the inputs
    of the import for :meth:`loaded`, the files of ``codings/`` for :meth:`collected`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._deciding = threading.Lock()
        self.busy = threading.Lock()  # held by the study's running import or run
        self.job_lock = threading.Lock()  # guards the status of its tasks
        self._kept: dict[str, tuple[tuple, object]] = {}  # what -> (its stamp, it or its error)

    def _keep(self, what: str, stamp: tuple, make: Callable[[], object]):
        """``make()``, kept under ``what`` until ``stamp`` (the files it reads) changes; a
        QualcodeError it raised is kept and raised again the same way."""
        with self._lock:
            kept = self._kept.get(what)
            if kept is None or kept[0] != stamp:
                try:
                    kept = (stamp, make())
                except QualcodeError as error:
                    kept = (stamp, error)
                self._kept[what] = kept
        if isinstance(kept[1], QualcodeError):
            raise kept[1]
        return kept[1]

    def _inputs(self) -> tuple:
        try:
            study = load_study(self.root)
        except QualcodeError:
            return (_stamp(self.root / "study.yaml"),)
        files = [self.root / "study.yaml", self.root / "identities.csv", study.codebook,
                 *(group.transcript for group in study.groups)]
        return tuple(_stamp(path) for path in files)

    def loaded(self) -> Loaded:
        """The study loaded and imported; raises the QualcodeError the command line gives."""
        return self._keep("loaded", self._inputs(), self._load)

    def _load(self) -> Loaded:
        study = load_study(self.root)
        (codebook, imported), said = _caught(lambda: prepare(study))
        segments = imported.segments
        by_transcript = {tid: part.reset_index(drop=True)
                         for tid, part in segments.groupby(S.TRANSCRIPT_ID, sort=False)}
        return Loaded(study, codebook, imported, by_transcript, said)

    def collected(self) -> tuple[Codings, tuple[str, ...]]:
        """Every coder's codings as ``qualcode collect`` reads them, with its warnings;
        raises the QualcodeError collect gives."""
        loaded = self.loaded()
        return self._keep("collected", (id(loaded), *_tree(loaded.study.paths.codings)),
                          lambda: _caught(lambda: collect_codings(
                              loaded.study, loaded.imported, loaded.codebook)))

    def progress(self) -> dict[tuple[str, str], str]:
        """``(coder, transcript) -> "done" | "started"`` (see
        :func:`qualcode.steps.workspace.progress`)."""
        loaded = self.loaded()
        return progress(loaded.study, self.collected()[0], loaded.imported.segments)

    def last_run(self) -> tuple[str, bool] | None:
        return last_run(self.loaded().study)

    def review(self) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
        """The disagreements and the consensus decisions (recorded or typed), as ``qualcode
        consensus`` reads them, with the warnings collecting gave. The disagreements are kept
        until a coding file changes (a decision does not change them)."""
        loaded = self.loaded()
        decisions = {loaded.study.paths.codings / CONSENSUS.record,
                     workbook_path(loaded.study, CONSENSUS)}
        stamp = (id(loaded), *(s for s in _tree(loaded.study.paths.codings)
                               if Path(s[0]) not in decisions))
        result = self._keep("disagreements", stamp, lambda: _caught(lambda: disagreements(
            coded(loaded.study, loaded.imported, loaded.codebook)[0],
            loaded.imported.segments)))
        differ, said = result
        with os_errors():
            return differ, typed_decisions(loaded.study).merged, said

    def decide(self, segment_id: str, code_id: str, decision: str, rationale: str,
               decided_by: str) -> None:
        """Record one consensus decision where the command line reads it."""
        study = self.loaded().study
        with self._deciding, os_errors(study.paths.codings):
            record_decision(study, segment_id, code_id, decision, rationale=rationale,
                            decided_by=decided_by)

    def convergence(self) -> tuple[Triangulation | None, tuple[str, ...]]:
        """Triangulation as ``qualcode triangulate`` computes it (the convergence suggested
        per code and pair of sites, with the confirmations recorded or typed), with the
        warnings it gave; None while ``codings/`` holds no coder's file."""
        loaded = self.loaded()
        study = loaded.study

        def compute() -> Triangulation | None:
            stage = coding_stage_if_any(study, loaded.imported, loaded.codebook)
            return None if stage is None else compute_triangulation(
                stage, loaded.imported, study, loaded.codebook, confirmations(study))
        return _caught(compute)

    def confirm(self, code_id: str, site_a: str, site_b: str, confirmed: str, rationale: str,
                decided_by: str) -> None:
        """Record one convergence class confirmed where the command line reads it."""
        study = self.loaded().study
        with self._deciding, os_errors(study.paths.codings):
            record_confirmation(study, code_id, site_a, site_b, confirmed,
                                rationale=rationale, decided_by=decided_by)

    def suggestions(self) -> tuple[pd.DataFrame, dict[str, str], tuple[str, ...]]:
        """The suggestions kept with their review, as ``qualcode collect`` reads them, each
        code's cross-validated F1 as the review sheet gives it, and the warnings."""
        study = self.loaded().study
        (kept, review), said = _caught(lambda: reviewed_suggestions(study))
        listed = review.listed
        f1 = {} if listed is None else dict(zip(listed[S.CODE_ID], listed["code_f1"],
                                                strict=True))
        return kept, f1, said

    def review_suggestion(self, segment_id: str, code_id: str, decision: str,
                          reviewed_by: str) -> None:
        """Record one suggestion reviewed where the command line reads it."""
        study = self.loaded().study
        with self._deciding, os_errors(study.paths.codings):
            record_review(study, segment_id, code_id, decision, reviewed_by=reviewed_by)

    def import_preview(self) -> tuple[pd.DataFrame, tuple[str, ...]]:
        """What ``qualcode import --preview`` shows (speakers per transcript and whom they
        map to), and the problems reading the transcripts gives, in the command line's
        words (an unknown speaker label, say); nothing is written."""
        study = load_study(self.root)
        table, said = _caught(lambda: preview_import(study))
        try:
            said += _caught(lambda: read_transcripts(study))[1]
        except QualcodeError as error:
            said += (f"error: {error}",)
        return table, said

    def run_import(self, progress: Callable[[str, int], None]) -> list[str]:
        """``qualcode import``: every transcript read (``progress(group_id, n_groups)`` after
        each), the import and the private name review written, then the name check; returns
        the lines the command line prints."""
        study = load_study(self.root)
        total = len(study.groups)
        imported, said = _caught(lambda: import_study(
            study, progress=lambda group: progress(group, total), background=False))
        with os_errors(study.paths.analyses):
            write_import(imported, study.paths.analyses)
            review = write_name_review(imported, study)
        lines = [*said, names_line(imported.names, review.relative_to(study.root))]
        checked, said = _caught(lambda: name_check(imported.segments, study))
        return [*lines, *said, *(line for line, _ in checked)]

    def forget(self) -> None:
        """Drop what is kept between requests: the next page loads the study again."""
        with self._lock:
            self._kept.clear()

    def error_line(self, error: QualcodeError) -> str:
        """The one line the command line prints for ``error``, its file named in the study."""
        return error_line(error, under=self.root.resolve())

    def run_analysis(self, on_stage: StageHook) -> list[str]:
        """``qualcode run``: every stage (``on_stage`` told when each begins and ends), the
        outputs written as one set; returns the lines the command line prints of it: its
        warnings, the names line, the name check's, then the audit's verdict (last). A
        failure raises the QualcodeError the command line prints. Either way the study is
        loaded again for the next page (a run records the decisions typed under
        ``codings/``)."""
        try:
            study = load_study(self.root)
            result, said = _caught(lambda: run_study(study, on_stage=on_stage))
        finally:
            self.forget()
        checked, told = _caught(lambda: name_check(result.imported.segments, study))
        warning = identities_warning(study)
        return [*said, names_line(result.imported.names,
                                  study.paths.name_review.relative_to(study.root)),
                *told, *(line for line, _ in checked), *([warning] if warning else []),
                audit_verdict(result.audit)]

    def column_names(self, by: str) -> dict[str, str]:
        """How the study names the values of a matrix's column dimension: its sites' names
        for ``site`` (the others are shown as written)."""
        study = load_study(self.root)
        return {s.id: s.name or s.id for s in study.sites} if by == "site" else {}

    def outputs(self) -> Outputs:
        """What the last complete run wrote (see :class:`Outputs`)."""
        study = load_study(self.root)
        with os_errors():
            missing = incomplete_outputs(study)
            names = previous_outputs(study.paths.analyses) if missing is None else set()
        return Outputs(tuple(sorted(names)), study.language, missing)

    def output_file(self, name: str) -> Path:
        """``analyses/<name>`` when the last complete run lists it; any other file (of the
        study folder or not) is a KeyError."""
        analyses = (self.root / ANALYSES).resolve()
        path = (analyses / name).resolve()
        if ".." in Path(name).parts or name not in self.outputs().names \
                or not path.is_relative_to(analyses) or not path.is_file():
            raise KeyError(name)
        return path

    def table(self, name: str) -> pd.DataFrame:
        """The CSV table ``analyses/<name>`` as the run wrote it."""
        return read_output(load_study(self.root), name)

    def checklist(self) -> ChecklistText:
        """The checklist's words, laid out from ``analyses/checklist.csv``."""
        study = load_study(self.root)
        with os_errors():
            return checklist_view(study, load_codebook(study.codebook))

    def assessments(self) -> dict[str, pd.DataFrame]:
        """The designs' assessment sheets of ``analyses/checklist.xlsx``."""
        return assessment_sheets(load_study(self.root))

    def work(self, coder: str, transcript_id: str) -> TranscriptWork:
        loaded = self.loaded()
        return transcript_work(loaded.study, coder, loaded.by_transcript[transcript_id],
                               lambda: self.collected()[0])

    def change(self, coder: str, transcript_id: str,
               change: Callable[[TranscriptWork, pd.DataFrame, float], None]
               ) -> TranscriptWork:
        """Apply ``change(work, segments, span_share)`` and save at once."""
        loaded = self.loaded()
        segments = loaded.by_transcript[transcript_id]
        with os_errors(workspace_path(loaded.study, coder)):
            return change_work(loaded.study, coder, segments, lambda: self.collected()[0],
                               lambda work: change(work, segments, loaded.study.span_share))


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _tree(folder: Path) -> tuple:
    if not folder.is_dir():
        return ()
    return tuple(_stamp(path) for path in sorted(folder.rglob("*")) if path.is_file())
