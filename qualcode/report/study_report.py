"""The study report in Word, as a thesis chapter, in the study's language: methods written
from what was done, participants (Table 1), agreement, triangulation, saturation with its
caveats, results per domain and code with quotes (for any codebook), the requirements,
references, and appendices (codebook, consensus, COREQ filled from ``study.yaml``).
Tables and figures are numbered and captioned.

Layout only: every number comes from the result tables passed in :class:`ReportData`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.codebook import Codebook
from qualcode.report.document import Numbering, add_table, new_document, save_document
from qualcode.report.wording import Wording, study_wording
from qualcode.study import COREQ_FIELDS, Study
from qualcode.suggest_quality import SuggestionQuality

REFERENCES = (
    "Farmer T, Robinson K, Elliott SJ, Eyles J. Developing and implementing a triangulation "
    "protocol for qualitative health research. Qual Health Res. 2006;16(3):377-394.",
    "Guest G, Namey E, Chen M. A simple method to assess and report thematic saturation in "
    "qualitative research. PLoS One. 2020;15(5):e0232076.",
    "Gwet KL. Handbook of Inter-Rater Reliability. 4th ed. Gaithersburg: Advanced "
    "Analytics; 2014.",
    "Hennink MM, Kaiser BN, Marconi VC. Code saturation versus meaning saturation: how many "
    "interviews are enough? Qual Health Res. 2017;27(4):591-608.",
    "Krippendorff K. Content Analysis: An Introduction to Its Methodology. 4th ed. Thousand "
    "Oaks: Sage; 2019.",
    "Tong A, Sainsbury P, Craig J. Consolidated criteria for reporting qualitative research "
    "(COREQ): a 32-item checklist for interviews and focus groups. Int J Qual Health Care. "
    "2007;19(6):349-357.",
)

_COREQ_ITEMS = {
    "fr": ("Enquêteur / animateur", "Diplômes", "Profession", "Genre",
           "Expérience et formation", "Relation préalable",
           "Ce que les participants savaient de l'enquêteur",
           "Caractéristiques de l'enquêteur", "Orientation méthodologique", "Échantillonnage",
           "Mode de recrutement", "Taille de l'échantillon", "Non-participation",
           "Lieu du recueil", "Présence de non-participants", "Description de l'échantillon",
           "Guide d'entretien", "Entretiens répétés", "Enregistrement audio / vidéo",
           "Notes de terrain", "Durée", "Saturation des données",
           "Retour des transcriptions", "Nombre de codeurs", "Arbre de codage",
           "Émergence des thèmes", "Logiciel", "Vérification par les participants",
           "Citations présentées", "Cohérence données / résultats",
           "Clarté des thèmes principaux", "Clarté des thèmes secondaires"),
    "en": ("Interviewer / facilitator", "Credentials", "Occupation", "Gender",
           "Experience and training", "Relationship established",
           "Participant knowledge of the interviewer", "Interviewer characteristics",
           "Methodological orientation and theory", "Sampling", "Method of approach",
           "Sample size", "Non-participation", "Setting of data collection",
           "Presence of non-participants", "Description of sample", "Interview guide",
           "Repeat interviews", "Audio / visual recording", "Field notes", "Duration",
           "Data saturation", "Transcripts returned", "Number of data coders",
           "Description of the coding tree", "Derivation of themes", "Software",
           "Participant checking", "Quotations presented", "Data and findings consistent",
           "Clarity of major themes", "Clarity of minor themes"),
}

_COREQ_DATA = {
    "fr": {"sample": "{participants} en {groups}", "invited": "{invited}, {present} "
           "({absent})", "described": "{n} décrits par : {attributes} (tableau 1)",
           "dates": " ; {kind} du {first} au {last}", "duration": "{low} à {high} minutes "
           "(moyenne {mean})", "coders": "{coders}, double codage indépendant",
           "tree": "{codes} en {domains} (annexe 1)", "origin": "{deductive}, {inductive}",
           "quotes": "oui, citations pseudonymisées avec l'identifiant du participant et du "
           "segment", "consistency": "chaque résultat renvoie à des segments codés (matrice "
           "cadre, citations avec leur segment)", "major": "thèmes ordonnés par nombre de "
           "sites et part des participants (résultats)", "minor": "codes peu évoqués et "
           "thèmes absents d'un site (silences) listés dans les résultats"},
    "en": {"sample": "{participants} in {groups}", "invited": "{invited}, {present} "
           "({absent})", "described": "{n} described by: {attributes} (table 1)",
           "dates": "; {kind} from {first} to {last}", "duration": "{low} to {high} minutes "
           "(mean {mean})", "coders": "{coders}, independent double coding",
           "tree": "{codes} in {domains} (appendix 1)", "origin": "{deductive}, {inductive}",
           "quotes": "yes, pseudonymised quotes with the participant's and segment's ids",
           "consistency": "every finding refers to coded segments (framework matrix, quotes "
           "with their segment)", "major": "themes ordered by number of sites and share of "
           "participants (results)", "minor": "codes seldom raised and themes absent from a "
           "site (silences) listed in the results"},
}


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows; tables may be None when a stage did not run."""

    study: Study
    codebook: Codebook
    imported: pd.DataFrame            # import summary, one row per transcript
    coding_status: str
    consensus_log: pd.DataFrame | None
    agreement_domains: pd.DataFrame | None
    agreement_interval: str
    convergence: pd.DataFrame | None   # per-code convergence summary
    saturation: pd.DataFrame | None    # saturation summary, one row per stratum
    saturation_level: str
    requirements: pd.DataFrame | None
    figures: dict[str, Path]
    version: str
    suggestions: SuggestionQuality | None = None
    codes: pd.DataFrame | None = None  # evidence per code (checklist.code_evidence)
    n_confirmed: int = 0               # convergence classes the researchers confirmed


