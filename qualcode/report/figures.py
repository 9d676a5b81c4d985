"""Figures (matplotlib): layout only, every number comes from a result table.

Each figure is a :class:`matplotlib.figure.Figure` object of its own, saved through the Agg
renderer: nothing here touches pyplot's global state (its backend, its list of open
figures), so a program that imports qualcode keeps its own matplotlib set-up."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from qualcode.fingerprint import fingerprint, source_fingerprint
from qualcode.io.files import write_atomic
from qualcode.io.reuse import Job, reused
from qualcode.report.wording import FIGURE_WORDS as _WORDS


def save_figure(stem: Path, draw: Callable, *args, **options) -> list[Path]:
    """Write the figure ``draw(*args, **options)`` makes as ``stem.png`` (300 dpi) and
    ``stem.svg`` (text kept as text, so it can be searched and edited), atomically and
    reproducibly; in a run, the previous files when the figure's data are the same, else
    drawn by a worker process while the run goes on (:mod:`qualcode.io.reuse`: read them
    after :func:`qualcode.io.reuse.ready`). ``draw`` is a function of this module."""
    def key() -> str:
        return fingerprint(source_fingerprint(), draw.__module__, draw.__qualname__, args,
                           options)
    paths = tuple(stem.with_suffix(suffix) for suffix in FORMATS)
    return reused(f"figure {stem.name}", key, Job(_draw, (stem, draw, args, options), paths))


FORMATS = (".png", ".svg")


def prepare() -> None:
    """Import what drawing takes: a worker process that did so draws its first figure at
    once (:meth:`qualcode.io.workers.Workers.warm`)."""
    import matplotlib.backends.backend_agg
    import matplotlib.backends.backend_svg
    import matplotlib.figure  # noqa: F401


def _draw(stem: Path, draw: Callable, args: tuple, options: dict) -> list[Path]:
    return _save(draw(*args, **options), stem)


PNG_COMPRESSION = 1
"""zlib's level for the figures' PNG files: lossless at every level; 1 writes the 300 dpi
heat maps in half the time of the default 6, for files about 15% larger."""


def _save(figure, stem: Path) -> list[Path]:
    import matplotlib

    paths = []
    for suffix, options in zip(FORMATS, (
            {"dpi": 300, "metadata": {"Software": None},
             "pil_kwargs": {"compress_level": PNG_COMPRESSION}},
            {"metadata": {"Date": None}}), strict=True):
        path = stem.with_suffix(suffix)
        with matplotlib.rc_context({"svg.hashsalt": "qualcode", "svg.fonttype": "none"}):
            write_atomic(path, lambda tmp, o=options, f=suffix[1:]: figure.savefig(
                tmp, format=f, bbox_inches="tight", **o))
        paths.append(path)
    return paths


def _subplots(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, **options):
    """A new figure object and its axes, as ``pyplot.subplots`` makes them, without pyplot."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    return figure, figure.subplots(nrows, ncols, **options)


def agreement_forest(codes: pd.DataFrame, *, kappa: str, language: str = "fr",
                     domain_labels: dict[str, str] | None = None):
    """Each code's kappa and alpha with their intervals, grouped by domain, with the .667 and
    .800 thresholds. ``codes`` is :attr:`AgreementTables.codes`; ``kappa`` the kappa column;
    ``domain_labels`` names the domains (default: their ids)."""
    words = _WORDS.get(language, _WORDS["en"])
    rows = codes.reset_index(drop=True)
    y, n_lines = _domain_lines(rows)
    figure, axis = _subplots(figsize=(8.5, 1.4 + 0.24 * n_lines))
    for column, low, high, shift, colour, name in (
            (kappa, "kappa_low", "kappa_high", 0.14, "#1f77b4", words["kappa"]),
            ("krippendorff_alpha", "alpha_low", "alpha_high", -0.14, "#d62728",
             words["alpha"])):
        axis.errorbar(rows[column], y + shift,
                      xerr=[(rows[column] - rows[low]).clip(lower=0),
                            (rows[high] - rows[column]).clip(lower=0)],
                      fmt="o", markersize=3.5, capsize=2, linewidth=1, color=colour,
                      label=name)
    for x, style, name in ((0.667, "--", words["tentative"]), (0.800, "-", words["reliable"])):
        axis.axvline(x, color="grey", linestyle=style, linewidth=0.8, label=name)
    _domain_ticks(axis, rows, y, domain_labels)
    lowest = rows[["kappa_low", "alpha_low", kappa, "krippendorff_alpha"]].min().min()
    axis.set_xlim(-0.05 if pd.isna(lowest) else min(-0.05, float(lowest) - 0.05), 1.04)
    axis.set_ylim(-n_lines + 0.4, 0.6)
    axis.set_title(words["title"], fontsize=10)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / (1.4 + 0.24 * n_lines)),
                ncol=4, fontsize=7, frameon=False)
    axis.grid(axis="x", linewidth=0.3)
    figure.tight_layout()
    return figure


