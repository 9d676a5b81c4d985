"""The requirement checklist: each codebook requirement with its evidence and a priority.

Every code of the codebook that names a ``requirement`` yields one requirement. Its evidence
comes from the reference coding (consensus, or the coders' union): in how many sites it was
raised, by what share of the participants (overall and per site), in how many segments; and,
when they exist, its code's agreement status and convergence class across sites.

Priority tiers follow rules that ``study.yaml`` can change under ``checklist:`` (defaults):

- *Indispensable*: raised in every site and by at least 40% of the participants
  (``indispensable: {all_sites: true, share: 0.40}``);
- *Important*: raised in at least two sites, or by at least 25% of the participants
  (``important: {sites: 2, share: 0.25}``);
- *Souhaitable*: raised at least once; *Non évoqué*: never raised.

A requirement whose code is unreliable (Krippendorff's alpha below .667) is marked
``to_confirm`` ("à confirmer"). Quotes: up to three segments of the code, from different
participants, closest to the centroid of the code's segments in TF-IDF space (word 1-2 grams),
preferring complete sentences of 6 to 60 words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.text import quote

PRIORITIES = ("Indispensable", "Important", "Souhaitable", "Non évoqué")


@dataclass(frozen=True, slots=True)
class PriorityRules:
    """The thresholds of the priority tiers (see the module docstring)."""

    indispensable_share: float = 0.40
    indispensable_all_sites: bool = True
    important_sites: int = 2
    important_share: float = 0.25

    @classmethod
    def from_study(cls, settings: Mapping[str, Any] | None) -> PriorityRules:
        """Rules from the ``checklist:`` mapping of ``study.yaml`` (missing keys: defaults),
        as :func:`qualcode.study.load_study` validated it (the one place that does)."""
        settings, default = settings or {}, cls()
        first = settings.get("indispensable") or {}
        second = settings.get("important") or {}
        return cls(float(first.get("share", default.indispensable_share)),
                   bool(first.get("all_sites", default.indispensable_all_sites)),
                   int(second.get("sites", default.important_sites)),
                   float(second.get("share", default.important_share)))

    def tier(self, n_sites: int, total_sites: int, share: float, n_segments: int) -> str:
        if n_segments == 0:
            return PRIORITIES[3]
        if (n_sites == total_sites or not self.indispensable_all_sites) and \
                share >= self.indispensable_share:
            return PRIORITIES[0]
        if n_sites >= self.important_sites or share >= self.important_share:
            return PRIORITIES[1]
        return PRIORITIES[2]


def requirements(site_matrix: pd.DataFrame, codebook: Codebook, codings: pd.DataFrame,
                 segments: pd.DataFrame, *, language: str = "fr",
                 rules: PriorityRules = PriorityRules(),
                 agreement: pd.DataFrame | None = None,
                 convergence: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per requirement, in codebook order, with its evidence, priority and quotes.

    ``site_matrix`` is the framework matrix by site of the reference coding;
    ``agreement`` the per-code agreement table and ``convergence`` the per-code convergence
    summary, when they exist.
    """
    sites = list(dict.fromkeys(site_matrix["value"]))
    cells = site_matrix.set_index([S.CODE_ID, "value"])
    status = agreement.set_index(S.CODE_ID) if agreement is not None else None
    classes = convergence.set_index(S.CODE_ID)["convergence"] if convergence is not None \
        else pd.Series(dtype=object)
    rows = []
    for code in codebook.codable:
        if code.requirement is None:
            continue
        per_site = cells.loc[code.id] if code.id in cells.index.get_level_values(0) else None
        n_participants = int(per_site["n_participants"].sum()) if per_site is not None else 0
        total = int(per_site["n_column_participants"].sum()) if per_site is not None else 0
        n_sites = int((per_site["n_participants"] > 0).sum()) if per_site is not None else 0
        n_segments = int(per_site["n_segments"].sum()) if per_site is not None else 0
        share = n_participants / total if total else 0.0
        alpha = float(status.loc[code.id, "krippendorff_alpha"]) \
            if status is not None and code.id in status.index else float("nan")
        quotes = representative_quotes(codings, segments, code.id)
        row = {"requirement_id": code.requirement.id, S.CODE_ID: code.id,
               "domain": code.domain, "label": codebook.text(code.label, language),
               "text": code.requirement.text.get(language) or
               next(iter(code.requirement.text.values())),
               "category": code.requirement.category, "n_sites": n_sites,
               "n_sites_total": len(sites), "n_participants": n_participants,
               "n_participants_total": total, "share_participants": share,
               "n_segments": n_segments,
               "priority": rules.tier(n_sites, len(sites), share, n_segments),
               "krippendorff_alpha": alpha,
               "agreement_status": status.loc[code.id, "status"]
               if status is not None and code.id in status.index else "",
               "to_confirm": bool(alpha < 0.667),
               "convergence": classes.get(code.id, ""),
               "quotes": "\n".join(quote(text, pid, sid) for sid, pid, text in quotes),
               "quote_ids": ", ".join(sid for sid, _, _ in quotes)}
        for site in sites:
            row[f"share_{site}"] = float(per_site.loc[site, "share_participants"]) \
                if per_site is not None else 0.0
        rows.append(row)
    columns = ["requirement_id", S.CODE_ID, "domain", "label", "text", "category", "n_sites",
               "n_sites_total", "n_participants", "n_participants_total",
               "share_participants", "n_segments", "priority", "krippendorff_alpha",
               "agreement_status", "to_confirm", "convergence", "quotes", "quote_ids",
               *(f"share_{site}" for site in sites)]
    return pd.DataFrame(rows, columns=columns)  # columns too when no code names a requirement


