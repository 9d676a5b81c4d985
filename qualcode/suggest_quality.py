"""How good the suggestions are, measured like a coder: grouped cross-validation.

The model is fitted on some focus groups and suggests codes for a group whose coding and text
it never saw: the whole pipeline (TF-IDF vocabulary and weights included) is fitted inside
each fold, on the training groups and the codebook's examples only. With up to
``max_folds`` groups (10 by default) every group is held out in turn (leave one group out);
with more, groups are split into ``max_folds`` folds (scikit-learn's ``GroupKFold``), so a
group is never in training and test at once.

The out-of-fold suggestions are then compared with the coding learnt (the consensus, by
default) exactly as a coder is: per code, precision, recall and F1, and Cohen's kappa and
Krippendorff's alpha with 95% bootstrap intervals from :func:`agreement_table`; next to each
human coder's agreement with the same coding and the keyword baseline's. (The coders'
agreement with a consensus built from their own codings is an upper bound, not a peer.)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.agreement.tables import NOT_CODERS, agreement_table
from qualcode.codebook import Codebook
from qualcode.coding import Codings
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.suggest import (
    KEYWORDS,
    SUGGEST,
    Examples,
    SuggestOptions,
    TrainingSet,
    fit_model,
    indicator,
    keyword_matrix,
    keyword_sets,
    learnable,
    probabilities,
)

AGREEMENT_COLUMNS = ("cohen_kappa", "kappa_low", "kappa_high", "krippendorff_alpha",
                     "alpha_low", "alpha_high", "status")
QUALITY_COLUMNS = (S.CODE_ID, "domain", "label", "rater", "kind", "n_units", "n_coded",
                   "n_rater", "precision", "recall", "f1", *AGREEMENT_COLUMNS, "learnable",
                   "folds_learnt", "note")


@dataclass(frozen=True, slots=True)
class SuggestionQuality:
    """``codes``: one row per code and rater (:data:`QUALITY_COLUMNS`); ``overall``: one row
    per rater, pooled over every codable code; ``predictions``: the out-of-fold suggestions
    and the coding learnt, one row per (segment, code) either holds; ``validation`` says how
    the folds were made, ``coding`` what was learnt, ``interval`` how intervals were
    computed."""

    codes: pd.DataFrame
    overall: pd.DataFrame
    predictions: pd.DataFrame
    validation: str
    coding: str
    interval: str


def group_folds(groups: np.ndarray, *, max_folds: int = 10
                ) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """``(train, test)`` index pairs that never share a group, and how they were made."""
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise QualcodeError("evaluating suggestions needs coded segments in at least two "
                            "groups (the model is always tested on a group it did not learn "
                            "from); code a second transcript first")
    if n_groups <= max_folds:
        splitter, text = LeaveOneGroupOut(), f"leave one group out ({n_groups} folds)"
    else:
        splitter = GroupKFold(n_splits=max_folds)
        text = f"grouped {max_folds}-fold ({n_groups} groups, each in one fold only)"
    return list(splitter.split(groups, groups=groups)), text


def cross_validated(training: TrainingSet, examples: Examples, options: SuggestOptions,
                    memo=None) -> tuple[np.ndarray, np.ndarray, int, str]:
    """Out-of-fold probabilities ``(units, codes)`` (NaN where a fold could not learn the
    code), the number of folds that learnt each code, the number of folds and how they were
    made.

    Each code's model depends only on the fold's texts (the features are fitted without the
    labels) and that code's labels, so each (fold, code) is kept in ``memo`` (an object with
    ``get_arrays(kind, key)`` and ``put_arrays(kind, key, arrays)``, such as
    :class:`qualcode.io.cache.Cache`) under a fingerprint of exactly that: after one
    decision, only the codes it changed are fitted again."""
    folds, validation = group_folds(training.segments[S.GROUP_ID].to_numpy(),
                                    max_folds=options.max_folds)
    found = np.full(training.labels.shape, np.nan)
    learnt = np.zeros(len(training.codes), dtype=int)
    for train, test in folds:
        train_lemmas = [training.lemmas[i] for i in train]
        test_lemmas = [training.lemmas[i] for i in test]
        fold = fingerprint(source_fingerprint(), options.min_segments, options.seed,
                           train_lemmas, test_lemmas, examples.lemmas)
        keys = [fingerprint(fold, code, training.labels[train, j], examples.labels[:, j])
                for j, code in enumerate(training.codes)]
        kept = [None if memo is None else memo.get_arrays("cv", key) for key in keys]
        missing = [j for j, stored in enumerate(kept) if stored is None]
        if missing:
            codes = tuple(training.codes[j] for j in missing)
            model = fit_model(train_lemmas, training.labels[np.ix_(train, missing)], codes,
                              Examples(examples.lemmas, examples.labels[:, missing]),
                              min_segments=options.min_segments, seed=options.seed,
                              n_jobs=options.n_jobs if len(missing) > 2 else 1)
            new = probabilities(model, test_lemmas, codes)
            for k, j in enumerate(missing):
                kept[j] = {"p": new[:, k], "learnt": np.array(codes[k] in model.codes)}
                if memo is not None:
                    memo.put_arrays("cv", keys[j], kept[j])
        for j, stored in enumerate(kept):
            if stored["p"].shape != (len(test),):
                raise ValueError("a cross-validation entry of the wrong shape")
            found[test, j] = stored["p"]
            learnt[j] += bool(stored["learnt"])
    return found, learnt, len(folds), validation


def evaluate(training: TrainingSet, examples: Examples, codings: Codings, codebook: Codebook,
             *, options: SuggestOptions | None = None, language: str = "fr", memo=None
             ) -> SuggestionQuality:
    """Cross-validate the suggestions learnt from ``training`` (see :func:`training_set`)
    and compare them, the keyword baseline and every other human coder of ``codings`` with
    the coding learnt (see the module's docstring); ``memo`` keeps each fold's models (see
    :func:`cross_validated`) and the keywords' lemmas."""
    options = options or SuggestOptions()
    found, learnt, n_folds, validation = cross_validated(training, examples, options, memo)
    suggested = np.nan_to_num(found, nan=-1.0) >= options.threshold
    everywhere = np.ones(len(training.segments), dtype=bool)
    raters = {SUGGEST: ("model", suggested, everywhere),
              KEYWORDS: ("baseline", keyword_matrix(training.lemmas, keyword_sets(
                  codebook, training.codes, memo=memo), training.codes), everywhere)}
    for coder in sorted(set(codings.codings[S.CODER]) - set(NOT_CODERS) - {training.coding}):
        reviewed = codings.reviewed.loc[codings.reviewed[S.CODER] == coder, S.TRANSCRIPT_ID]
        raters[coder] = ("coder", indicator(codings.codings[codings.codings[S.CODER] == coder],
                                            training.segments, training.codes),
                         training.segments[S.TRANSCRIPT_ID].isin(set(reviewed)).to_numpy())
    can_learn = learnable(training.labels, options.min_segments)
    per_code, overall, interval = [], [], ""
    for rater, (kind, matrix, rated) in raters.items():
        codes, pooled, interval = _compare(training, rater, matrix, rated, codebook, options,
                                           language)
        if kind == "model":
            codes = _model_notes(codes, can_learn, learnt, training, options, n_folds)
        per_code.append(codes.assign(kind=kind))
        overall.append(pooled.assign(kind=kind))
    return SuggestionQuality(pd.concat(per_code, ignore_index=True)[list(QUALITY_COLUMNS)],
                             pd.concat(overall, ignore_index=True)[list(QUALITY_COLUMNS)],
                             _predictions(training, found, suggested), validation,
                             training.coding, interval)


def _compare(training: TrainingSet, rater: str, matrix: np.ndarray, rated: np.ndarray,
             codebook: Codebook, options: SuggestOptions, language: str
             ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Per code and pooled: precision, recall and F1 of ``matrix`` against the coding
    learnt on the units the rater rated, and kappa and alpha from the agreement tables."""
    reference = training.labels[rated]
    mine = matrix[rated]
    both = pd.concat([_rows(reference, training.segments[rated], training.codes,
                            training.coding),
                      _rows(mine, training.segments[rated], training.codes, rater)])
    with warnings.catch_warnings():  # undefined codes are NaN with status 'undefined'
        warnings.simplefilter("ignore", QualcodeWarning)
        tables = agreement_table(both, segments=training.segments[rated], codebook=codebook,
                                 coders=[training.coding, rater], bootstrap=options.bootstrap,
                                 seed=options.seed)
    labels = {code.id: codebook.text(code.label, language) for code in codebook.codable}
    codes = tables.codes[[S.CODE_ID, "domain", *AGREEMENT_COLUMNS]].assign(
        label=[labels[c] for c in tables.codes[S.CODE_ID]], rater=rater,
        n_units=int(rated.sum()), n_coded=reference.sum(axis=0),
        n_rater=mine.sum(axis=0), **_scores(reference, mine, axis=0),
        learnable=True, folds_learnt=np.nan, note="")
    pooled = tables.domains[(tables.domains["domain"] == "all")
                            & (tables.domains["method"] == "pooled")]
    overall = pooled[list(AGREEMENT_COLUMNS)].assign(
        **{S.CODE_ID: "all"}, domain="all", label="all", rater=rater, n_units=int(rated.sum()),
        n_coded=int(reference.sum()), n_rater=int(mine.sum()),
        **{k: [v] for k, v in _scores(reference, mine, axis=None).items()},
        learnable=True, folds_learnt=np.nan, note="")
    return codes, overall.reset_index(drop=True), tables.interval


def _scores(reference: np.ndarray, mine: np.ndarray, *, axis: int | None) -> dict:
    """Precision, recall and F1 of ``mine`` against ``reference`` (NaN when undefined)."""
    tp = (mine & reference).sum(axis=axis).astype(float)
    fp = (mine & ~reference).sum(axis=axis)
    fn = (~mine & reference).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"precision": tp / (tp + fp), "recall": tp / (tp + fn),
                "f1": 2 * tp / (2 * tp + fp + fn)}


def _rows(matrix: np.ndarray, units: pd.DataFrame, codes: tuple[str, ...], coder: str
          ) -> pd.DataFrame:
    """A codings table (one row per true cell of ``matrix``) for ``coder``."""
    unit, code = np.nonzero(matrix)
    return pd.DataFrame({S.CODER: coder, S.SEGMENT_ID: units[S.SEGMENT_ID].to_numpy()[unit],
                         S.CODE_ID: np.asarray(codes, dtype=object)[code], S.SOURCE: coder})


def _model_notes(codes: pd.DataFrame, can_learn: np.ndarray, learnt: np.ndarray,
                 training: TrainingSet, options: SuggestOptions, n_folds: int
                 ) -> pd.DataFrame:
    """The model's rows say which codes are not learnable yet (their scores are left out)
    and in how many folds each code could be learnt."""
    codes = codes.copy()
    codes["learnable"] = can_learn
    codes["folds_learnt"] = learnt
    coded = training.labels.sum(axis=0)
    notes = []
    for ok, folds, n in zip(can_learn, learnt, coded, strict=True):
        if not ok:
            notes.append(f"not learnable yet: {n} coded segment(s), "
                         f"{options.min_segments} needed")
        elif folds < n_folds:
            notes.append(f"learnt in {folds} of {n_folds} folds (the other folds' training "
                         f"groups hold fewer than {options.min_segments} coded segments)")
        else:
            notes.append("")
    codes["note"] = notes
    blank = ["precision", "recall", "f1", *AGREEMENT_COLUMNS[:-1]]
    codes.loc[~can_learn, blank] = np.nan
    codes.loc[~can_learn, "status"] = "not learnable"
    return codes


def _predictions(training: TrainingSet, found: np.ndarray, suggested: np.ndarray
                 ) -> pd.DataFrame:
    """One row per (segment, code) suggested out of fold or in the coding learnt."""
    unit, code = np.nonzero(suggested | training.labels)
    units = training.segments
    return pd.DataFrame({
        S.SEGMENT_ID: units[S.SEGMENT_ID].to_numpy()[unit],
        S.GROUP_ID: units[S.GROUP_ID].to_numpy()[unit],
        S.CODE_ID: np.asarray(training.codes, dtype=object)[code],
        "probability": found[unit, code].round(3),
        "suggested": suggested[unit, code], "coded": training.labels[unit, code]})
