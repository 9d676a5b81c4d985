"""The suggestion steps: code suggestions scored as a coder, then offered for review on the
segments nobody has coded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.decisions import REVIEW
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.io.cache import Cache
from qualcode.io.files import write_csv
from qualcode.io.suggestions import (
    REVIEW_DECISIONS,
    SHEET_COLUMNS,
    write_kept_suggestions,
    write_review_sheet,
)
from qualcode.paths import CODINGS, FIGURES, SUGGESTIONS_FILE
from qualcode.report.figures import save_figure, suggestion_forest
from qualcode.steps.coding import check_coder, record_one, refresh_workbook
from qualcode.steps.codingfolder import coding_files
from qualcode.steps.collect import CodingStage, coding_stage, reviewed_suggestions, with_review
from qualcode.steps.imports import ImportResult
from qualcode.steps.transcripts import prepare
from qualcode.study import Study
from qualcode.suggest import (
    Examples,
    SuggestOptions,
    TrainingSet,
    codebook_examples,
    fit_model,
    learnable,
    merge_suggestions,
    segment_lemmas,
    suggestion_table,
    training_set,
    uncoded_segments,
)
from qualcode.suggest_quality import SuggestionQuality, evaluate


def learn(stage: CodingStage, imported: ImportResult, codebook: Codebook,
          options: SuggestOptions, cache: Cache | None = None
          ) -> tuple[TrainingSet, Examples, dict[str, str]]:
    """What the suggestions learn from: the coding's units and labels, the codebook's
    examples, and the lemmas of every codable segment (kept in ``cache`` while the texts are
    the same)."""
    segments = imported.segments
    if cache is None:
        lemmas = segment_lemmas(segments)
    else:
        key = fingerprint(source_fingerprint(), segments[[S.SEGMENT_ID, S.CODABLE, S.TEXT]])
        lemmas = cache.value("lemmas", key, lambda: segment_lemmas(segments),
                             encode=lambda found: sorted(found.items()),
                             decode=lambda stored: {str(k): str(v) for k, v in stored})
    training = training_set(stage.codings, imported.segments, codebook, lemmas,
                            coder=options.coder)
    return training, codebook_examples(codebook, training.codes, memo=cache), lemmas


RUN_SUGGESTIONS_UP_TO = 10_000
"""``qualcode run`` scores the suggestions on studies up to this many segments: the
cross-validated models take about a minute per 5,000 segments on 2 cores, and grow faster
than the study (``benchmarks/suggest.py``)."""


def run_quality(stage: CodingStage, imported: ImportResult, codebook: Codebook,
                study: Study, *, cache: Cache | None = None) -> SuggestionQuality | None:
    """For ``qualcode run``: the suggestions' quality as a coder, once coded segments span
    at least two groups (a model is always tested on a group it did not learn from) and some
    code has enough segments to be learnt. ``cache`` keeps the lemmas and each fold's
    models."""
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
    training, examples, _ = learn(stage, imported, codebook, options, cache)
    if not learnable(training.labels, options.min_segments).any():
        return None  # a small study: no code has enough segments to learn from yet
    return evaluate(training, examples, stage.codings, codebook, options=options,
                    language=study.language, memo=cache)


def write_quality(quality: SuggestionQuality, study: Study, codebook: Codebook, *,
                  into: Path | None = None) -> list[Path]:
    """``suggestions-quality.csv`` (per rater overall, then per code and rater),
    ``suggestions-cv.csv`` (the out-of-fold suggestions) and the figure, in ``into``
    (default: ``analyses/``)."""
    analyses = into or study.paths.analyses
    table = pd.concat([quality.overall, quality.codes], ignore_index=True).assign(
        coding=quality.coding, validation=quality.validation, interval=quality.interval)
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    return [write_csv(analyses / "suggestions-quality.csv", table),
            write_csv(analyses / "suggestions-cv.csv", quality.predictions),
            *save_figure(analyses / FIGURES / "suggestions", suggestion_forest, quality.codes,
                         language=study.language, domain_labels=domains)]


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
    ``codings/decisions/suggestions.xlsx`` (the new suggestions added, every decision typed
    kept)."""
    codebook, imported = prepare(study)
    if not coding_files(study.paths.codings):
        raise QualcodeError("no coding to learn from; code some transcripts first (see "
                            "'qualcode sheet')", path=study.paths.codings)
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
        written.append(write_kept_suggestions(study.paths.suggestions, kept))
        rows = review_rows(kept, imported.segments, codebook, quality, study.language)
        coders = [c.id for c in study.coders]
        written += refresh_workbook(study, stage.review, rows[list(SHEET_COLUMNS[:-2])],
                                    lambda path, table: write_review_sheet(path, table, coders))
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



def record_review(study: Study, segment_id: str, code_id: str, decision: str, *,
                  reviewed_by: str) -> Path:
    """Record one suggestion reviewed (``accept`` or ``reject``, by a coder of
    ``study.yaml``) in ``codings/suggest.csv``, where ``qualcode collect`` and ``qualcode
    run`` read it, with every review already typed or recorded; its row of
    ``codings/decisions/suggestions.xlsx`` is updated too when the sheet lists it."""
    if decision not in REVIEW_DECISIONS:
        raise QualcodeError(f"decision '{decision}' must be accept or reject")
    check_coder(study, reviewed_by, "reviewed_by")
    kept, review = reviewed_suggestions(study)
    if (segment_id, code_id) not in set(zip(kept[S.SEGMENT_ID], kept[S.CODE_ID], strict=True)):
        raise QualcodeError(f"{segment_id} {code_id} is not a suggestion of {CODINGS}/"
                            f"{SUGGESTIONS_FILE}; run 'qualcode suggest' to make them again",
                            path=study.paths.suggestions)
    row = pd.DataFrame([(segment_id, code_id, decision, reviewed_by)],
                       columns=[*REVIEW.keys, *REVIEW.filled])
    coders = [c.id for c in study.coders]
    return record_one(
        study, review, row,
        lambda path, merged: write_kept_suggestions(path, with_review(kept, merged)),
        lambda path, rows: write_review_sheet(path, rows, coders))
