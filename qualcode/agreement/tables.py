"""Agreement tables for a study: per code, per domain, overall, per transcript and per site.

The unit of agreement is a coding unit (segment by default) and a code: each coder applied the
code to the unit or not. A coder rated the units of every transcript in which they applied at
least one code (a coder who skipped a transcript is missing there, not in disagreement).

Confidence intervals are 95% percentile bootstrap intervals. Resampling units one by one
(``cluster=None``) treats segments as independent, which they are not: segments of one
participant, or of one focus group, resemble each other. ``cluster="participant"`` or
``"group"`` resamples whole participants or groups instead (a cluster bootstrap, wider and
more honest); the ``interval`` column says which was used. Resampling works on counts of
coding patterns, never on rows: per code, a multinomial draw of the pattern counts (exactly
equivalent to resampling units); for pooled rows (domains, transcripts, sites), resampled
weights of up to 200 random blocks of units times each block's pattern counts; per cluster,
resampled cluster weights times per-cluster counts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.agreement.characters import character_units, marks, unitizing_table
from qualcode.agreement.patterns import STATISTICS, pattern_ids, statistics
from qualcode.codebook import Codebook
from qualcode.errors import QualcodeError, QualcodeWarning
from qualcode.study import RESERVED_CODERS

UNITS = ("segment", "turn", "character")
CLUSTERS = (None, "participant", "group")
_CLUSTER_COLUMNS = {"participant": S.PARTICIPANT_ID, "group": S.GROUP_ID,
                    "segment": S.SEGMENT_ID}
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
                    cluster: str | None = None, spans: pd.DataFrame | None = None
                    ) -> AgreementTables:
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
        resampled: units (``None``; segments for the character unit), ``participant`` or
        ``group``.

    Returns
    -------
    AgreementTables
        ``codes`` has, per code: ``code_id``, ``domain``, ``n_units`` (units rated by at least
        two coders), ``n_<coder>`` and ``prevalence_<coder>`` (units the coder applied the code
        to, and their share), ``percent_agreement``, ``positive_agreement`` and
        ``negative_agreement`` (specific agreements), ``cohen_kappa`` (two coders) or
        ``fleiss_kappa`` (more), ``krippendorff_alpha`` (nominal), ``gwet_ac1``, ``pabak``,
        ``prevalence_index`` and ``bias_index`` (Byrt et al. 1993, two coders), the bounds
        ``kappa_low``... ``ac1_high``, ``status`` (reliable alpha >= .800, tentative >= .667,
        unreliable below, undefined when alpha cannot be computed) and ``kappa_paradox``
        (percent agreement >= .85 with kappa below .60: read AC1 and PABAK).
    """
    if unit not in UNITS:
        raise QualcodeError(f"unit must be one of {', '.join(UNITS)}, not '{unit}'")
    if cluster not in CLUSTERS:
        raise QualcodeError(f"cluster must be participant, group or none, not '{cluster}'")
    coders = _coders(codings, coders)
    code_ids, domains, labels = _codes(codings, codebook)
    unitizing = None
    if unit == "character":
        if spans is None:
            raise QualcodeError("the character unit needs the coders' spans (spans=...)")
        marked = marks(codings, spans, segments, coders)
        units, present, rated, weights = character_units(marked, segments, coders, code_ids)
        unitizing = unitizing_table(marked, segments, coders)
    else:
        units, present, rated = _units(codings, segments, coders, unit, code_ids)
        weights = np.ones(len(units))
    ids = pattern_ids(np.where(rated[:, None, :], 1 + present, 0))  # (units, codes)
    rng = np.random.default_rng(seed)
    if cluster is None and unit == "character":
        cluster = "segment"  # characters are never resampled one by one
    clusters = None if cluster is None else np.unique(
        units[_CLUSTER_COLUMNS[cluster]].to_numpy(), return_inverse=True)[1]
    patterns = _Patterns(ids, 3 ** len(coders), weights, clusters)
    interval = _interval_text(bootstrap, cluster, unit)
    per_code = _code_rows(patterns, present, rated, coders, code_ids, domains, labels,
                          bootstrap, rng)
    domain_rows = _pooled_rows(patterns, domains, per_code, bootstrap, rng)
    strata = {name: _stratum_rows(patterns, units[name].to_numpy(), name, bootstrap, rng)
              for name in (S.TRANSCRIPT_ID, S.SITE_ID)}
    _warn_undefined(per_code)
    return AgreementTables(per_code, domain_rows, strata[S.TRANSCRIPT_ID], strata[S.SITE_ID],
                           interval, unitizing)


