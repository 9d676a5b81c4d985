"""The study report in Word (French): method, agreement, triangulation, saturation, results
per domain with quotes, the checklist, and appendices (codebook, consensus, COREQ).

Layout only: every number comes from the result tables passed in :class:`ReportData`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.codebook import Codebook
from qualcode.io.files import write_office
from qualcode.report.checklist import KIND_WORDS
from qualcode.study import Study
from qualcode.suggest_quality import SuggestionQuality

_STATUS = {"reliable": "fiable", "tentative": "acceptable", "unreliable": "peu fiable",
           "undefined": "non défini"}
_CLASSES = {"agreement": "accord", "partial agreement": "accord partiel",
            "dissonance": "dissonance", "silence": "silence"}


def _saturation_sentence(row) -> str:
    """The saturation statement in French."""
    settings = (f"base {row.base}, série {row.run}, seuil {row.threshold:.0%}, séries "
                f"{'glissantes' if row.runs == 'rolling' else 'successives'}").replace("%",
                                                                                      " %")
    if row.saturation_n == row.saturation_n:  # not NaN
        return f"saturation atteinte à n = {int(row.saturation_n)} ({settings})"
    if row.n_events >= row.base + row.run and row.base_codes == 0:
        return (f"saturation indéfinie : les {row.base} premiers événements ne portent aucun "
                f"code ({settings})")
    return f"saturation non atteinte en {row.n_events} événements ({settings})"


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


def _table(document, header: list[str], rows: list[list[str]], widths: list[float] | None
           = None) -> None:
    from docx.shared import Cm

    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = str(text)
    if widths:
        grid.autofit = False
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = Cm(width)
            for cell in column.cells:
                cell.width = Cm(width)


def _figure(document, path: Path | None, width: float = 16) -> None:
    from docx.shared import Cm

    if path is not None and path.is_file():
        document.add_picture(str(path), width=Cm(width))


def _fr(value: float, digits: int = 2) -> str:
    return "–" if pd.isna(value) else f"{value:.{digits}f}".replace(".", ",")


def write_study_report(path: Path, data: ReportData) -> Path:
    """``analyses/report.docx``."""
    import docx

    study, codebook = data.study, data.codebook
    document = docx.Document()
    document.add_heading(study.title, level=0)
    if study.fictional:
        document.add_paragraph("Étude fictive de démonstration : propos, personnes et chiffres "
                               "inventés.").runs[0].italic = True
    _method(document, data)
    _agreement(document, data)
    _suggestions(document, data)
    _triangulation(document, data)
    _saturation(document, data)
    _results(document, data)
    _checklist(document, data)
    document.add_page_break()
    document.add_heading("Annexe 1 : grille de codage", level=1)
    for code in codebook.codes:
        paragraph = document.add_paragraph(style="List Bullet" if code.depth else None)
        paragraph.add_run(f"{codebook.text(code.label, study.language)} ").bold = True
        paragraph.add_run(f"({code.id}) : {codebook.text(code.definition, study.language)}")
    document.add_heading("Annexe 2 : consensus", level=1)
    _consensus(document, data)
    document.add_heading("Annexe 3 : grille COREQ", level=1)
    document.add_paragraph("Tong A, Sainsbury P, Craig J (2007). Consolidated criteria for "
                           "reporting qualitative research (COREQ). Int J Qual Health Care "
                           "19:349-357. Les items renseignés ici viennent des données de "
                           "l'étude ; les autres sont « à compléter ».")
    _table(document, ["N°", "Item", "Réponse"],
           [[str(n), item, answer] for n, item, answer in coreq(data)], [1.0, 5.0, 10.5])
    return write_office(path, document)


def _method(document, data: ReportData) -> None:
    study, codebook = data.study, data.codebook
    document.add_heading("Méthode", level=1)
    towns = ", ".join(f"{s.name} ({KIND_WORDS.get(s.kind, s.kind)})" for s in study.sites)
    document.add_paragraph(
        f"Étude qualitative par {len(study.groups)} focus groups dans {len(study.sites)} "
        f"sites : {towns}. {len(study.participants)} participants.")
    rows = []
    for group in study.groups:
        imported = data.imported.set_index("group_id").loc[group.id]
        rows.append([group.id, study.site(group.site).name,
                     group.date.isoformat() if group.date else "–",
                     str(group.invited or "–"), str(group.attended or "–"),
                     str(group.duration_minutes or "–"), str(imported["n_words"]),
                     str(imported["n_segments"])])
    _table(document, ["Groupe", "Site", "Date", "Invités", "Présents", "Durée (min)", "Mots",
                      "Segments"], rows, [1.5, 3.2, 2.4, 1.7, 1.8, 1.9, 1.6, 1.9])
    codable = len(codebook.codable)
    origins = Counter(code.origin for code in codebook.codable)
    document.add_paragraph(
        f"Retranscription intégrale, pseudonymisation (identifiants P01…), découpage en "
        f"{'phrases' if study.coding_unit == 'sentence' else 'tours de parole'}. Grille "
        f"hiérarchique de {codable} codes en {len(codebook.domains)} domaines "
        f"({origins.get('deductive', 0)} déductifs, {origins.get('inductive', 0)} inductifs). "
        f"Double codage indépendant par {len(study.coders)} codeurs ; {data.coding_status}.")


def _agreement(document, data: ReportData) -> None:
    if data.agreement_domains is None:
        return
    document.add_heading("Accord inter-codeurs", level=1)
    pooled = data.agreement_domains[data.agreement_domains["method"] == "pooled"]
    kappa = "cohen_kappa" if pooled["cohen_kappa"].notna().any() else "fleiss_kappa"
    labels = {c.id: data.codebook.text(c.label, data.study.language)
              for c in data.codebook.domains} | {"all": "Ensemble"}
    _table(document, ["Domaine", "Accord brut", "Kappa", "Alpha (IC 95 %)", "AC1", "Statut"],
           [[labels.get(r.domain, r.domain), _fr(r.percent_agreement, 3),
             _fr(getattr(r, kappa)),
             f"{_fr(r.krippendorff_alpha)} ({_fr(r.alpha_low)}–{_fr(r.alpha_high)})",
             _fr(r.gwet_ac1), _STATUS.get(r.status, r.status)]
            for r in pooled.itertuples(index=False)], [4.5, 2.0, 1.6, 3.8, 1.6, 2.5])
    document.add_paragraph(f"Intervalles : {_interval_fr(data.agreement_interval)}. "
                           "Accord regroupé sur les codes appliqués par au moins un codeur. "
                           "Alpha de Krippendorff : "
                           "0,800 et plus fiable, 0,667 à 0,800 acceptable.")
    _figure(document, data.figures.get("agreement"), 15)


_INTERVAL_WORDS = (("95% percentile bootstrap", "bootstrap percentile à 95 %"),
                   ("resamples of", "rééchantillonnages des"), ("no interval", "sans intervalle"),
                   ("(cluster bootstrap)", "(bootstrap par grappes)"),
                   ("as if independent", "comme s'ils étaient indépendants"),
                   ("fewer than", "moins de"), ("no participants", "aucun participant"),
                   ("with their characters", "avec leurs caractères"), ("turns", "tours"),
                   ("characters", "caractères"), ("groups", "groupes"))


def _interval_fr(text: str) -> str:
    """The agreement tables' description of their intervals, in French."""
    for english, french in _INTERVAL_WORDS:
        text = text.replace(english, french)
    return text


