"""Speaker turns, pseudonymisation and sentence segmentation of French transcripts."""

from __future__ import annotations

import sys

import pytest

from qualcode.corpus import Pseudonymiser, detect_turns, label_key, split_sentences
from qualcode.schema import SourceLine, SourceText
from qualcode.steps.imports import import_study
from qualcode.study import Identity, load_study
from qualcode.text import fold


def turns(text: str, known=()):
    lines = tuple(SourceLine(line, n) for n, line in enumerate(text.split("\n"), 1))
    return [(t.speaker, t.text, t.time)
            for t in detect_turns(SourceText("fg.txt", lines), known_labels=known)]


@pytest.mark.parametrize("line,speaker,text,time", [
    ("Camille : Une chambre à moi.", "Camille", "Une chambre à moi.", None),
    ("CAMILLE: Une chambre à moi.", "CAMILLE", "Une chambre à moi.", None),
    ("Camille\u00a0: Une chambre à moi.", "Camille", "Une chambre à moi.", None),
    ("[Camille] Une chambre à moi.", "Camille", "Une chambre à moi.", None),
    ("[I3] : Une chambre à moi.", "I3", "Une chambre à moi.", None),
    ("**Camille** Une chambre à moi.", "Camille", "Une chambre à moi.", None),
    ("**Camille :** Une chambre à moi.", "Camille", "Une chambre à moi.", None),
    ("Intervenant 1 : Une chambre à moi.", "Intervenant 1", "Une chambre à moi.", None),
    ("I3 : Une chambre à moi.", "I3", "Une chambre à moi.", None),
    ("M : Une chambre à moi ?", "M", "Une chambre à moi ?", None),
    ("Modérateur : Une chambre à vous ?", "Modérateur", "Une chambre à vous ?", None),
    ("Animatrice : Une chambre à vous ?", "Animatrice", "Une chambre à vous ?", None),
    ("Sophie Laurent : Une chambre à vous ?", "Sophie Laurent", "Une chambre à vous ?", None),
    ("Dr. Martin : Une chambre.", "Dr. Martin", "Une chambre.", None),
    ("[00:01:23] Camille : Une chambre.", "Camille", "Une chambre.", 83.0),
    ("00:01:23 Camille : Une chambre.", "Camille", "Une chambre.", 83.0),
    ("(00:01:23) Intervenant 2 : Une chambre.", "Intervenant 2", "Une chambre.", 83.0),
    ("[01:23] **Hugo** Une chambre.", "Hugo", "Une chambre.", 83.0),
])
def test_corpus_speaker_label_conventions(line, speaker, text, time):
    assert turns(line) == [(speaker, text, time)]


def test_corpus_timestamp_and_label_alone_then_text():
    assert turns("00:01:23 Camille\nLe loyer, surtout.") == [
        ("Camille", "Le loyer, surtout.", 83.0)]


def test_corpus_bare_label_needs_to_be_known():
    text = "CAMILLE\nLe loyer, surtout.\nHUGO Et le wifi.\n00:02:00 Sophie Laurent Merci."
    assert turns(text) == []
    assert turns(text, known={"camille", "hugo", "sophie laurent"}) == [
        ("CAMILLE", "Le loyer, surtout.", None), ("HUGO", "Et le wifi.", None),
        ("Sophie Laurent", "Merci.", 120.0)]


def test_corpus_multi_paragraph_turns_and_preamble():
    text = ("Focus group 2 — Mont-de-Marsan — 12 mars 2024\n\nManon : Premier paragraphe.\n"
            "Et la machine à laver, pareil : en panne.\n\nJulien : Ouais.")
    assert turns(text) == [
        ("Manon", "Premier paragraphe.\nEt la machine à laver, pareil : en panne.", None),
        ("Julien", "Ouais.", None)]


@pytest.mark.parametrize("line", ["Bon : on y va.", "Alors voilà : le parking.",
                                  "Exemple : le wifi.", "[Rires] Oui.", "[rires] oui",
                                  "Il était 14:30 quand on est arrivés."])
def test_corpus_sentences_that_look_like_labels_continue_the_turn(line):
    assert turns(f"Hugo : Bon.\n{line}") == [("Hugo", f"Bon.\n{line}", None)]


def test_corpus_non_verbal_notes_stay_in_the_text():
    assert turns("Léa : Le chien vient avec moi [rires] évidemment.") == [
        ("Léa", "Le chien vient avec moi [rires] évidemment.", None)]


