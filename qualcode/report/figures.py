"""Figures (matplotlib, Agg backend): layout only, every number comes from a result table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.io.files import write_atomic

_WORDS = {
    "fr": {"title": "Accord inter-codeurs par code (IC à 95 %)", "kappa": "kappa",
           "alpha": "alpha de Krippendorff", "tentative": "0,667 : acceptable",
           "reliable": "0,800 : fiable"},
    "en": {"title": "Inter-coder agreement per code (95% CI)", "kappa": "kappa",
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
    n = len(rows)
    figure, axis = plt.subplots(figsize=(8.5, 1.2 + 0.26 * n))
    y = -pd.Series(range(n), dtype=float)
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
    boundaries = rows.index[rows["domain"] != rows["domain"].shift()].tolist()
    for start in boundaries[1:]:
        axis.axhline(-start + 0.5, color="black", linewidth=0.6)
    axis.set_yticks(y, rows["label"], fontsize=7)
    for start, end in zip(boundaries, [*boundaries[1:], n], strict=True):
        domain = rows.loc[start, "domain"]
        axis.text(1.01, -(start + end - 1) / 2, (domain_labels or {}).get(domain, domain),
                  rotation=90, wrap=True,
                  va="center", ha="left", fontsize=7, transform=axis.get_yaxis_transform())
    lowest = rows[["kappa_low", "alpha_low", kappa, "krippendorff_alpha"]].min().min()
    axis.set_xlim(-0.05 if pd.isna(lowest) else min(-0.05, float(lowest) - 0.05), 1.04)
    axis.set_ylim(-n + 0.4, 0.6)
    axis.set_title(words["title"], fontsize=10)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.9 / (1.2 + 0.26 * n)), ncol=4,
                fontsize=7, frameon=False)
    axis.grid(axis="x", linewidth=0.3)
    figure.tight_layout()
    return figure
