"""What people decide, typed into workbooks: one rule for every kind of decision.

Consensus decisions, convergence confirmations and suggestion reviews are each typed into a
workbook under ``codings/decisions/`` and recorded in a CSV file under ``codings/`` (the audit
trail). Both are inputs: qualcode reads them, records what was typed, adds the rows still to
decide to the workbook and never clears a typed cell. These functions are that rule, on
tables (no disk); ``keys`` name a row (``segment_id, code_id``), ``filled`` the columns
people type into.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from qualcode import schema as S
from qualcode.paths import CONFIRMATIONS_FILE, DECISIONS_FILE, SUGGESTIONS_FILE


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of decision: the CSV file under ``codings/`` that records it, the workbook
    under ``codings/decisions/`` people type it into (earlier versions made it in
    ``analyses/``, where it is still read), the columns that name a row and those typed."""

    record: str
    workbook: str
    keys: tuple[str, ...]
    filled: tuple[str, ...]


CONSENSUS = Kind(DECISIONS_FILE, "disagreements.xlsx", (S.SEGMENT_ID, S.CODE_ID),
                 ("decision", "rationale", "decided_by"))
CONVERGENCE = Kind(CONFIRMATIONS_FILE, "convergence.xlsx", (S.CODE_ID, "site_a", "site_b"),
                   ("confirmed", "note"))
REVIEW = Kind(SUGGESTIONS_FILE, "suggestions.xlsx", (S.SEGMENT_ID, S.CODE_ID),
              ("decision", "reviewed_by"))


@dataclass(frozen=True, slots=True)
class Typed:
    """The decisions of one kind: as ``recorded`` in their CSV file, the rows their workbook
    ``listed`` (None when there is no workbook yet), and every decision (``merged``: the
    record with what was typed since, see :func:`merge_typed`)."""

    kind: Kind
    recorded: pd.DataFrame
    listed: pd.DataFrame | None
    merged: pd.DataFrame


def merge_typed(recorded: pd.DataFrame, typed: Iterable[pd.DataFrame], *,
                keys: Sequence[str], filled: Sequence[str]) -> pd.DataFrame:
    """The decisions: the ``recorded`` rows, each cell replaced by a non-empty cell of the
    same row in the ``typed`` tables (later tables win), and the rows typed but not recorded
    yet. An emptied cell changes nothing, so no decision is lost; rows with nothing filled
    are left out. Sorted by ``keys``."""
    values: dict[tuple, dict[str, str]] = {}
    for table in (recorded, *typed):
        for row in table[[*keys, *filled]].itertuples(index=False, name=None):
            entry = values.setdefault(row[:len(keys)], dict.fromkeys(filled, ""))
            for column, value in zip(filled, row[len(keys):], strict=True):
                if value:
                    entry[column] = value
    rows = [(*key, *entry.values()) for key, entry in values.items() if any(entry.values())]
    return pd.DataFrame(sorted(rows), columns=[*keys, *filled])


def workbook_rows(listed: pd.DataFrame | None, current: pd.DataFrame, decisions: pd.DataFrame,
                  *, keys: Sequence[str], filled: Sequence[str]) -> pd.DataFrame:
    """The rows a decision workbook shows: the rows it ``listed`` already, in their order
    (people may have sorted them), then the ``current`` rows it did not list, in their order.

    A listed row takes qualcode's columns from ``current`` and its filled columns from the
    ``decisions`` (which hold everything typed). A listed row that is no longer current (the
    coders changed their codes) stays while anything in it is decided, and goes when it is
    empty: nothing typed is ever dropped."""
    columns = [*current.columns, *filled]
    info = {tuple(row[k] for k in keys): row for row in current.to_dict("records")}
    given = {tuple(row[:len(keys)]): dict(zip(filled, row[len(keys):], strict=True))
             for row in decisions[[*keys, *filled]].itertuples(index=False, name=None)}
    empty = dict.fromkeys(filled, "")
    rows, seen = [], set()
    for row in ([] if listed is None else listed.to_dict("records")):
        key = tuple(row[k] for k in keys)
        if key in seen:
            continue
        seen.add(key)
        decided = given.get(key, empty)
        if key in info:
            rows.append({**info[key], **decided})
        elif any(decided.values()):
            rows.append({**{c: row.get(c, "") for c in columns}, **decided})
    rows += [{**row, **given.get(key, empty)} for key, row in info.items() if key not in seen]
    return pd.DataFrame(rows, columns=columns)


def unchanged(listed: pd.DataFrame | None, rows: pd.DataFrame) -> bool:
    """Whether a workbook that lists ``listed`` already shows ``rows`` (compared as the text
    of each cell), so that it need not be written again."""
    if listed is None or len(listed) != len(rows) or \
            any(c not in listed.columns for c in rows.columns):
        return False
    return _texts(listed[list(rows.columns)]) == _texts(rows)


def _texts(table: pd.DataFrame) -> list[tuple[str, ...]]:
    return [tuple("" if pd.isna(v) else str(v).strip() for v in row)
            for row in table.itertuples(index=False, name=None)]
