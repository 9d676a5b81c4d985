"""Create study folders: an empty one to fill in, or a copy of the bundled demo study.

The demo study (three fictional focus groups) lives at the root of qualcode's repository and
is shipped inside the wheel as ``qualcode/_demo``: one set of files for both.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.paths import (
    CODEBOOKS,
    CODINGS,
    DESIGNS,
    IDENTITIES_FILE,
    INPUTS,
    NAME_REVIEW_FILE,
    STUDY_FILE,
    TRANSCRIPTS,
)
from qualcode.study import IDENTITY_COLUMNS

STUDY_FOLDERS = (TRANSCRIPTS, CODEBOOKS, CODINGS, DESIGNS)

_TEMPLATE = """\
# study.yaml — describes the study; every key is explained in docs/study-folder.md.
title: "Mon étude"
language: fr                    # language of the report: fr or en
codebook: codebooks/htes.yaml   # the HTES codebook, to adapt or replace
coding_unit: sentence           # sentence or turn
sites:
  # - {id: ville_a, name: "Ville A", kind: university_city}
groups:
  # - id: FG1
  #   site: ville_a
  #   date: 2024-02-13
  #   transcript: transcripts/fg1.docx
  #   moderator: MOD
  #   invited: 9
  #   attended: 8
participants:
  # - {id: P01, group: FG1, attributes: {semester: 5, sex: F}}
roles:
  - {id: MOD, label: Modérateur·rice}
coders:
  # - {id: coder_a}
"""

_GITIGNORE = f"""\
# real names: never commit them
{IDENTITIES_FILE}
{NAME_REVIEW_FILE}
# everything qualcode writes; regenerate with `qualcode run`
analyses/
.analyses-*
# qualcode's private cache (pseudonymised text, the names found); safe to delete
.qualcode/
"""


def demo_dir() -> Path:
    """The bundled demo study: in the installed package, or at the root of a source tree."""
    packaged = resources.files("qualcode") / "_demo"
    if packaged.is_dir() and (packaged / STUDY_FILE).is_file():
        return Path(str(packaged))
    source_root = Path(__file__).resolve().parents[2]
    if (source_root / STUDY_FILE).is_file() and (source_root / "pyproject.toml").is_file():
        return source_root
    raise QualcodeError("the demo study is missing from this installation; reinstall qualcode")


def init_study(target: Path, *, demo: bool = False) -> Path:
    """Create a study folder at ``target`` (which must not exist or be empty)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise QualcodeError("folder exists and is not empty; choose a new folder name",
                            path=target)
    source = demo_dir()
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        for folder in STUDY_FOLDERS:
            (target / folder).mkdir(exist_ok=True)
        if demo:
            for item in INPUTS:
                for path in [source / item, *sorted((source / item).rglob("*"))]:
                    # file by file: copytree would turn a full disk into a list of messages
                    copy = target / path.relative_to(source)
                    if path.is_dir():
                        copy.mkdir(exist_ok=True)
                    else:
                        shutil.copy2(path, copy)
        else:
            shutil.copy2(source / "codebooks" / "htes.yaml", target / "codebooks" / "htes.yaml")
            (target / STUDY_FILE).write_text(_TEMPLATE, encoding="utf-8")
            (target / IDENTITIES_FILE).write_text(",".join(IDENTITY_COLUMNS) + "\n",
                                                  encoding="utf-8")
        # a demo copy too: it is where a resident starts, then puts real names in
        (target / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    except BaseException:  # a full disk, a folder refused: no half-made study is left
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return target