def test_corpus_fold_keeps_length_and_strips_accents():
    assert fold("Léa CHLOÉ Anaïs Œuvre İ") == "lea chloe anais œuvre i"
    assert len(fold("İstanbul")) == len("İstanbul")
    assert label_key(" **Inès :** ") == "ines"


@pytest.fixture
def pseudonymiser(make_study):
    root = make_study({"fg1.txt": "Camille : Bonjour.\n", "fg2.txt": "Camille : Salut.\n"})
    study = load_study(root)
    identities = [Identity("P11", "Camille", "Camille Martin", "FG1"),
                  Identity("P21", "Camille", "Camille Roux", "FG2"),
                  Identity("P12", "Hugo", "Hugo Lefèvre", "FG1"),
                  Identity("MOD", "Animatrice", "Sophie Laurent", "")]
    return Pseudonymiser(study, identities)


def test_corpus_labels_map_case_and_accent_insensitively(pseudonymiser):
    assert pseudonymiser.speaker_id("CAMILLE", "FG1") == "P11"
    assert pseudonymiser.speaker_id("camille", "FG2") == "P21"
    assert pseudonymiser.speaker_id("ANIMATRICE", "FG2") == "MOD"
    assert pseudonymiser.speaker_id("P12", "FG2") == "P12"  # an id is its own label
    assert pseudonymiser.speaker_id("Chloé", "FG1") is None


def test_corpus_names_in_text_become_pseudonyms(pseudonymiser):
    text = ("Comme disait CAMILLE, et Hugo Lefevre aussi, hugo l'a dit à Sophie Laurent. "
            "Camillette n'est pas un prénom connu.")
    assert pseudonymiser.pseudonymise(text, "FG1") == (
        "Comme disait P11, et P12 aussi, P12 l'a dit à MOD. Camillette n'est pas un prénom "
        "connu.")
    # In group FG2, "Camille" is that group's Camille.
    assert pseudonymiser.pseudonymise("Merci Camille.", "FG2") == "Merci P21."


def test_corpus_names_with_hyphens_and_apostrophes_are_replaced_whole(make_study):
    """One search finds every name: the longest that starts a word and ends one wins, a
    name inside a longer word is left alone; ``_`` and digits separate words (a name in
    ``Zoé_2`` is a name, as the audit reads it); "anne" is Anne's, not a part of Anne-Marie."""
    root = make_study({"fg1.txt": "Anne : Bonjour.\n"})
    identities = [Identity("P1", "Anne", "Anne", "FG1"),
                  Identity("P2", "Anne-Marie", "Anne-Marie Leroy", "FG1"),
                  Identity("P3", "Pierre", "Pierre d'Arcy", "FG1"),
                  Identity("P4", "Zoé", "Zoé O'Neil", "FG1")]
    pseudonymiser = Pseudonymiser(load_study(root), identities)
    text = ("ANNE-MARIE LEROY et Anne-Marie, puis anne, à Annecy avec Pierre D’Arcy, "
            "Pierre, Pierrette, Zoe o'neil et Zoé_2.")
    assert pseudonymiser.pseudonymise(text, "FG1") == (
        "P2 et P2, puis P1, à Annecy avec P3, P3, Pierrette, P4 et P4_2.")


