"""A coder's browser workspace (``qualcode serve``): their codes, passages and notes on the
transcripts they code in the browser, and which of these they marked done.

The workspace is the coder's single working copy of each transcript they opened in the
browser: when they first change one, it is seeded with their codings of it as ``collect``
read them from their other files (sheets, Word, CSV, REFI-QDA), and from then on ``collect``
reads that coder's codings of that transcript from the workspace alone. So a coder who began
in a sheet goes on in the browser without losing or doubling a code, and a code removed in the
browser is gone from what ``collect`` sees, while the sheet itself is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from qualcode import schema as S
from qualcode.coding import Codings, spans_to_segments


@dataclass
class TranscriptWork:
    """One coder's work on one transcript: codes on segments, codes on passages
    (``start, end, code_id``), notes on segments, and whether they marked it done."""

    done: bool = False
    codes: dict[str, set[str]] = field(default_factory=dict)
    spans: set[tuple[int, int, str]] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)

    def add_code(self, segment_id: str, code_id: str) -> None:
        self.codes.setdefault(segment_id, set()).add(code_id)

    def remove_code(self, segment_id: str, code_id: str, segments: pd.DataFrame, *,
                    share: float) -> None:
        """Remove ``code_id`` from a segment: its code, and every passage of that code that
        puts it on the segment (the whole passage: a passage is one coding)."""
        self.codes.get(segment_id, set()).discard(code_id)
        if not self.codes.get(segment_id):
            self.codes.pop(segment_id, None)
        self.spans -= {span for span in self.spans if span[2] == code_id
                       and segment_id in passage_segments(span, segments, share=share)}

    def set_note(self, segment_id: str, note: str) -> None:
        if note.strip():
            self.notes[segment_id] = note.strip()
        else:
            self.notes.pop(segment_id, None)

    def applied(self, segments: pd.DataFrame, *, share: float) -> dict[str, dict[str, bool]]:
        """Segment id -> {code id: whether only a passage puts it there}, for the segments
        of ``segments`` (one transcript's) that carry a code, passages mapped to segments by
        the rule of Word comments (``share`` of a segment's characters)."""
        result: dict[str, dict[str, bool]] = {}
        for segment_id, codes in self.codes.items():
            result[segment_id] = dict.fromkeys(sorted(codes), False)
        for _, segment_id, code_id, _ in sorted(_mapped(sorted(self.spans), segments,
                                                        share=share)):
            result.setdefault(segment_id, {}).setdefault(code_id, True)
        return result


def passage_segments(span: tuple[int, int, str], segments: pd.DataFrame, *,
                     share: float) -> list[str]:
    """The codable segments of one transcript's ``segments`` that a passage codes."""
    return [row[1] for row in _mapped([span], segments, share=share)]


def _mapped(spans: list[tuple[int, int, str]], segments: pd.DataFrame, *, share: float):
    transcript_id = segments[S.TRANSCRIPT_ID].iloc[0] if len(segments) else ""
    table = pd.DataFrame([("", transcript_id, start, end, code_id, "")
                          for start, end, code_id in spans], columns=list(S.SPAN_COLUMNS))
    return spans_to_segments(table, segments, share=share)


def seed(codings: Codings, coder: str, segments: pd.DataFrame, *,
         share: float) -> TranscriptWork:
    """The work of ``coder`` on the transcript of ``segments`` as ``collect`` read it from
    their files (``codings``): their passages, the codes those passages do not already give,
    done when collect counts the transcript as reviewed by them."""
    transcript_id = segments[S.TRANSCRIPT_ID].iloc[0]
    work = TranscriptWork()
    spans = codings.spans[(codings.spans[S.CODER] == coder)
                          & (codings.spans[S.TRANSCRIPT_ID] == transcript_id)]
    work.spans = {(int(s), int(e), c) for s, e, c in
                  zip(spans[S.START], spans[S.END], spans[S.CODE_ID], strict=True)}
    from_spans = {(segment_id, code_id) for segment_id, codes in
                  work.applied(segments, share=share).items() for code_id in codes}
    ids = set(segments[S.SEGMENT_ID])
    mine = codings.codings[(codings.codings[S.CODER] == coder)
                           & codings.codings[S.SEGMENT_ID].isin(ids)]
    for segment_id, code_id in zip(mine[S.SEGMENT_ID], mine[S.CODE_ID], strict=True):
        if (segment_id, code_id) not in from_spans:
            work.add_code(segment_id, code_id)
    reviewed = codings.reviewed
    work.done = bool(((reviewed[S.CODER] == coder)
                      & (reviewed[S.TRANSCRIPT_ID] == transcript_id)).any())
    return work


def from_rows(table: pd.DataFrame) -> dict[str, TranscriptWork]:
    """A workspace file's rows (as :func:`qualcode.io.codings.read_coding_csv` reads them)
    as the work per transcript."""
    work: dict[str, TranscriptWork] = {}
    for row in table.itertuples(index=False):
        item = work.setdefault(row.transcript_id, TranscriptWork())
        if row.record == "done":
            item.done = True
        elif row.record == "code":
            item.add_code(row.segment_id, row.code_id)
        elif row.record == "span":
            item.spans.add((int(row.start), int(row.end), row.code_id))
        elif row.record == "note":
            item.notes[row.segment_id] = row.note
    return work


def to_rows(coder: str, work: dict[str, TranscriptWork], texts: dict[str, str]) -> list[tuple]:
    """The rows of a workspace file (see :data:`qualcode.io.codings.WORKSPACE`), sorted, each
    code and note with its segment's text (``texts``) so that drift is detected."""
    rows = []
    for transcript_id in sorted(work):
        item = work[transcript_id]
        rows.append(("done" if item.done else "open", coder, transcript_id, "", "", "", "",
                     "", ""))
        for segment_id in sorted(item.codes):
            rows += [("code", coder, transcript_id, segment_id, "", "", code_id,
                      texts.get(segment_id, ""), "") for code_id in sorted(item.codes[segment_id])]
        rows += [("span", coder, transcript_id, "", str(start), str(end), code_id, "", "")
                 for start, end, code_id in sorted(item.spans)]
        rows += [("note", coder, transcript_id, segment_id, "", "", "",
                  texts.get(segment_id, ""), note) for segment_id, note in
                 sorted(item.notes.items())]
    return rows
