"""The extracts report (``analyses/extracts.docx``): every coded passage, code by code and
site by site, as juries know NVivo's coding summary (layout only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.report.document import new_document, save_document
from qualcode.report.wording import study_wording
from qualcode.study import Study
from qualcode.text import quote


def write_extracts(path: Path, study: Study, codebook: Codebook, codings: pd.DataFrame,
                   segments: pd.DataFrame, coding: str) -> Path:
    """One heading per domain and code (with its count of passages and participants), then
    per site its passages in transcript order, each a complete quote with its participant
    and segment; ``codings`` is the reference coding, ``coding`` says which it is."""
    from docx.shared import Pt

    words = study_wording(study)
    document = new_document(study.language)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(words("extracts.title"), level=0)
    document.add_paragraph(study.title)
    document.add_paragraph(words("extracts.intro", coding=coding))
    coded = codings[[S.SEGMENT_ID, S.CODE_ID]].drop_duplicates().merge(
        segments, on=S.SEGMENT_ID).sort_values([S.CODE_ID, S.SEGMENT_ID])
    by_code = dict(tuple(coded.groupby(S.CODE_ID)))
    for code in codebook.codes:
        if not code.codable:
            document.add_heading(codebook.text(code.label, study.language),
                                 level=min(code.depth + 1, 3))
            continue
        mine = by_code.get(code.id)
        n = 0 if mine is None else len(mine)
        people = 0 if mine is None else mine[S.PARTICIPANT_ID].nunique()
        document.add_heading(f"{codebook.text(code.label, study.language)} ({code.id})",
                             level=min(code.depth + 1, 3))
        document.add_paragraph(f"{words.count(n, 'passage')}, "
                               f"{words.count(people, 'participant')}").runs[0].italic = True
        if mine is None:
            continue
        for site in study.sites:
            here = mine[mine[S.SITE_ID] == site.id]
            if here.empty:
                continue
            document.add_paragraph(site.name).runs[0].bold = True
            for row in here.itertuples(index=False):
                document.add_paragraph(quote(row.text, row.participant_id, row.segment_id),
                                       style="List Bullet")
    return save_document(path, document, study.language)