def _domain_lines(rows: pd.DataFrame) -> tuple[pd.Series, int]:
    """Each code's height and the number of lines when every domain starts with a header
    line: a code's position is its index plus the number of domain headers up to and
    including its own."""
    header = (rows["domain"] != rows["domain"].shift()).cumsum()
    y = -(rows.index + header).astype(float)
    return y, len(rows) + int(header.iloc[-1]) if len(rows) else 0


def _domain_ticks(axis, rows: pd.DataFrame, y: pd.Series,
                  domain_labels: dict[str, str] | None) -> None:
    """Code labels, a bold header per domain and a line between domains."""
    ticks, labels = list(y), list(rows["label"])
    for first in rows.index[rows["domain"] != rows["domain"].shift()]:
        domain = rows.loc[first, "domain"]
        ticks.append(y[first] + 1)
        labels.append((domain_labels or {}).get(domain, domain).upper())
        if first:
            axis.axhline(y[first] + 1.5, color="black", linewidth=0.6)
    axis.set_yticks(ticks, labels, fontsize=7)
    for tick in axis.get_yticklabels()[len(rows):]:  # the domain headers come last
        tick.set_fontweight("bold")


def suggestion_forest(codes: pd.DataFrame, *, language: str = "fr",
                      domain_labels: dict[str, str] | None = None):
    """Per code, Krippendorff's alpha with the coding learnt: the suggestions (with their
    95% interval), each human coder and the keyword baseline, grouped by domain; codes not
    learnable yet say so. ``codes`` is :attr:`SuggestionQuality.codes`."""
    words = _WORDS.get(language, _WORDS["en"])
    model = codes[codes["kind"] == "model"].reset_index(drop=True)
    y, n_lines = _domain_lines(model)
    position = dict(zip(model["code_id"], y, strict=True))
    height = 1.6 + 0.24 * n_lines
    figure, axis = _subplots(figsize=(8.5, height))
    others = codes[codes["kind"] != "model"]
    markers = iter(("s", "^", "D", "v", "P"))
    for rater, mine in others.groupby("rater", sort=False):
        baseline = mine["kind"].iloc[0] == "baseline"
        name = words["keywords"] if baseline else f"{words['coder']} {rater}"
        axis.plot(mine["krippendorff_alpha"], mine["code_id"].map(position), linestyle="none",
                  marker="x" if baseline else next(markers, "o"), markersize=4,
                  color="#7f7f7f" if baseline else "#1f77b4",
                  fillstyle="full" if baseline else "none", label=name)
    axis.errorbar(model["krippendorff_alpha"], y,
                  xerr=[(model["krippendorff_alpha"] - model["alpha_low"]).clip(lower=0),
                        (model["alpha_high"] - model["krippendorff_alpha"]).clip(lower=0)],
                  fmt="o", markersize=4, capsize=2, linewidth=1, color="#d62728",
                  label=words["model"])
    for row, at in zip(model.itertuples(index=False), y, strict=True):
        if not row.learnable:
            axis.text(0.02, at, words["not_learnable"].format(n=row.n_coded), fontsize=6.5,
                      va="center", color="#d62728", style="italic")
    for x, style, name in ((0.667, "--", words["tentative"]), (0.800, "-", words["reliable"])):
        axis.axvline(x, color="grey", linestyle=style, linewidth=0.8, label=name)
    _domain_ticks(axis, model, y, domain_labels)
    lowest = codes[["alpha_low", "krippendorff_alpha"]].min().min()
    axis.set_xlim(-0.05 if pd.isna(lowest) else min(-0.05, float(lowest) - 0.05), 1.04)
    axis.set_ylim(-n_lines + 0.4, 0.6)
    axis.set_xlabel(words["alpha_with"], fontsize=8)
    axis.set_title(words["suggestions"], fontsize=10)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.9 / height), ncol=3, fontsize=7,
                frameon=False)
    axis.grid(axis="x", linewidth=0.3)
    figure.tight_layout()
    return figure


