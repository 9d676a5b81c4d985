"""Figures (matplotlib, Agg backend): layout only, every number comes from a result table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.io.files import write_atomic

_WORDS = {
    "fr": {"title": "Accord inter-codeurs par code (IC à 95 %)", "kappa": "kappa",
           "heatmap": "Part des participants ayant évoqué chaque code, par site",
           "share": "part des participants du site",
           "alpha": "alpha de Krippendorff", "tentative": "0,667 : acceptable",
           "reliable": "0,800 : fiable"},
    "en": {"title": "Inter-coder agreement per code (95% CI)", "kappa": "kappa",
           "heatmap": "Share of participants who raised each code, by site",
           "share": "share of the site's participants",
           "alpha": "Krippendorff's alpha", "tentative": ".667: tentative",
           "reliable": ".800: reliable"},
}


def save_figure(figure, stem: Path) -> list[Path]:
    """Write ``stem.png`` (150 dpi) and ``stem.svg`` (text kept as text, so it can be searched
    and edited), atomically and reproducibly."""
    import matplotlib.pyplot as plt

    paths = []
    for suffix, options in ((".png", {"dpi": 150, "metadata": {"Software": None}}),
                            (".svg", {"metadata": {"Date": None}})):
        path = stem.with_suffix(suffix)
        with plt.rc_context({"svg.hashsalt": "qualcode", "svg.fonttype": "none"}):
            write_atomic(path, lambda tmp, o=options, f=suffix[1:]: figure.savefig(
                tmp, format=f, bbox_inches="tight", **o))
        paths.append(path)
    plt.close(figure)
    return paths


def agreement_forest(codes: pd.DataFrame, *, kappa: str, language: str = "fr",
                     domain_labels: dict[str, str] | None = None):
    """Each code's kappa and alpha with their intervals, grouped by domain, with the .667 and
    .800 thresholds. ``codes`` is :attr:`AgreementTables.codes`; ``kappa`` the kappa column;
    ``domain_labels`` names the domains (default: their ids)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    words = _WORDS.get(language, _WORDS["en"])
    rows = codes.reset_index(drop=True)
    # Each domain starts with a header line: a code's position is its index plus the number
    # of domain headers up to and including its own.
    header = (rows["domain"] != rows["domain"].shift()).cumsum()
    y = -(rows.index + header).astype(float)
    n_lines = len(rows) + int(header.iloc[-1]) if len(rows) else 0
    figure, axis = plt.subplots(figsize=(8.5, 1.4 + 0.24 * n_lines))
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
    lowest = rows[["kappa_low", "alpha_low", kappa, "krippendorff_alpha"]].min().min()
    axis.set_xlim(-0.05 if pd.isna(lowest) else min(-0.05, float(lowest) - 0.05), 1.04)
    axis.set_ylim(-n_lines + 0.4, 0.6)
    axis.set_title(words["title"], fontsize=10)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / (1.4 + 0.24 * n_lines)),
                ncol=4, fontsize=7, frameon=False)
    axis.grid(axis="x", linewidth=0.3)
    figure.tight_layout()
    return figure


def matrix_heatmap(shares: pd.DataFrame, *, labels: list[str], domains: list[str],
                   columns: list[str], language: str = "fr",
                   domain_labels: dict[str, str] | None = None):
    """Codes (rows, grouped by domain, with separators) x sites: the share of each site's
    participants who raised the code, as colour and as a percentage in each cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    words = _WORDS.get(language, _WORDS["en"])
    n_rows, n_columns = shares.shape
    figure, axis = plt.subplots(figsize=(3.2 + 1.3 * n_columns, 1.5 + 0.24 * n_rows))
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
        name = (domain_labels or {}).get(domains[start], domains[start])
        axis.text(n_columns - 0.4, (start + end - 1) / 2, name, rotation=90, va="center",
                  ha="left", fontsize=7)
    colorbar = figure.colorbar(image, ax=axis, fraction=0.04, pad=0.12)
    colorbar.set_label(words["share"], fontsize=7)
    axis.set_title(words["heatmap"], fontsize=9, pad=22)
    figure.tight_layout()
    return figure
