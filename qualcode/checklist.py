"""The requirement checklist: each codebook requirement with its evidence and a priority.

Every code of the codebook that names a ``requirement`` yields one requirement. Its evidence
comes from the reference coding (consensus, or the coders' union): in how many sites it was
raised, by what share of the participants (overall and per site), in how many segments; and,
when they exist, its code's agreement status and convergence class across sites.

Priorities are language-neutral codes (:data:`PRIORITIES`), put into words by the report's
wording. They weigh breadth across sites, breadth across participants and the strength of the
coding, not the count of speakers alone; ``study.yaml`` can change the thresholds under
``checklist:`` (defaults):

- ``essential``: raised in every site, by at least 40% of the participants and by at least
  30% of each site's participants (``indispensable: {all_sites: true, share: 0.40,
  site_share: 0.30}``), on a code whose agreement is not unreliable (an unreliable code is
  ``to_confirm`` and stays ``important`` at most);
- ``important``: raised in at least two sites *and* by at least 25% of the participants
  (``important: {sites: 2, share: 0.25}``);
- ``desirable``: raised at least once; ``not_raised``: never raised.

Within a priority, requirements are ranked by an evidence ``score`` in [0, 1]: the mean of
the share of sites where the theme was raised, the share of participants who raised it, and
its share in the site where it is weakest (a theme strong in one town only scores lower than
one heard everywhere); ties go to the one with more segments, then to the id.

A requirement whose code is unreliable (Krippendorff's alpha below .667) is marked
``to_confirm``. Quotes: up to three segments of the code, from different participants,
closest to the centroid of the code's segments in TF-IDF space (word 1-2 grams), preferring
complete sentences of 6 to 60 words.
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

PRIORITIES = ("essential", "important", "desirable", "not_raised")
"""Priority codes, highest first (the words are the report's)."""


@dataclass(frozen=True, slots=True)
class PriorityRules:
    """The thresholds of the priority tiers (see the module docstring)."""

    indispensable_share: float = 0.40
    indispensable_all_sites: bool = True
    important_sites: int = 2
    important_share: float = 0.25
    indispensable_site_share: float = 0.30

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
                   float(second.get("share", default.important_share)),
                   float(first.get("site_share", default.indispensable_site_share)))

    def tier(self, n_sites: int, total_sites: int, share: float, n_segments: int, *,
             reliable: bool = True, weakest: float | None = None) -> str:
        """The priority code of a requirement from its evidence; ``reliable`` is false when
        its code's agreement is unreliable, ``weakest`` is its share of participants in the
        site where that share is lowest (default: the overall share)."""
        if n_segments == 0:
            return PRIORITIES[3]
        weakest = share if weakest is None else weakest
        if (n_sites == total_sites or not self.indispensable_all_sites) and \
                share >= self.indispensable_share and reliable and \
                (weakest >= self.indispensable_site_share or not self.indispensable_all_sites):
            return PRIORITIES[0]
        if min(n_sites, total_sites) >= min(self.important_sites, total_sites) and \
                share >= self.important_share:
            return PRIORITIES[1]
        return PRIORITIES[2]


Quote = tuple[str, str, str]
"""A representative quote: ``(segment_id, participant_id, text)``."""


