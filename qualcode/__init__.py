"""qualcode: team-based qualitative analysis of focus-group and interview transcripts.

The public API, in data-flow order: load a study and its codebook, import its transcripts
into segments, and run every stage into ``analyses/``.
"""

from qualcode._version import __version__
from qualcode.codebook import Code, Codebook, Requirement, load_codebook
from qualcode.corpus import Transcript, detect_turns, segment_transcripts, split_sentences
from qualcode.errors import (
    CodebookError,
    QualcodeError,
    QualcodeWarning,
    StudyError,
    SystemFault,
    TranscriptError,
)
from qualcode.io.transcripts import read_transcript
from qualcode.pipeline import RunResult, run, run_study
from qualcode.steps.imports import ImportResult, find_person_names, import_study, preview_import
from qualcode.steps.scaffold import init_study
from qualcode.study import Study, load_identities, load_study

__all__ = [
    "Code",
    "Codebook",
    "CodebookError",
    "ImportResult",
    "QualcodeError",
    "QualcodeWarning",
    "Requirement",
    "RunResult",
    "Study",
    "StudyError",
    "SystemFault",
    "Transcript",
    "TranscriptError",
    "__version__",
    "detect_turns",
    "find_person_names",
    "import_study",
    "init_study",
    "load_codebook",
    "load_identities",
    "load_study",
    "preview_import",
    "read_transcript",
    "run",
    "run_study",
    "segment_transcripts",
    "split_sentences",
]