def _coders(codings: pd.DataFrame, coders: list[str] | None) -> list[str]:
    present = set(codings[S.CODER].unique())
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


def _units(codings: pd.DataFrame, segments: pd.DataFrame, coders: list[str], unit: str,
           code_ids: list[str]):
    """``(units, present, rated)``: the segments or turns, presence ``(units, codes,
    coders)``, and whether each coder rated each unit."""
    codable = segments[segments[S.CODABLE]].reset_index(drop=True)
    if unit == "turn":
        key = codable[S.TRANSCRIPT_ID] + "#" + codable[S.TURN].astype(str)
        unit_of_segment = pd.factorize(key)[0]
        first = np.unique(unit_of_segment, return_index=True)[1]
        units = codable.iloc[first].reset_index(drop=True)
    else:
        units, unit_of_segment = codable, np.arange(len(codable))
    segment = pd.Index(codable[S.SEGMENT_ID]).get_indexer(codings[S.SEGMENT_ID])
    coder = pd.Index(coders).get_indexer(codings[S.CODER])
    code = pd.Index(code_ids).get_indexer(codings[S.CODE_ID])
    known = (segment >= 0) & (coder >= 0)
    segment, coder, code = segment[known], coder[known], code[known]
    present = np.zeros((len(units), len(code_ids), len(coders)), dtype=np.int8)
    listed = code >= 0
    present[unit_of_segment[segment[listed]], code[listed], coder[listed]] = 1
    transcripts, transcript_of_segment = np.unique(codable[S.TRANSCRIPT_ID].to_numpy(),
                                                   return_inverse=True)
    reviewed = np.zeros((len(transcripts), len(coders)), dtype=bool)
    reviewed[transcript_of_segment[segment], coder] = True
    unit_transcript = np.searchsorted(transcripts, units[S.TRANSCRIPT_ID].to_numpy())
    return units, present, reviewed[unit_transcript]


def _codes(codings: pd.DataFrame, codebook: Codebook | None):
    if codebook is not None:
        codes = codebook.codable
        return ([c.id for c in codes], [c.domain for c in codes],
                [codebook.text(c.label) for c in codes])
    ids = sorted(codings[S.CODE_ID].unique())
    return ids, [i.partition(".")[0] for i in ids], ids


def _interval_text(bootstrap: int, cluster: str | None, unit: str) -> str:
    if bootstrap <= 0:
        return "no interval"
    what = f"{unit}s" if cluster is None else f"{cluster}s (cluster bootstrap)"
    if unit == "character":
        what += " with their characters"
    return f"95% percentile bootstrap, {bootstrap} resamples of {what}"


