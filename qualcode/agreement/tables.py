"""Agreement tables for a study: per code, per domain, overall, per transcript and per site.

The unit of agreement is a coding unit (segment by default) and a code: each coder applied the
code to the unit or not. A coder rated the units of every transcript in which they applied at
least one code (a coder who skipped a transcript is missing there, not in disagreement).

Confidence intervals are 95% percentile bootstrap intervals. Segments of one participant
resemble each other, so resampling segments one by one (``cluster=None``) treats them as
independent and gives intervals too narrow; by default (``"auto"``) whole participants are
resampled (a cluster bootstrap), or groups with ``"group"``. A cluster bootstrap needs enough
clusters: the bootstrap variance is biased by ``(G - 1) / G`` with ``G`` clusters and the
percentile interval only becomes accurate as ``G`` grows (Field and Welsh 2007; Cameron,
Gelbach and Miller 2008 find tests over-reject with 5 to 10 clusters); in qualcode's own
simulation of focus-group data (``benchmarks/coverage.py``) the participant bootstrap covers
73% of the time with 3 clusters, 82% with 5, 88% with 8 and 90-92% from 10. So at least
:data:`MIN_CLUSTERS` (10) are required: an explicit ``cluster`` with fewer is refused;
``"auto"`` then resamples segments, says so and warns; a transcript or site with fewer gets no
interval (``flag``). The ``interval`` column says what was resampled. Resampling works on
counts of coding patterns, never on rows: per code, a multinomial draw of the pattern counts
(exactly equivalent to resampling units); for pooled rows (domains, transcripts, sites),
resampled weights of up to 200 random blocks of units times each block's pattern counts; per
cluster, resampled cluster weights times per-cluster counts. Weights are drawn once per number
of blocks and shared by the rows that need that many (see :class:`_Resampler`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.agreement.characters import (
    UNIT_COLUMNS,
    character_units,
    marks,
    unitizing_table,
)
from qualcode.agreement.patterns import STATISTICS, pattern_ids, pattern_states, statistics
from qualcode.codebook import Codebook
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.study import RESERVED_CODERS

UNITS = ("segment", "turn", "character")
CLUSTERS = ("auto", None, "participant", "group")
_CLUSTER_COLUMNS = {"participant": S.PARTICIPANT_ID, "group": S.GROUP_ID,
                    "segment": S.SEGMENT_ID}
MIN_CLUSTERS = 10
NOT_CODERS = RESERVED_CODERS  # the consensus, the union and the machine coder are not coders
INTERVAL_STATISTICS = {"kappa": None, "alpha": "krippendorff_alpha", "ac1": "gwet_ac1"}
RELIABLE, TENTATIVE = 0.800, 0.667


@dataclass(frozen=True, slots=True)
class AgreementTables:
    """``codes``: one row per code; ``domains``: per domain and overall, pooled over the
    unit x code table and as the mean over codes; ``transcripts`` and ``sites``: pooled over
    codes within each; ``interval`` says how intervals were computed; ``unitizing`` (character
    unit only): Krippendorff's unitizing alpha per code."""

    codes: pd.DataFrame
    domains: pd.DataFrame
    transcripts: pd.DataFrame
    sites: pd.DataFrame
    interval: str
    unitizing: pd.DataFrame | None = None


