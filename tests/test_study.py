"""study.yaml and identities.csv: what is read, and the precise errors for what is wrong."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from qualcode.errors import StudyError, TranscriptError
from qualcode.steps.imports import import_study, preview_import
from qualcode.study import load_identities, load_study

TRANSCRIPT = "Animatrice : Bonjour.\nCamille : Une chambre à moi.\n"


def edit(root, old: str, new: str) -> None:
    path = root / "study.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_study_demo_manifest_is_read(demo_copy):
    study = load_study(demo_copy)
    assert study.fictional and study.language == "fr" and study.coding_unit == "sentence"
    assert [s.kind for s in study.sites] == ["university_city", "prefecture", "rural_town"]
    assert [g.attended for g in study.groups] == [8, 7, 7]
    assert len(study.participants) == 22
    assert study.groups[0].date == dt.date(2024, 2, 13)
    assert study.participants[0].attributes == {"semester": 5, "sex": "F",
                                                "placement": "periurban", "car": True}
    assert {c.id for c in study.coders} == {"A", "B"}


@pytest.mark.parametrize("old,new,message,line", [
    ("site: ville,", "site: village,", "unknown site 'village'", 7),
    ("coding_unit: sentence", "coding_unit: paragraph", "not one of sentence, turn", 3),
    ("title: Étude test", "titel: Étude test", "did you mean 'title'", 1),
    ("{id: P12, group: FG1}", "{id: P11, group: FG1}", "duplicate participant", 8),
    ("{id: P12, group: FG1}", "{id: P12, group: FG9}", "unknown group 'FG9'", 10),
    ("transcripts/fg1.txt", "transcripts/absent.txt", "'transcripts/absent.txt' of group", 7),
    ("moderator: MOD", "moderator: Sophie", "not a role id", 7),
    ("sites:", "sites: [oops", "invalid YAML", 5),
])
def test_study_manifest_errors_name_the_line(make_study, old, new, message, line):
    root = make_study({"fg1.txt": TRANSCRIPT})
    edit(root, old, new)
    with pytest.raises(StudyError, match=message) as info:
        load_study(root)
    assert info.value.path == root / "study.yaml"
    assert info.value.line == line


def test_study_nouns_topic_and_coreq_come_from_study_yaml(make_study):
    root = make_study({"fg1.txt": TRANSCRIPT}, extra=(
        "study_kind: interviews\nparticipant_noun: {fr: [patiente, patientes], en: patient}\n"
        "topic: {fr: Téléconsultation, en: Teleconsultation}\naudience: les médecins\n"
        "coreq: {relationship: Aucune relation préalable, sampling: raisonné}\n"))
    study = load_study(root)
    assert study.study_kind == "interviews" and study.participant_noun == ("patiente",
                                                                           "patientes")
    assert study.topic == "Téléconsultation" and study.audience == "les médecins"
    assert study.coreq == {"relationship": "Aucune relation préalable", "sampling": "raisonné"}


@pytest.mark.parametrize("extra,message", [
    ("study_kind: survey\n", "study_kind 'survey' is not one of focus_groups, interviews"),
    ("participant_noun: [a, b, c]\n", "participant_noun must be a word or "
                                      r"\[singular, plural\]"),
    ("topic: [a, b]\n", "topic of the study must be text"),
    ("coreq: {relation: x}\n", "coreq: unknown key 'relation'; use interviewer"),
    ("attribute_labels: [semester]\n", "attribute_labels must map ids to words"),
])
def test_study_new_keys_are_checked_with_one_line(make_study, extra, message):
    root = make_study({"fg1.txt": TRANSCRIPT}, extra=extra)
    with pytest.raises(StudyError, match=message) as info:
        load_study(root)
    assert info.value.line is not None and "\n" not in info.value.message


def test_study_attended_must_match_participants(make_study):
    root = make_study({"fg1.txt": TRANSCRIPT})
    edit(root, "moderator: MOD}", "moderator: MOD, invited: 9, attended: 7}")
    with pytest.raises(StudyError, match="attended: 7 but lists 8 participants"):
        load_study(root)


def test_study_missing_manifest_says_how_to_start(tmp_path):
    with pytest.raises(StudyError, match="qualcode init DIR"):
        load_study(tmp_path)


IDENTITIES = """\
    # a comment line
    group_id,speaker,name,participant_id
    ,Animatrice,Sophie Laurent,MOD
    FG1,Camille,Camille Martin,P11
    """


def test_study_identities_are_read_with_comments(make_study):
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES)
    identities = load_identities(load_study(root))
    assert [(i.speaker, i.participant_id, i.row) for i in identities] == [
        ("Animatrice", "MOD", 3), ("Camille", "P11", 4)]


@pytest.mark.parametrize("row,message", [
    ("FG1,Hugo,Hugo Lefèvre,P99", "'P99' is not a participant or role"),
    ("FG7,Hugo,Hugo Lefèvre,P12", "'FG7' is not a group"),
    ("FG1,Camille,Camille Roux,P12", "mapped to two ids"),
    ("FG1;Hugo;Hugo;P12", "check the delimiter"),
    ("FG1,,,P12", "needs a speaker label, a name, or both"),
])
def test_study_identity_errors_name_the_row(make_study, row, message):
    root = make_study({"fg1.txt": TRANSCRIPT}, identities=IDENTITIES + f"    {row}\n")
    with pytest.raises(StudyError, match=message) as info:
        load_identities(load_study(root))
    assert info.value.line == 5


@pytest.mark.parametrize("worker", [False, True], ids=["in turn", "in a worker"])
def test_study_unknown_speakers_are_listed_all_at_once(make_study, monkeypatch, worker):
    if worker:
        monkeypatch.setattr("qualcode.steps.imports.BACKGROUND_FROM", 1)
        monkeypatch.setattr("qualcode.steps.imports._can_fork", lambda: sys.platform == "linux")
    root = make_study({"fg1.txt": TRANSCRIPT + "Hugo : Le wifi.\nHugo : Encore.\n",
                       "fg2.txt": "Animatrice : Bonjour.\nLéa : Le parking.\n"},
                      identities=IDENTITIES)
    with pytest.raises(TranscriptError) as info:
        import_study(load_study(root), background=worker)
    message = str(info.value)
    assert message.startswith("2 speaker label(s) map to nobody")
    assert "transcripts/fg1.txt:3 'Hugo' (+1 more turns)" in message
    assert "transcripts/fg2.txt:2 'Léa'" in message
    assert "\n" not in message


def test_study_preview_shows_unmapped_speakers_without_failing(make_study):
    root = make_study({"fg1.txt": TRANSCRIPT + "Hugo : Le wifi.\n"}, identities=IDENTITIES)
    preview = preview_import(load_study(root))
    assert preview[["speaker", "participant_id", "n_turns"]].values.tolist() == [
        ["Animatrice", "MOD", 1], ["Camille", "P11", 1], ["Hugo", "?", 1]]
    assert not (root / "analyses").exists()