def _suggestions(document, data: ReportData) -> None:
    """How the code suggestions score as a coder, next to the human coders."""
    quality = data.suggestions
    if quality is None:
        return
    document.add_heading("Suggestions de codes", level=1)
    model = quality.codes[quality.codes["kind"] == "model"]
    learnt = int(model["learnable"].sum())
    coding = "le codage de consensus" if quality.coding == "consensus" else \
        "l'union des codeurs" if quality.coding == "union" else f"le codage de {quality.coding}"
    folds = quality.validation.replace("leave one group out", "un groupe laissé de côté") \
        .replace("folds", "plis").replace("grouped", "par groupes,")
    document.add_paragraph(
        f"Un modèle local (lemmes, TF-IDF, une régression logistique calibrée par code) "
        f"apprend {coding} et les exemples de la grille ; aucun texte ne quitte l'ordinateur. "
        f"Il est évalué comme un troisième codeur, par validation croisée ({folds}) : le "
        f"groupe évalué n'a jamais servi à l'apprentissage. {learnt} codes sur {len(model)} "
        f"sont apprenables (au moins 5 segments codés) ; les autres ne sont pas suggérés.")
    names = {"suggest": "Suggestions", "keywords": "Mots-clés (référence)"}
    _table(document, ["Codeur", "Précision", "Rappel", "F1", "Kappa", "Alpha (IC 95 %)"],
           [[names.get(r.rater, f"Codeur {r.rater}"), _fr(r.precision), _fr(r.recall),
             _fr(r.f1), _fr(r.cohen_kappa),
             f"{_fr(r.krippendorff_alpha)} ({_fr(r.alpha_low)}–{_fr(r.alpha_high)})"]
            for r in quality.overall.itertuples(index=False)], [3.4, 2.7, 2.1, 1.6, 2.0, 4.2])
    document.add_paragraph(
        "Accord avec le codage appris, sur tous les codes. L'accord des codeurs avec un "
        "consensus issu de leurs propres codages en est la borne haute. Les suggestions ne "
        "sont jamais mêlées aux codages : seules celles qu'un codeur accepte deviennent ses "
        "codages.")
    _figure(document, data.figures.get("suggestions"), 15)


