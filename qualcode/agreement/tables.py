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
equivalent to resampling units); for pooled rows, a multinomial draw over the distinct
per-unit pattern profiles; per cluster, resampled cluster weights times per-cluster counts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.agreement.patterns import STATISTICS, pattern_ids, statistics
from qualcode.codebook import Codebook
from qualcode.errors import QualcodeError, QualcodeWarning

UNITS = ("segment", "turn")
CLUSTERS = (None, "participant", "group")
NOT_CODERS = ("consensus", "union", "suggest")
INTERVAL_STATISTICS = {"kappa": None, "alpha": "krippendorff_alpha", "ac1": "gwet_ac1"}
RELIABLE, TENTATIVE = 0.800, 0.667


@dataclass(frozen=True, slots=True)
class AgreementTables:
    """``codes``: one row per code; ``domains``: per domain and overall, pooled over the
    unit x code table and as the mean over codes; ``transcripts`` and ``sites``: pooled over
    codes within each; ``interval`` says how intervals were computed."""

    codes: pd.DataFrame
    domains: pd.DataFrame
    transcripts: pd.DataFrame
    sites: pd.DataFrame
    interval: str


def agreement_table(codings: pd.DataFrame, *, segments: pd.DataFrame,
                    codebook: Codebook | None = None, coders: list[str] | None = None,
                    unit: str = "segment", bootstrap: int = 1000, seed: int = 0,
                    cluster: str | None = None) -> AgreementTables:
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
        ``segment``, or ``turn``: a code is present in a turn when a coder applied it to any
        of the turn's segments.
    bootstrap, seed, cluster
        Number of resamples for the 95% intervals (0: none), the random seed, and what is
        resampled: segments (``None``), ``participant`` or ``group``.

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
    units, presence, rated = _units(codings, segments, coders, unit)
    code_ids, domains, labels = _codes(codings, codebook)
    column = {code: i for i, code in enumerate(code_ids)}
    present = np.zeros((len(units), len(code_ids), len(coders)), dtype=np.int8)
    for g, coder in enumerate(coders):
        mine = presence[(presence[S.CODER] == coder) & presence[S.CODE_ID].isin(column)]
        present[mine["unit"].to_numpy(), mine[S.CODE_ID].map(column).to_numpy(), g] = 1
    ids = pattern_ids(np.where(rated[:, None, :], 1 + present, 0))  # (units, codes)
    n_patterns = 3 ** len(coders)
    rng = np.random.default_rng(seed)
    clusters = None if cluster is None else units[
        S.PARTICIPANT_ID if cluster == "participant" else S.GROUP_ID].to_numpy()
    interval = _interval_text(bootstrap, cluster, unit)
    per_code = _code_rows(ids, n_patterns, present, rated, coders, code_ids, domains, labels,
                          bootstrap, rng, clusters)
    domain_rows = _pooled_rows(ids, n_patterns, domains, per_code, bootstrap, rng, clusters)
    strata = {name: _stratum_rows(ids, n_patterns, units[column_name].to_numpy(), name,
                                  bootstrap, rng, clusters)
              for name, column_name in (("transcript_id", S.TRANSCRIPT_ID),
                                        ("site_id", S.SITE_ID))}
    _warn_undefined(per_code)
    return AgreementTables(per_code, domain_rows, strata["transcript_id"], strata["site_id"],
                           interval)


def _coders(codings: pd.DataFrame, coders: list[str] | None) -> list[str]:
    available = sorted(set(codings[S.CODER]) - set(NOT_CODERS))
    chosen = list(coders) if coders else available
    unknown = [c for c in chosen if c not in set(codings[S.CODER])]
    if unknown:
        raise QualcodeError(f"no codings by {', '.join(unknown)}; coders with codings: "
                            f"{', '.join(available)}")
    if len(chosen) < 2:
        raise QualcodeError(f"agreement needs at least two coders; found "
                            f"{', '.join(chosen) or 'none'}")
    return chosen


