"""Code suggestions: a model that learns the coders' codes, scored honestly as a coder, and
the review round trip that turns accepted suggestions into a coder's codings."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from qualcode import schema as S
from qualcode.codebook import load_codebook
from qualcode.coding import Codings
from qualcode.errors import CodingError, StudyError
from qualcode.suggest import (
    SuggestOptions,
    TrainingSet,
    codebook_examples,
    fit_model,
    keyword_matrix,
    keyword_sets,
    probabilities,
    training_set,
)
from qualcode.suggest_quality import cross_validated, evaluate, group_folds

# A synthetic study where the right answer is known: each code is tied to its own
# vocabulary, which the codebook's labels and examples only partly hold.
CODEBOOK = """\
id: test
title: {fr: Test}
language: fr
version: "1"
codes:
  - id: housing
    label: {fr: Logement}
    definition: Le logement.
    children:
      - id: housing.parking
        label: {fr: Stationnement}
        definition: Pouvoir garer sa voiture.
        examples: ["Il faut une place pour la voiture."]
      - id: housing.internet
        label: {fr: Internet}
        definition: Une connexion correcte.
        examples: ["Sans internet on ne peut rien faire."]
      - id: housing.cleaning
        label: {fr: Ménage}
        definition: L'entretien des parties communes.
        examples: ["Le ménage des parties communes compte."]
      - id: housing.commute
        label: {fr: Trajet}
        definition: La distance au lieu de stage.
        examples: ["Le trajet jusqu'au cabinet est long."]
"""
VOCABULARY = {
    "housing.parking": ["se garer le soir", "un garage fermé", "le stationnement payant",
                        "ma voiture dans la rue", "un parking sécurisé", "les places devant"],
    "housing.internet": ["la fibre", "le wifi qui coupe", "un bon débit", "la box",
                         "le réseau mobile", "une connexion stable"],
    "housing.cleaning": ["l'aspirateur", "une femme de ménage", "la cuisine sale",
                         "le nettoyage des sanitaires", "les poubelles", "la vaisselle"],
    "housing.commute": ["quarante minutes de route", "les kilomètres", "la nationale",
                        "le trajet du matin", "l'autoroute", "rouler une heure"],
}
STARTS = ["Franchement, pour moi, c'est {}.", "Ce qui compte vraiment, c'est {}.",
          "On en parlait hier : {}.", "Le plus pénible, c'était {}.",
          "Je dirais que {} fait la différence."]
NEUTRAL = ["Je suis en quatrième semestre.", "On était trois internes cette fois.",
           "Je ne sais pas trop quoi ajouter.", "Oui, je suis d'accord avec elle.",
           "C'était mon premier stage en libéral.", "On verra bien l'an prochain."]


@pytest.fixture(scope="module")
def codebook(tmp_path_factory):
    path = tmp_path_factory.mktemp("codebook") / "test.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    return load_codebook(path)


def synthetic(n_groups: int = 4, per_group: int = 48, seed: int = 1):
    """Segments of ``n_groups`` focus groups, the coder's codings and their lemmas (the
    sentences are simple enough for their words to stand for their lemmas)."""
    rng = random.Random(seed)
    rows, codings = [], []
    for g in range(1, n_groups + 1):
        for i in range(1, per_group + 1):
            segment_id = f"FG{g}-{i:04d}"
            if i % 3 == 0:
                text, codes = rng.choice(NEUTRAL), []
            else:
                code = rng.choice(list(VOCABULARY))
                text = rng.choice(STARTS).format(rng.choice(VOCABULARY[code]))
                codes = [code]
            rows.append((segment_id, f"FG{g}", f"FG{g}", "ville", f"P{g}{i % 6}", i, 0, 1,
                         text, True, np.nan))
            codings += [("A", segment_id, code, "codings/A.csv") for code in codes]
    segments = pd.DataFrame(rows, columns=list(S.SEGMENT_COLUMNS))
    reviewed = pd.DataFrame([("A", f"FG{g}") for g in range(1, n_groups + 1)],
                            columns=[S.CODER, S.TRANSCRIPT_ID])
    table = pd.DataFrame(codings, columns=list(S.CODING_COLUMNS))
    lemmas = {s: " ".join(w.strip(".,:'").lower() for w in t.split())
              for s, t in zip(segments[S.SEGMENT_ID], segments[S.TEXT], strict=True)}
    return segments, Codings(table, pd.DataFrame(columns=list(S.SPAN_COLUMNS)), reviewed), lemmas


def test_model_beats_the_keyword_baseline_on_codes_tied_to_their_vocabulary(codebook):
    segments, codings, lemmas = synthetic()
    training = training_set(codings, segments, codebook, lemmas, coder="A")
    quality = evaluate(training, codebook_examples(codebook, training.codes), codings,
                       codebook, options=SuggestOptions(coder="A", bootstrap=200))
    overall = quality.overall.set_index("rater")
    assert quality.validation == "leave one group out (4 folds)"
    assert overall.loc["suggest", "f1"] > 0.9
    assert overall.loc["suggest", "f1"] > overall.loc["keywords", "f1"] + 0.2
    assert overall.loc["suggest", "alpha_low"] > overall.loc["keywords", "krippendorff_alpha"]
    model = quality.codes[quality.codes["rater"] == "suggest"]
    assert model["learnable"].all() and (model["folds_learnt"] == 4).all()
    assert (model["alpha_low"] <= model["krippendorff_alpha"]).all()


def test_the_held_out_group_changes_nothing_in_the_model_that_codes_it(codebook):
    """Leakage: the suggestions for FG1 come from a model that never saw FG1. Changing FG1's
    codings and adding text to FG1 (new words, which would change a vocabulary or IDF
    fitted on every group) leaves FG1's suggestions exactly as they were."""
    segments, codings, lemmas = synthetic()
    training = training_set(codings, segments, codebook, lemmas, coder="A")
    examples = codebook_examples(codebook, training.codes)
    before, _, _, _ = cross_validated(training, examples, SuggestOptions())
    first = (training.segments[S.GROUP_ID] == "FG1").to_numpy()
    extra = [f"FG1-9{i:03d}" for i in range(40)]
    changed = TrainingSet(
        pd.concat([training.segments, pd.DataFrame({S.SEGMENT_ID: extra, S.GROUP_ID: "FG1"})],
                  ignore_index=True),
        (*training.lemmas, *(f"wifi voiture aspirateur kilomètre inédit{i}" for i in
                             range(40))),
        np.vstack([np.where(first[:, None], ~training.labels, training.labels),
                   np.ones((40, len(training.codes)), dtype=bool)]),
        training.codes, training.coding)
    after, _, _, _ = cross_validated(changed, examples, SuggestOptions())
    np.testing.assert_array_equal(after[:len(first)][first], before[first])
    assert not np.array_equal(after[:len(first)][~first], before[~first])  # FG1 is used there