def agreement_table(codings: pd.DataFrame, *, segments: pd.DataFrame,
                    codebook: Codebook | None = None, coders: list[str] | None = None,
                    unit: str = "segment", bootstrap: int = 1000, seed: int = 0,
                    cluster: str | None = "auto", spans: pd.DataFrame | None = None,
                    unreviewed: pd.DataFrame | None = None) -> AgreementTables:
    """Inter-coder agreement of ``codings`` on ``segments``, per code and rolled up.

    Parameters
    ----------
    codings, segments
        The tables of the same names (design.md); only codable segments are units.
    codebook
        Gives the codes (every codable code, used or not), their order and labels. Without
        it, the codes are those in ``codings`` and a code's domain is the first part of its id.
    coders
        Whom to compare (default: every coder but ``consensus``); at least two.
    unit
        ``segment``; ``turn``: a code is present in a turn when a coder applied it to any of
        the turn's segments; ``character``: every character of codable text is a unit (as in
        NVivo's coding comparison), from the coders' ``spans`` (the spans table) and, for
        coders who coded segments, the segments' characters; Krippendorff's unitizing alpha
        is then reported apart, in ``unitizing``.
    bootstrap, seed, cluster
        Number of resamples for the 95% intervals (0: none), the random seed, and what is
        resampled: ``auto`` (participants when the units have at least :data:`MIN_CLUSTERS`
        of them, else units), units (``None``; segments for the character unit),
        ``participant`` or ``group`` (refused with fewer than :data:`MIN_CLUSTERS`).
    unreviewed
        ``coder``, ``segment_id``: segments a coder did not see though they reviewed the
        transcript (rows deleted from a sheet); the coder does not rate these segments (nor,
        by turn, their turns).

    Returns
    -------
    AgreementTables
        ``codes`` has, per code: ``code_id``, ``domain``, ``n_units`` (units rated by at least
        two coders), ``n_<coder>`` and ``prevalence_<coder>`` (units the coder applied the code
        to, and their share; ``n_units`` and every coefficient of a row use the same units),
        ``percent_agreement``, ``positive_agreement`` and
        ``negative_agreement`` (specific agreements), ``cohen_kappa`` (two coders) or
        ``fleiss_kappa`` (more), ``krippendorff_alpha`` (nominal), ``gwet_ac1``, ``pabak``,
        ``prevalence_index`` and ``bias_index`` (Byrt et al. 1993, two coders), the bounds
        ``kappa_low``... ``ac1_high``, ``status`` (reliable alpha >= .800, tentative >= .667,
        unreliable below, undefined when alpha cannot be computed), ``kappa_paradox``
        (percent agreement >= .85 with kappa below .60 on a code every coder used: read AC1
        and PABAK) and ``flag`` (:data:`FLAGS`). ``domains`` pools, and averages, over the
        codes some coder used (``n_codes``); the others are listed in ``unused_codes``, and
        the transcripts and sites are pooled over the same codes.
    """
    if unit not in UNITS:
        raise QualcodeError(f"unit must be one of {', '.join(UNITS)}, not '{unit}'")
    if cluster not in CLUSTERS:
        raise QualcodeError(f"cluster must be auto, participant, group or none, not "
                            f"'{cluster}'")
    columns = {name: _Factorized.of(codings[name])
               for name in (S.CODER, S.CODE_ID, S.SEGMENT_ID)}
    coders = _coders(columns[S.CODER], coders)
    code_ids, domains, labels = _codes(columns[S.CODE_ID], codebook)
    unitizing = None
    if unit == "character":
        if spans is None:
            raise QualcodeError("the character unit needs the coders' spans (spans=...)")
        marked = marks(codings, spans, segments, coders)
        units, present, rated, weights = character_units(marked, segments, coders, code_ids)
        unitizing = unitizing_table(marked, segments, coders)
        unit_, code, coder = np.nonzero(present & rated[:, None, :])
        patterns = _Patterns.build(unit_, code, coder, rated, len(code_ids), weights)
    else:
        units, patterns = _unit_patterns(columns, segments, coders, unit, code_ids,
                                         unreviewed)
    cluster, why = _cluster_of(units, cluster, unit, bootstrap)
    patterns = patterns.clustered(_clusters(units, cluster))
    resampler = _Resampler(bootstrap, np.random.default_rng(seed)) if bootstrap > 0 else None
    interval = _interval_text(bootstrap, cluster, unit, why)
    from threadpoolctl import threadpool_limits

    # the matrix products below are many and small: BLAS threads cost more than they save
    with threadpool_limits(limits=1, user_api="blas"):
        counts = patterns.counts()[:, 0]  # (codes, patterns)
        applied = patterns.applied_counts()  # (codes, coders)
        used = applied.any(axis=1)
        per_code = _code_rows(patterns, counts, applied, coders, code_ids, domains, labels,
                              resampler)
        domain_rows = _pooled_rows(patterns, counts, used, domains, per_code, resampler)
        strata = {name: _stratum_rows(patterns, units[name].to_numpy(), name, used, cluster,
                                      resampler)
                  for name in (S.TRANSCRIPT_ID, S.SITE_ID)}
    _warn_undefined(per_code)
    return AgreementTables(per_code, domain_rows, strata[S.TRANSCRIPT_ID], strata[S.SITE_ID],
                           interval, unitizing)