def representative_quotes(codings: pd.DataFrame, segments: pd.DataFrame, code_id: str, *,
                          n: int = 3) -> list[tuple[str, str, str]]:
    """``(segment_id, participant_id, text)`` of up to ``n`` segments of ``code_id`` closest
    to the TF-IDF centroid of the code's segments, complete sentences of 6 to 60 words first,
    one per participant; ties broken by segment id."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = set(codings.loc[codings[S.CODE_ID] == code_id, S.SEGMENT_ID])
    mine = segments[segments[S.SEGMENT_ID].isin(ids) & segments[S.CODABLE]]
    if mine.empty:
        return []
    texts = mine[S.TEXT].tolist()
    try:
        matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
        centroid = np.asarray(matrix.mean(axis=0)).ravel()
        scores = matrix @ centroid / (np.linalg.norm(centroid) or 1.0)
    except ValueError:  # only stop words or punctuation
        scores = np.zeros(len(texts))
    words = mine[S.TEXT].str.split().str.len()
    good = mine[S.TEXT].str.rstrip().str.endswith((".", "!", "?", "…")) & words.between(6, 60)
    ranked = mine.assign(good=~good.to_numpy(), score=-np.asarray(scores).ravel()).sort_values(
        ["good", "score", S.SEGMENT_ID])
    chosen, speakers = [], set()
    for row in ranked.itertuples(index=False):
        if row.participant_id not in speakers:
            chosen.append((row.segment_id, row.participant_id, row.text))
            speakers.add(row.participant_id)
        if len(chosen) == n:
            break
    return chosen


def evidence_sentence(row: Mapping[str, Any], *, unit: str = "groupes") -> str:
    """The evidence in words, for officials: "évoqué dans les 3 groupes, par 15 internes sur
    22 (68 %), 31 passages"."""
    if row["n_segments"] == 0:
        return "non évoqué dans les groupes"
    sites = "les " + str(row["n_sites"]) if row["n_sites"] == row["n_sites_total"] else \
        f"{row['n_sites']} des {row['n_sites_total']}"
    return (f"évoqué dans {sites} {unit}, par {row['n_participants']} internes sur "
            f"{row['n_participants_total']} ({row['share_participants']:.0%}), "
            f"{row['n_segments']} passage{'s' if row['n_segments'] > 1 else ''}").replace(
        "%)", " %)")
