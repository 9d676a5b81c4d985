"""Triangulation across sites, groups and participant attributes: the framework matrix.

The framework matrix (Gale et al. 2013) crosses the codes (rows, in codebook order, with a
subtotal row per domain) with the values of one dimension (columns): sites, groups, or a
participant attribute of ``study.yaml`` such as the semester. Each cell counts the segments
coded, the distinct participants who said them, and their share of that column's participants
(every participant listed in ``study.yaml`` for the column, whether they spoke or not), with
up to two representative quotes.
"""

from __future__ import annotations

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.study import Study

MATRIX_COLUMNS = ("dimension", "value", "row", S.CODE_ID, "domain", "label", "n_segments",
                  "n_participants", "n_column_participants", "share_participants", "quotes")
_QUOTE_WORDS = (8, 40)


def dimensions(study: Study) -> list[str]:
    """``site``, ``group`` and every participant attribute of the study, in that order."""
    attributes = dict.fromkeys(key for p in study.participants for key in p.attributes)
    return ["site", "group", *attributes]


def participant_values(study: Study, dimension: str) -> pd.Series:
    """The value of ``dimension`` for each participant id (attributes missing: NaN)."""
    site_of = {group.id: group.site for group in study.groups}
    values = {}
    for participant in study.participants:
        if dimension == "site":
            values[participant.id] = site_of[participant.group]
        elif dimension == "group":
            values[participant.id] = participant.group
        else:
            values[participant.id] = participant.attributes.get(dimension)
    return pd.Series(values, dtype=object).map(lambda v: v if v is None else str(v))


def framework_matrix(codings: pd.DataFrame, segments: pd.DataFrame, study: Study,
                     codebook: Codebook, *, dimension: str = "site") -> pd.DataFrame:
    """The framework matrix of ``codings`` (one coder's, or the consensus) along
    ``dimension``, in long form: one row per code (and per domain, ``row == "domain"``) and
    value, with the columns of :data:`MATRIX_COLUMNS`.

    ``quotes`` holds up to two quotes, ``« text » (P03, FG1-0042)``, chosen by a fixed rule:
    complete sentences (ending with . ! ? or …) of 8 to 40 words first, from different
    participants, the longest first; ties broken by segment id.
    """
    values = participant_values(study, dimension)
    columns = [v for v in dict.fromkeys(values.dropna()) if v is not None]
    if dimension == "site":
        columns = [site.id for site in study.sites if site.id in set(columns)]
    coded = codings[[S.SEGMENT_ID, S.CODE_ID]].drop_duplicates().merge(
        segments[segments[S.CODABLE]][[S.SEGMENT_ID, S.PARTICIPANT_ID, S.TEXT]],
        on=S.SEGMENT_ID)
    coded = coded.assign(value=coded[S.PARTICIPANT_ID].map(values))
    column_sizes = values.value_counts()
    rows = []
    for code in codebook.codes:
        members = [code.id] if code.codable else \
            [c.id for c in codebook.codable if c.id.startswith(code.id + ".")]
        if not members:
            continue
        kind = "code" if code.codable else "domain" if code.parent is None else "category"
        mine = coded[coded[S.CODE_ID].isin(members)]
        for value in columns:
            cell = mine[mine["value"] == value].drop_duplicates(S.SEGMENT_ID)
            n_column = int(column_sizes.get(value, 0))
            n_participants = cell[S.PARTICIPANT_ID].nunique()
            rows.append((dimension, value, kind, code.id, code.domain,
                         codebook.text(code.label, study.language), len(cell), n_participants,
                         n_column, n_participants / n_column if n_column else float("nan"),
                         _quotes(cell) if kind == "code" else ""))
    return pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))


def _quotes(cell: pd.DataFrame, n: int = 2) -> str:
    words = cell[S.TEXT].str.split().str.len()
    complete = cell[S.TEXT].str.rstrip().str.endswith((".", "!", "?", "…"))
    fits = words.between(*_QUOTE_WORDS)
    ranked = cell.assign(rank=~(complete & fits), length=-words).sort_values(
        ["rank", "length", S.SEGMENT_ID])
    chosen, speakers = [], set()
    for row in ranked.itertuples(index=False):
        if row.participant_id not in speakers:
            chosen.append(f"« {row.text} » ({row.participant_id}, {row.segment_id})")
            speakers.add(row.participant_id)
        if len(chosen) == n:
            break
    return "\n".join(chosen)


def share_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Codes x values: the share of each column's participants (codes only, codebook order)."""
    codes = matrix[matrix["row"] == "code"]
    return codes.pivot_table(index=[S.CODE_ID], columns="value", values="share_participants",
                             sort=False)