@dataclass(frozen=True, slots=True)
class _Factorized:
    """A column as runs of equal values: ``codes`` into its distinct ``values`` (-1: missing),
    one per run, and the ``lengths`` of the runs (None: every run is one row long)."""

    codes: np.ndarray
    values: np.ndarray
    lengths: np.ndarray | None

    @classmethod
    def of(cls, column: pd.Series) -> _Factorized:
        """Like ``pd.factorize``, but each run of equal neighbours is hashed once: codings
        tables are sorted (by coder, then segment), hashing a million strings is what costs,
        and comparing neighbours is several times cheaper."""
        values = column.to_numpy()
        starts = _run_starts(values)
        if starts is None:
            return cls(*pd.factorize(values), None)
        return cls(*pd.factorize(values[starts]), np.diff(starts, append=len(values)))

    def positions(self, names) -> np.ndarray:
        """Each row's position in ``names`` (-1: not there)."""
        position = np.append(pd.Index(names).get_indexer(self.values), -1)[self.codes]
        return position if self.lengths is None else np.repeat(position, self.lengths)


def _run_starts(values: np.ndarray) -> np.ndarray | None:
    """Where each run of equal neighbours starts; None when runs are short (judged on the
    first thousand values) or values cannot be compared (``pd.NA``)."""
    sample = values[:1001]
    try:
        if len(values) < 2 or (sample[1:] != sample[:-1]).mean() >= 0.5:
            return None
        change = np.empty(len(values), dtype=bool)
        change[0] = True
        np.not_equal(values[1:], values[:-1], out=change[1:])
    except TypeError:  # "boolean value of NA is ambiguous"
        return None
    return np.flatnonzero(change)


def _coders(column: _Factorized, coders: list[str] | None) -> list[str]:
    present = set(column.values)
    available = sorted(present - set(NOT_CODERS))
    chosen = list(coders) if coders else available
    unknown = [c for c in chosen if c not in present]
    if unknown:
        raise QualcodeError(f"no codings by {', '.join(unknown)}; coders with codings: "
                            f"{', '.join(available)}")
    if len(chosen) < 2:
        raise QualcodeError(f"agreement needs at least two coders; found "
                            f"{', '.join(chosen) or 'none'}")
    return chosen


def _unit_patterns(columns: dict[str, _Factorized], segments: pd.DataFrame, coders: list[str],
                   unit: str, code_ids: list[str], unreviewed: pd.DataFrame | None = None):
    """``(units, patterns)``: the segments or turns, and their coding patterns. A coder rated
    every unit of each transcript in which they coded a segment, but the ``unreviewed``
    ones."""
    codable = segments.loc[segments[S.CODABLE], [*UNIT_COLUMNS, S.TURN]].reset_index(
        drop=True)
    if unit == "turn":
        key = codable[S.TRANSCRIPT_ID] + "#" + codable[S.TURN].astype(str)
        unit_of_segment = pd.factorize(key)[0]
        first = np.unique(unit_of_segment, return_index=True)[1]
        units = codable.iloc[first].reset_index(drop=True)
    else:
        unit_of_segment = first = np.arange(len(codable))
        units = codable
    segment = columns[S.SEGMENT_ID].positions(codable[S.SEGMENT_ID])
    coder = columns[S.CODER].positions(coders)
    code = columns[S.CODE_ID].positions(code_ids)
    known = (segment >= 0) & (coder >= 0)
    if not known.all():
        segment, coder, code = segment[known], coder[known], code[known]
    transcript_of_segment, transcripts = pd.factorize(codable[S.TRANSCRIPT_ID])
    reviewed = np.bincount(transcript_of_segment[segment] * len(coders) + coder,
                           minlength=len(transcripts) * len(coders)).reshape(-1, len(coders))
    listed = code >= 0
    if not listed.all():
        segment, coder, code = segment[listed], coder[listed], code[listed]
    rated = reviewed[transcript_of_segment[first]] > 0
    if unreviewed is not None and len(unreviewed):
        position = pd.Index(codable[S.SEGMENT_ID]).get_indexer(unreviewed[S.SEGMENT_ID])
        who = pd.Index(coders).get_indexer(unreviewed[S.CODER])
        known = (position >= 0) & (who >= 0)
        rated[unit_of_segment[position[known]], who[known]] = False
    return units, _Patterns.build(unit_of_segment[segment], code, coder, rated, len(code_ids),
                                  np.ones(len(units)))


def _cluster_ids(units: pd.DataFrame, cluster: str) -> np.ndarray:
    """Each unit's cluster, numbered in the sorted order of the cluster ids; a unit without
    one (no participant) is a cluster of its own."""
    ids = units[_CLUSTER_COLUMNS[cluster]].replace("", None).to_numpy()
    number = pd.factorize(ids, sort=True)[0]
    alone = number < 0
    number[alone] = number.max(initial=-1) + 1 + np.arange(alone.sum())
    return number