def saturation_sentence(row, words: Wording) -> str:
    """The saturation statement of one stratum."""
    settings = words("report.saturation_settings", base=row.base, run=row.run,
                     threshold=words.percent(row.threshold), runs=words(f"runs.{row.runs}"))
    if row.saturation_n == row.saturation_n:  # not NaN
        return words("report.saturation_reached", n=int(row.saturation_n), settings=settings)
    if row.n_events >= row.base + row.run and row.base_codes == 0:
        return words("report.saturation_undefined", base=row.base, settings=settings)
    return words("report.saturation_not", events=words.count(int(row.n_events), "event"),
                 settings=settings)


def consensus_words(status: str, words: Wording) -> str:
    """The coding stage's (English) consensus status in the study's language."""
    for key in ("complete", "incomplete"):
        if status.startswith(f"consensus {key}"):
            return words(f"consensus.{key}")
    return words("consensus.none")


def write_study_report(path: Path, data: ReportData) -> Path:
    """``analyses/report.docx``."""
    study, codebook = data.study, data.codebook
    words = study_wording(study)
    numbers = Numbering(words)
    document = new_document(study.language)
    document.add_heading(study.title, level=0)
    if study.fictional:
        document.add_paragraph(words("report.fictional")).runs[0].italic = True
    _method(document, data, words, numbers)
    _agreement(document, data, words, numbers)
    _suggestions(document, data, words, numbers)
    _triangulation(document, data, words, numbers)
    _saturation(document, data, words, numbers)
    _results(document, data, words)
    _checklist(document, data, words, numbers)
    document.add_heading(words("report.references"), level=1)
    for reference in REFERENCES:
        document.add_paragraph(reference, style="List Number")
    document.add_page_break()
    document.add_heading(words("report.annex_codebook"), level=1)
    for code in codebook.codes:
        paragraph = document.add_paragraph(style="List Bullet" if code.depth else None)
        paragraph.add_run(f"{codebook.text(code.label, study.language)} ").bold = True
        paragraph.add_run(f"({code.id}){words('colon')}"
                          f"{codebook.text(code.definition, study.language)}")
    document.add_heading(words("report.annex_consensus"), level=1)
    _consensus(document, data, words)
    document.add_heading(words("report.annex_coreq"), level=1)
    document.add_paragraph(words("report.coreq_intro"))
    add_table(document, [words("col.number"), words("col.item"), words("col.answer")],
              [[str(n), item, answer] for n, item, answer in coreq(data)], [1.0, 5.0, 11.0])
    return save_document(path, document, study.language)