def _triangulation(document, data: ReportData) -> None:
    document.add_heading("Triangulation des sites", level=1)
    _figure(document, data.figures.get("matrix"), 13)
    if data.convergence is not None:
        codes = data.convergence[data.convergence["row"] == "code"]
        counts = codes["convergence"].value_counts()
        document.add_paragraph("Convergence entre sites (Farmer et al. 2006) : " + ", ".join(
            f"{n} codes en {_CLASSES.get(c, c)}" for c, n in counts.items()) + ".")
        silent = codes[codes["convergence"] == "silence"]
        if not silent.empty:
            document.add_paragraph("Thèmes absents d'au moins un site : " + "; ".join(
                f"{r.label} ({r.n_sites_present} sites sur {r.n_sites})"
                for r in silent.itertuples(index=False)) + ".")


def _saturation(document, data: ReportData) -> None:
    if data.saturation is None:
        return
    document.add_heading("Saturation", level=1)
    level = {"participant": "participants", "group": "groupes", "turn": "tours de parole"}
    document.add_paragraph(f"Méthode de Guest, Namey et Chen (2020), événements : "
                           f"{level.get(data.saturation_level, data.saturation_level)}.")
    names = {site.id: site.name for site in data.study.sites}
    for row in data.saturation.itertuples(index=False):
        where = "Ensemble" if row.stratum == "all" else names.get(row.stratum, row.stratum)
        document.add_paragraph(f"{where} : {_saturation_sentence(row)}.", style="List Bullet")
    _figure(document, data.figures.get("saturation"), 16)


def _results(document, data: ReportData) -> None:
    if data.requirements is None:
        return
    document.add_heading("Résultats par domaine", level=1)
    for domain in data.codebook.domains:
        mine = data.requirements[data.requirements["domain"] == domain.id].sort_values(
            "share_participants", ascending=False, kind="stable")
        if mine.empty:
            continue
        document.add_heading(data.codebook.text(domain.label, data.study.language), level=2)
        for row in mine.itertuples(index=False):
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{row.label} : ").bold = True
            paragraph.add_run(f"{row.n_participants} participants sur "
                              f"{row.n_participants_total} ({row.share_participants:.0%}), "
                              f"{row.n_sites} site(s) sur {row.n_sites_total}."
                              .replace("%", " %"))
            quote = (row.quotes or "").split("\n")[0] if isinstance(row.quotes, str) else ""
            if quote:
                document.add_paragraph(quote).runs[0].italic = True


