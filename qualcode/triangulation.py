"""Triangulation across sites, groups and participant attributes: the framework matrix.

The framework matrix (Gale et al. 2013) crosses the codes (rows, in codebook order, with a
subtotal row per domain) with the values of one dimension (columns): sites, groups, or a
participant attribute of ``study.yaml`` such as the semester. Each cell counts the segments
coded, the distinct participants who said them, and their share of that column's participants
(every participant listed in ``study.yaml`` for the column, whether they spoke or not), with
up to two representative quotes.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.study import Study
from qualcode.text import quote

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
        if dimension == "study":
            values[participant.id] = "all"
        elif dimension == "site":
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
    words = coded[S.TEXT].str.split().str.len()
    complete = coded[S.TEXT].str.rstrip().str.endswith((".", "!", "?", "…"))
    coded = coded.assign(rank=~(complete & words.between(*_QUOTE_WORDS)), length=-words)
    # The coded segments of each (code, value), as plain tuples: filtering a DataFrame for each
    # of the codes x values cells took minutes with 100 groups.
    cells: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    fields = [S.CODE_ID, "value", S.SEGMENT_ID, S.PARTICIPANT_ID, S.TEXT, "rank", "length"]
    for code_id, value, *record in zip(*(coded[f].tolist() for f in fields), strict=True):
        cells[code_id, value].append(tuple(record))
    column_sizes = values.value_counts()
    rows = []
    for code in codebook.codes:
        members = [code.id] if code.codable else \
            [c.id for c in codebook.codable if c.id.startswith(code.id + ".")]
        if not members:
            continue
        kind = "code" if code.codable else "domain" if code.parent is None else "category"
        for value in columns:
            cell = {}  # segment id -> (segment id, participant, text, rank, length)
            for member in members:
                for record in cells.get((member, value), ()):
                    cell.setdefault(record[0], record)
            n_column = int(column_sizes.get(value, 0))
            n_participants = len({record[1] for record in cell.values()})
            rows.append((dimension, value, kind, code.id, code.domain,
                         codebook.text(code.label, study.language), len(cell), n_participants,
                         n_column, n_participants / n_column if n_column else float("nan"),
                         _quotes(cell.values()) if kind == "code" else ""))
    return pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))


def _quotes(cell, n: int = 2) -> str:
    """Up to ``n`` quotes of different participants from the cell's records, complete
    sentences of 8 to 40 words first, the longest first, ties broken by segment id."""
    chosen, speakers = [], set()
    for segment_id, participant, text, *_ in sorted(cell, key=lambda r: (r[3], r[4], r[0])):
        if participant not in speakers:
            chosen.append(quote(text, participant, segment_id))
            speakers.add(participant)
        if len(chosen) == n:
            break
    return "\n".join(chosen)


def coder_matrix(codings: pd.DataFrame, segments: pd.DataFrame, study: Study,
                 codebook: Codebook) -> pd.DataFrame:
    """A framework matrix whose columns are the coders (each coder's own codings, over every
    participant of the study): :func:`convergence` on it compares coders rather than sites
    (investigator triangulation, Denzin 1978)."""
    frames = [framework_matrix(mine, segments, study, codebook, dimension="study")
              .assign(dimension="coder", value=coder)
              for coder, mine in codings.groupby(S.CODER, sort=True)]
    order = [code.id for code in codebook.codes]
    matrix = pd.concat(frames, ignore_index=True)
    return matrix.sort_values(S.CODE_ID, key=lambda c: c.map(order.index), kind="stable",
                              ignore_index=True)


def share_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Codes x values: the share of each column's participants (codes only, codebook order)."""
    codes = matrix[matrix["row"] == "code"]
    return codes.pivot_table(index=[S.CODE_ID], columns="value", values="share_participants",
                             sort=False)


# --- convergence coding ------------------------------------------------------------------

CLASSES = ("agreement", "partial agreement", "dissonance", "silence")
CONVERGENCE_COLUMNS = ("row", S.CODE_ID, "label", "site_a", "site_b", "share_a", "share_b",
                       "difference", "child_overlap", "suggested")


def convergence(site_matrix: pd.DataFrame, codebook: Codebook, *, prominence: float = 0.25,
                overlap: float = 0.5) -> pd.DataFrame:
    """Convergence coding (Farmer et al. 2006) of every code, category and domain for every
    pair of sites, suggested from the framework matrix by site (or, given
    :func:`coder_matrix`, for every pair of coders).

    - *silence*: raised in one site and not in the other (computed, not a suggestion);
    - otherwise the two sites agree on *prominence* when the shares of participants who raised
      the code differ by at most ``prominence``, and on *meaning* when the child codes raised
      in each site overlap by a Jaccard index of at least ``overlap`` (for categories and
      domains; a code's meaning cannot be compared automatically, so it counts as agreeing);
    - *agreement* when both agree, *partial agreement* when one does, *dissonance* when
      neither. Codes raised in neither site are left out.

    Suggestions are for the researchers to confirm (Farmer's protocol asks them to read the
    segments). Farmer T et al. (2006) Qual Health Res 16:377-394.
    """
    sites = list(dict.fromkeys(site_matrix["value"]))
    cells = site_matrix.set_index([S.CODE_ID, "value"])
    present = {(code, site): n > 0 for (code, site), n in cells["n_participants"].items()}
    rows = []
    for code in codebook.codes:
        if (code.id, sites[0]) not in cells.index:
            continue
        children = [c.id for c in codebook.codable if c.id.startswith(code.id + ".")]
        for i, site_a in enumerate(sites):
            for site_b in sites[i + 1:]:
                a, b = present[code.id, site_a], present[code.id, site_b]
                if not (a or b):
                    continue
                share_a = cells.loc[(code.id, site_a), "share_participants"]
                share_b = cells.loc[(code.id, site_b), "share_participants"]
                jaccard = _jaccard({c for c in children if present.get((c, site_a))},
                                   {c for c in children if present.get((c, site_b))}) \
                    if children else float("nan")
                rows.append((cells.loc[(code.id, site_a), "row"], code.id,
                             cells.loc[(code.id, site_a), "label"], site_a, site_b, share_a,
                             share_b, abs(share_a - share_b), jaccard,
                             _suggest(a, b, abs(share_a - share_b), jaccard, prominence,
                                      overlap)))
    return pd.DataFrame(rows, columns=list(CONVERGENCE_COLUMNS))