@pytest.mark.parametrize("text,expected", [
    ("Le Dr. Martin m'a dit que c'était bien. Moi je suis d'accord.",
     ["Le Dr. Martin m'a dit que c'était bien.", "Moi je suis d'accord."]),
    ("Mme. Dupuy nous a répondu. Enfin, au bout de trois semaines.",
     ["Mme. Dupuy nous a répondu.", "Enfin, au bout de trois semaines."]),
    ("J'ai vu M. Dupont hier. Il était content.",
     ["J'ai vu M. Dupont hier.", "Il était content."]),
    ("On avait des chaises, des tables, etc. et franchement ça allait.",
     ["On avait des chaises, des tables, etc. et franchement ça allait."]),
    ("Il y a la piscine, le cinéma, etc. Mais le soir c'est mort.",
     ["Il y a la piscine, le cinéma, etc.", "Mais le soir c'est mort."]),
    ("Bah… je sais pas… Peut-être qu'on pourrait demander.",
     ["Bah… je sais pas…", "Peut-être qu'on pourrait demander."]),
    ("Elle m'a dit « c'est pas possible, on n'a pas le budget ». Et voilà.",
     ["Elle m'a dit « c'est pas possible, on n'a pas le budget ».", "Et voilà."]),
    ("Quand on choisit, on se demande « et je dors où ? ». Si c'est écrit, ça monte.",
     ["Quand on choisit, on se demande « et je dors où ? ».", "Si c'est écrit, ça monte."]),
    ("Il y a 1.5 km jusqu'au cabinet. C'est rien.",
     ["Il y a 1.5 km jusqu'au cabinet.", "C'est rien."]),
    ("Il y a 1,5 km jusqu'au cabinet, 300 euros de loyer. C'est rien.",
     ["Il y a 1,5 km jusqu'au cabinet, 300 euros de loyer.", "C'est rien."]),
])
def test_corpus_french_sentence_splitting_hard_cases(text, expected):
    [spans] = split_sentences([text])
    assert [text[start:end] for start, end in spans] == expected


def test_corpus_segments_have_stable_ids_and_exact_offsets(make_study):
    root = make_study({"fg1.txt": "Animatrice : Bonjour. On commence ?\n"
                                  "Camille : Moi, une chambre. Et le wifi, Hugo l'a dit.\n"
                                  "Hugo : Oui.\n"},
                      identities="""\
                          group_id,speaker,name,participant_id
                          ,Animatrice,,MOD
                          FG1,Camille,Camille Martin,P11
                          FG1,Hugo,Hugo Lefèvre,P12
                          """)
    study = load_study(root)
    first, second = import_study(study), import_study(study)
    segments = first.segments
    assert segments.equals(second.segments)
    assert segments["segment_id"].tolist() == [f"FG1-{i:04d}" for i in range(1, 6)]
    assert segments["participant_id"].tolist() == ["MOD", "MOD", "P11", "P11", "P12"]
    assert segments["codable"].tolist() == [False, False, True, True, True]
    assert segments["text"].tolist()[3] == "Et le wifi, P12 l'a dit."
    text = first.transcripts[0].text
    assert all(text[s:e] == t for s, e, t in zip(segments.start, segments.end, segments.text,
                                                 strict=True))
    assert text.startswith("MOD : Bonjour. On commence ?\n\nP11 : Moi, une chambre.")


def test_corpus_turn_unit_gives_one_segment_per_turn(make_study):
    root = make_study({"fg1.txt": "P11 : Une phrase. Deux phrases.\nMOD : Merci.\n"},
                      unit="turn")
    segments = import_study(load_study(root)).segments
    assert segments["text"].tolist() == ["Une phrase. Deux phrases.", "Merci."]


def test_corpus_name_check_lists_unknown_person_names(make_study):
    import pandas as pd

    from qualcode.steps.imports import find_person_names

    study = load_study(make_study({"fg1.txt": "P11 : Bonjour.\n"},
                                  extra="names_allowed: [Visale]\n"))
    texts = ["Hier soir, j'en ai parlé avec Mathilde Dubreuil, la coordinatrice.",
             "Franchement P11 a raison, et la garantie Visale aussi.",
             "Bah oui, sinon on fait comment ?"]
    segments = pd.DataFrame({"segment_id": ["FG1-0001", "FG1-0002", "FG1-0003"],
                             "text": texts})
    names = find_person_names(segments, study)
    assert names.values.tolist() == [["FG1-0001", "Mathilde Dubreuil", False]]


def test_heap_padding_asks_glibc_only(monkeypatch):
    """The allocator setting is glibc's: asked for on Linux with glibc, never elsewhere."""
    import ctypes
    import platform

    from qualcode import process

    calls = []

    class FakeLibc:
        def mallopt(self, parameter, value):
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(platform, "libc_ver", lambda: ("glibc", "2.36"))
    process.pad_heap()
    assert calls == [(process.M_TOP_PAD, 16 << 20)]
    monkeypatch.setattr(platform, "libc_ver", lambda: ("musl", ""))
    process.pad_heap()
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    process.pad_heap()
    assert len(calls) == 1