@dataclass(frozen=True, slots=True)
class _Patterns:
    """Coding patterns of units x codes, each unit with a weight (1, or its number of
    characters) and, for a cluster bootstrap, the index of its cluster."""

    ids: np.ndarray
    n_patterns: int
    weights: np.ndarray
    clusters: np.ndarray | None

    @property
    def n_coders(self) -> int:
        return round(np.log(self.n_patterns) / np.log(3))

    def take(self, rows: np.ndarray | None = None, codes: np.ndarray | None = None
             ) -> _Patterns:
        ids = self.ids if rows is None else self.ids[rows]
        clusters = self.clusters if self.clusters is None or rows is None else \
            self.clusters[rows]
        return _Patterns(ids if codes is None else ids[:, codes], self.n_patterns,
                         self.weights if rows is None else self.weights[rows], clusters)

    def counts(self, groups: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
        """Weighted pattern counts ``(groups, codes, patterns)``."""
        n_codes = self.ids.shape[1]
        groups = np.zeros(self.ids.shape[0], dtype=np.int64) if groups is None else groups
        flat = ((groups[:, None] * n_codes + np.arange(n_codes)) * self.n_patterns
                + self.ids).ravel()
        size = n_groups * n_codes * self.n_patterns
        if (self.weights == 1).all():
            counts = np.bincount(flat, minlength=size)
        else:
            weights = np.broadcast_to(self.weights[:, None], self.ids.shape).ravel()
            counts = np.bincount(flat, weights=weights, minlength=size)
        return counts.reshape(n_groups, n_codes, self.n_patterns)


    def pooled_counts(self, groups: np.ndarray, n_groups: int) -> np.ndarray:
        """Weighted pattern counts summed over the codes, ``(groups, patterns)``."""
        flat = (groups[:, None] * self.n_patterns + self.ids).ravel()
        size = n_groups * self.n_patterns
        if (self.weights == 1).all():  # segments and turns: plain counts
            return np.bincount(flat, minlength=size).reshape(n_groups, self.n_patterns)
        weights = np.broadcast_to(self.weights[:, None], self.ids.shape).ravel()
        return np.bincount(flat, weights=weights, minlength=size).reshape(n_groups,
                                                                          self.n_patterns)


def _resample(n: int, bootstrap: int, rng) -> np.ndarray:
    """``(resamples, n)``: how many times each of ``n`` clusters is drawn, ``n`` draws with
    replacement per resample (a multinomial with equal probabilities)."""
    draws = rng.integers(0, n, size=(bootstrap, n))
    flat = (np.arange(bootstrap)[:, None] * n + draws).ravel()
    # as floats, so that the products with the counts that follow go through BLAS
    return np.bincount(flat, minlength=bootstrap * n).reshape(bootstrap, n).astype(float)


def _kappa(stats: dict[str, np.ndarray], n_coders: int) -> np.ndarray:
    return stats["cohen_kappa" if n_coders == 2 else "fleiss_kappa"]


def _with_intervals(frame: pd.DataFrame, point: dict, draws: dict | None,
                    n_coders: int) -> pd.DataFrame:
    for key in STATISTICS:
        frame[key] = point[key]
    for name, key in INTERVAL_STATISTICS.items():
        values = _kappa(draws, n_coders) if draws is not None and key is None else \
            draws[key] if draws is not None else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = (np.nanpercentile(values, [2.5, 97.5], axis=0) if values is not None
                         else (np.full(len(frame), np.nan),) * 2)
        frame[f"{name}_low"], frame[f"{name}_high"] = low, high
    return frame


def _code_rows(patterns: _Patterns, present, rated, coders, code_ids, domains, labels,
               bootstrap, rng) -> pd.DataFrame:
    counts = patterns.counts()[0]
    point = statistics(counts)
    frame = pd.DataFrame({S.CODE_ID: code_ids, "domain": domains, "label": labels})
    weights = patterns.weights
    frame["n_units"] = int(weights[rated.sum(axis=1) >= 2].sum())
    for g, coder in enumerate(coders):
        n_rated = weights[rated[:, g]].sum()
        frame[f"n_{coder}"] = (present[:, :, g] * weights[:, None]).sum(axis=0).astype(int)
        frame[f"prevalence_{coder}"] = frame[f"n_{coder}"] / n_rated if n_rated else np.nan
    draws = None
    if bootstrap > 0:
        if patterns.clusters is None:
            total = counts.sum(axis=1).astype(int)
            samples = np.stack([rng.multinomial(n, row / max(n, 1), size=bootstrap)
                                for n, row in zip(total, counts, strict=True)], axis=1)
        else:
            samples = _cluster_draws(patterns, bootstrap, rng)
        draws = statistics(samples)
    frame = _with_intervals(frame, point, draws, len(coders))
    frame["status"] = [_status(a) for a in frame["krippendorff_alpha"]]
    kappa = _kappa(point, len(coders))
    frame["kappa_paradox"] = (frame["percent_agreement"] >= 0.85) & (kappa < 0.60)
    return frame


def _cluster_draws(patterns: _Patterns, bootstrap: int, rng) -> np.ndarray:
    """``(resamples, codes, patterns)``: resampled cluster weights times per-cluster counts."""
    present, index = np.unique(patterns.clusters, return_inverse=True)
    per_cluster = patterns.counts(index, len(present)).astype(float)
    weights = _resample(len(present), bootstrap, rng)
    return np.einsum("bk,kcp->bcp", weights, per_cluster, optimize=True)


_BLOCKS = 200


def _pooled(patterns: _Patterns, bootstrap: int, rng) -> tuple[dict, dict | None]:
    """A pooled row's statistics and resampled statistics.

    Without clusters, units are resampled in at most 200 random blocks of equal size (each
    unit its own block when there are fewer units): the resampled totals have the same
    variance as when resampling units one by one, at a fraction of the cost.
    """
    n_units = patterns.ids.shape[0]
    point = statistics(patterns.pooled_counts(np.zeros(n_units, dtype=np.int64), 1)[0])
    if bootstrap <= 0 or patterns.ids.size == 0:
        return point, None
    if patterns.clusters is None:
        index = np.arange(n_units) if n_units <= _BLOCKS else \
            rng.permutation(n_units) % _BLOCKS
        n_clusters = min(n_units, _BLOCKS)
    else:
        present, index = np.unique(patterns.clusters, return_inverse=True)
        n_clusters = len(present)
    per_cluster = patterns.pooled_counts(index, n_clusters).astype(float)
    return point, statistics(_resample(n_clusters, bootstrap, rng) @ per_cluster)


def _one_row(frame: pd.DataFrame, point: dict, draws: dict | None, n_coders: int
             ) -> pd.DataFrame:
    return _with_intervals(frame, {k: np.atleast_1d(v) for k, v in point.items()},
                           None if draws is None else {k: v[:, None] for k, v in draws.items()},
                           n_coders)


def _pooled_rows(patterns: _Patterns, domains, per_code, bootstrap, rng) -> pd.DataFrame:
    """Per domain and overall: pooled over the unit x code table, and the mean over codes."""
    rows = []
    for group in [*dict.fromkeys(domains), "all"]:
        selected = np.array([group in ("all", d) for d in domains])
        point, draws = _pooled(patterns.take(codes=selected), bootstrap, rng)
        row = pd.DataFrame({"domain": [group], "method": ["pooled"],
                            "n_codes": [int(selected.sum())]})
        rows.append(_one_row(row, point, draws, patterns.n_coders))
        mean = pd.DataFrame({"domain": [group], "method": ["mean of codes"],
                             "n_codes": [int(selected.sum())]})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for key in STATISTICS:
                mean[key] = np.nanmean(per_code.loc[selected, key])
        rows.append(mean)
    table = pd.concat(rows, ignore_index=True)
    table["status"] = [_status(a) for a in table["krippendorff_alpha"]]
    return table


def _stratum_rows(patterns: _Patterns, strata: np.ndarray, name: str, bootstrap: int, rng
                  ) -> pd.DataFrame:
    """Per transcript or site, pooled over codes; all strata counted in one pass."""
    order = list(dict.fromkeys(strata))
    index = pd.Index(order).get_indexer(strata)
    counts = patterns.pooled_counts(index, len(order))
    sizes = np.bincount(index, weights=patterns.weights, minlength=len(order))
    draws = [None] * len(order)
    if bootstrap > 0 and len(strata):
        block, n_blocks = _blocks_within(index, len(order), patterns.clusters, rng)
        width = int(n_blocks.max())
        per_block = patterns.pooled_counts(index * width + block, len(order) * width).reshape(
            len(order), width, patterns.n_patterns)
        per_block = per_block.astype(float)
        draws = [statistics(_resample(n, bootstrap, rng) @ per_block[s, :n])
                 for s, n in enumerate(n_blocks)]
    rows = [_one_row(pd.DataFrame({name: [stratum], "n_units": [int(size)]}),
                     statistics(count), draw, patterns.n_coders)
            for stratum, size, count, draw in zip(order, sizes, counts, draws, strict=True)]
    table = pd.concat(rows, ignore_index=True)
    table["status"] = [_status(a) for a in table["krippendorff_alpha"]]
    return table


def _blocks_within(index: np.ndarray, n_strata: int, clusters: np.ndarray | None, rng):
    """Each unit's resampling block within its stratum, and the number of blocks per stratum:
    its clusters, or up to 200 random blocks of units (see :func:`_pooled`)."""
    block = np.zeros(len(index), dtype=np.int64)
    n_blocks = np.zeros(n_strata, dtype=np.int64)
    for stratum in range(n_strata):
        inside = np.flatnonzero(index == stratum)
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
