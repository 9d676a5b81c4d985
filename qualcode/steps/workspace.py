"""The browser workspace on disk: each coder's work in ``codings/browser/<coder>.csv``, read
and changed one transcript at a time, every change saved at once and atomically (see
:mod:`qualcode.workspace` for why the workspace takes over a transcript from other files).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.coding import Codings
from qualcode.errors import QualcodeError
from qualcode.io.codings import read_coding_csv, write_workspace
from qualcode.paths import BROWSER_FOLDER
from qualcode.study import Study
from qualcode.workspace import TranscriptWork, from_rows, seed, to_rows

_locks: dict[Path, threading.Lock] = {}
_locks_lock = threading.Lock()


def workspace_path(study: Study, coder: str) -> Path:
    """``codings/browser/<coder>.csv``."""
    return study.paths.browser / f"{coder}.csv"


def read_workspace(study: Study, coder: str) -> dict[str, TranscriptWork]:
    """A coder's work per transcript in the browser (none when they never used it)."""
    return _read(workspace_path(study, coder), coder)[0]


def _read(path: Path, coder: str) -> tuple[dict[str, TranscriptWork], dict[str, str]]:
    """The work in a workspace file, and the segment texts its rows hold."""
    if not path.is_file():
        return {}, {}
    form, table = read_coding_csv(path)
    if form != "workspace":
        raise QualcodeError("not a browser workspace (it has no 'record' column); move it out "
                            f"of codings/{BROWSER_FOLDER}/", path=path)
    table = table[table["coder"] == coder]
    texts = table[table["text"] != ""]
    return from_rows(table), dict(zip(texts["segment_id"], texts["text"], strict=True))


def transcript_work(study: Study, coder: str, segments: pd.DataFrame,
                    collected: Callable[[], Codings]) -> TranscriptWork:
    """The work of ``coder`` on the transcript of ``segments`` (its segments only), as
    ``collect`` reads it: from the workspace when the coder codes it in the browser, else
    from their other files (``collected()``, the collected codings)."""
    transcript_id = segments[S.TRANSCRIPT_ID].iloc[0]
    work = read_workspace(study, coder)
    if transcript_id in work:
        return work[transcript_id]
    return seed(collected(), coder, segments, share=study.span_share)


def change_work(study: Study, coder: str, segments: pd.DataFrame,
                collected: Callable[[], Codings],
                change: Callable[[TranscriptWork], None]) -> TranscriptWork:
    """Apply ``change`` to the work of ``coder`` on the transcript of ``segments`` and save
    the coder's workspace at once, atomically; the first change to a transcript seeds it
    from the coder's other files. Changes of one coder are applied one at a time; each coder
    has a file of their own, so two coders saving at once lose nothing."""
    transcript_id = segments[S.TRANSCRIPT_ID].iloc[0]
    path = workspace_path(study, coder)
    with _locks_lock:
        lock = _locks.setdefault(path, threading.Lock())
    with lock:
        work, texts = _read(path, coder)
        if transcript_id not in work:
            work[transcript_id] = seed(collected(), coder, segments, share=study.span_share)
        change(work[transcript_id])
        texts |= dict(zip(segments[S.SEGMENT_ID], segments[S.TEXT], strict=True))
        write_workspace(path, to_rows(coder, work, texts))
    return work[transcript_id]


def progress(study: Study, collected: Codings, segments: pd.DataFrame
             ) -> dict[tuple[str, str], str]:
    """``(coder, transcript) -> "done" | "started"`` as ``collect`` sees it: done when
    reviewed (marked done in the browser, or covered by a sheet or another file), started
    when coded in part or opened in the browser; absent pairs are not started."""
    status = {(c, t): "done" for c, t in zip(collected.reviewed[S.CODER],
                                              collected.reviewed[S.TRANSCRIPT_ID], strict=True)}
    transcript_of = dict(zip(segments[S.SEGMENT_ID], segments[S.TRANSCRIPT_ID], strict=True))
    for coder, segment_id in zip(collected.codings[S.CODER], collected.codings[S.SEGMENT_ID],
                                 strict=True):
        status.setdefault((coder, transcript_of.get(segment_id, "")), "started")
    for coder in study.coders:
        for transcript_id, work in read_workspace(study, coder.id).items():
            status[coder.id, transcript_id] = "done" if work.done else "started"
    return status