def test_corpus_large_import_reads_in_a_worker_with_the_same_result(monkeypatch, tmp_path):
    """From BACKGROUND_FROM groups, transcripts are read by a forked worker while spaCy
    splits sentences: the result is the one of reading in turn."""
    import os

    import pandas as pd

    import qualcode.steps.imports as imports
    from tests.conftest import ROOT

    if sys.platform != "linux":
        pytest.skip("the background reader forks, on Linux only")
    study = load_study(ROOT)
    monkeypatch.setattr(imports, "BACKGROUND_FROM", len(study.groups) + 1)
    in_turn = import_study(study)
    pids = tmp_path / "pids"
    start = imports._start_worker
    monkeypatch.setattr(imports, "BACKGROUND_FROM", 1)
    monkeypatch.setattr(imports, "_can_fork", lambda: True)  # even on one core
    monkeypatch.setattr(imports, "_start_worker", lambda study: (
        pids.write_text(str(os.getpid())), start(study)))
    seen = []
    in_worker = import_study(study, progress=seen.append, background=True)
    assert int(pids.read_text()) != os.getpid()
    pd.testing.assert_frame_equal(in_worker.segments, in_turn.segments)
    pd.testing.assert_frame_equal(in_worker.summary, in_turn.summary)
    assert in_worker.transcripts == in_turn.transcripts
    assert seen == [group.id for group in study.groups]


def test_corpus_error_in_the_reading_worker_reads_as_in_turn(make_study, monkeypatch):
    import pickle

    from qualcode.errors import TranscriptError

    error = TranscriptError("no speaker turns found", path="transcripts/fg2.txt", line=3)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.line) == (TranscriptError, str(error), 3)
    root = make_study({"fg1.txt": "P11 : Bonjour.\n", "fg2.txt": "rien ici\n"})
    messages = []
    monkeypatch.setattr("qualcode.steps.imports._can_fork", lambda: sys.platform == "linux")
    for limit in (100, 1):
        monkeypatch.setattr("qualcode.steps.imports.BACKGROUND_FROM", limit)
        with pytest.raises(TranscriptError, match="no speaker turns found") as info:
            import_study(load_study(root), background=True)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "fg2.txt" in messages[0]


def test_corpus_name_check_reads_only_segments_that_can_hold_a_name(make_study, monkeypatch):
    """Segments without a capital, or capitalised only at their start by a word never seen
    capitalised inside a sentence, cannot give a name: they are not read, and the names found
    are those of reading every segment."""
    import pandas as pd

    import qualcode.steps.imports as imports
    from qualcode import corpus

    study = load_study(make_study({"fg1.txt": "P11 : Bonjour.\n"}))
    texts = ["Hier soir, j'en ai parlé avec Mathilde Dubreuil, la coordinatrice.",
             "Mathilde répond toujours vite.",  # capital at the start only, seen inside
             "Bon, on en reparle demain.",  # capital at the start only, never inside
             "oui, bien sûr…",  # no capital
             "Et Léon Marchetti, il habite à Mugron."]
    segments = pd.DataFrame({"segment_id": [f"FG1-{i:04d}" for i in range(1, 6)],
                             "text": texts})
    read: list[str] = []
    ner = corpus.ner_pipeline()

    class Counting:
        def pipe(self, items, **options):
            items = list(items)
            read.extend(items)
            return ner.pipe(items, **options)

    monkeypatch.setattr(corpus, "ner_pipeline", lambda: Counting())
    found = imports.find_person_names(segments, study)
    assert sorted(read) == sorted(texts[:2] + texts[4:])
    monkeypatch.setattr(imports, "_capitals", lambda text: imports._ELSEWHERE)
    read.clear()
    every = imports.find_person_names(segments, study)
    assert sorted(read) == sorted(texts)
    pd.testing.assert_frame_equal(found, every)
    assert {"Mathilde Dubreuil", "Léon Marchetti"} <= set(found["name"])


@pytest.mark.parametrize("text,where", [
    ("oui, bien sûr…", "none"), ("1.5 €", "none"), ("Bon, demain.", "first"),
    ("ǅemal est là.", "first"), ("Et Mugron ?", "elsewhere"), ("on va à l'ARS", "elsewhere"),
    ("la voie ℝ", "elsewhere")])  # a capital without a lower case still counts
def test_corpus_name_check_sees_capitals_as_str_istitle_does(text, where):
    from qualcode.steps import imports

    expected = {"none": imports._NONE, "first": imports._FIRST_ONLY,
                "elsewhere": imports._ELSEWHERE}
    assert imports._capitals(text) == expected[where]
