"""Code suggestions learned from the researchers' own coding, run locally.

The model: each segment's text as lemmas without stop words (spaCy, :func:`lemmatise`), then
TF-IDF of word (1-2) and character (2-5, inside words) n-grams, then for every code a
logistic regression with balanced class weights (liblinear, dual form) whose scores are turned into
calibrated probabilities (Platt's sigmoid fitted on 3 internal folds, scikit-learn's
``CalibratedClassifierCV``). It learns from the segments a coding covers (the consensus, or
one coder's) and from the codebook's examples. A code with fewer coded segments than
``min_segments`` is *not learnable yet*: it gets no model and no suggestion, never a guess.

The keyword baseline is what a text search would do: a segment gets a code when it holds a
lemma of the code's label or examples that belongs to no other code's label or examples.

Everything here is a pure function of tables; scikit-learn is imported inside functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.coding import CONSENSUS, Codings, reference_codings
from qualcode.corpus import lemmatise
from qualcode.errors import QualcodeError
from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.io.suggestions import KEPT_COLUMNS

SUGGEST = "suggest"
KEYWORDS = "keywords"
SUGGESTION_COLUMNS = (S.SEGMENT_ID, S.CODE_ID, "probability")


@dataclass(frozen=True, slots=True)
class SuggestOptions:
    """What to learn and how (see :func:`fit_model` and
    :func:`qualcode.suggest_quality.evaluate`).

    ``coder`` is whose coding is learnt: ``None`` for the consensus (or the coders' union
    while there is none), or a coder id. A code is suggested when its calibrated probability
    is at least ``threshold``. ``n_jobs`` codes are fitted in parallel (-1: one per core;
    the results do not depend on it).
    """

    coder: str | None = None
    min_segments: int = 5
    threshold: float = 0.5
    max_folds: int = 10
    bootstrap: int = 1000
    seed: int = 0
    n_jobs: int = -1


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """The units a coding covers: every codable segment of the transcripts its coder(s)
    reviewed (a segment left blank says that no code applies), their lemmas, and
    ``labels`` (units x ``codes``, true where the code was applied). ``coding`` names what
    was learnt: ``consensus``, ``union`` or a coder id."""

    segments: pd.DataFrame
    lemmas: tuple[str, ...]
    labels: np.ndarray
    codes: tuple[str, ...]
    coding: str


@dataclass(frozen=True, slots=True)
class Examples:
    """The codebook's examples as extra training text: lemmas and labels (examples x
    codes)."""

    lemmas: tuple[str, ...]
    labels: np.ndarray


@dataclass(frozen=True, slots=True)
class SuggestionModel:
    """A fitted scikit-learn pipeline and the codes it learnt, in its column order (no
    pipeline when no code is learnable)."""

    pipeline: object | None
    codes: tuple[str, ...]


def segment_lemmas(segments: pd.DataFrame) -> dict[str, str]:
    """Lemmas of every codable segment, by segment id (spaCy runs once per study)."""
    codable = segments[segments[S.CODABLE]]
    return dict(zip(codable[S.SEGMENT_ID], lemmatise(codable[S.TEXT]), strict=True))


def training_set(codings: Codings, segments: pd.DataFrame, codebook: Codebook,
                 lemmas: dict[str, str], *, coder: str | None = None) -> TrainingSet:
    """The units and labels of the coding to learn (see :class:`TrainingSet`)."""
    if coder is None:
        rows, which = reference_codings(codings.codings)
        reviewed = set(codings.reviewed[S.TRANSCRIPT_ID])
    else:
        available = sorted(set(codings.codings[S.CODER]))
        if coder not in available:
            raise QualcodeError(f"no codings by '{coder}' to learn from; coders with codings: "
                                f"{', '.join(available) or 'none'}")
        rows, which = codings.codings[codings.codings[S.CODER] == coder], coder
        mine = codings.reviewed if coder == CONSENSUS else \
            codings.reviewed[codings.reviewed[S.CODER] == coder]
        reviewed = set(mine[S.TRANSCRIPT_ID])
    units = segments[segments[S.CODABLE] & segments[S.TRANSCRIPT_ID].isin(reviewed)]
    units = units.reset_index(drop=True)
    codes = tuple(code.id for code in codebook.codable)
    return TrainingSet(units, tuple(lemmas[s] for s in units[S.SEGMENT_ID]),
                       indicator(rows, units, codes), codes, which)


def indicator(rows: pd.DataFrame, units: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    """``(units, codes)``: true where ``rows`` (a codings table) applies the code to the
    unit."""
    unit = pd.Index(units[S.SEGMENT_ID]).get_indexer(rows[S.SEGMENT_ID])
    code = pd.Index(codes).get_indexer(rows[S.CODE_ID])
    known = (unit >= 0) & (code >= 0)
    matrix = np.zeros((len(units), len(codes)), dtype=bool)
    matrix[unit[known], code[known]] = True
    return matrix


def lemmatiser(memo=None) -> Callable[[Iterable[str]], list[str]]:
    """:func:`lemmatise`; with ``memo`` (a :class:`~qualcode.io.cache.Cache`), the lemmas it
    keeps for the same texts, so that a run whose codebook did not change never loads spaCy."""
    if memo is None:
        return lemmatise

    def cached(texts: Iterable[str]) -> list[str]:
        texts = list(texts)
        return memo.value("lemmatised", fingerprint(source_fingerprint(), texts),
                          lambda: lemmatise(texts), encode=list,
                          decode=lambda stored: [str(text) for text in stored])
    return cached


def codebook_examples(codebook: Codebook, codes: tuple[str, ...], *, memo=None) -> Examples:
    """Each example of a code, as a training text carrying that code only (``memo``: see
    :func:`lemmatiser`)."""
    pairs = [(code.id, text) for code in codebook.codable if code.id in codes
             for text in code.examples]
    labels = np.zeros((len(pairs), len(codes)), dtype=bool)
    for row, (code_id, _) in enumerate(pairs):
        labels[row, codes.index(code_id)] = True
    return Examples(tuple(lemmatiser(memo)(text for _, text in pairs)), labels)


def make_pipeline(*, seed: int = 0, n_jobs: int = 1):
    """The unfitted scikit-learn pipeline: TF-IDF features, then one calibrated linear model
    per code (a multi-label indicator target)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    features = FeatureUnion([
        ("words", TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2),
                                  sublinear_tf=True)),
        ("characters", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                       sublinear_tf=True))])
    linear = LogisticRegression(solver="liblinear", dual=True, class_weight="balanced",
                                random_state=seed)
    model = CalibratedClassifierCV(linear, method="sigmoid", cv=3, ensemble=False)
    return Pipeline([("tfidf", features),
                     ("sorted", FunctionTransformer(sorted_indices, accept_sparse=True)),
                     ("codes", OneVsRestClassifier(model, n_jobs=n_jobs))])


