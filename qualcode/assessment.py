"""Assess a housing design against the requirement checklist.

A design (``designs/<name>.yaml``) describes an existing or candidate housing unit and says,
for the requirements it has evidence on, whether each is ``met``, ``partly`` met, ``not_met``
or ``unknown``; every requirement it does not mention is unknown. Unknown is not a shortfall: it
says the design's file is silent, and the checklist lists it apart from what is not met. The
coverage weights each requirement by its priority (essential 3, important 2, desirable 1, not
raised 0) and counts met as 1, partly as 1/2, not met and unknown as 0; the coverage of what
is known (``coverage_of_known``, the headline) leaves the unknown requirements out. Statuses
and priorities are language-neutral codes; the report puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qualcode.checklist import PRIORITIES
from qualcode.errors import DesignError
from qualcode.io.yamlfile import check_keys, line_of, read_yaml

STATUSES = ("met", "partly", "not_met", "unknown")
WEIGHTS = dict(zip(PRIORITIES, (3, 2, 1, 0), strict=True))
VALUES = {"met": 1.0, "partly": 0.5, "not_met": 0.0, "unknown": 0.0}


@dataclass(frozen=True, slots=True)
class Design:
    """A housing design and its own assessment of the requirements."""

    name: str
    kind: str
    source: str
    facts: dict[str, str] = field(default_factory=dict)
    assessment: dict[str, tuple[str, str]] = field(default_factory=dict)
    path: Path | None = None


def load_design(path: Path, requirement_ids: set[str]) -> Design:
    """Read and check a design file; errors name the line."""
    data = check_keys(read_yaml(path, DesignError), what="a design", path=path,
                      error=DesignError, required=("name",),
                      optional=("kind", "source", "facts", "assessment"))
    kind = data.get("kind", "candidate")
    if kind not in ("existing", "candidate"):
        raise DesignError(f"kind '{kind}' must be existing or candidate", path=path,
                          line=line_of(data, "kind"))
    facts = data.get("facts") or {}
    if not isinstance(facts, dict):
        raise DesignError("facts must be a mapping (capacity: ..., price: ...)", path=path,
                          line=line_of(data, "facts"))
    entries = data.get("assessment") or {}
    if not isinstance(entries, dict):
        raise DesignError("assessment must be a mapping of requirement ids, such as "
                          "R-HQ-01: {status: met}", path=path, line=line_of(data, "assessment"))
    assessment = {}
    for key, entry in entries.items():
        line = line_of(data.get("assessment"), key)
        if key not in requirement_ids:
            raise DesignError(f"unknown requirement '{key}'; the codebook's ids look like "
                              "R-HQ-01", path=path, line=line)
        entry = check_keys(entry, what=f"the assessment of {key}", path=path,
                           error=DesignError, required=("status",), optional=("note",),
                           line=line)
        if entry["status"] not in STATUSES:
            raise DesignError(f"status '{entry['status']}' of {key} must be one of "
                              f"{', '.join(STATUSES)}", path=path, line=line)
        assessment[str(key)] = (entry["status"], str(entry.get("note") or ""))
    return Design(str(data["name"]), kind, str(data.get("source") or ""),
                  {str(k): str(v) for k, v in facts.items()}, assessment, path)


def assess(design: Design, requirements: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """``(summary, table)``: the coverage scores and counts (``n_known`` too), and one row
    per requirement with its priority, status and note, gaps first (by priority, then id)."""
    rows = []
    for row in requirements.itertuples(index=False):
        status, note = design.assessment.get(row.requirement_id, ("unknown", ""))
        rows.append((row.requirement_id, row.domain, row.text, row.priority, status, note,
                     WEIGHTS[row.priority], VALUES[status]))
    table = pd.DataFrame(rows, columns=["requirement_id", "domain", "text", "priority",
                                        "status", "note", "weight", "value"])
    weights, known = table["weight"], table["status"] != "unknown"
    total = weights.sum()
    summary = {"design": design.name, "kind": design.kind, "n_requirements": len(table),
               **{f"n_{status}": int((table["status"] == status).sum()) for status in STATUSES},
               "n_known": int(known.sum()),
               "coverage": float((weights * table["value"]).sum() / total) if total else 0.0,
               "coverage_of_known": float((weights * table["value"])[known].sum()
                                          / weights[known].sum()) if weights[known].sum()
               else float("nan")}
    order = {priority: i for i, priority in enumerate(PRIORITIES)}
    table = table.assign(gap=table["status"] != "met", rank=table["priority"].map(order))
    table = table.sort_values(["gap", "rank", "requirement_id"],
                              ascending=[False, True, True], kind="stable")
    return summary, table.drop(columns=["gap", "rank"]).reset_index(drop=True)


def design_files(folder: Path) -> list[Path]:
    """The design files of a study (``designs/*.yaml``)."""
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() \
        else []