def code_segments(codings: pd.DataFrame, segments: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each code's codable segments in ``codings`` (``segment_id``, ``participant_id``,
    ``text``, in the segments' order): what its quotes are chosen from."""
    codable = segments.loc[segments[S.CODABLE], [S.SEGMENT_ID, "participant_id", S.TEXT]]
    pairs = codings[[S.CODE_ID, S.SEGMENT_ID]].drop_duplicates()
    joined = codable.reset_index(drop=True).reset_index(names="order").merge(
        pairs, on=S.SEGMENT_ID).sort_values([S.CODE_ID, "order"], kind="stable")
    return {code: rows.drop(columns=[S.CODE_ID, "order"]).reset_index(drop=True)
            for code, rows in joined.groupby(S.CODE_ID, sort=False)}


def code_evidence(site_matrix: pd.DataFrame, codebook: Codebook,
                  quotes: Mapping[str, list[Quote]], *, language: str = "fr",
                  agreement: pd.DataFrame | None = None,
                  convergence: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per codable code (in codebook order) with its evidence: sites, participants
    and segments that raised it (overall and its share per site), its evidence ``score``, its
    agreement and convergence, and its representative quotes. The results of the report read
    it for any codebook; :func:`requirements` the rows of the codes that name a requirement.

    ``site_matrix`` is the framework matrix by site of the reference coding; ``quotes`` each
    code's :func:`representative_quotes` (a code without any has none); ``agreement`` the
    per-code agreement table and ``convergence`` the per-code convergence summary, when they
    exist.
    """
    sites = list(dict.fromkeys(site_matrix["value"]))
    cells = site_matrix.set_index([S.CODE_ID, "value"])
    status = agreement.set_index(S.CODE_ID) if agreement is not None else None
    classes = convergence.set_index(S.CODE_ID)["convergence"] if convergence is not None \
        else pd.Series(dtype=object)
    rows = []
    for code in codebook.codable:
        per_site = cells.loc[code.id] if code.id in cells.index.get_level_values(0) else None
        n_participants = int(per_site["n_participants"].sum()) if per_site is not None else 0
        total = int(per_site["n_column_participants"].sum()) if per_site is not None else 0
        n_sites = int((per_site["n_participants"] > 0).sum()) if per_site is not None else 0
        share = n_participants / total if total else 0.0
        alpha = float(status.loc[code.id, "krippendorff_alpha"]) \
            if status is not None and code.id in status.index else float("nan")
        chosen = quotes.get(code.id, [])
        row = {S.CODE_ID: code.id, "domain": code.domain,
               "label": codebook.text(code.label, language), "n_sites": n_sites,
               "n_sites_total": len(sites), "n_participants": n_participants,
               "n_participants_total": total, "share_participants": share,
               "n_segments": int(per_site["n_segments"].sum()) if per_site is not None else 0,
               "krippendorff_alpha": alpha,
               "agreement_status": status.loc[code.id, "status"]
               if status is not None and code.id in status.index else "",
               "to_confirm": bool(alpha < 0.667),
               "convergence": classes.get(code.id, ""),
               "quotes": "\n".join(quote(text, pid, sid) for sid, pid, text in chosen),
               "quote_ids": ", ".join(sid for sid, _, _ in chosen)}
        for site in sites:
            row[f"share_{site}"] = float(per_site.loc[site, "share_participants"]) \
                if per_site is not None else 0.0
        row["weakest_site_share"] = min(row[f"share_{site}"] for site in sites) if sites \
            else 0.0
        row["score"] = (n_sites / len(sites) + share + row["weakest_site_share"]) / 3 \
            if sites else 0.0
        rows.append(row)
    columns = [S.CODE_ID, "domain", "label", "n_sites", "n_sites_total", "n_participants",
               "n_participants_total", "share_participants", "n_segments",
               "weakest_site_share", "score",
               "krippendorff_alpha", "agreement_status", "to_confirm", "convergence",
               "quotes", "quote_ids", *(f"share_{site}" for site in sites)]
    return pd.DataFrame(rows, columns=columns)  # columns too when there is no row


def requirements(evidence: pd.DataFrame, codebook: Codebook, *, language: str = "fr",
                 rules: PriorityRules = PriorityRules()) -> pd.DataFrame:
    """One row per requirement, by priority then evidence score (see the module docstring),
    with its text, category, evidence (the rows of :func:`code_evidence` whose code names a
    requirement), priority and quotes."""
    evidence = evidence[[codebook[code_id].requirement is not None
                         for code_id in evidence[S.CODE_ID]]].reset_index(drop=True)
    found = [codebook[code_id].requirement for code_id in evidence[S.CODE_ID]]
    table = evidence.assign(
        requirement_id=[r.id for r in found],
        text=[r.text.get(language) or next(iter(r.text.values())) for r in found],
        category=[r.category for r in found],
        priority=[rules.tier(row.n_sites, row.n_sites_total, row.share_participants,
                             row.n_segments, reliable=not row.to_confirm,
                             weakest=row.weakest_site_share)
                  for row in evidence.itertuples(index=False)])
    first = ["requirement_id", S.CODE_ID, "domain", "label", "text", "category"]
    table = table[first + [c for c in table.columns if c not in first]]
    rank = table["priority"].map({p: i for i, p in enumerate(PRIORITIES)})
    return table.assign(rank=rank).sort_values(
        ["rank", "score", "n_segments", "requirement_id"],
        ascending=[True, False, False, True], kind="stable").drop(columns="rank")\
        .reset_index(drop=True)


def representative_quotes(mine: pd.DataFrame, *, n: int = 3) -> list[Quote]:
    """Up to ``n`` of a code's segments ``mine`` (:func:`code_segments`) closest to the
    TF-IDF centroid of them all, complete sentences of 6 to 60 words first, one per
    participant; ties broken by segment id."""
    from sklearn.feature_extraction.text import TfidfVectorizer

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