def _units(codings: pd.DataFrame, segments: pd.DataFrame, coders: list[str], unit: str):
    """The units table, (coder, code, unit index) presence rows, and rated (units x coders)."""
    codable = segments[segments[S.CODABLE]].reset_index(drop=True)
    if unit == "turn":
        key = codable[S.TRANSCRIPT_ID] + "#" + codable[S.TURN].astype(str)
        units = codable.assign(unit_key=key).drop_duplicates("unit_key").reset_index(drop=True)
        index = pd.Series(range(len(units)), index=units["unit_key"])
        of_segment = pd.Series(index[key].to_numpy(), index=codable[S.SEGMENT_ID])
    else:
        units = codable
        of_segment = pd.Series(range(len(units)), index=codable[S.SEGMENT_ID])
    mine = codings[codings[S.CODER].isin(coders) & codings[S.SEGMENT_ID].isin(of_segment.index)]
    presence = mine.assign(unit=of_segment[mine[S.SEGMENT_ID]].to_numpy())
    presence = presence.drop_duplicates([S.CODER, S.CODE_ID, "unit"])
    transcript_of = dict(zip(codable[S.SEGMENT_ID], codable[S.TRANSCRIPT_ID], strict=True))
    reviewed = {(c, transcript_of[s]) for c, s in zip(mine[S.CODER], mine[S.SEGMENT_ID],
                                                      strict=True)}
    rated = np.array([[(coder, t) in reviewed for coder in coders]
                      for t in units[S.TRANSCRIPT_ID]], dtype=bool).reshape(len(units),
                                                                             len(coders))
    return units, presence, rated


def _codes(codings: pd.DataFrame, codebook: Codebook | None):
    if codebook is not None:
        codes = codebook.codable
        return ([c.id for c in codes], [c.domain for c in codes],
                [codebook.text(c.label) for c in codes])
    ids = sorted(set(codings[S.CODE_ID]))
    return ids, [i.partition(".")[0] for i in ids], ids


def _interval_text(bootstrap: int, cluster: str | None, unit: str) -> str:
    if bootstrap <= 0:
        return "no interval"
    what = f"{unit}s" if cluster is None else f"{cluster}s (cluster bootstrap)"
    return f"95% percentile bootstrap, {bootstrap} resamples of {what}"


def _counts(ids: np.ndarray, n_patterns: int, groups: np.ndarray | None = None,
            n_groups: int = 1) -> np.ndarray:
    """Pattern counts ``(groups, codes, patterns)`` from unit x code pattern ids."""
    n_codes = ids.shape[1]
    groups = np.zeros(ids.shape[0], dtype=np.int64) if groups is None else groups
    flat = (groups[:, None] * n_codes + np.arange(n_codes)) * n_patterns + ids
    return np.bincount(flat.ravel(), minlength=n_groups * n_codes * n_patterns).reshape(
        n_groups, n_codes, n_patterns)


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


def _code_rows(ids, n_patterns, present, rated, coders, code_ids, domains, labels, bootstrap,
               rng, clusters) -> pd.DataFrame:
    counts = _counts(ids, n_patterns)[0]
    point = statistics(counts)
    frame = pd.DataFrame({S.CODE_ID: code_ids, "domain": domains, "label": labels})
    paired = (rated.sum(axis=1) >= 2)
    frame["n_units"] = int(paired.sum())
    for g, coder in enumerate(coders):
        n_rated = rated[:, g].sum()
        frame[f"n_{coder}"] = present[:, :, g].sum(axis=0)
        frame[f"prevalence_{coder}"] = frame[f"n_{coder}"] / n_rated if n_rated else np.nan
    draws = None
    if bootstrap > 0:
        if clusters is None:
            total = counts.sum(axis=1)
            samples = np.stack([rng.multinomial(n, row / max(n, 1), size=bootstrap)
                                for n, row in zip(total, counts, strict=True)], axis=1)
        else:
            samples = _cluster_draws(ids, n_patterns, clusters, bootstrap, rng)
        draws = statistics(samples)
    frame = _with_intervals(frame, point, draws, len(coders))
    frame["status"] = [_status(a) for a in frame["krippendorff_alpha"]]
    kappa = _kappa(point, len(coders))
    frame["kappa_paradox"] = (frame["percent_agreement"] >= 0.85) & (kappa < 0.60)
    return frame


