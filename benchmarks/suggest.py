"""Fit and predict time of qualcode's code suggestions, next to a textbook scikit-learn model.

Generates (seeded) French-like segments: 100,000 to train on and 100,000 others to suggest
codes for, in 100 focus groups, with 60 codes. Every segment has 6 to 16 common French words;
half of them carry one or two codes, each code adding one or two of its own 8 words (a fifth
of the time a word of another code instead, so the task is not trivial); code prevalences
vary from about 0.2% to 3%. The text is taken as already lemmatised (lemmatising is timed
apart, on 5,000 segments, because it does not depend on the number of codes).

Each configuration runs in a fresh Python process (data generated untimed), repetitions
interleaved; prints medians (min-max) of the fit and predict times, the peak memory, the F1 of
the suggestions on the 100,000 segments not trained on (micro-averaged over codes), and the
ratios to the peer measured in the same run:

* qualcode: :func:`qualcode.suggest.fit_model` and :func:`qualcode.suggest.probabilities`
  (TF-IDF of words and characters, one calibrated logistic regression per code), with
  ``n_jobs=2`` (the machine's two cores) and ``n_jobs=1``;
* peer: what a scikit-learn user would write first, ``TfidfVectorizer()`` (words) then
  ``OneVsRestClassifier(LogisticRegression(solver="liblinear"), n_jobs=2)``, uncalibrated,
  suggesting a code at probability 0.5 (with the feature matrix's indices sorted in between,
  which joblib's read-only copies for the workers need at this size);
* lemmas: :func:`qualcode.corpus.lemmatise` (spaCy) on 5,000 segments, model loaded.

Run:  python benchmarks/suggest.py [--segments N] [--codes N] [--repeat N] [--seed N]
                                   [--no-serial]
(default 100,000 x 60, 3 runs per configuration: over an hour on 2 cores, about 15 minutes
per qualcode run; --no-serial leaves out n_jobs=1. Quick check: --segments 5000 --codes 12
--repeat 1.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from time import perf_counter

import numpy as np

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
N_GROUPS = 100
N_LEMMA_SEGMENTS = 5000
CONFIGS = {
    "qualcode_2": "qualcode fit_model + probabilities, n_jobs=2",
    "qualcode_1": "qualcode fit_model + probabilities, n_jobs=1",
    "peer": "scikit-learn TfidfVectorizer + OneVsRest(LogisticRegression), n_jobs=2",
}
COMMON = """
alors après aussi avant avec beaucoup bien bon cas chez chose comme comment déjà dire donc
encore enfin être faire falloir fois grand gens jamais jour juste loin mettre moins monde
moment mois parce partir passer penser petit peu peut-être plein plus pouvoir prendre
quand rester rien savoir semaine semestre service souvent stage surtout temps tenir toujours
tout travail trouver très vie ville voir vouloir vrai ailleurs année arriver attendre
besoin chercher compter connaître content coup demander devoir difficile donner écouter
entre essayer facile garder heure idée interne laisser lieu long manière matin médecin
midi mieux nouveau parler patient payer perdre personne place plutôt premier problème
question raison regarder rendre retour revenir sembler seul soir sortir suivre tard
terminer tomber tôt trop venir vraiment ami cabinet famille garde hôpital maison équipe
""".split()
ROOTS = """
loge cuisin voitur parc gar chambr salon bureau jardin terras balcon douch baign meubl
frigo lav sech internet wifi fibr ménag propr poubell loyer caution bail garant tarif
trajet rout bus train gare vélo covoitur commerc boulang pharmac sport piscin ciném
théâtr musé bar restaur associ mairi élu conseil réseau collègu tuteur maîtr format
cours isol solitud campagn villag montagn plag forêt""".split()
SUFFIXES = ("age", "ement", "eur", "ette", "ier", "erie", "ure", "ance", "ade", "ise")


def generate(n_segments: int, n_codes: int, seed: int
             ) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Training texts and labels, then as many other texts and labels to suggest codes for."""
    rng = np.random.default_rng(seed)
    vocabulary = rng.permutation([r + s for r in ROOTS for s in SUFFIXES])
    code_words = vocabulary[:n_codes * 8].reshape(n_codes, 8)
    prevalence = rng.dirichlet(np.full(n_codes, 2.0))
    common = np.array(COMMON)
    weights = 1 / np.arange(1, len(common) + 1)  # Zipf-like
    weights /= weights.sum()

    def texts(n: int) -> tuple[list[str], np.ndarray]:
        labels = np.zeros((n, n_codes), dtype=bool)
        out = []
        n_codes_of = rng.choice([0, 1, 2], size=n, p=[0.5, 0.35, 0.15])
        for i in range(n):
            words = list(rng.choice(common, size=rng.integers(6, 17), p=weights))
            for code in rng.choice(n_codes, size=n_codes_of[i], replace=False, p=prevalence):
                labels[i, code] = True
                for _ in range(rng.integers(1, 3)):
                    source = code if rng.random() > 0.2 else rng.integers(n_codes)
                    words.insert(rng.integers(len(words) + 1), rng.choice(code_words[source]))
            out.append(" ".join(words))
        return out, labels

    train, train_labels = texts(n_segments)
    test, test_labels = texts(n_segments)
    return train, train_labels, test, test_labels