def _method(document, data: ReportData, words: Wording, numbers: Numbering) -> None:
    study, codebook = data.study, data.codebook
    document.add_heading(words("report.methods"), level=1)
    towns = ", ".join(f"{s.name} ({words.label('kind', s.kind)})" for s in study.sites)
    document.add_paragraph(words(
        "report.design", groups=words.count(len(study.groups), "group"),
        sites=words.count(len(study.sites), "site"), towns=towns,
        participants=words.count(len(study.participants), "participant")))
    numbers.table(document, words("report.participants_table"))
    header, rows = participants_table(study, words)
    add_table(document, header, rows, [4.0] + [13.0 / (len(header) - 1)] * (len(header) - 1))
    numbers.table(document, words.noun("group").capitalize())
    imported = data.imported.set_index("group_id")
    add_table(document, [words("col.group"), words("col.site"), words("col.date"),
                         words("col.invited"), words("col.present"), words("col.duration"),
                         words("col.words"), words("col.segments")],
              [[g.id, study.site(g.site).name, g.date.isoformat() if g.date else "–",
                str(g.invited or "–"), str(g.attended or "–"), str(g.duration_minutes or "–"),
                str(imported.loc[g.id, "n_words"]), str(imported.loc[g.id, "n_segments"])]
               for g in study.groups], [1.8, 3.0, 2.3, 1.7, 1.9, 1.9, 1.5, 2.0])
    origins = Counter(code.origin for code in codebook.codable)
    document.add_paragraph(words(
        "report.transcription", kind=words.noun("group"),
        unit=words(f"unit.{study.coding_unit}"),
        segments=words.count(int(data.imported["n_segments"].sum()), "segment")))
    document.add_paragraph(words(
        "report.codebook", codes=words.count(len(codebook.codable), "code"),
        domains=words.count(len(codebook.domains), "domain"),
        deductive=words.count(origins.get("deductive", 0), "deductive"),
        inductive=words.count(origins.get("inductive", 0), "inductive")))
    coders = words.count(len(study.coders), "coder")
    document.add_paragraph(words("report.double", coders=coders,
                                 consensus=consensus_words(data.coding_status, words))
                           if len(study.coders) > 1 else words("report.single", coders=coders))
    if data.agreement_domains is not None:
        document.add_paragraph(words("report.agreement_method",
                                     interval=words.interval(data.agreement_interval)))
    if len(study.sites) > 1:
        document.add_paragraph(words("report.triangulation_method",
                                     noun=words.noun("participant")))
    if data.saturation is not None:
        document.add_paragraph(words("report.saturation_method",
                                     level=words(f"level.{data.saturation_level}")))


def participants_table(study: Study, words: Wording) -> tuple[list[str], list[list[str]]]:
    """Table 1: each attribute of the participants, by site and overall; numbers as median
    (range), other values as n (%)."""
    sites = [s for s in study.sites if any(study_site(study, p) == s.id
                                           for p in study.participants)]
    header = [words("report.characteristic"), *(f"{s.name} (n = {_n(study, s.id)})"
                                                for s in sites),
              f"{words('report.total')} (n = {len(study.participants)})"]
    rows = []
    names = sorted({key for p in study.participants for key in p.attributes})
    for name in names:
        label = study.attribute_labels.get(name, name.replace("_", " ").capitalize())
        values = [p.attributes.get(name) for p in study.participants]
        groups = [[p for p in study.participants if study_site(study, p) == s.id]
                  for s in sites] + [list(study.participants)]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values
               if v is not None):
            rows.append([label, *(_median(g, name, words) for g in groups)])
            continue
        rows.append([label, *([""] * len(groups))])
        for value in sorted({v for v in values if v is not None}, key=str):
            rows.append([f"   {words.yes_no(value)}", *(_share(g, name, value, words)
                                                       for g in groups)])
    return header, rows


