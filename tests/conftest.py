"""Shared fixtures: small French studies built in temporary folders, and the demo study."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from qualcode.paths import INPUTS

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QUALCODE_SHARED", ROOT.parent / "shared"))

# A small focus group of two interns and a moderator, their identities and two coders.
TRANSCRIPT = """\
Animatrice : Qu'est-ce qui compte le plus pour vous dans le logement ?
Camille : Une chambre à moi, fermée à clé. Et une salle de bain pas partagée.
Hugo : Moi c'est le parking. Sans voiture, impossible de faire mes trois cabinets.
Animatrice : Et le loyer ?
Camille : Moins que les 300 euros d'indemnité, sinon ça n'a pas d'intérêt.
"""
IDENTITIES = """\
    group_id,speaker,name,participant_id
    ,Animatrice,Sophie Laurent,MOD
    FG1,Camille,Camille Martin,P11
    FG1,Hugo,Hugo Lefèvre,P12
    """
CODERS = "coders:\n  - {id: A, name: Alice Durand}\n  - {id: B}\n"


def build_study(root: Path, transcripts: dict[str, str | bytes], *,
                identities: str | None = None, unit: str = "sentence", extra: str = "") -> Path:
    """A one- or two-group study in ``root``: each transcript (``str`` written as UTF-8,
    ``bytes`` as is) becomes a group FG1, FG2... at site ``ville``, with participants
    P01..P08 in every group."""
    (root / "transcripts").mkdir(parents=True)
    (root / "codebooks").mkdir()
    shutil.copy(ROOT / "codebooks" / "htes.yaml", root / "codebooks" / "htes.yaml")
    groups, participants = [], []
    for n, (name, content) in enumerate(transcripts.items(), 1):
        path = root / "transcripts" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        groups.append(f"  - {{id: FG{n}, site: ville, transcript: transcripts/{name}, "
                      "moderator: MOD}")
        participants += [f"  - {{id: P{n}{i}, group: FG{n}}}" for i in range(1, 9)]
    (root / "study.yaml").write_text(textwrap.dedent(f"""\
        title: Étude test
        codebook: codebooks/htes.yaml
        coding_unit: {unit}
        sites:
          - {{id: ville, kind: rural_town}}
        groups:
        """) + "\n".join(groups) + "\nparticipants:\n" + "\n".join(participants)
        + "\nroles:\n  - {id: MOD, label: Modératrice}\n" + extra, encoding="utf-8")
    if identities is not None:
        (root / "identities.csv").write_text(textwrap.dedent(identities), encoding="utf-8")
    return root


@pytest.fixture
def make_study(tmp_path):
    """Build a study in a temporary folder: ``make_study({"fg1.txt": text}, identities=...)``
    (see :func:`build_study`)."""

    def build(transcripts: dict[str, str | bytes], **options) -> Path:
        return build_study(tmp_path / "study", transcripts, **options)

    return build


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory) -> Path:
    """A fresh copy of the demo study, analysed once per test session by ``qualcode run``."""
    from qualcode.pipeline import run

    root = copy_demo(tmp_path_factory.mktemp("demo"))
    run(root)
    return root


def copy_demo(root: Path) -> Path:
    """The demo study's input files copied into ``root``."""
    for item in INPUTS:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, root / item)
        else:
            shutil.copy2(source, root / item)
    return root


@pytest.fixture
def shared() -> Path:
    """``../shared``, the developers' data folder; tests using it skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (see :mod:`tests.browsing`)."""
    from tests.browsing import ARGS, CHROMIUM, need_browser

    sync_playwright = need_browser()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def codings_of(root: Path, coder: str, transcript: str) -> list[tuple[str, str]]:
    """A coder's (segment, code) on a transcript, in order, as the library reads them."""
    from qualcode.steps.collect import collect_codings
    from qualcode.steps.transcripts import prepare
    from qualcode.study import load_study

    study = load_study(root)
    codebook, imported = prepare(study)
    codings = collect_codings(study, imported, codebook).codings
    mine = codings[(codings.coder == coder)
                   & codings.segment_id.str.startswith(f"{transcript}-")]
    return list(zip(mine.segment_id, mine.code_id, strict=True))