def matrix_heatmap(shares: pd.DataFrame, *, labels: list[str], domains: list[str],
                   columns: list[str], language: str = "fr",
                   domain_labels: dict[str, str] | None = None):
    """Codes (rows, grouped by domain, with separators) x sites: the share of each site's
    participants who raised the code, as colour and as a percentage in each cell."""
    words = _WORDS.get(language, _WORDS["en"])
    n_rows, n_columns = shares.shape
    figure, axis = _subplots(figsize=(4.6 + 1.3 * n_columns, 1.5 + 0.24 * n_rows))
    image = axis.imshow(shares.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1,
                        aspect="auto")
    for (row, column), value in pd.DataFrame(shares.to_numpy()).stack().items():
        axis.text(column, row, f"{value:.0%}", ha="center", va="center", fontsize=6.5,
                  color="white" if value > 0.6 else "black")
    axis.set_yticks(range(n_rows), labels, fontsize=7)
    axis.set_xticks(range(n_columns), columns, fontsize=8)
    axis.xaxis.tick_top()
    starts = [i for i, d in enumerate(domains) if i == 0 or d != domains[i - 1]]
    for start in starts[1:]:
        axis.axhline(start - 0.5, color="black", linewidth=1)
    for start, end in zip(starts, [*starts[1:], n_rows], strict=True):
        # Horizontal, wrapped to the rows of its block, from the block's top: a rotated name
        # longer than its block ran into the next one.
        name = (domain_labels or {}).get(domains[start], domains[start])
        lines = textwrap.wrap(name, 22)[:max(1, end - start)]
        axis.text(n_columns - 0.4, start - 0.45, "\n".join(lines), va="top", ha="left",
                  fontsize=6.5, fontweight="bold", linespacing=1.0)
    colorbar = figure.colorbar(image, ax=axis, fraction=0.04, pad=0.32)
    colorbar.set_label(words["share"], fontsize=7)
    axis.set_title(words["heatmap"], fontsize=9, pad=22)
    figure.tight_layout()
    return figure


def cooccurrence_heatmap(pairs: pd.DataFrame, labels: dict[str, str], *, language: str = "fr"):
    """A clustered heatmap of the participant-level Jaccard index between codes (codes
    ordered by average-linkage clustering on 1 - Jaccard)."""
    import numpy as np
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    words = _WORDS.get(language, _WORDS["en"])
    codes = list(dict.fromkeys([*pairs["code_a"], *pairs["code_b"]]))
    index = {code: i for i, code in enumerate(codes)}
    similarity = np.eye(len(codes))
    for row in pairs.itertuples(index=False):
        value = 0.0 if np.isnan(row.jaccard_participants) else row.jaccard_participants
        similarity[index[row.code_a], index[row.code_b]] = value
        similarity[index[row.code_b], index[row.code_a]] = value
    order = leaves_list(linkage(squareform(1 - similarity, checks=False), "average")) \
        if len(codes) > 2 else np.arange(len(codes))
    ordered = similarity[np.ix_(order, order)]
    size = 2.5 + 0.2 * len(codes)
    figure, axis = _subplots(figsize=(size + 1.5, size))
    image = axis.imshow(ordered, cmap="viridis", vmin=0, vmax=1)
    names = [labels.get(codes[i], codes[i]) for i in order]
    axis.set_xticks(range(len(codes)), names, rotation=90, fontsize=6)
    axis.set_yticks(range(len(codes)), names, fontsize=6)
    figure.colorbar(image, ax=axis, fraction=0.04).set_label("Jaccard", fontsize=7)
    axis.set_title(words["cooccurrence"], fontsize=9)
    figure.tight_layout()
    return figure