def study_site(study: Study, participant) -> str:
    return next(g.site for g in study.groups if g.id == participant.group)


def _n(study: Study, site: str) -> int:
    return sum(study_site(study, p) == site for p in study.participants)


def _median(group: list, name: str, words: Wording) -> str:
    values = pd.Series([p.attributes.get(name) for p in group], dtype=float).dropna()
    if values.empty:
        return "–"
    return words("report.median", median=words.number(values.median(), 0 if
                                                      values.median() % 1 == 0 else 1),
                 low=words.number(values.min(), 0), high=words.number(values.max(), 0))


def _share(group: list, name: str, value, words: Wording) -> str:
    n = sum(p.attributes.get(name) == value for p in group)
    return f"{n} ({words.percent(n / len(group))})" if group else "–"


def _agreement(document, data: ReportData, words: Wording, numbers: Numbering) -> None:
    if data.agreement_domains is None:
        return
    document.add_heading(words("report.agreement"), level=1)
    pooled = data.agreement_domains[data.agreement_domains["method"] == "pooled"]
    kappa = "cohen_kappa" if pooled["cohen_kappa"].notna().any() else "fleiss_kappa"
    labels = {c.id: data.codebook.text(c.label, data.study.language)
              for c in data.codebook.domains} | {"all": words("all")}
    numbers.table(document, words("report.agreement_table"))
    add_table(document, [words("col.domain"), words("col.percent"), words("col.kappa"),
                         words("col.alpha"), words("col.ac1"), words("col.status")],
              [[labels.get(r.domain, r.domain), words.number(r.percent_agreement, 3),
                words.number(getattr(r, kappa)),
                f"{words.number(r.krippendorff_alpha)} ({words.number(r.alpha_low)}–"
                f"{words.number(r.alpha_high)})", words.number(r.gwet_ac1),
                words.label("agreement", r.status)]
               for r in pooled.itertuples(index=False)], [4.5, 2.0, 1.6, 3.8, 1.6, 2.5])
    document.add_paragraph(words("report.agreement_note"))
    numbers.figure(document, data.figures.get("agreement"), words("report.agreement_figure"),
                   15)


def _suggestions(document, data: ReportData, words: Wording, numbers: Numbering) -> None:
    """How the code suggestions score as a coder, next to the human coders (French text;
    the English one says the same)."""
    quality = data.suggestions
    if quality is None:
        return
    document.add_heading(words("report.suggestions"), level=1)
    model = quality.codes[quality.codes["kind"] == "model"]
    learnt = int(model["learnable"].sum())
    document.add_paragraph(words("suggestions.method", learnt=learnt, total=len(model),
                                 validation=words.interval(quality.validation)))
    names = {"suggest": words("suggestions.model"), "keywords": words("suggestions.keywords")}
    numbers.table(document, words("report.suggestions"))
    add_table(document, [words("col.coder"), words("col.precision"), words("col.recall"),
                         words("col.f1"), words("col.kappa"), words("col.alpha")],
              [[names.get(r.rater, f"{words.noun('coder', 1).capitalize()} {r.rater}"),
                words.number(r.precision), words.number(r.recall), words.number(r.f1),
                words.number(r.cohen_kappa),
                f"{words.number(r.krippendorff_alpha)} ({words.number(r.alpha_low)}–"
                f"{words.number(r.alpha_high)})"]
               for r in quality.overall.itertuples(index=False)], [3.4, 2.7, 2.1, 1.6, 2.0,
                                                                   4.2])
    document.add_paragraph(words("suggestions.note"))
    numbers.figure(document, data.figures.get("suggestions"), words("suggestions.figure"), 15)


