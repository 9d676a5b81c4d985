"""The corpus as IRaMuTeQ text (ALCESTE format), for lexicometric analysis in IRaMuTeQ.

Each text starts with a line ``**** *site_x *group_y *participant_z ...``: four stars, then
starred variables ``*name_modality``. IRaMuTeQ splits a variable at its first ``_`` and
expects plain characters, so names and modalities are folded to lower-case ASCII letters and
digits. Stars inside the text would be read as variables and are replaced by spaces. Only
participants' words are exported: the moderator's turns are left out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from qualcode import schema as S
from qualcode.text import fold

if TYPE_CHECKING:  # a name for annotations only: io/ imports nothing of the study model
    from qualcode.study import Study

PER = ("turn", "participant")


def iramuteq_corpus(segments: pd.DataFrame, study: Study, *, per: str = "turn") -> str:
    """One IRaMuTeQ text per participant turn (``per="turn"``) or per participant."""
    if per not in PER:
        raise ValueError(f"per must be one of {PER}")
    participants = {p.id: p for p in study.participants}
    spoken = segments[segments[S.PARTICIPANT_ID].isin(participants)]
    turns = spoken.groupby([S.TRANSCRIPT_ID, S.TURN], sort=True).agg(
        participant=(S.PARTICIPANT_ID, "first"), site=(S.SITE_ID, "first"),
        text=(S.TEXT, " ".join))
    if per == "participant":
        turns = turns.reset_index().sort_values(["participant", S.TRANSCRIPT_ID, S.TURN],
                                                kind="stable")
        units = turns.groupby("participant", sort=True).agg(
            site=("site", "first"), text=("text", "\n".join)).reset_index()
    else:
        units = turns.reset_index()
    texts = []
    for participant_id, site, text in units[["participant", "site", "text"]].itertuples(
            index=False):
        participant = participants[participant_id]
        variables = [("site", site), ("group", participant.group),
                     ("participant", participant.id), *participant.attributes.items()]
        texts += ["**** " + " ".join(f"*{_plain(name)}_{_plain(value)}"
                                     for name, value in variables),
                  text.replace("*", " "), ""]
    return "\n".join(texts)


def _plain(value: object) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(str(value))) or "na"