def micro_f1(truth: np.ndarray, found: np.ndarray) -> float:
    tp = (truth & found).sum()
    return float(2 * tp / (truth.sum() + found.sum()))


def worker(kind: str, n_segments: int, n_codes: int, seed: int) -> dict:
    """One configuration in this process: time it and return the figures."""
    sys.path.insert(0, str(ROOT))
    train, labels, test, truth = generate(n_segments, n_codes, seed)
    codes = tuple(f"code_{k:02d}" for k in range(n_codes))
    if kind == "lemmas":
        from qualcode.corpus import lemma_pipeline, lemmatise

        lemma_pipeline()  # loaded once per process; not timed
        start = perf_counter()
        lemmatise(test[:N_LEMMA_SEGMENTS])
        return {"seconds": perf_counter() - start, "peak_mb": peak_mb()}
    if kind.startswith("qualcode"):
        from qualcode.suggest import Examples, fit_model, probabilities

        none = Examples((), np.zeros((0, n_codes), dtype=bool))
        start = perf_counter()
        model = fit_model(train, labels, codes, none, n_jobs=int(kind[-1]))
        fitted = perf_counter()
        found = probabilities(model, test, codes) >= 0.5
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer

        from qualcode.suggest import sorted_indices

        start = perf_counter()
        model = make_pipeline(TfidfVectorizer(), FunctionTransformer(sorted_indices),
                              OneVsRestClassifier(LogisticRegression(solver="liblinear"),
                                                  n_jobs=2)).fit(train, labels)
        fitted = perf_counter()
        found = model.predict_proba(test) >= 0.5
    done = perf_counter()
    return {"fit": fitted - start, "predict": done - fitted, "f1": micro_f1(truth, found),
            "peak_mb": peak_mb()}


def peak_mb() -> float:
    """Peak resident memory of this process and its finished children (joblib workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def run(kind: str, args) -> dict:
    result = subprocess.run([sys.executable, str(SCRIPT), "--worker", kind,
                             "--segments", str(args.segments), "--codes", str(args.codes),
                             "--seed", str(args.seed)],
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{kind} failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"  {kind}: {figures}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--serial", action=argparse.BooleanOptionalAction, default=True,
                        help="also time qualcode with n_jobs=1")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.segments, args.codes, args.seed)))
        return
    print(f"{args.segments:,} segments to train on and {args.segments:,} to suggest codes for, "
          f"{args.codes} codes, {N_GROUPS} groups; {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, scikit-learn {metadata.version('scikit-learn')}, "
          f"spaCy {metadata.version('spacy')}; {args.repeat} fresh processes per "
          "configuration, interleaved")
    configs = {k: v for k, v in CONFIGS.items() if args.serial or k != "qualcode_1"}
    results: dict[str, list[dict]] = {kind: [] for kind in (*configs, "lemmas")}
    for _ in range(args.repeat):
        for kind in results:
            results[kind].append(run(kind, args))
    print(f"\n{'configuration':74} {'fit s':>16} {'predict s':>14} {'F1':>6} {'peak MB':>8}")
    medians = {}
    for kind, description in configs.items():
        runs = results[kind]
        fit = [r["fit"] for r in runs]
        predict = [r["predict"] for r in runs]
        medians[kind] = statistics.median(fit), statistics.median(predict)
        print(f"{description:74} {medians[kind][0]:6.1f} ({min(fit):.0f}-{max(fit):.0f})"
              f" {medians[kind][1]:6.1f} ({min(predict):.0f}-{max(predict):.0f})"
              f" {statistics.median(r['f1'] for r in runs):6.3f}"
              f" {max(r['peak_mb'] for r in runs):8.0f}")
    lemmas = statistics.median(r["seconds"] for r in results["lemmas"])
    print(f"{'lemmas (spaCy), ' + format(N_LEMMA_SEGMENTS, ',') + ' segments, model loaded':74}"
          f" {lemmas:6.1f} s: {N_LEMMA_SEGMENTS / lemmas:,.0f} segments/s, "
          f"{args.segments / (N_LEMMA_SEGMENTS / lemmas):,.0f} s for {args.segments:,}")
    (fit2, predict2), (fit_peer, predict_peer) = medians["qualcode_2"], medians["peer"]
    print(f"\nSame-run ratios: qualcode n_jobs=2 / peer: fit {fit2 / fit_peer:.1f}x, predict "
          f"{predict2 / predict_peer:.1f}x", end="")
    if "qualcode_1" in medians:
        fit1, predict1 = medians["qualcode_1"]
        print(f"; qualcode n_jobs=1 / n_jobs=2: fit {fit1 / fit2:.2f}x, predict "
              f"{predict1 / predict2:.2f}x", end="")
    print(".")


if __name__ == "__main__":
    main()