def saturation_curves(events: pd.DataFrame, band: pd.DataFrame, summary: pd.DataFrame, *,
                      language: str = "fr", names: dict[str, str] | None = None):
    """One panel per stratum (all events, then each site): cumulative distinct codes in the
    observed order, the median and 95% band over random orders, and the saturation point."""
    words = _WORDS.get(language, _WORDS["en"])
    strata = list(dict.fromkeys(summary["stratum"]))
    figure, axes = _subplots(ncols=len(strata), figsize=(3.4 * len(strata), 3.2),
                                squeeze=False, sharey=True)
    for axis, stratum in zip(axes[0], strata, strict=True):
        mine = events[events["stratum"] == stratum]
        spread = band[band["stratum"] == stratum]
        axis.fill_between(spread["position"], spread["low"], spread["high"], color="#9ecae1",
                          alpha=0.6, step="post", label=words["band"])
        axis.step(spread["position"], spread["median"], where="post", color="#3182bd",
                  linestyle="--", linewidth=1)
        axis.step(mine["position"], mine["cumulative"], where="post", color="black",
                  linewidth=1.3, label=words["observed"])
        point = summary.loc[summary["stratum"] == stratum, "saturation_n"].iloc[0]
        if point == point:  # not NaN
            axis.axvline(point, color="#d62728", linewidth=1, label=words["point"])
        title = words["all"] if stratum == "all" else (names or {}).get(stratum, stratum)
        axis.set_title(title, fontsize=9)
        axis.set_xlabel(words["events"], fontsize=7)
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.yaxis.get_major_locator().set_params(integer=True)
        axis.tick_params(labelsize=7)
    axes[0][0].set_ylabel(words["saturation"], fontsize=8)
    axes[0][0].legend(fontsize=6, loc="lower right")
    figure.tight_layout()
    return figure


def new_codes_bars(events: pd.DataFrame, *, language: str = "fr",
                   names: dict[str, str] | None = None):
    """New codes brought by each event (all events, collection order), coloured by site."""
    import matplotlib

    words = _WORDS.get(language, _WORDS["en"])
    mine = events[events["stratum"] == "all"]
    sites = list(dict.fromkeys(mine["site_id"]))
    colours = dict(zip(sites, matplotlib.colormaps["tab10"].colors, strict=False))
    figure, axis = _subplots(figsize=(max(5.0, 0.3 * len(mine) + 2), 3.2))
    for site in sites:
        part = mine[mine["site_id"] == site]
        axis.bar(part["order"], part["new_codes"], color=colours[site],
                 label=(names or {}).get(site, site))
    axis.set_xticks(mine["order"], mine["event_id"], rotation=90, fontsize=6)
    axis.set_ylabel(words["new"], fontsize=8)
    axis.yaxis.get_major_locator().set_params(integer=True)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def requirements_bars(table: pd.DataFrame, *, domains: dict[str, str],
                      priorities: dict[str, str], language: str = "fr"):
    """Requirements per domain (rows), stacked by priority (``priorities``: code -> label,
    highest first)."""
    words = _WORDS.get(language, _WORDS["en"])
    counts = table.groupby(["domain", "priority"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=list(domains), columns=list(priorities), fill_value=0)
    colours = ("#b01e1e", "#e08a1e", "#6aa84f", "#bbbbbb")
    figure, axis = _subplots(figsize=(7.5, 0.45 * len(counts) + 1.4))
    left = pd.Series(0, index=counts.index)
    labels = [domains[d] for d in counts.index]
    for (priority, name), colour in zip(priorities.items(), colours, strict=True):
        axis.barh(labels, counts[priority], left=left, color=colour, label=name)
        left = left + counts[priority]
    axis.invert_yaxis()
    axis.set_xlabel(words["count"], fontsize=8)
    axis.xaxis.get_major_locator().set_params(integer=True)
    axis.tick_params(labelsize=8)
    axis.legend(fontsize=7, ncol=len(priorities), loc="upper center",
                bbox_to_anchor=(0.5, -0.18), frameon=False)
    axis.set_title(words["requirements"], fontsize=10)
    figure.tight_layout()
    return figure