def test_folds_never_share_a_group_and_are_capped():
    groups = np.repeat([f"G{i:03d}" for i in range(25)], 4)
    folds, text = group_folds(groups, max_folds=10)
    assert len(folds) == 10 and text.startswith("grouped 10-fold (25 groups")
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
    assert len(group_folds(groups[:12], max_folds=10)[0]) == 3
    with pytest.raises(Exception, match="at least two groups"):
        group_folds(groups[:4])


def test_a_code_with_too_few_segments_is_not_learnable_not_guessed(codebook):
    segments, codings, lemmas = synthetic()
    rare = codings.codings[codings.codings[S.CODE_ID] == "housing.commute"]
    kept = pd.concat([codings.codings[codings.codings[S.CODE_ID] != "housing.commute"],
                      rare.head(3)])
    codings = Codings(kept, codings.spans, codings.reviewed)
    training = training_set(codings, segments, codebook, lemmas, coder="A")
    examples = codebook_examples(codebook, training.codes)
    model = fit_model(training.lemmas, training.labels, training.codes, examples)
    assert "housing.commute" not in model.codes
    found = probabilities(model, training.lemmas[:5], training.codes)
    assert np.isnan(found[:, training.codes.index("housing.commute")]).all()
    quality = evaluate(training, examples, codings, codebook,
                       options=SuggestOptions(coder="A", bootstrap=0))
    row = quality.codes[(quality.codes["rater"] == "suggest")
                        & (quality.codes[S.CODE_ID] == "housing.commute")].iloc[0]
    assert row["status"] == "not learnable" and np.isnan(row["f1"])
    assert row["note"] == "not learnable yet: 3 coded segment(s), 5 needed"


def test_keywords_come_from_labels_and_examples_unique_to_a_code(codebook):
    words = keyword_sets(codebook, ("housing.parking", "housing.internet"))
    assert {"stationnement", "voiture", "place"} <= words["housing.parking"]
    assert "internet" in words["housing.internet"]
    found = keyword_matrix(["garer voiture", "fibre", "internet lent"], words,
                           ("housing.parking", "housing.internet"))
    assert found.tolist() == [[True, False], [False, False], [False, True]]


