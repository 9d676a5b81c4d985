"""Throughput of qualcode's transcript import + sentence segmentation, next to spaCy's own.

Generates (seeded) a fictional French focus-group study of about 1,000,000 words: a study.yaml,
an identities.csv with real-looking names to pseudonymise, and ~75 UTF-8 .txt transcripts of
~13,000 words with lines like ``[00:01:23] Camille : ...``. Then measures, each run in a fresh
Python process (so model loading and caches are honest), repetitions interleaved:

* qualcode: ``load_study`` + ``import_study`` end to end (read, turns, pseudonymise, senter,
  segments table), words/s excluding and including the model load, CPU seconds (the
  process and its reading worker, which large studies use) and peak RSS (of both);
* spaCy alone: ``nlp.pipe(texts, batch_size=256)`` over the same turn texts with the same
  pipeline as ``qualcode.corpus.sentence_pipeline()`` (fr_core_news_sm, senter only), iterating
  ``doc.sents``;
* the optional name check ``qualcode.steps.imports.find_person_names`` (spaCy NER) on the segments;
* confidentiality: ``read_transcripts`` (reading, turns and pseudonymisation, without spaCy)
  and the audit of the import's outputs (``qualcode.steps.audit.audit``). Run the worker alone with
  an older qualcode on ``PYTHONPATH`` to compare (``--worker privacy --workdir DIR`` on a
  corpus kept with ``--keep DIR``).

Each process loads the model first (timed separately) and runs a 300-text warm-up that is not
timed. Words are whitespace-separated words of the (pseudonymised) turn texts, the same count
for qualcode and spaCy. Prints medians and min–max over the repetitions.

Run:  python benchmarks/segment.py [--words N] [--repeat N] [--seed N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from time import perf_counter

SCRIPT = Path(__file__).resolve()
MODEL = "fr_core_news_sm"
# The same pipeline as qualcode.corpus.sentence_pipeline(); checked at run time (pipe names).
SENTER_EXCLUDE = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"]
BATCH_SIZE = 256
WARMUP = 300
WORDS_PER_TRANSCRIPT = 13_333
TARGET_WPS = 100_000
TARGET_RATIO = 0.8
TARGET_RSS_MB = 1000

# --- vocabulary of the generated transcripts ------------------------------------------------

FIRST_NAMES = (
    "Camille Lucas Manon Hugo Chloé Nathan Inès Théo Léa Maxime Sarah Antoine Emma Julien "
    "Océane Romain Pauline Quentin Mathilde Adrien Juliette Baptiste Margaux Valentin Anaïs "
    "Florian Justine Alexis Elise Damien Noémie Kevin Charlotte Yanis Amandine Mehdi Laura "
    "Guillaume Célia Bastien Morgane Cédric Audrey Jérémy Lucie Samir Ophélie Thibault Coralie "
    "Loïc Gaëlle Arthur Zoé Benoît Salomé Rémi Agathe Fabien Elodie Victor").split()
MODERATORS = (("Sophie", "Animatrice"), ("Nathalie", "Modératrice"), ("Isabelle", "Animatrice"),
              ("Véronique", "Modératrice"), ("Hélène", "Animatrice"), ("Olivier", "Animateur"),
              ("Philippe", "Modérateur"), ("Stéphane", "Animateur"))
SURNAMES = (
    "Martin Bernard Dubois Durand Leroy Moreau Lefebvre Garcia Roux Fournier Morel Girard "
    "Mercier Dupont Lambert Bonnet Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller "
    "Boyer Chevalier Perrin Gautier Masson Marchand Duval Denis Lemaire Joly Roche Meunier "
    "Lacoste Dufour Barbier Arnaud Carpentier Renard Picard Schmitt Aubert Hoarau Etcheverry "
    "Lagarde Darrigade Labat").split()
SITES = (("bordeaux", "Bordeaux", "university_city"), ("pau", "Pau", "university_city"),
         ("mont-de-marsan", "Mont-de-Marsan", "prefecture"), ("dax", "Dax", "subprefecture"),
         ("hagetmau", "Hagetmau", "rural_town"), ("saint-sever", "Saint-Sever", "rural_town"))
PLACES = ("Dax", "Pau", "Mont-de-Marsan", "Hagetmau", "Saint-Sever", "Orthez", "Tartas",
          "Aire-sur-l'Adour", "Mugron", "Bayonne", "Bordeaux", "Peyrehorade")
TOPICS = (
    "le logement", "le loyer", "la chambre à l'internat", "la colocation", "le trajet",
    "la voiture", "le bus", "le train du matin", "les gardes", "le stage en cabinet",
    "la maison de santé", "le maître de stage", "l'équipe", "la vie sociale", "le week-end",
    "l'isolement", "la connexion internet", "la cuisine commune", "le parking", "le bruit",
    "la sécurité le soir", "les aides de la région", "le dossier de location", "la caution",
    "l'essence", "le temps de trajet", "le secrétariat", "la mairie", "les autres internes",
    "la salle de sport", "les commerces", "la pharmacie du village", "le linge", "les repas",
    "l'hébergement territorial", "la convention avec l'hôpital", "le bail", "les meubles",
    "la machine à laver", "le chauffage", "la douche", "le wifi", "le studio", "la navette")
OPINIONS = (  # (singular, plural)
    ("coûte vraiment trop cher", "coûtent vraiment trop cher"),
    ("change complètement la donne", "changent complètement la donne"),
    ("n'était pas du tout adapté", "n'étaient pas du tout adaptés"),
    ("reste le point le plus important", "restent le point le plus important"),
    ("m'a beaucoup aidée", "m'ont beaucoup aidée"),
    ("pose un vrai problème", "posent un vrai problème"),
    ("était correct, sans plus", "étaient corrects, sans plus"),
    ("dépend énormément du terrain de stage", "dépendent énormément du terrain de stage"),
    ("a été une bonne surprise", "ont été une bonne surprise"),
    ("n'existe pas vraiment", "n'existent pas vraiment"),
    ("prend un temps fou", "prennent un temps fou"),
    ("compte plus que le reste", "comptent plus que le reste"),
    ("était franchement limite", "étaient franchement limite"),
    ("se passait plutôt bien", "se passaient plutôt bien"),
    ("nous a un peu sauvés", "nous ont un peu sauvés"),
    ("devient vite pesant", "deviennent vite pesants"),
    ("manquait complètement", "manquaient complètement"),
    ("fait toute la différence", "font toute la différence"),
    ("était à la charge de l'interne", "étaient à la charge de l'interne"),
    ("n'a jamais été discuté avec nous", "n'ont jamais été discutés avec nous"))
CLAUSES = (
    "quand on finit tard le soir", "parce qu'on n'a pas vraiment le choix", "surtout l'hiver",
    "si on n'a pas de voiture", "dès qu'on part en stage ambulatoire", "même avec les aides",
    "alors qu'on travaille déjà soixante heures par semaine", "vu qu'on change tous les six mois",
    "quand on ne connaît personne sur place", "pour peu qu'on soit de garde le dimanche",
    "tant que la faculté ne s'en occupe pas", "au moins les premières semaines",
    "sauf si on a de la famille dans le coin", "d'autant plus qu'on rentre le week-end")
QUOTES = (
    "c'est pas notre problème", "il faut voir avec l'ARS", "vous trouverez bien quelque chose",
    "y a plus de place à l'internat", "c'est comme ça depuis toujours", "on vous rappelle",
    "les internes, ils se débrouillent", "venez, on a une chambre pour vous")
ACTIONS = (
    "prévoir un logement meublé", "mettre en place une navette", "prévenir plus tôt",
    "payer les frais de déplacement", "nous mettre en contact avec les anciens internes",
    "centraliser les offres de logement", "rembourser une partie du loyer",
    "garantir une place à l'internat")
OPENERS = ("", "", "", "", "", "euh, ", "bon, ", "ben ", "alors ", "après, ", "en fait ",
           "honnêtement, ", "moi, ", "voilà, ", "franchement, ", "oui, ", "non mais ", "bah ",
           "disons que ", "du coup ", "et puis ")
ENDS = (".", ".", ".", ".", ".", ".", " ?", " !", "…")
PARTICIPANT_SENTENCES = (
    "{opener}{topic} {opinion}{clause}{end}",
    "pour moi, {topic} {opinion}{end}",
    "le problème, c'est {topic}{clause}{end}",
    "moi j'étais à {km} kilomètres de {place}, donc {topic} {opinion}{end}",
    "on payait {euros} euros par mois pour {topic}{clause}{end}",
    "je suis d'accord avec {name}, {topic} {opinion}{end}",
    "comme disait {name} tout à l'heure, {topic} {opinion}{clause}{end}",
    "{name} et moi, on était dans le même internat à {place}{end}",
    "mon maître de stage, le Dr. {surname}, m'avait dit « {quote} »{end}",
    "la secrétaire de M. {surname} nous a répondu « {quote} », voilà{end}",
    "Mme {surname}, à la faculté, nous avait promis {topic}, et euh… rien{end}",
    "ça fait quand même {decimal} heure de route par jour{clause}{end}",
    "c'est… c'est compliqué, {clause2}{end}",
    "je sais pas, {topic} {opinion}, enfin je crois{end}",
    "il faudrait {action}{clause}{end}",
    "franchement, si on pouvait {action}, ce serait déjà énorme{end}",
    "on avait {topic}, {topic2}, {topic3}, etc.",
    "(rires) oui, c'est vrai que {topic} {opinion}{end}",
    "[inaudible] … {topic}, surtout{end}",
    "j'ai fait {n} stages, et à chaque fois {topic} {opinion}{end}",
    "{opener}on était {n} internes pour {m} chambres{clause}{end}",
    "le Pr. {surname} avait fait un mail à ce sujet, mais bon{end}",
    "je rejoins {name} là-dessus, {clause2}, {topic} {opinion}{end}",
)
MODERATOR_SENTENCES = (
    "concernant {topic}, qu'est-ce que vous en pensez ?",
    "et {topic}, ça s'est passé comment pour vous ?",
    "et vous, {name}, comment ça s'est passé pour {topic} ?",
    "d'accord.", "d'accord, merci.", "merci {name}.", "oui ?", "hm hm.",
    "est-ce que quelqu'un veut réagir là-dessus ?",
    "on va passer à un autre thème : {topic}.",
    "si je résume, {topic} {opinion}, c'est bien ça ?",
    "vous pouvez préciser ce que vous entendez par « {quote} » ?",
    "{name}, vous vouliez ajouter quelque chose ?",
    "qu'est-ce qui vous aurait aidé, concrètement ?",
)


# --- corpus generation -----------------------------------------------------------------------


class TranscriptWriter:
    """Writes one group's transcript with a seeded random generator."""

    def __init__(self, rng: random.Random, names: list[str]) -> None:
        self.rng = rng
        self.names = names

    def _fill(self, template: str, speaker: str | None) -> str:
        rng = self.rng
        others = [n for n in self.names if n != speaker] or self.names
        clause, topic = rng.choice(CLAUSES), rng.choice(TOPICS)
        text = template.format(
            opener=rng.choice(OPENERS), topic=topic, topic2=rng.choice(TOPICS),
            topic3=rng.choice(TOPICS), opinion=rng.choice(OPINIONS)[topic.startswith("les ")],
            clause=f" {clause}" if rng.random() < 0.4 else "", clause2=clause,
            end=rng.choice(ENDS), km=rng.choice((12, 25, 35, 40, 55, 70)),
            place=rng.choice(PLACES), euros=rng.choice((280, 320, 350, 420, 480, 550, 610)),
            name=rng.choice(others), surname=rng.choice(SURNAMES), quote=rng.choice(QUOTES),
            decimal=f"{rng.randint(1, 2)},{rng.choice((5, 2, 7))}", action=rng.choice(ACTIONS),
            n=rng.randint(2, 6), m=rng.randint(1, 4))
        return text[0].upper() + text[1:]

    def _disfluent(self, sentence: str) -> str:
        """Hesitations of spoken French: "euh", repeated words, "…" in the middle."""
        words = sentence.split(" ")
        if len(words) > 4 and self.rng.random() < 0.3:
            words.insert(self.rng.randrange(1, len(words) - 1), "euh")
        if len(words) > 4 and self.rng.random() < 0.12:
            i = self.rng.randrange(1, len(words) - 1)
            words[i] = f"{words[i]}, {words[i]}"
        if len(words) > 6 and self.rng.random() < 0.1:
            i = self.rng.randrange(2, len(words) - 2)
            words[i] += "…"
        return " ".join(words)

    def turn(self, speaker: str | None) -> list[str]:
        """The paragraphs of one turn; ``speaker`` None is the moderator."""
        if speaker is None:
            count = 1 + (self.rng.random() < 0.3)
            return [" ".join(self._fill(self.rng.choice(MODERATOR_SENTENCES), None)
                             for _ in range(count))]
        count = min(1 + int(self.rng.expovariate(1 / 2.8)), 9)
        sentences = [self._disfluent(self._fill(self.rng.choice(PARTICIPANT_SENTENCES), speaker))
                     for _ in range(count)]
        cut = self.rng.randrange(1, count) if count > 2 and self.rng.random() < 0.1 else count
        if cut < count and sentences[cut].startswith(tuple(self.names)):
            cut = count  # a known name at the start of a line would start a new turn
        return [" ".join(part) for part in (sentences[:cut], sentences[cut:]) if part]

    def write(self, path: Path, header: str, labels: dict[str | None, str],
              words: int) -> None:
        speakers = [name for name in labels if name is not None]
        lines, written, clock, previous = [header, ""], 0, 5, ""
        while written < words:
            speaker = None if self.rng.random() < 0.25 and previous is not None else \
                self.rng.choice([s for s in speakers if s != previous])
            previous = speaker
            paragraphs = self.turn(speaker)
            stamp = f"{clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}"
            lines.append(f"[{stamp}] {labels[speaker]} : {paragraphs[0]}")
            lines.extend(paragraphs[1:])
            n = sum(len(p.split()) for p in paragraphs)
            written += n
            clock += int(n / 2.5) + self.rng.randint(1, 4)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate_study(root: Path, total_words: int, seed: int, *, groups: int | None = None
                   ) -> None:
    """Write study.yaml, identities.csv and the transcripts of a fictional study in ``root``
    (``groups`` focus groups, by default one per 13,333 words)."""
    import yaml

    from qualcode.steps.scaffold import init_study

    init_study(root)  # empty study folder with the HTES codebook
    rng = random.Random(seed)
    n_groups = groups or max(1, round(total_words / WORDS_PER_TRANSCRIPT))
    per_group = total_words // n_groups
    width = max(2, len(str(n_groups)))
    entries, participants, identities = [], [], []
    pid_width = max(3, len(str(n_groups * 9)))
    for g in range(1, n_groups + 1):
        gid = f"FG{g:0{width}d}"
        site = SITES[(g - 1) % len(SITES)]
        names = rng.sample(FIRST_NAMES, rng.randint(6, 9))
        moderator, label = rng.choice(MODERATORS)
        full_labels = rng.random() < 0.25  # some transcribers write "Camille Martin :"
        labels: dict[str | None, str] = {None: label}
        identities.append((gid, label, f"{moderator} {rng.choice(SURNAMES)}", "MOD"))
        for name in names:
            pid = f"P{len(participants) + 1:0{pid_width}d}"
            full = f"{name} {rng.choice(SURNAMES)}"
            labels[name] = full if full_labels else name
            identities.append((gid, labels[name], full, pid))
            participants.append({"id": pid, "group": gid, "attributes": {
                "semester": rng.randint(1, 6), "sex": rng.choice("FM"),
                "car": rng.choice(("yes", "no"))}})
        date = dt.date(2024, 1, 8) + dt.timedelta(days=3 * g)
        path = Path("transcripts") / f"{gid.lower()}-{site[0]}.txt"
        entries.append({"id": gid, "site": site[0], "date": date, "transcript": str(path),
                       "moderator": "MOD", "invited": len(names) + rng.randint(0, 2),
                       "attended": len(names), "duration_minutes": rng.randint(70, 110)})
        header = f"Transcription — focus group {gid} — {site[1]} — {date:%d/%m/%Y}"
        TranscriptWriter(rng, names).write(root / path, header, labels, per_group)
    study = {"title": "Étude de performance (générée, fictive)", "fictional": True,
             "language": "fr", "codebook": "codebooks/htes.yaml", "coding_unit": "sentence",
             "sites": [{"id": i, "name": n, "kind": k} for i, n, k in SITES],
             "groups": entries, "participants": participants,
             "roles": [{"id": "MOD", "label": "Modératrice"}],
             "coders": [{"id": "coder_a"}, {"id": "coder_b"}]}
    (root / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    with (root / "identities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("group_id", "speaker", "name", "participant_id"))
        writer.writerows(identities)


def extract_turn_texts(root: Path, out: Path) -> tuple[int, int]:
    """Write the pseudonymised turn texts qualcode segments, one JSON string a line.

    Returns (turns, whitespace words).
    """
    from qualcode.steps.imports import read_transcripts
    from qualcode.study import load_study

    texts = [t.text[start:end] for t in read_transcripts(load_study(root))
             for _, start, end, _ in t.turns]
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(text, ensure_ascii=False) + "\n" for text in texts)
    return len(texts), sum(len(text.split()) for text in texts)


# --- measurements, each in a fresh process ---------------------------------------------------


def read_texts(path: Path, limit: int | None = None) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(texts) >= limit:
                break
            texts.append(json.loads(line))
    return texts


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss * 1024 / 1e6  # KiB on Linux


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished worker processes."""
    return sum(usage.ru_utime + usage.ru_stime for usage in
               (resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure_qualcode(study_dir: Path, texts_path: Path, save: Path | None) -> dict:
    """load_study + import_study end to end, the model loaded (and timed) beforehand."""
    warmup = read_texts(texts_path, WARMUP)
    t0 = perf_counter()
    from qualcode.corpus import sentence_pipeline, split_sentences
    from qualcode.process import own_process
    from qualcode.steps.imports import import_study
    from qualcode.study import load_study

    own_process()  # as the command line does: heap padding, reading worker
    nlp = sentence_pipeline()
    load = perf_counter() - t0
    split_sentences(warmup)
    cpu, t1 = cpu_seconds(), perf_counter()
    result = import_study(load_study(study_dir))
    run, cpu = perf_counter() - t1, cpu_seconds() - cpu
    if save:
        result.segments.to_pickle(save)
    return {"load": load, "run": run, "cpu": cpu, "rss_mb": peak_rss_mb(),
            "worker_rss_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
            "units": len(result.segments),
            "turns": sum(len(t.turns) for t in result.transcripts), "pipes": nlp.pipe_names}


def measure_spacy(texts_path: Path) -> dict:
    """nlp.pipe over the turn texts with qualcode's pipeline, iterating doc.sents."""
    texts = read_texts(texts_path)
    t0 = perf_counter()
    import spacy

    nlp = spacy.load(MODEL, exclude=SENTER_EXCLUDE)
    nlp.enable_pipe("senter")
    load = perf_counter() - t0
    for doc in nlp.pipe(texts[:WARMUP], batch_size=BATCH_SIZE):
        for _ in doc.sents:
            pass
    cpu, t1 = cpu_seconds(), perf_counter()
    sentences = 0
    for doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
        for _ in doc.sents:
            sentences += 1
    run, cpu = perf_counter() - t1, cpu_seconds() - cpu
    return {"load": load, "run": run, "cpu": cpu, "rss_mb": peak_rss_mb(), "units": sentences,
            "turns": len(texts), "pipes": nlp.pipe_names}


def measure_names(study_dir: Path, segments_path: Path) -> dict:
    """find_person_names (spaCy NER) on the imported segments; NER model timed separately."""
    import pandas as pd

    from qualcode.steps.imports import find_person_names
    from qualcode.study import load_study

    segments, study = pd.read_pickle(segments_path), load_study(study_dir)
    t0 = perf_counter()
    from qualcode.corpus import ner_pipeline

    nlp = ner_pipeline()
    load = perf_counter() - t0
    find_person_names(segments.head(WARMUP), study)
    cpu, t1 = cpu_seconds(), perf_counter()
    names = find_person_names(segments, study)
    run, cpu = perf_counter() - t1, cpu_seconds() - cpu
    words = int(segments["text"].str.split().str.len().sum())
    return {"load": load, "run": run, "cpu": cpu, "rss_mb": peak_rss_mb(), "units": len(names),
            "words": words, "pipes": nlp.pipe_names}


def measure_privacy(study_dir: Path) -> dict:
    """Reading and pseudonymising every transcript, then the audit of the import's outputs
    (segments, canonical transcripts), in a copy of the study."""
    import shutil

    from qualcode.process import own_process
    from qualcode.steps.audit import audit
    from qualcode.steps.imports import import_study, read_transcripts
    from qualcode.steps.transcripts import write_import
    from qualcode.study import load_identities, load_study

    with tempfile.TemporaryDirectory(prefix="qualcode-audit-") as tmp:
        root = Path(tmp) / "study"
        shutil.copytree(study_dir, root)
        study = load_study(root)
        t0 = perf_counter()
        transcripts = read_transcripts(study)
        read = perf_counter() - t0
        own_process()  # as the command line does (the audit below runs after it, as before)
        write_import(import_study(study), root / "analyses")
        size = sum(p.stat().st_size for p in (root / "analyses").rglob("*") if p.is_file())
        t1 = perf_counter()
        audit(study, load_identities(study))
        audited = perf_counter() - t1
    words = sum(len(t.text[a:b].split()) for t in transcripts for _, a, b, _ in t.turns)
    return {"load": 0.0, "run": read, "audit": audited, "cpu": 0.0, "rss_mb": peak_rss_mb(),
            "words": words, "output_mb": size / 1e6}


def run_worker(kind: str, workdir: Path, save: bool = False) -> dict:
    """Run one measurement in a fresh Python process and return its JSON result."""
    command = [sys.executable, str(SCRIPT), "--worker", kind, "--workdir", str(workdir)]
    if save:
        command.append("--save-segments")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{kind} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_main(kind: str, workdir: Path, save: bool) -> None:
    study, texts, segments = workdir / "study", workdir / "texts.jsonl", workdir / "segments.pkl"
    if kind == "qualcode":
        result = measure_qualcode(study, texts, segments if save else None)
    elif kind == "spacy":
        result = measure_spacy(texts)
    elif kind == "privacy":
        result = measure_privacy(study)
    else:
        result = measure_names(study, segments)
    print(json.dumps(result))


# --- report ----------------------------------------------------------------------------------


def spread(values: list[float], fmt: str) -> str:
    return (f"{format(statistics.median(values), fmt)} "
            f"[{format(min(values), fmt)}–{format(max(values), fmt)}]")


def table_row(label: str, words: int, runs: list[dict], *, with_load: bool = False) -> list:
    seconds = [r["run"] + (r["load"] if with_load else 0) for r in runs]
    rates = [words / s for s in seconds]
    load = statistics.median(r["load"] for r in runs)
    label += ", incl. load" if with_load else ", excl. load"
    cpu = "" if with_load else f"{statistics.median(r['cpu'] for r in runs):.2f}"
    return [label, f"{words:,}", f"{load:.2f}", f"{statistics.median(seconds):.2f}",
            cpu, spread(rates, ",.0f"), f"{max(r['rss_mb'] for r in runs):,.0f}"]


def print_table(rows: list[list[str]]) -> None:
    header = ["configuration", "words", "load s", "median s", "CPU s",
              "words/s median [min–max]", "peak RSS MB"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        print("  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w)
                        for j, (c, w) in enumerate(zip(row, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def print_environment() -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) \
        if Path("/proc/cpuinfo").is_file() else platform.processor()
    print(f"Python {platform.python_version()} ({platform.python_implementation()}), "
          f"spaCy {metadata.version('spacy')}, {MODEL} {metadata.version('fr-core-news-sm')}, "
          f"qualcode {metadata.version('qualcode')}, pandas {metadata.version('pandas')}")
    print(f"CPUs: {cpus} usable ({os.cpu_count()} online), {model}; {platform.platform()}")


def report(words: int, turns: int, files: int, runs: dict[str, list[dict]]) -> None:
    q, s, n, p = runs["qualcode"], runs["spacy"], runs["names"], runs["privacy"]
    print(f"\nCorpus: {files} transcripts, {turns:,} turns, {words:,} words "
          f"(whitespace words of the pseudonymised turn texts)\n{len(q)} fresh process(es) per "
          f"configuration, interleaved; {WARMUP}-text warm-up not timed; "
          f"batch_size={BATCH_SIZE}\n")
    rows = [table_row("qualcode load_study + import_study", words, q),
            table_row("qualcode load_study + import_study", words, q, with_load=True),
            table_row("spaCy nlp.pipe (senter only)", words, s),
            table_row("qualcode find_person_names (NER)", n[0]["words"], n)]
    print_table(rows)
    print(f"\nPipelines: qualcode {q[0]['pipes']}, spaCy run {s[0]['pipes']}, "
          f"NER {n[0]['pipes']}"
          + ("" if q[0]["pipes"] == s[0]["pipes"] else "  ** DIFFERENT **"))
    worker = max(r["worker_rss_mb"] for r in q)
    print("CPU s: user + system time of the process and of its finished workers (qualcode's "
          "import reads large studies in a forked worker process: "
          + (f"peak RSS {worker:,.0f} MB, which counts the pages it shares with its parent)"
             if worker else "none ran)"))
    print(f"Segments: qualcode {q[0]['units']:,} (turns {q[0]['turns']:,}); spaCy sentences "
          f"{s[0]['units']:,} (turns {s[0]['turns']:,}); names found by NER {n[0]['units']:,}")
    print(f"Confidentiality: reading, turns and pseudonymisation "
          f"{statistics.median(r['run'] for r in p):.2f} s; audit of the import's outputs "
          f"({p[0]['output_mb']:.0f} MB) {statistics.median(r['audit'] for r in p):.2f} s")
    q_rate = statistics.median(words / r["run"] for r in q)
    s_rate = statistics.median(words / r["run"] for r in s)
    ratios = [words / a["run"] / (words / b["run"]) for a, b in zip(q, s, strict=True)]
    print(f"\nqualcode / spaCy throughput (excluding load): {q_rate / s_rate:.2f} "
          f"(per repetition: {min(ratios):.2f}–{max(ratios):.2f})")
    q_rss = max(r["rss_mb"] for r in q)
    checks = [(f"import + segmentation ≥ {TARGET_WPS:,} words/s (excl. load)",
               q_rate >= TARGET_WPS, f"{q_rate:,.0f} words/s"),
              (f"≥ {TARGET_RATIO} × spaCy's own throughput", q_rate / s_rate >= TARGET_RATIO,
               f"{q_rate / s_rate:.2f} ×"),
              (f"peak RSS < {TARGET_RSS_MB:,} MB for 1M words", q_rss < TARGET_RSS_MB,
               f"{q_rss:,.0f} MB at {words:,} words")]
    print("\nTargets:")
    for label, ok, value in checks:
        print(f"  [{'OK' if ok else 'MISSED'}] {label}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=1_000_000, help="corpus size in words")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per config")
    parser.add_argument("--seed", type=int, default=20240213, help="corpus generator seed")
    parser.add_argument("--keep", type=Path, help="new folder to keep the corpus in")
    parser.add_argument("--worker", choices=("qualcode", "spacy", "names", "privacy"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--save-segments", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker, args.workdir, args.save_segments)
        return
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        t0 = perf_counter()
        generate_study(workdir / "study", args.words, args.seed)
        turns, words = extract_turn_texts(workdir / "study", workdir / "texts.jsonl")
        files = len(list((workdir / "study" / "transcripts").glob("*.txt")))
        print(f"generated {files} transcripts and extracted {words:,} words of turn text in "
              f"{perf_counter() - t0:.1f} s", file=sys.stderr)
        runs: dict[str, list[dict]] = {"qualcode": [], "spacy": [], "names": [], "privacy": []}
        for i in range(args.repeat):  # interleaved, so that machine noise spreads evenly
            for kind in runs:
                runs[kind].append(run_worker(kind, workdir, save=(i == 0)))
                print(f"run {i + 1}/{args.repeat} {kind}: {runs[kind][-1]['run']:.2f} s "
                      f"(load {runs[kind][-1]['load']:.2f} s)", file=sys.stderr)
    print_environment()
    report(words, turns, files, runs)


if __name__ == "__main__":
    main()