def _checklist(document, data: ReportData) -> None:
    if data.requirements is None:
        return
    document.add_heading("Cahier des exigences", level=1)
    document.add_paragraph("Le détail, avec les citations et l'évaluation des projets, est "
                           "dans checklist.docx.")
    _table(document, ["Exigence", "Priorité"],
           [[f"{r.text} ({r.requirement_id})", r.priority + (" · à confirmer" if r.to_confirm
                                                              else "")]
            for r in data.requirements.itertuples(index=False)], [12.5, 4.0])


def _consensus(document, data: ReportData) -> None:
    log = data.consensus_log
    if log is None or log.empty:
        document.add_paragraph("Pas encore de consensus enregistré.")
        return
    totals = log.groupby("decision")["n"].sum()
    document.add_paragraph(f"{int(totals.sum())} désaccords tranchés : "
                           + ", ".join(f"{n} {'gardés' if d == 'keep' else 'écartés'}"
                                       for d, n in totals.items()) + ".")
    per_person = log.groupby("decided_by")["n"].sum()
    document.add_paragraph("Décidés par : " + ", ".join(f"{who} ({n})" for who, n in
                                                       per_person.items()) + ".")


def coreq(data: ReportData) -> list[tuple[int, str, str]]:
    """The 32 COREQ items, answered from the study data where it can be."""
    study, todo = data.study, "à compléter"
    groups = study.groups
    invited = sum(g.invited or 0 for g in groups)
    attended = sum(g.attended or 0 for g in groups)
    durations = [g.duration_minutes for g in groups if g.duration_minutes]
    attributes = Counter(key for p in study.participants for key in p.attributes)
    saturation = "; ".join(f"{r.stratum} : {_saturation_sentence(r)}" for r in
                           data.saturation.itertuples(index=False)) \
        if data.saturation is not None else todo
    origins = Counter(c.origin for c in data.codebook.codable)
    answers = {
        12: f"{len(study.participants)} participants en {len(groups)} focus groups",
        13: f"{invited} invités, {attended} présents ({invited - attended} absents)"
        if invited else todo,
        14: "; ".join(f"{g.id} : {g.location}" for g in groups if g.location) or todo,
        16: f"{len(study.participants)} participants décrits par : "
            + ", ".join(sorted(attributes)) if attributes else todo,
        19: "transcriptions : " + ", ".join(sorted({g.transcript.suffix for g in groups})),
        21: f"{min(durations)} à {max(durations)} minutes" if durations else todo,
        22: saturation,
        24: f"{len(study.coders)} codeurs, double codage indépendant",
        25: f"{len(data.codebook.codable)} codes en {len(data.codebook.domains)} domaines "
            "(annexe 1)",
        26: f"{origins.get('deductive', 0)} codes déductifs, {origins.get('inductive', 0)} "
            "inductifs",
        27: f"qualcode {data.version}",
        29: "oui, citations pseudonymisées avec l'identifiant du participant et du segment",
    }
    items = ["Enquêteur / animateur", "Diplômes", "Profession", "Genre",
             "Expérience et formation", "Relation préalable", "Ce que les participants "
             "savaient de l'enquêteur", "Caractéristiques de l'enquêteur",
             "Orientation méthodologique", "Échantillonnage", "Mode de recrutement",
             "Taille de l'échantillon", "Non-participation", "Lieu du recueil",
             "Présence de non-participants", "Description de l'échantillon",
             "Guide d'entretien", "Entretiens répétés", "Enregistrement audio / vidéo",
             "Notes de terrain", "Durée", "Saturation des données",
             "Retour des transcriptions", "Nombre de codeurs", "Arbre de codage",
             "Émergence des thèmes", "Logiciel", "Vérification par les participants",
             "Citations présentées", "Cohérence données / résultats",
             "Clarté des thèmes principaux", "Clarté des thèmes secondaires"]
    return [(n, item, answers.get(n, todo)) for n, item in enumerate(items, 1)]