def _triangulation(document, data: ReportData, words: Wording, numbers: Numbering) -> None:
    if len(data.study.sites) < 2:
        return
    document.add_heading(words("report.triangulation"), level=1)
    numbers.figure(document, data.figures.get("matrix"),
                   words("report.matrix_figure", noun=words.noun("participant")), 14)
    if data.convergence is None:
        return
    codes = data.convergence[data.convergence["row"] == "code"]
    counts = codes["convergence"].value_counts()
    listed = words("semicolon").join(words.label("convergence", c) + words("colon")
                                     + words.count(int(n), "code") for c, n in counts.items())
    if data.n_confirmed and data.n_confirmed >= len(codes):
        document.add_paragraph(words("report.convergence_confirmed", counts=listed))
    else:
        document.add_paragraph(words("report.convergence", counts=listed, confirmed=words(
            "report.confirmed_n", n=words.count(data.n_confirmed, "class"),
            total=len(codes))))
    silent = codes[codes["convergence"] == "silence"]
    if not silent.empty:
        document.add_paragraph(words("report.silent", codes=words("semicolon").join(
            words("report.silent_code", label=r.label,
                  n=words.count(r.n_sites_present, "site"), total=r.n_sites)
            for r in silent.itertuples(index=False))))


def _saturation(document, data: ReportData, words: Wording, numbers: Numbering) -> None:
    if data.saturation is None:
        return
    document.add_heading(words("report.saturation"), level=1)
    names = {site.id: site.name for site in data.study.sites}
    for row in data.saturation.itertuples(index=False):
        where = words("all") if row.stratum == "all" else names.get(row.stratum, row.stratum)
        document.add_paragraph(f"{where}{words('colon')}{saturation_sentence(row, words)}.",
                               style="List Bullet")
    focus = data.study.study_kind == "focus_groups" and data.saturation_level == "participant"
    document.add_paragraph(words("report.saturation_caveat_fg" if focus
                                 else "report.saturation_caveat")).runs[0].italic = True
    numbers.figure(document, data.figures.get("saturation"), words("report.saturation_figure"),
                   16)


def _results(document, data: ReportData, words: Wording) -> None:
    """Per domain, each code raised with its evidence and a quote, most shared first; the
    codes nobody raised are listed at the end of their domain."""
    from docx.shared import Cm

    if data.codes is None or data.codes.empty:
        return
    document.add_heading(words("report.results"), level=1)
    for domain in data.codebook.domains:
        mine = data.codes[data.codes["domain"] == domain.id].sort_values(
            ["share_participants", "n_segments"], ascending=False, kind="stable")
        if mine.empty:
            continue
        document.add_heading(data.codebook.text(domain.label, data.study.language), level=2)
        for row in mine[mine["n_segments"] > 0].itertuples(index=False):
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(row.label + words("colon")).bold = True
            paragraph.add_run(words(
                "report.code_line", n=row.n_participants,
                noun=words.noun("participant", row.n_participants_total),
                total=row.n_participants_total, share=words.percent(row.share_participants),
                sites=words("report.code_sites", n=words.count(row.n_sites, "site"),
                            total=row.n_sites_total),
                passages=words.count(row.n_segments, "passage")))
            for quote in row.quotes.split("\n")[:1] if row.quotes else []:
                line = document.add_paragraph(quote)
                line.paragraph_format.left_indent = Cm(1.0)
                line.runs[0].italic = True
        silent = mine[mine["n_segments"] == 0]
        if not silent.empty:
            document.add_paragraph(words("report.not_raised",
                                         codes=", ".join(silent["label"])))


def _checklist(document, data: ReportData, words: Wording, numbers: Numbering) -> None:
    if data.requirements is None:
        return
    document.add_heading(words("report.requirements"), level=1)
    document.add_paragraph(words("report.requirements_note"))
    numbers.table(document, words("report.requirements_table"))
    add_table(document, [words("col.requirement"), words("col.priority")],
              [[f"{r.text} ({r.requirement_id})", words.label("priority", r.priority)
                + (f" · {words('to_confirm')}" if r.to_confirm else "")]
               for r in data.requirements.itertuples(index=False)], [12.5, 4.0])