def confirmed_convergence(site_matrix: pd.DataFrame, codebook: Codebook,
                          confirmed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The convergence table with the researchers' confirmations (columns ``confirmed`` and
    ``note``; ``convergence`` is the confirmed class, else the suggested one), and its
    per-code summary."""
    merged = convergence(site_matrix, codebook).merge(
        confirmed, on=[S.CODE_ID, "site_a", "site_b"], how="left")
    merged["confirmed"] = merged["confirmed"].fillna("")
    merged["convergence"] = merged["confirmed"].where(merged["confirmed"] != "",
                                                      merged["suggested"])
    return merged, convergence_summary(site_matrix, merged, merged["convergence"])


def _jaccard(first: set, second: set) -> float:
    union = first | second
    return len(first & second) / len(union) if union else float("nan")


def _suggest(a: bool, b: bool, difference: float, jaccard: float, prominence: float,
             overlap: float) -> str:
    if a != b:
        return "silence"
    agreeing = int(difference <= prominence) + int(pd.isna(jaccard) or jaccard >= overlap)
    return CLASSES[2 - agreeing]


def convergence_summary(site_matrix: pd.DataFrame, table: pd.DataFrame, classes: pd.Series
                        ) -> pd.DataFrame:
    """Per code: in how many of the sites it was raised, and one class over its site pairs:
    silence when raised in some sites only, else dissonance if any pair is dissonant, else
    partial agreement if any pair is partial, else agreement. ``classes`` gives each row of
    ``table`` its class (suggested, or confirmed by the researchers)."""
    sites = site_matrix["value"].nunique()
    raised = site_matrix[site_matrix["n_participants"] > 0].groupby(S.CODE_ID)["value"]\
        .nunique()
    rows = []
    for code, pairs in table.assign(klass=classes).groupby(S.CODE_ID, sort=False):
        k = int(raised.get(code, 0))
        found = set(pairs["klass"])
        if k < sites:
            overall = "silence"
        elif "dissonance" in found:
            overall = "dissonance"
        elif "partial agreement" in found:
            overall = "partial agreement"
        else:
            overall = "agreement"
        rows.append((pairs["row"].iloc[0], code, pairs["label"].iloc[0], k, sites,
                     f"present in {k} of {sites} sites", overall))
    return pd.DataFrame(rows, columns=["row", S.CODE_ID, "label", "n_sites_present", "n_sites",
                                       "presence", "convergence"])


# --- co-occurrence -------------------------------------------------------------------------


def cooccurrence(codings: pd.DataFrame, segments: pd.DataFrame,
                 code_ids: list[str]) -> pd.DataFrame:
    """Every pair of codes: how many segments, and how many participants, carry both, with
    the Jaccard index of each (shared / either)."""
    import numpy as np

    codable = segments[segments[S.CODABLE]]
    coded = codings[[S.SEGMENT_ID, S.CODE_ID]].drop_duplicates().merge(
        codable[[S.SEGMENT_ID, S.PARTICIPANT_ID]], on=S.SEGMENT_ID)
    result = {}
    for level, unit in (("segments", S.SEGMENT_ID), ("participants", S.PARTICIPANT_ID)):
        units = pd.Index(coded[unit].unique())
        present = np.zeros((len(units), len(code_ids)), dtype=np.int64)
        column = pd.Index(code_ids).get_indexer(coded[S.CODE_ID])
        listed = column >= 0
        present[units.get_indexer(coded[unit])[listed], column[listed]] = 1
        both = present.T @ present
        counts = np.diag(both)
        with np.errstate(invalid="ignore", divide="ignore"):
            jaccard = both / (counts[:, None] + counts[None, :] - both)
        result[level] = (both, jaccard)
    rows = [(code_ids[i], code_ids[j], int(result["segments"][0][i, j]),
             result["segments"][1][i, j], int(result["participants"][0][i, j]),
             result["participants"][1][i, j])
            for i in range(len(code_ids)) for j in range(i + 1, len(code_ids))]
    return pd.DataFrame(rows, columns=["code_a", "code_b", "n_segments_both",
                                       "jaccard_segments", "n_participants_both",
                                       "jaccard_participants"])
