"""Property tests for the study manifest and the identities: arbitrary ``study.yaml`` text, the
demo's ``study.yaml`` structurally mutated (values replaced by other types, keys removed or
added, entries copied), and arbitrary or mutated ``identities.csv`` rows end in a study whose
fields have their declared types (and transcripts read with it), or in one StudyError naming
the file. Never another exception."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import types
import typing
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.errors import QualcodeError
from qualcode.steps.imports import read_transcripts
from qualcode.study import load_identities, load_study
from tests.conftest import ROOT

FUZZ = settings(max_examples=100, deadline=None)
DEMO = yaml.safe_load((ROOT / "study.yaml").read_text(encoding="utf-8"))
IDENTITIES = (ROOT / "identities.csv").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of the demo's transcripts and codebook, for manifests to point at."""
    root = tmp_path_factory.mktemp("study")
    for item in ("transcripts", "codebooks"):
        shutil.copytree(ROOT / item, root / item)
    return root


def well_typed(value, hint) -> bool:
    """Whether ``value`` matches the type ``hint`` of a Study field (containers checked one
    level deep)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(well_typed(value, arm) for arm in typing.get_args(hint))
    if hint is typing.Any:
        return True
    if hint is type(None):
        return value is None
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, tuple) and all(well_typed(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, origin or hint)


def check_study(root: Path, *, transcripts: bool = False) -> None:
    """Load the study and its identities (and, with ``transcripts``, read its transcripts with
    them): every field of the study and of its parts has its declared type, or one error
    line names the file (speakers that map to nobody are listed with their transcripts)."""
    try:
        study = load_study(root)
        load_identities(study)
        if transcripts:
            read_transcripts(study)
    except QualcodeError as error:
        text = str(error)
        assert "\n" not in text, text
        named = error.path is not None and error.path.name in ("study.yaml", "identities.csv")
        assert named or "map to nobody: transcripts/" in text, text
        return
    parts = [study, *study.sites, *study.groups, *study.participants, *study.roles,
             *study.coders, *load_identities(study)]
    for part in parts:
        hints = typing.get_type_hints(type(part))
        for field in fields(part):
            value = getattr(part, field.name)
            assert well_typed(value, hints[field.name]), (type(part).__name__, field.name,
                                                           value)
    for participant in study.participants:
        assert all(isinstance(name, str) for name in participant.attributes)


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(),
                    st.text(max_size=15), st.dates(),
                    st.sampled_from(["FG1", "P01", "MOD", "bordeaux", "", "sentence", "turn",
                                     "transcripts/fg2-mont-de-marsan.txt", "..", "site",
                                     "a/b", "Modératrice"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(["id", "site", "group", "kind", "transcript",
                                               "attributes", "name", "label"]),
                              st.text(max_size=8), st.integers(0, 3)), inner, max_size=3)),
    max_leaves=6)
# Each mutation picks a place in the document (a number folded onto the list of places), and
# sets it to another value, removes it, adds a key or item under it, or copies it.
mutations = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "delete", "add",
                                                                       "copy"]),
                               values, st.text(max_size=8)), min_size=1, max_size=4)


def places(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in children:
        yield from places(child, (*prefix, key))


def mutate(document, changes):
    document = copy.deepcopy(document)
    for index, kind, value, key in changes:
        every = list(places(document))
        place = every[index % len(every)]
        if not place:
            document = value if kind == "set" else document
            continue
        parent = document
        for step in place[:-1]:
            parent = parent[step]
        last, target = place[-1], parent[place[-1]]
        if kind == "set":
            parent[last] = value
        elif kind == "delete":
            del parent[last]
        elif kind == "add" and isinstance(target, dict):
            target[key] = value
        elif kind == "add" and isinstance(target, list):
            target.append(value)
        elif kind == "copy" and isinstance(parent, list):
            parent.append(copy.deepcopy(target))
    return document


@given(mutations)
@FUZZ
def test_fuzz_mutated_study_yaml_gives_a_typed_study_or_a_clear_error(folder, changes):
    document = mutate(DEMO, changes)
    (folder / "study.yaml").write_text(yaml.safe_dump(document, allow_unicode=True),
                                       encoding="utf-8")
    (folder / "identities.csv").unlink(missing_ok=True)
    check_study(folder)


yaml_text = st.text(alphabet=st.sampled_from(list("abcdeé :-_.{}[]\n'\"0123456789#!&*,|>")),
                    max_size=300)


@given(yaml_text)
@FUZZ
def test_fuzz_study_yaml_text_gives_a_typed_study_or_a_clear_error(folder, text):
    head = "title: t\ncodebook: codebooks/htes.yaml\n"
    (folder / "study.yaml").write_text(head + text, encoding="utf-8")
    check_study(folder)


cells = st.one_of(st.text(max_size=12), st.lists(st.sampled_from(
    ["FG1", "FG2", "", "P01", "MOD", "TIERS", "Camille", "Sophie Laurent", ",", ";", '"', "\n",
     "#", " ", "*", "é", "ß", "İ", "ﬁ", "\u00a0", "\r", "[?]", ".*", "$", "'", "’", "-"]),
    max_size=5).map("".join))
rows = st.one_of(
    st.tuples(st.sampled_from(["", "FG1", "FG2", "FG9"]), cells, cells,
              st.sampled_from(["P01", "P09", "P15", "P99", "MOD", "TIERS"])).map(",".join),
    st.lists(cells, max_size=5).map(",".join))


@given(st.lists(st.integers(0, len(IDENTITIES)), max_size=4), st.lists(rows, max_size=6),
       st.integers(0, len(IDENTITIES)))
@settings(max_examples=25, deadline=None)
def test_fuzz_identities_give_identities_or_a_clear_error(folder, removed, added, at):
    shutil.copy(ROOT / "study.yaml", folder / "study.yaml")
    kept = [line for n, line in enumerate(IDENTITIES) if n not in removed or n == 1]
    lines = kept[:at] + added + kept[at:]
    (folder / "identities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    check_study(folder, transcripts=True)


def test_well_typed_sees_a_wrong_type():
    # The property above is only as good as this check.
    assert well_typed(("a",), tuple[str, ...]) and not well_typed((1,), tuple[str, ...])
    assert well_typed(None, str | None) and not well_typed(["x"], str | None)
    assert well_typed(dt.date(2024, 2, 13), dt.date | None) and not well_typed(True, float)