def _clusters(units: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    return None if cluster is None else _cluster_ids(units, cluster)


def _cluster_of(units: pd.DataFrame, cluster: str | None, unit: str, bootstrap: int
                ) -> tuple[str | None, str]:
    """What is resampled (``None``: units), and why, when ``auto`` could not resample
    participants. An explicit cluster with fewer than :data:`MIN_CLUSTERS` is refused."""
    fallback = "segment" if unit == "character" else None  # never characters one by one
    if cluster is None or bootstrap <= 0:
        return fallback, ""
    name = "participant" if cluster == "auto" else cluster
    column = units[_CLUSTER_COLUMNS[name]].replace("", None)
    n = column.nunique()
    if n >= MIN_CLUSTERS:
        return name, ""
    if cluster != "auto":
        raise QualcodeError(
            f"a {cluster} bootstrap needs at least {MIN_CLUSTERS} {cluster}s to resample; "
            f"these units have {n}: with so few, its intervals are far too narrow (Field and "
            f"Welsh 2007). Use the default (participants) or --cluster none")
    why = f"{n} participants, fewer than {MIN_CLUSTERS}" if n else "no participants"
    if n:
        warnings.warn(f"only {n} participants (fewer than {MIN_CLUSTERS}): the agreement "
                      f"intervals resample {(fallback or unit)}s as if independent and are "
                      "too narrow",
                      QualcodeWarning, stacklevel=4)
    return fallback, why


def _codes(column: _Factorized, codebook: Codebook | None):
    if codebook is not None:
        codes = codebook.codable
        return ([c.id for c in codes], [c.domain for c in codes],
                [codebook.text(c.label) for c in codes])
    ids = sorted(column.values)
    return ids, [i.partition(".")[0] for i in ids], ids


def _interval_text(bootstrap: int, cluster: str | None, unit: str, why: str) -> str:
    if bootstrap <= 0:
        return "no interval"
    what = f"{unit}s" if cluster is None else f"{cluster}s" if cluster == "segment" else \
        f"{cluster}s (cluster bootstrap)"
    if unit == "character":
        what += " with their characters"
    if cluster in (None, "segment"):
        what += f" (as if independent{': ' + why if why else ''})"
    return f"95% percentile bootstrap, {bootstrap} resamples of {what}"


@dataclass(frozen=True, slots=True)
class _Patterns:
    """Coding patterns of units x codes, stored sparsely: a unit's pattern for a code nobody
    applied to it (``base``: which coders rated it) and the pattern of each (unit, code) pair
    that some coder applied (``unit``, ``code``, ``ids``, its unit's ``pair_base``, and the
    coders as ``applied`` bits). Patterns are numbered among the ``seen`` ones (pattern ids of
    :mod:`~qualcode.agreement.patterns`): with every coder rating every unit, 2^m of the 3^m.
    Each unit has a weight (1, or its number of characters) and, for a cluster bootstrap, the
    index of its cluster."""

    base: np.ndarray
    unit: np.ndarray
    code: np.ndarray
    ids: np.ndarray
    pair_base: np.ndarray
    applied: np.ndarray
    seen: np.ndarray
    rated: np.ndarray
    n_codes: int
    weights: np.ndarray
    clusters: np.ndarray | None = None

    @classmethod
    def build(cls, unit: np.ndarray, code: np.ndarray, coder: np.ndarray, rated: np.ndarray,
              n_codes: int, weights: np.ndarray) -> _Patterns:
        """From one (unit, code, coder) triple per coding (repeats allowed) and whether each
        coder rated each unit ``(units, coders)``."""
        n_coders = rated.shape[1]
        base = pattern_ids(rated.astype(np.int64))  # every rater "absent"
        bits = _coder_bits(unit * n_codes + code, coder, len(rated) * n_codes, n_coders)
        cells = np.flatnonzero(bits != 0)
        applied = bits[cells]
        pair_unit = cells // n_codes
        pair_base = base[pair_unit]
        # what the coders who applied the code add to the pattern, for every set of coders
        added = pattern_ids(np.arange(2 ** n_coders)[:, None] >> np.arange(n_coders) & 1)
        ids = pair_base + added[applied]
        seen = np.flatnonzero(np.bincount(base, minlength=3 ** n_coders)
                              + np.bincount(ids, minlength=3 ** n_coders))
        number = np.zeros(3 ** n_coders, dtype=np.int64)
        number[seen] = np.arange(len(seen))
        return cls(number[base], pair_unit, cells % n_codes, number[ids], number[pair_base],
                   applied, seen, rated, n_codes, weights)

    def clustered(self, clusters: np.ndarray | None) -> _Patterns:
        """The same patterns, with each unit's cluster for a cluster bootstrap."""
        return replace(self, clusters=clusters)

    @property
    def n_coders(self) -> int:
        return self.rated.shape[1]

    @property
    def n_patterns(self) -> int:
        return len(self.seen)

    def statistics(self, counts: np.ndarray) -> dict[str, np.ndarray]:
        """:func:`~qualcode.agreement.patterns.statistics` of counts of the patterns seen,
        on the units rated by at least two coders only: so every coefficient of a row uses the
        same units (Fleiss' and AC1's chance terms would otherwise also count units rated by
        one coder, Cohen's kappa and alpha would not)."""
        paired = (pattern_states(self.n_coders)[self.seen] > 0).sum(axis=1) >= 2
        return statistics(counts * paired, n_coders=self.n_coders, patterns=self.seen)

    @property
    def paired_units(self) -> np.ndarray:
        """Whether each unit was rated by at least two coders."""
        return self.rated.sum(axis=1) >= 2

    @property
    def weighted(self) -> bool:
        return not (self.weights == 1).all()

    def counts(self, groups: np.ndarray | None = None, n_groups: int = 1,
               code_groups: np.ndarray | None = None, n_code_groups: int = 1) -> np.ndarray:
        """Weighted pattern counts ``(code groups, groups, patterns)``.

        Codes are grouped by ``code_groups`` (default: each code apart); units by ``groups``,
        one group per unit, or ``(code groups, units)`` when each code group groups the units
        its own way. Every code counts its units at their ``base`` pattern, corrected where a
        coder applied it.
        """
        n_patterns = self.n_patterns
        if groups is None:
            groups = np.zeros(len(self.base), dtype=np.int64)
        if code_groups is None:
            code_groups, n_code_groups, pair_code = np.arange(self.n_codes), self.n_codes, \
                self.code
        else:
            pair_code = code_groups[self.code]
        weights = self.weights if self.weighted else None
        if groups.ndim == 1:
            base = np.bincount(groups * n_patterns + self.base, weights,
                               minlength=n_groups * n_patterns).reshape(1, n_groups, n_patterns)
            pair_group = groups[self.unit]
        else:
            cells = (np.arange(len(groups))[:, None] * n_groups + groups) * n_patterns \
                + self.base
            base = np.bincount(cells.ravel(), None if weights is None else
                               np.tile(weights, len(groups)),
                               minlength=len(groups) * n_groups * n_patterns
                               ).reshape(len(groups), n_groups, n_patterns)
            pair_group = groups[pair_code, self.unit]
        counts = base * np.bincount(code_groups, minlength=n_code_groups)[:, None, None]
        cell = (pair_code * n_groups + pair_group) * n_patterns
        pair_weights = None if weights is None else weights[self.unit]
        counts += (np.bincount(cell + self.ids, pair_weights, minlength=counts.size)
                   - np.bincount(cell + self.pair_base, pair_weights, minlength=counts.size)
                   ).reshape(counts.shape)
        return counts

    def applied_counts(self) -> np.ndarray:
        """``(codes, coders)``: the weighted number of units each coder applied each code to."""
        sets = 2 ** self.n_coders
        per_set = np.bincount(self.code * sets + self.applied,
                              self.weights[self.unit] if self.weighted else None,
                              minlength=self.n_codes * sets).reshape(self.n_codes, sets)
        member = np.arange(sets)[:, None] >> np.arange(self.n_coders) & 1
        return (per_set @ member).astype(int)


def _coder_bits(cells: np.ndarray, coder: np.ndarray, n_cells: int, n_coders: int
                ) -> np.ndarray:
    """Per cell, the coders who applied its code, as bits, from one (cell, coder) per coding.

    Codings tables come sorted by coder (or by code, then coder): within a run of one coder,
    ``bits[cells] |= bit`` sets each cell, repeated or not, at a fraction of the cost of
    ``np.bitwise_or.at``, which is kept for codings in no such order.
    """
    bit = np.min_scalar_type(2 ** n_coders - 1).type
    bits = np.zeros(n_cells, dtype=bit)
    if not len(coder):
        return bits
    starts = np.flatnonzero(coder[1:] != coder[:-1]) + 1
    if len(starts) > _MANY_RUNS:
        np.bitwise_or.at(bits, cells, np.left_shift(bit(1), coder.astype(bit)))
        return bits
    for start, end in zip(np.r_[0, starts], np.r_[starts, len(coder)], strict=True):
        bits[cells[start:end]] |= bit(1 << int(coder[start]))
    return bits


_MANY_RUNS = 1000


class _Resampler:
    """Resampled weights of ``n`` blocks (units or clusters), drawn once per ``n`` and shared
    by every row that resamples ``n`` blocks: the domains and the overall row resample the
    same units together, and each transcript (or site) resamples its own clusters, or its
    own units shuffled into blocks, with the weights the others use. Each row's interval is
    what its own draws would give; only the correlation between rows, which no interval
    uses, differs from drawing every row apart."""

    def __init__(self, bootstrap: int, rng) -> None:
        self.bootstrap, self.rng, self.drawn = bootstrap, rng, {}

    def weights(self, n: int) -> np.ndarray:
        """``(resamples, n)``: how many times each of ``n`` blocks is drawn, ``n`` draws with
        replacement per resample (a multinomial with equal probabilities)."""
        if n not in self.drawn:
            draws = self.rng.integers(0, n, size=(self.bootstrap, n))
            draws += np.arange(0, self.bootstrap * n, n)[:, None]  # resample r counts in row r
            # as floats, so that the products with the counts that follow go through BLAS
            self.drawn[n] = np.bincount(draws.ravel(), minlength=self.bootstrap * n).reshape(
                self.bootstrap, n).astype(float)
        return self.drawn[n]

    def resampled(self, per_block: np.ndarray) -> np.ndarray:
        """``(resamples, rows, patterns)`` from the pattern counts ``(rows, blocks,
        patterns)`` of rows that all have the same number of blocks."""
        return np.matmul(self.weights(per_block.shape[1]), per_block.astype(float)).transpose(
            1, 0, 2)


def _kappa(stats: dict[str, np.ndarray], n_coders: int) -> np.ndarray:
    return stats["cohen_kappa" if n_coders == 2 else "fleiss_kappa"]


def _with_intervals(frame: pd.DataFrame, point: dict, draws: dict | None,
                    n_coders: int) -> pd.DataFrame:
    """``frame`` with the statistics, one row each, and their 95% percentile intervals from
    the resampled statistics ``(resamples, rows)``."""
    for key in STATISTICS:
        frame[key] = point[key]
    for name, key in INTERVAL_STATISTICS.items():
        values = _kappa(draws, n_coders) if draws is not None and key is None else \
            draws[key] if draws is not None else None
        low, high = (_percentiles(values) if values is not None
                     else (np.full(len(frame), np.nan),) * 2)
        frame[f"{name}_low"], frame[f"{name}_high"] = low, high
    return frame


def _percentiles(values: np.ndarray) -> np.ndarray:
    """The 2.5th and 97.5th percentiles of each column, NaN resamples left out.

    ``np.nanpercentile`` handles a 2-D array column by column in Python; the columns without
    NaN go through ``np.percentile`` at once, which computes the same values."""
    has_nan = np.isnan(values).any(axis=0)
    result = np.empty((2, values.shape[1]))
    result[:, ~has_nan] = np.percentile(values[:, ~has_nan], [2.5, 97.5], axis=0)
    if has_nan.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
            result[:, has_nan] = np.nanpercentile(values[:, has_nan], [2.5, 97.5], axis=0)
    return result


def _code_rows(patterns: _Patterns, counts: np.ndarray, applied: np.ndarray, coders, code_ids,
               domains, labels, resampler: _Resampler | None) -> pd.DataFrame:
    point = patterns.statistics(counts)
    frame = pd.DataFrame({S.CODE_ID: code_ids, "domain": domains, "label": labels})
    weights, rated = patterns.weights, patterns.rated
    frame["n_units"] = int(weights[patterns.paired_units].sum())
    for g, coder in enumerate(coders):
        n_rated = weights[rated[:, g]].sum()
        frame[f"n_{coder}"] = applied[:, g]
        frame[f"prevalence_{coder}"] = frame[f"n_{coder}"] / n_rated if n_rated else np.nan
    draws = None
    if resampler is not None:
        if patterns.clusters is None:
            total = counts.sum(axis=1).astype(int)
            samples = np.stack([resampler.rng.multinomial(n, row / max(n, 1),
                                                          size=resampler.bootstrap)
                                for n, row in zip(total, counts, strict=True)], axis=1)
        else:
            present, index = np.unique(patterns.clusters, return_inverse=True)
            samples = resampler.resampled(patterns.counts(index, len(present)))
        draws = patterns.statistics(samples)
    frame = _with_intervals(frame, point, draws, len(coders))
    frame["status"] = [_status(a) for a in frame["krippendorff_alpha"]]
    users = applied > 0
    kappa = _kappa(point, len(coders))
    frame["kappa_paradox"] = (frame["percent_agreement"] >= 0.85) & (kappa < 0.60) & \
        users.all(axis=1)
    full = frame["percent_agreement"].to_numpy() >= 1 - 1e-12
    zero = _zero_width(frame)
    frame["flag"] = [_join(_users_flag(used, coders), "full agreement" if full[i] else "",
                           "zero-width interval" if zero[i] and not full[i] else "",
                           "kappa paradox" if frame["kappa_paradox"].iat[i] else "")
                     for i, used in enumerate(users)]
    return frame


FLAGS = {
    "unused": "no coder applied the code: agreement is undefined",
    "used by <coder> only / not used by <coders>": "a coder never applied a code the others "
    "did: a systematic difference (kappa near 0 or below whatever the raw agreement), not a "
    "kappa paradox",
    "full agreement": "the coders agreed on every unit: the interval is the point, [1, 1], and "
    "says nothing of the uncertainty",
    "zero-width interval": "every resample gave the same value",
    "kappa paradox": "raw agreement >= .85 but kappa < .60 on a code every coder used: read "
    "AC1 and PABAK",
    "fewer than 10 <clusters>: no interval": "a transcript or site with too few clusters for a "
    "cluster bootstrap",
    "no code used": "no code of the domain was applied",
}


def _users_flag(used: np.ndarray, coders: list[str]) -> str:
    if not used.any():
        return "unused"
    if used.sum() == 1 and len(coders) > 1:
        return f"used by {coders[int(np.argmax(used))]} only"
    if not used.all():
        return "not used by " + ", ".join(c for c, u in zip(coders, used, strict=True) if not u)
    return ""


def _join(*flags: str) -> str:
    return "; ".join(flag for flag in flags if flag)


def _zero_width(frame: pd.DataFrame) -> np.ndarray:
    """Rows with an interval whose bounds are equal (to rounding)."""
    return np.any([np.isclose(frame[f"{name}_low"], frame[f"{name}_high"], rtol=0, atol=1e-12)
                   for name in INTERVAL_STATISTICS], axis=0)


_BLOCKS = 200


def _pooled_rows(patterns: _Patterns, counts: np.ndarray, used: np.ndarray, domains, per_code,
                 resampler: _Resampler | None) -> pd.DataFrame:
    """Per domain and overall, over the codes some coder ``used``: pooled over the unit x code
    table (every code's pattern ``counts`` summed), and the mean over codes. A code nobody
    used would only add units on which everyone agrees (moving pooled alpha, kappa and AC1 up
    with the size of the codebook): such codes are left out and listed in ``unused_codes``.
    All rows resample the same units: their clusters, or at most 200 random blocks of equal
    size (each unit its own block when there are fewer), whose resampled totals have the
    same variance as when resampling units one by one, at a fraction of the cost."""
    groups = [*dict.fromkeys(domains), "all"]
    n_domains = len(groups) - 1
    domain_of_code = pd.Index(groups[:-1]).get_indexer(domains)
    code_group = np.where(used, domain_of_code, n_domains)  # unused codes: a group left out
    selected = [code_group == d for d in range(n_domains)]
    selected.append(used)
    ids = per_code[S.CODE_ID].to_numpy()
    unused = [" ".join(ids[(domain_of_code == d) & ~used]) for d in range(n_domains)]
    unused.append(" ".join(ids[~used]))
    n_codes = [int(chosen.sum()) for chosen in selected]
    point = patterns.statistics(np.stack([counts[chosen].sum(axis=0) for chosen in selected]))
    draws = None
    if resampler is not None and len(patterns.base) and len(domains):
        n_units = len(patterns.base)
        if patterns.clusters is None:
            n_blocks = min(n_units, _BLOCKS)
            block = np.arange(n_units) if n_units <= _BLOCKS else \
                resampler.rng.permutation(n_units) % _BLOCKS
        else:
            present, block = np.unique(patterns.clusters, return_inverse=True)
            n_blocks = len(present)
        per_block = patterns.counts(block, n_blocks, code_group, n_domains + 1)[:n_domains]
        draws = patterns.statistics(resampler.resampled(np.concatenate([per_block,
                                                               per_block.sum(axis=0)[None]])))
    rows = {"domain": groups, "n_codes": n_codes, "unused_codes": unused}
    table = _with_intervals(pd.DataFrame({**rows, "method": "pooled"}), point, draws,
                            patterns.n_coders)
    table["flag"] = [_join("no code used" if n == 0 else "", "zero-width interval" if z else "")
                     for n, z in zip(n_codes, _zero_width(table), strict=True)]
    mean = pd.DataFrame({**rows, "method": "mean of codes"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for key in STATISTICS:
            values = per_code[key].to_numpy()
            mean[key] = [np.nanmean(values[chosen]) for chosen in selected]
    mean["flag"] = ["no code used" if n == 0 else "" for n in n_codes]
    table = pd.concat([table, mean]).sort_index(kind="stable").reset_index(drop=True)
    table["status"] = [_status(a) for a in table["krippendorff_alpha"]]
    return table[["domain", "method", "n_codes", *table.columns.drop(
        ["domain", "method", "n_codes", "unused_codes", "flag"]), "unused_codes", "flag"]]


def _stratum_rows(patterns: _Patterns, strata: np.ndarray, name: str, used: np.ndarray,
                  cluster: str | None, resampler: _Resampler | None) -> pd.DataFrame:
    """Per transcript or site, pooled over the codes some coder used; all strata counted in
    one pass, and the strata with as many blocks resampled with one matrix product. A
    stratum with fewer than :data:`MIN_CLUSTERS` clusters gets no interval."""
    index, order = pd.factorize(strata, use_na_sentinel=False)
    sizes = np.bincount(index, weights=patterns.weights * patterns.paired_units,
                        minlength=len(order))
    code_group = np.where(used, 0, 1)  # unused codes in a group of their own, left out
    few = np.zeros(len(order), dtype=bool)
    draws = None
    if resampler is not None and len(strata):
        block, n_blocks = _blocks_within(index, len(order), patterns.clusters, resampler.rng)
        width = int(n_blocks.max())
        per_block = patterns.counts(index * width + block, len(order) * width, code_group, 2
                                    )[0].reshape(len(order), width, patterns.n_patterns)
        counts = per_block.sum(axis=1)
        resampled = np.empty((resampler.bootstrap, *counts.shape))
        for n in np.unique(n_blocks):
            chosen = np.flatnonzero(n_blocks == n)
            resampled[:, chosen] = resampler.resampled(per_block[chosen, :n])
        draws = patterns.statistics(resampled)
        if patterns.clusters is not None:
            few = n_blocks < MIN_CLUSTERS
            for values in draws.values():
                values[:, few] = np.nan
    else:
        counts = patterns.counts(index, len(order), code_group, 2)[0]
    table = _with_intervals(pd.DataFrame({name: order, "n_units": sizes.astype(int)}),
                            patterns.statistics(counts), draws, patterns.n_coders)
    table["status"] = [_status(a) for a in table["krippendorff_alpha"]]
    table["flag"] = [_join(f"fewer than {MIN_CLUSTERS} {cluster}s: no interval" if f else "",
                           "zero-width interval" if z else "")
                     for f, z in zip(few, _zero_width(table), strict=True)]
    return table


def _blocks_within(index: np.ndarray, n_strata: int, clusters: np.ndarray | None, rng):
    """Each unit's resampling block within its stratum, and the number of blocks per stratum:
    its clusters, or up to 200 random blocks of units (see :func:`_pooled_rows`)."""
    block = np.zeros(len(index), dtype=np.int64)
    n_blocks = np.zeros(n_strata, dtype=np.int64)
    by_stratum = np.split(np.argsort(index, kind="stable"),
                          np.cumsum(np.bincount(index, minlength=n_strata))[:-1])
    for stratum, inside in enumerate(by_stratum):
        if clusters is not None:
            present, block[inside] = np.unique(clusters[inside], return_inverse=True)
            n_blocks[stratum] = len(present)
        elif len(inside) <= _BLOCKS:
            block[inside], n_blocks[stratum] = np.arange(len(inside)), len(inside)
        else:
            block[inside], n_blocks[stratum] = rng.permutation(len(inside)) % _BLOCKS, _BLOCKS
    return block, n_blocks


def _status(alpha: float) -> str:
    if np.isnan(alpha):
        return "undefined"
    return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE \
        else "unreliable"


def _warn_undefined(per_code: pd.DataFrame) -> None:
    undefined = per_code.loc[per_code["status"] == "undefined", S.CODE_ID].tolist()
    if undefined:
        warnings.warn(f"agreement is undefined (NaN) for {len(undefined)} code(s) that no "
                      f"coder, or every coder on every unit, applied: {', '.join(undefined)}",
                      QualcodeWarning, stacklevel=3)