def sorted_indices(matrix):
    """The feature matrix with sorted indices: parallel workers get it read-only and could
    not sort it themselves."""
    matrix = matrix.tocsr()
    matrix.sort_indices()
    return matrix


def learnable(labels: np.ndarray, min_segments: int) -> np.ndarray:
    """Which codes (columns) have at least ``min_segments`` coded segments."""
    return labels.sum(axis=0) >= min_segments


def fit_model(lemmas: tuple[str, ...] | list[str], labels: np.ndarray, codes: tuple[str, ...],
              examples: Examples, *, min_segments: int = 5, seed: int = 0, n_jobs: int = 1
              ) -> SuggestionModel:
    """Fit the pipeline on the segments' lemmas and labels plus the codebook's examples,
    for the codes with at least ``min_segments`` coded segments (examples do not count)."""
    keep = learnable(labels, min_segments)
    if not keep.any():
        return SuggestionModel(None, ())
    pipeline = make_pipeline(seed=seed, n_jobs=n_jobs)
    pipeline.fit([*lemmas, *examples.lemmas],
                 np.vstack([labels[:, keep], examples.labels[:, keep]]).astype(np.int8))
    return SuggestionModel(pipeline, tuple(np.asarray(codes)[keep]))


def probabilities(model: SuggestionModel, lemmas: tuple[str, ...] | list[str],
                  codes: tuple[str, ...]) -> np.ndarray:
    """``(texts, codes)`` calibrated probabilities; NaN for the codes the model did not
    learn."""
    result = np.full((len(lemmas), len(codes)), np.nan)
    if model.pipeline is None or not len(lemmas):
        return result
    found = model.pipeline.predict_proba(list(lemmas))
    if len(model.codes) == 1:  # one code: scikit-learn returns both classes
        found = found[:, -1:]
    result[:, pd.Index(codes).get_indexer(model.codes)] = found
    return result