def _cluster_draws(ids, n_patterns, clusters, bootstrap, rng) -> np.ndarray:
    """``(resamples, codes, patterns)``: resampled cluster weights times per-cluster counts."""
    names, index = np.unique(clusters, return_inverse=True)
    per_cluster = _counts(ids, n_patterns, index, len(names))
    weights = rng.multinomial(len(names), np.full(len(names), 1 / len(names)), size=bootstrap)
    return np.einsum("bk,kcp->bcp", weights, per_cluster, optimize=True)


def _profile_draws(ids, n_patterns, bootstrap, rng) -> np.ndarray:
    """``(resamples, patterns)`` for a pooled row: a multinomial draw over the distinct
    per-unit profiles (how many of the pooled codes show each pattern on the unit)."""
    profiles = _counts(ids, n_patterns, np.arange(ids.shape[0]), ids.shape[0]).sum(axis=1)
    distinct, weight = np.unique(profiles, axis=0, return_counts=True)
    draws = rng.multinomial(ids.shape[0], weight / weight.sum(), size=bootstrap)
    return draws @ distinct


def _pooled(ids, n_patterns, bootstrap, rng, clusters) -> tuple[dict, dict | None]:
    counts = _counts(ids, n_patterns)[0].sum(axis=0)
    if bootstrap <= 0 or ids.size == 0:
        return statistics(counts), None
    if clusters is None:
        samples = _profile_draws(ids, n_patterns, bootstrap, rng)
    else:
        samples = _cluster_draws(ids, n_patterns, clusters, bootstrap, rng).sum(axis=1)
    return statistics(counts), statistics(samples)


def _pooled_rows(ids, n_patterns, domains, per_code, bootstrap, rng, clusters) -> pd.DataFrame:
    """Per domain and overall: pooled over the unit x code table, and the mean over codes."""
    m = round(np.log(n_patterns) / np.log(3))
    groups = [*dict.fromkeys(domains), "all"]
    rows = []
    for group in groups:
        selected = np.array([group in ("all", d) for d in domains])
        point, draws = _pooled(ids[:, selected], n_patterns, bootstrap, rng,
                               None if clusters is None else clusters)
        row = pd.DataFrame({"domain": [group], "method": ["pooled"],
                            "n_codes": [int(selected.sum())]})
        rows.append(_with_intervals(row, {k: np.atleast_1d(v) for k, v in point.items()},
                                    None if draws is None else
                                    {k: v[:, None] for k, v in draws.items()}, m))
        mean = pd.DataFrame({"domain": [group], "method": ["mean of codes"],
                             "n_codes": [int(selected.sum())]})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for key in STATISTICS:
                mean[key] = np.nanmean(per_code.loc[selected, key]) if selected.any() \
                    else np.nan
        rows.append(mean)
    table = pd.concat(rows, ignore_index=True)
    table["status"] = [_status(a) for a in table["krippendorff_alpha"]]
    return table


def _stratum_rows(ids, n_patterns, strata, name, bootstrap, rng, clusters) -> pd.DataFrame:
    m = round(np.log(n_patterns) / np.log(3))
    rows = []
    for stratum in sorted(set(strata)):
        inside = strata == stratum
        point, draws = _pooled(ids[inside], n_patterns, bootstrap, rng,
                               None if clusters is None else clusters[inside])
        row = pd.DataFrame({name: [stratum], "n_units": [int(inside.sum())]})
        rows.append(_with_intervals(row, {k: np.atleast_1d(v) for k, v in point.items()},
                                    None if draws is None else
                                    {k: v[:, None] for k, v in draws.items()}, m))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[name])
    table["status"] = [_status(a) for a in table.get("krippendorff_alpha", [])]
    return table


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