# --- the review round trip, on a study folder -----------------------------------------

TURNS = {
    "parking": ["On ne trouve jamais où se garer près de l'internat.",
                "Il faudrait un parking fermé pour nos voitures.",
                "Ma voiture a été rayée dans la rue, faute de garage."],
    "internet": ["Le wifi coupait tous les soirs, impossible de réviser.",
                 "Sans la fibre on ne peut pas faire les cours en ligne.",
                 "La connexion était tellement lente qu'on partageait le téléphone."],
}


def transcript(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["Animatrice : Parlons du logement pendant vos stages."]
    for n in range(18):
        topic = rng.choice(list(TURNS))
        lines.append(f"{'Camille' if n % 2 else 'Hugo'} : {rng.choice(TURNS[topic])} "
                     "Voilà ce que je voulais dire.")
    return "\n".join(lines) + "\n"


@pytest.fixture
def coded_study(make_study):
    """Three groups: A coded FG1 and FG2 (parking and internet), nobody coded FG3."""
    from qualcode.steps.imports import import_study
    from qualcode.study import load_study

    root = make_study({f"fg{g}.txt": transcript(g) for g in (1, 2, 3)},
                      extra="coders:\n  - {id: A}\n  - {id: B}\n")
    (root / "identities.csv").write_text(
        "group_id,speaker,name,participant_id\n,Animatrice,Sophie Laurent,MOD\n"
        + "".join(f"FG{g},Camille,Camille Martin,P{g}1\nFG{g},Hugo,Hugo Petit,P{g}2\n"
                  for g in (1, 2, 3)), encoding="utf-8")
    segments = import_study(load_study(root)).segments
    rows = ["coder,segment_id,code_id"]
    for row in segments[segments[S.CODABLE] & segments[S.GROUP_ID].isin(["FG1", "FG2"])] \
            .itertuples(index=False):
        for code, words in (("housing.parking", ("garer", "parking", "voiture")),
                            ("housing.internet", ("wifi", "fibre", "connexion"))):
            if any(w in row.text.lower() for w in words):
                rows.append(f"A,{row.segment_id},{code}")
    (root / "codings").mkdir()
    (root / "codings" / "A.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def fill(path, decisions: dict[int, tuple[str, str]]) -> None:
    """Fill ``decision`` and ``reviewed_by`` of the given rows of the review sheet."""
    workbook = load_workbook(path)
    sheet = workbook["suggestions"]
    header = [c.value for c in sheet[1]]
    for row, (decision, coder) in decisions.items():
        sheet.cell(row, header.index("decision") + 1, decision)
        sheet.cell(row, header.index("reviewed_by") + 1, coder)
    workbook.save(path)


def test_review_round_trip_accepted_suggestions_become_the_reviewers_codings(coded_study):
    from qualcode.steps.coding import collect
    from qualcode.steps.suggestions import suggest
    from qualcode.study import load_study

    study = load_study(coded_study)
    result, _ = suggest(study, SuggestOptions(bootstrap=100))
    assert result.n_uncoded > 0 and result.n_new == len(result.suggestions) > 0
    kept = pd.read_csv(coded_study / "codings" / "suggest.csv", dtype=str,
                       keep_default_na=False)
    assert set(kept["coder"]) == {"suggest"} and set(kept["decision"]) == {""}
    assert kept["segment_id"].str.startswith("FG3-").all()
    parking = kept.index[kept["code_id"] == "housing.parking"][0]
    internet = kept.index[kept["code_id"] == "housing.internet"][0]
    assert kept.loc[parking, "text"].lower().count("gar") + \
        kept.loc[parking, "text"].lower().count("voiture") > 0
    sheet = coded_study / "codings" / "decisions" / "suggestions.xlsx"
    fill(sheet, {parking + 2: ("accept", "B"), internet + 2: ("reject", "B")})

    stage, _ = collect(study)
    codings = stage.codings.codings
    assert "suggest" not in set(codings["coder"])  # never mixed in silently
    mine = codings[codings["coder"] == "B"]
    assert mine[["segment_id", "code_id", "source"]].values.tolist() == [
        [kept.loc[parking, "segment_id"], "housing.parking", "codings/suggest.csv"]]
    assert ("B", "FG3") in set(stage.codings.reviewed.itertuples(index=False, name=None))
    again = pd.read_csv(coded_study / "codings" / "suggest.csv", dtype=str,
                        keep_default_na=False)  # the decisions are kept with the codings
    assert again.loc[parking, ["decision", "reviewed_by"]].tolist() == ["accept", "B"]
    assert again.loc[internet, ["decision", "reviewed_by"]].tolist() == ["reject", "B"]

    shutil.rmtree(coded_study / "analyses")  # may be deleted: the review stays in codings/
    result, _ = suggest(study, SuggestOptions(bootstrap=0))
    assert result.n_uncoded == 0  # B has reviewed FG3 now
    decided = result.suggestions[result.suggestions["decision"] != ""]
    assert len(decided) == 2 and len(result.suggestions) == 2


def test_review_sheet_errors_name_the_file_and_row(coded_study):
    from qualcode.steps.coding import collect
    from qualcode.steps.suggestions import suggest
    from qualcode.study import load_study

    study = load_study(coded_study)
    suggest(study, SuggestOptions(bootstrap=0))
    sheet = coded_study / "codings" / "decisions" / "suggestions.xlsx"
    fill(sheet, {2: ("peut-être", "A")})
    with pytest.raises(CodingError, match=r"suggestions.xlsx:row 2: decision 'peut-être' "
                                          "must be accept, reject or empty"):
        collect(study)
    fill(sheet, {2: ("accept", "Z")})
    with pytest.raises(CodingError, match=r"xlsx:row 2: reviewed_by 'Z' is not a coder"):
        collect(study)
    fill(sheet, {2: ("accept", "")})
    with pytest.raises(CodingError, match="needs the id of the coder"):
        collect(study)


def test_suggest_is_a_reserved_coder_id(make_study):
    from qualcode.study import load_study

    root = make_study({"fg1.txt": "Camille : Bonjour.\n"}, extra="coders:\n  - {id: suggest}\n")
    with pytest.raises(StudyError, match="coder id 'suggest' is reserved"):
        load_study(root)


def test_demo_run_reports_suggestion_quality_next_to_the_coders(demo_copy):
    import docx

    quality = pd.read_csv(demo_copy / "analyses" / "suggestions-quality.csv")
    codes = quality[quality["code_id"] != "all"]
    assert codes.groupby("rater").size().to_dict() == {"A": 41, "B": 41, "keywords": 41,
                                                       "suggest": 41}
    assert set(quality["validation"]) == {"leave one group out (3 folds)"}
    model = codes[codes["rater"] == "suggest"]
    assert (model["learnable"] | model["note"].str.startswith("not learnable")).all()
    report = "\n".join(p.text for p in docx.Document(demo_copy / "analyses" / "report.docx")
                       .paragraphs)
    assert "Suggestions de codes" in report and "troisième codeur" in report
    assert (demo_copy / "analyses" / "figures" / "suggestions.png").stat().st_size > 10_000


def test_cli_suggest_prints_the_scores_and_refuses_a_single_coded_group(coded_study):
    from typer.testing import CliRunner

    from qualcode.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["suggest", "--study", str(coded_study), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Suggestions scored against the union coding (leave one group out (2 folds))" \
        in result.output
    assert "suggestions to review on" in result.output and "codings/suggest.csv" in \
        result.output
    codings = coded_study / "codings" / "A.csv"
    lines = codings.read_text(encoding="utf-8").splitlines()
    codings.write_text("\n".join(line for line in lines if ",FG2-" not in line) + "\n",
                       encoding="utf-8")
    result = runner.invoke(app, ["suggest", "--study", str(coded_study)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "at least two groups" in result.output


def test_run_skips_suggestion_quality_above_its_size_limit(demo_copy, monkeypatch):
    """A large study is not held up by the cross-validated models: 'qualcode run' says it
    left the suggestions' quality to 'qualcode suggest'."""
    from qualcode.errors import QualcodeWarning
    from qualcode.steps import suggestions
    from qualcode.steps.coding import collect
    from qualcode.steps.transcripts import prepare
    from qualcode.study import load_study

    study = load_study(demo_copy)
    codebook, imported = prepare(study)
    stage, _ = collect(study)
    monkeypatch.setattr(suggestions, "RUN_SUGGESTIONS_UP_TO", 1000)
    with pytest.warns(QualcodeWarning, match="more than 1,000 segments .* 1,411"):
        assert suggestions.run_quality(stage, imported, codebook, study) is None