def _consensus(document, data: ReportData, words: Wording) -> None:
    log = data.consensus_log
    if log is None or log.empty:
        document.add_paragraph(words("report.no_consensus"))
        return
    totals = log.groupby("decision")["n"].sum()
    document.add_paragraph(words(
        "report.consensus_counts", n=words.count(int(totals.sum()), "disagreement"),
        counts=", ".join(f"{n} {words.noun('kept' if d == 'keep' else 'dropped', n)}"
                         for d, n in totals.items())))
    per_person = log.groupby("decided_by")["n"].sum()
    document.add_paragraph(words("report.decided_by", who=", ".join(
        f"{who} ({n})" for who, n in per_person.items())))


def coreq(data: ReportData) -> list[tuple[int, str, str]]:
    """The 32 COREQ items: from the study's data where it can say, else from the ``coreq:``
    of ``study.yaml``; "to complete" otherwise."""
    study, words = data.study, study_wording(data.study)
    phrases = _COREQ_DATA[words.language]
    groups = study.groups
    invited = sum(g.invited or 0 for g in groups)
    attended = sum(g.attended or 0 for g in groups)
    durations = [g.duration_minutes for g in groups if g.duration_minutes]
    dates = sorted(g.date for g in groups if g.date)
    attributes = [study.attribute_labels.get(k, k) for k in
                  sorted({key for p in study.participants for key in p.attributes})]
    origins = Counter(c.origin for c in data.codebook.codable)
    given = {COREQ_FIELDS[key]: text for key, text in study.coreq.items()}
    names = {site.id: site.name for site in study.sites}
    answers = {
        12: phrases["sample"].format(participants=words.count(len(study.participants),
                                                              "participant"),
                                     groups=words.count(len(groups), "group")),
        13: phrases["invited"].format(invited=words.count(invited, "invited"),
                                      present=words.count(attended, "present"),
                                      absent=words.count(invited - attended, "absent"))
        if invited else None,
        14: words("semicolon").join(f"{g.id}{words('colon')}{g.location}" for g in groups
                                    if g.location) or None,
        16: phrases["described"].format(n=words.count(len(study.participants),
                                                      "participant"),
                                        attributes=", ".join(attributes))
        + (phrases["dates"].format(kind=words.noun("group"), first=dates[0].isoformat(),
                                   last=dates[-1].isoformat()) if dates else "")
        if attributes else None,
        21: phrases["duration"].format(low=min(durations), high=max(durations),
                                       mean=round(sum(durations) / len(durations)))
        if durations else None,
        22: words("semicolon").join(
            f"{words('all') if r.stratum == 'all' else names.get(r.stratum, r.stratum)}"
            f"{words('colon')}{saturation_sentence(r, words)}"
            for r in data.saturation.itertuples(index=False))
        if data.saturation is not None else None,
        24: phrases["coders"].format(coders=words.count(len(study.coders), "coder")),
        25: phrases["tree"].format(codes=words.count(len(data.codebook.codable), "code"),
                                   domains=words.count(len(data.codebook.domains), "domain")),
        26: phrases["origin"].format(
            deductive=words.count(origins.get("deductive", 0), "deductive"),
            inductive=words.count(origins.get("inductive", 0), "inductive")),
        27: f"qualcode {data.version}",
        29: phrases["quotes"], 30: phrases["consistency"], 31: phrases["major"],
        32: phrases["minor"],
    }
    items = _COREQ_ITEMS[words.language]
    return [(n, item, _answer(given.get(n), answers.get(n), words))
            for n, item in enumerate(items, 1)]


def _answer(given: str | None, computed: str | None, words: Wording) -> str:
    """The researcher's text and what the data say, or "to complete"."""
    parts = [part.rstrip(" .") for part in (given, computed) if part]
    return words("semicolon").join(parts) if parts else words("todo")
