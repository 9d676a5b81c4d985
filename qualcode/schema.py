"""Column names of qualcode's tables and the few structured records passed between stages.

Tables are long-format :class:`pandas.DataFrame` objects whose column names are the constants
below, so that a typo is an ``AttributeError`` rather than a silently missing column.
"""

from __future__ import annotations

from dataclasses import dataclass

# segments: one row per coding unit (sentence or turn)
SEGMENT_ID = "segment_id"
TRANSCRIPT_ID = "transcript_id"
GROUP_ID = "group_id"
SITE_ID = "site_id"
PARTICIPANT_ID = "participant_id"
TURN = "turn"
START = "start"
END = "end"
TEXT = "text"
CODABLE = "codable"
TIME = "time"

SEGMENT_COLUMNS = (SEGMENT_ID, TRANSCRIPT_ID, GROUP_ID, SITE_ID, PARTICIPANT_ID, TURN,
                   START, END, TEXT, CODABLE, TIME)

# codings: one row per code applied to a segment by a coder
CODER = "coder"
CODE_ID = "code_id"
SOURCE = "source"

CODING_COLUMNS = (CODER, SEGMENT_ID, CODE_ID, SOURCE)

# spans: one row per code a coder applied to a stretch of text (end exclusive)
SPAN_COLUMNS = (CODER, TRANSCRIPT_ID, START, END, CODE_ID, SOURCE)

# disagreements: one row per (segment, code) on which the coders differ, and the decisions
DISAGREEMENT_COLUMNS = (SEGMENT_ID, GROUP_ID, PARTICIPANT_ID, TEXT, CODE_ID, "applied_by",
                        "not_applied_by")
DECISIONS = ("keep", "drop")
DECISION_COLUMNS = (SEGMENT_ID, CODE_ID, "decision", "rationale", "decided_by")

# import summary: one row per transcript
SUMMARY_COLUMNS = (TRANSCRIPT_ID, GROUP_ID, SITE_ID, "n_turns", "n_segments", "n_words",
                   "n_speakers")


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line (paragraph, table row or subtitle cue) of a transcript file.

    ``speaker`` is set when the file format itself marks who speaks (a bold run in Word, the
    first column of a table, a WebVTT voice tag); otherwise speaker labels are detected in
    ``text``. ``location`` is a line number, or a place such as ``"paragraph 12"``.
    """

    text: str
    location: int | str
    speaker: str | None = None
    time: float | None = None


@dataclass(frozen=True, slots=True)
class SourceText:
    """A transcript file read into lines, before speaker turns are detected.

    ``cues`` is true for subtitle files, where one turn is often split over several cues:
    consecutive cues of the same speaker are then joined into one turn.
    """

    path: str
    lines: tuple[SourceLine, ...]
    cues: bool = False


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: the label exactly as the transcript writes it, and what was said.

    ``location`` is where the turn starts in the source file; ``time`` is its timestamp in
    seconds when the transcript gives one.
    """

    speaker: str
    text: str
    location: int | str
    time: float | None = None