def keyword_sets(codebook: Codebook, codes: tuple[str, ...], *, memo=None
                 ) -> dict[str, frozenset[str]]:
    """Each code's keywords: the lemmas (three letters or more) of its label and examples,
    in the codebook's language, that no other code's label or examples holds (``memo``: see
    :func:`lemmatiser`)."""
    chosen = [code for code in codebook.codable if code.id in codes]
    texts = lemmatiser(memo)(" ".join([codebook.text(code.label), *code.examples])
                      for code in chosen)
    words = {code.id: {w for w in text.split() if len(w) >= 3}
             for code, text in zip(chosen, texts, strict=True)}
    shared = Counter(w for found in words.values() for w in found)
    return {code: frozenset(w for w in words.get(code, ()) if shared[w] == 1)
            for code in codes}


def keyword_matrix(lemmas: tuple[str, ...] | list[str], keywords: dict[str, frozenset[str]],
                   codes: tuple[str, ...]) -> np.ndarray:
    """``(texts, codes)``: true where the text holds one of the code's keywords."""
    tokens = [frozenset(text.split()) for text in lemmas]
    return np.array([[not keywords[code].isdisjoint(found) for code in codes]
                     for found in tokens], dtype=bool).reshape(len(lemmas), len(codes))


def uncoded_segments(codings: Codings | None, segments: pd.DataFrame) -> pd.DataFrame:
    """The codable segments of transcripts that no coder has reviewed yet (a new transcript,
    or one nobody has coded): the segments suggestions are made for."""
    reviewed = set() if codings is None else set(codings.reviewed[S.TRANSCRIPT_ID])
    return segments[segments[S.CODABLE] & ~segments[S.TRANSCRIPT_ID].isin(reviewed)]


def suggestion_table(model: SuggestionModel, targets: pd.DataFrame, lemmas: dict[str, str],
                     codes: tuple[str, ...], *, threshold: float = 0.5) -> pd.DataFrame:
    """One row per (segment, code) whose probability reaches ``threshold``: ``segment_id``,
    ``code_id``, ``probability`` (3 decimals), sorted by segment then code."""
    found = probabilities(model, [lemmas[s] for s in targets[S.SEGMENT_ID]], codes)
    rows, columns = np.nonzero(np.nan_to_num(found, nan=-1.0) >= threshold)
    table = pd.DataFrame({S.SEGMENT_ID: targets[S.SEGMENT_ID].to_numpy()[rows],
                          S.CODE_ID: np.asarray(codes, dtype=object)[columns],
                          "probability": found[rows, columns].round(3)},
                         columns=list(SUGGESTION_COLUMNS))
    return table.sort_values([S.SEGMENT_ID, S.CODE_ID], ignore_index=True)


def merge_suggestions(new: pd.DataFrame, kept: pd.DataFrame, segments: pd.DataFrame
                      ) -> pd.DataFrame:
    """The suggestions to keep in ``codings/suggest.csv``: every decided row of ``kept``
    as it is, and the ``new`` suggestions not decided yet (undecided old rows are replaced),
    with the segment's text; sorted by segment and code."""
    decided = kept[kept["decision"] != ""]
    done = set(zip(decided[S.SEGMENT_ID], decided[S.CODE_ID], strict=True))
    fresh = new[np.array([(s, c) not in done for s, c in zip(new[S.SEGMENT_ID],
                                                             new[S.CODE_ID], strict=True)],
                         dtype=bool)]
    texts = segments.set_index(S.SEGMENT_ID)[S.TEXT]
    fresh = fresh.assign(**{S.CODER: SUGGEST, S.TEXT: texts.reindex(fresh[S.SEGMENT_ID])
                            .to_numpy(), "decision": "", "reviewed_by": ""})
    both = pd.concat([decided[list(KEPT_COLUMNS)], fresh[list(KEPT_COLUMNS)]],
                     ignore_index=True)
    return both.sort_values([S.SEGMENT_ID, S.CODE_ID], ignore_index=True)
