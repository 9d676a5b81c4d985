"""The study folder: the name of every file and folder qualcode reads or writes in it, in one
place, and :class:`StudyPaths`, where they are for one study (``study.paths``).

Files people type into live outside ``analyses/`` (``codings/``, its ``decisions/``);
``analyses/`` holds only what a run can regenerate. A run writes its outputs into a staging
folder that becomes ``analyses/``, so the writers take that folder (``into``) and name what
is inside it with the output names below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STUDY_FILE = "study.yaml"
IDENTITIES_FILE = "identities.csv"
NAME_REVIEW_FILE = "names-review.csv"  # the names found at import: private, like identities
TRANSCRIPTS = "transcripts"
CODEBOOKS = "codebooks"
CODINGS = "codings"
DESIGNS = "designs"
ANALYSES = "analyses"
CACHE = ".qualcode/cache"
"""The study's private cache of expensive computations (safe to delete)."""
RUN_LOCK = ".qualcode/analyses.lock"
"""Locked by the run writing ``analyses/`` where a folder cannot be (Windows; elsewhere the
study folder is): a second run at the same time is refused."""

# Inside codings/
SHEETS_FOLDER = "sheets"
DECISIONS_FOLDER = "decisions"
"""``codings/decisions/``: the workbooks people type decisions into (not coding files)."""
BROWSER_FOLDER = "browser"
"""``codings/browser/``: each coder's work in the browser, ``<coder>.csv`` (a coding file)."""
BACKUPS_FOLDER = "backups"
"""``codings/backups/``: coding sheets replaced by ``qualcode sheet`` (not read)."""
DECISIONS_FILE = "consensus.csv"
CONFIRMATIONS_FILE = "convergence.csv"
SUGGESTIONS_FILE = "suggest.csv"

# Inside analyses/
FIGURES = "figures"
WORD_FOLDER = "word"
MANIFEST = "run.json"
"""Written last into a complete set of outputs."""

INPUTS = (STUDY_FILE, IDENTITIES_FILE, TRANSCRIPTS, CODEBOOKS, CODINGS, DESIGNS)
"""What a study is made of: what ``run.json`` hashes and ``qualcode init --demo`` copies."""


@dataclass(frozen=True, slots=True)
class StudyPaths:
    """Where everything of the study folder at ``root`` is."""

    root: Path

    @property
    def study_file(self) -> Path:
        return self.root / STUDY_FILE

    @property
    def identities(self) -> Path:
        return self.root / IDENTITIES_FILE

    @property
    def name_review(self) -> Path:
        return self.root / NAME_REVIEW_FILE

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    @property
    def run_lock(self) -> Path:
        return self.root / RUN_LOCK

    @property
    def designs(self) -> Path:
        return self.root / DESIGNS

    @property
    def codings(self) -> Path:
        return self.root / CODINGS

    @property
    def sheets(self) -> Path:
        return self.codings / SHEETS_FOLDER

    @property
    def decisions(self) -> Path:
        return self.codings / DECISIONS_FOLDER

    @property
    def browser(self) -> Path:
        return self.codings / BROWSER_FOLDER

    @property
    def backups(self) -> Path:
        return self.codings / BACKUPS_FOLDER

    @property
    def suggestions(self) -> Path:
        return self.codings / SUGGESTIONS_FILE

    @property
    def analyses(self) -> Path:
        return self.root / ANALYSES

    @property
    def word(self) -> Path:
        return self.analyses / WORD_FOLDER
