"""Every sentence, label and value the outputs print, in French and English.

The result tables hold language-neutral codes (priorities ``essential``, ``important``,
``desirable``, ``not_raised``; design statuses ``met``, ``partly``, ``not_met``, ``unknown``;
agreement statuses, convergence classes); they become words here, when laid out. A
:class:`Wording` is made for one study: its language, and the study's own nouns from
``study.yaml`` (``study_kind``, ``participant_noun``), so that "13 patients en 13 entretiens"
and "22 internes en 3 focus groups" come from one template. Counted nouns agree with their
number (``1 exigence``, ``2 exigences``). :func:`typography` gives French text its
non-breaking spaces and typographic apostrophes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_NOUNS = {  # (singular, plural)
    "fr": {
        "requirement": ("exigence", "exigences"), "code": ("code", "codes"),
        "domain": ("domaine", "domaines"), "site": ("site", "sites"),
        "participant": ("participant", "participants"), "coder": ("codeur", "codeurs"),
        "segment": ("segment", "segments"), "passage": ("passage", "passages"),
        "disagreement": ("désaccord", "désaccords"), "event": ("événement", "événements"),
        "minute": ("minute", "minutes"), "invited": ("invité", "invités"),
        "present": ("présent", "présents"), "absent": ("absent", "absents"),
        "met": ("satisfaite", "satisfaites"), "partly": ("en partie", "en partie"),
        "not_met": ("non satisfaite", "non satisfaites"), "unknown": ("inconnue", "inconnues"),
        "essential": ("indispensable", "indispensables"),
        "important": ("importante", "importantes"),
        "desirable": ("souhaitable", "souhaitables"), "not_raised": ("non évoquée",
                                                                     "non évoquées"),
        "kept": ("gardé", "gardés"), "dropped": ("écarté", "écartés"),
        "focus_groups": ("focus group", "focus groups"),
        "interviews": ("entretien", "entretiens"),
        "consultations": ("consultation", "consultations"),
        "deductive": ("déductif", "déductifs"), "inductive": ("inductif", "inductifs"),
        "quote": ("citation", "citations"), "class": ("classe", "classes"),
    },
    "en": {
        "requirement": ("requirement", "requirements"), "code": ("code", "codes"),
        "domain": ("domain", "domains"), "site": ("site", "sites"),
        "participant": ("participant", "participants"), "coder": ("coder", "coders"),
        "segment": ("segment", "segments"), "passage": ("passage", "passages"),
        "disagreement": ("disagreement", "disagreements"), "event": ("event", "events"),
        "minute": ("minute", "minutes"), "invited": ("invited", "invited"),
        "present": ("present", "present"), "absent": ("absent", "absent"),
        "met": ("met", "met"), "partly": ("partly met", "partly met"),
        "not_met": ("not met", "not met"), "unknown": ("unknown", "unknown"),
        "essential": ("essential", "essential"), "important": ("important", "important"),
        "desirable": ("desirable", "desirable"), "not_raised": ("not raised", "not raised"),
        "kept": ("kept", "kept"), "dropped": ("dropped", "dropped"),
        "focus_groups": ("focus group", "focus groups"),
        "interviews": ("interview", "interviews"),
        "consultations": ("consultation", "consultations"),
        "deductive": ("deductive", "deductive"), "inductive": ("inductive", "inductive"),
        "quote": ("quote", "quotes"), "class": ("class", "classes"),
    },
}

_LABELS = {
    "fr": {
        # values and punctuation
        "priority.essential": "Indispensable", "priority.important": "Important",
        "priority.desirable": "Souhaitable", "priority.not_raised": "Non évoqué",
        "status.met": "satisfaite", "status.partly": "en partie",
        "status.not_met": "non satisfaite", "status.unknown": "inconnue",
        "agreement.reliable": "fiable", "agreement.tentative": "acceptable",
        "agreement.unreliable": "peu fiable", "agreement.undefined": "non défini",
        "convergence.agreement": "accord", "convergence.partial agreement": "accord partiel",
        "convergence.dissonance": "dissonance", "convergence.silence": "silence",
        "kind.university_city": "ville universitaire", "kind.prefecture": "préfecture",
        "kind.rural_town": "petite ville rurale", "kind.candidate": "projet",
        "kind.existing": "existant",
        "section.capacity": "Capacité et public accueilli",
        "section.location": "Implantation et environnement",
        "section.spaces": "Espaces et équipements", "section.services": "Services et accueil",
        "section.management": "Gestion, règles et suivi",
        "section.costs": "Coûts et financement", "section.timeline": "Calendrier",
        "section.other": "Autres exigences",
        "yes": "oui", "no": "non", "all": "Ensemble", "to_confirm": "à confirmer",
        "todo": "à compléter", "missing": "–",
        "unit.sentence": "la phrase", "unit.turn": "le tour de parole",
        "by.sentence": "phrase", "by.turn": "tour de parole", "colon": " : ", "semicolon": " ; ",
        "level.participant": "participants", "level.group": "groupes",
        "level.turn": "tours de parole",
        # checklist
        "checklist.title": "Cahier des exigences",
        "checklist.for": "À l'attention de : {audience}",
        "checklist.fictional": "Étude fictive de démonstration : les propos et les chiffres "
                               "sont inventés.",
        "checklist.summary": "En bref : ce qu'il faut prévoir d'abord",
        "checklist.who": "{participants} ont participé à {groups}{invited}, dans {sites} : "
                         "{towns}.",
        "checklist.invited": " ({n} invités)",
        "checklist.how": "Les échanges ont été enregistrés, retranscrits, pseudonymisés, puis "
                         "codés indépendamment par {coders} ({coding}).",
        "checklist.top": "Les exigences les plus fortes, par ordre de priorité :",
        "checklist.top_row": "{text} — {why}",
        "checklist.short": "{sites} sites sur {total}, {share} des {noun}",
        "checklist.counts": "{counts} ({total}).",
        "checklist.rule": "Comment lire les priorités : « Indispensable » = évoqué dans "
                          "tous les sites, par au moins {essential} des {noun} et {site_share} "
                          "des {noun} de chaque site, sur un codage fiable ; « Important » = "
                          "au moins {sites} sites et {important} des {noun} ; « Souhaitable » "
                          "= évoqué ; « Non évoqué » = aucune donnée. "
                          "À priorité égale, l'ordre suit le score de preuve (moyenne de la "
                          "part des sites, de la part des {noun} et de la part dans le site "
                          "où le thème est le plus faible). « À confirmer » signale un codage "
                          "peu fiable.",
        "checklist.tick": "Cochez ☐ chaque exigence que votre projet satisfait.",
        "checklist.no_data": "Parties d'un programme fonctionnel sur lesquelles les données ne "
                             "disent rien : {sections}. Elles restent à définir par le porteur "
                             "du projet.",
        "checklist.theme": "Thème : {label} ({id}).",
        "checklist.score": "score de preuve {score}",
        "checklist.method": "Annexe : méthode",
        "checklist.method.recorded": "{kind} enregistrés et retranscrits intégralement ; les "
                                     "participants sont désignés par un identifiant (P01…), "
                                     "les noms cités ont été remplacés.",
        "checklist.method.coding": "Codage : grille hiérarchique « {title} » ({codes} en "
                                   "{domains}), double codage indépendant par {unit}.",
        "checklist.method.sites": "Triangulation des sites : chaque thème est comparé d'un "
                                  "site à l'autre (présence, part des {noun} qui l'évoquent). "
                                  "Les citations sont choisies parmi les passages les plus "
                                  "représentatifs du thème (les plus proches du centre du "
                                  "thème, en phrases complètes, une par personne).",
        "checklist.method.software": "Analyse réalisée avec qualcode (logiciel libre).",
        "checklist.no_agreement": "Accord inter-codeurs : non calculé (un seul codeur).",
        "checklist.agreement": "Accord inter-codeurs sur les codes utilisés : alpha de "
                               "Krippendorff {alpha} (IC à 95 % {low} à {high}), accord brut "
                               "{percent} (0,80 et plus : fiable ; de 0,667 à 0,80 : "
                               "acceptable).",
        "evidence.none": "non évoqué dans les {groups}",
        "evidence": "évoqué dans {sites} {unit}, par {n} {noun} sur {total} ({share}), "
                    "{passages}",
        "evidence.all_sites": "les {n}", "evidence.some_sites": "{n} des {total}",
        "coding.consensus": "désaccords tranchés en réunion de consensus et consignés",
        "coding.union": "désaccords en cours d'examen : l'analyse retient pour l'instant "
                        "l'union des codeurs",
        # assessment
        "assessment.title": "Évaluation : {design}",
        "assessment.coverage": "Sur {total} : {counts}. Couverture pondérée par la priorité : "
                               "{coverage} de ce qui est connu ({known_n} connues), {overall} "
                               "de l'ensemble.",
        "assessment.unknown_note": "Une exigence « inconnue » est une exigence dont le "
                                   "dossier du projet ne dit rien : à demander au porteur du "
                                   "projet, ce n'est pas un manque constaté.",
        "assessment.met_list": "Ce que le projet satisfait :",
        "assessment.gaps": "Ce qui manque (non satisfait ou en partie) :",
        "assessment.unknown_list": "Exigences indispensables ou importantes sur lesquelles "
                                   "l'information manque (à demander au porteur du projet) :",
        "assessment.nothing_met": "Aucune exigence n'est indiquée comme satisfaite.",
        "col.requirement": "Exigence", "col.priority": "Priorité", "col.status": "État",
        "col.note": "Note",
        # report
        "report.fictional": "Étude fictive de démonstration : propos, personnes et chiffres "
                            "inventés.",
        "report.methods": "Méthode",
        "report.design": "Étude qualitative par {groups} menés dans {sites} : {towns}, auprès "
                         "de {participants}.",
        "report.transcription": "Les {kind} ont été enregistrés, retranscrits intégralement "
                                "et pseudonymisés (identifiants P01…). L'unité de codage est "
                                "{unit} ({segments} codables).",
        "report.codebook": "La grille de codage, hiérarchique, compte {codes} en {domains} "
                           "({deductive}, {inductive}) ; elle est donnée en annexe 1.",
        "report.double": "Chaque transcription a été codée indépendamment par {coders} ; "
                         "{consensus}.",
        "report.single": "Les transcriptions ont été codées par {coders}.",
        "report.agreement_method": "L'accord inter-codeurs a été mesuré sur la présence de "
                                   "chaque code dans chaque segment : accord brut, kappa, "
                                   "alpha de Krippendorff (coefficient principal) et AC1 de "
                                   "Gwet, regroupés sur les codes appliqués par au moins un "
                                   "codeur. Intervalles de confiance : {interval}.",
        "report.triangulation_method": "Les thèmes ont été comparés d'un site à l'autre par "
                                       "une matrice cadre (part des {noun} de chaque site "
                                       "ayant évoqué chaque code) et codés selon le protocole "
                                       "de convergence de Farmer et al. (accord, accord "
                                       "partiel, dissonance, silence).",
        "report.saturation_method": "La saturation a été estimée par la méthode de Guest, "
                                    "Namey et Chen (événements : {level}).",
        "report.participants_table": "Caractéristiques des participants",
        "report.groups_table": "{kind}",
        "report.characteristic": "Caractéristique", "report.total": "Ensemble",
        "report.median": "médiane {median} ({low} à {high})",
        "report.agreement": "Accord inter-codeurs",
        "report.agreement_table": "Accord inter-codeurs par domaine (regroupé sur les codes "
                                  "utilisés)",
        "report.agreement_note": "Alpha de Krippendorff : 0,800 et plus fiable, 0,667 à 0,800 "
                                 "acceptable.",
        "report.agreement_figure": "Accord inter-codeurs par code, kappa et alpha avec leur "
                                   "intervalle de confiance à 95 %",
        "report.suggestions": "Suggestions de codes",
        "suggestions.method": "Un modèle local (lemmes, TF-IDF, une régression logistique "
                              "calibrée par code) apprend le codage de référence et les "
                              "exemples de la grille ; aucun texte ne quitte l'ordinateur. Il "
                              "est évalué comme un troisième codeur, par validation croisée "
                              "({validation}) : le groupe évalué n'a jamais servi à "
                              "l'apprentissage. {learnt} codes sur {total} sont apprenables "
                              "(au moins 5 segments codés) ; les autres ne sont pas suggérés.",
        "suggestions.model": "Suggestions", "suggestions.keywords": "Mots-clés (référence)",
        "suggestions.note": "Accord avec le codage appris, sur tous les codes. L'accord des "
                            "codeurs avec un consensus issu de leurs propres codages en est la "
                            "borne haute. Les suggestions ne sont jamais mêlées aux codages : "
                            "seules celles qu'un codeur accepte deviennent ses codages.",
        "suggestions.figure": "Suggestions de codes comparées aux codeurs, alpha par code",
        "report.triangulation": "Triangulation des sites",
        "report.matrix_figure": "Part des {noun} de chaque site ayant évoqué chaque code",
        "report.convergence": "Convergence entre sites suggérée par qualcode (Farmer et al. "
                              "2006), à confirmer par les chercheurs : {counts}. {confirmed}",
        "report.convergence_confirmed": "Convergence entre sites confirmée par les chercheurs "
                                        "(Farmer et al. 2006) : {counts}.",
        "report.confirmed_n": "Confirmées ou silences constatés : {n} sur {total} "
                              "(codings/decisions/convergence.xlsx).",
        "report.silent": "Thèmes absents d'au moins un site : {codes}.",
        "report.silent_code": "{label} ({n} sur {total})",
        "report.saturation": "Saturation",
        "report.saturation_caveat_fg": "Précautions : dans un focus group, chaque participant "
                                       "entend les autres, si bien que les participants ne sont "
                                       "pas des événements indépendants ; la saturation compte "
                                       "de nouveaux codes (saturation des codes), pas de "
                                       "nouvelles significations, qui demandent davantage de "
                                       "données (Hennink et al. 2017) ; le point dépend de "
                                       "l'ordre de recueil, d'où la bande des ordres "
                                       "aléatoires.",
        "report.saturation_caveat": "Précautions : la saturation compte de nouveaux codes "
                                    "(saturation des codes), pas de nouvelles significations, "
                                    "qui demandent davantage de données (Hennink et al. "
                                    "2017) ; le point dépend de l'ordre de recueil, d'où la "
                                    "bande des ordres aléatoires.",
        "report.saturation_figure": "Codes distincts cumulés selon l'ordre de recueil, avec la "
                                    "médiane et l'intervalle à 95 % sur des ordres aléatoires",
        "report.results": "Résultats par domaine et par code",
        "report.code_line": "{n} {noun} sur {total} ({share}), {sites}, {passages}.",
        "report.code_sites": "{n} sur {total}",
        "report.not_raised": "Codes non évoqués : {codes}.",
        "report.requirements": "Cahier des exigences",
        "report.requirements_note": "Le détail, avec les citations et l'évaluation des projets, "
                                    "est dans checklist.docx.",
        "report.requirements_table": "Exigences issues des résultats, par priorité",
        "report.annex_codebook": "Annexe 1 : grille de codage",
        "report.annex_consensus": "Annexe 2 : consensus",
        "report.annex_coreq": "Annexe 3 : grille COREQ",
        "report.coreq_intro": "Items renseignés à partir de study.yaml et des données de "
                              "l'étude (Tong et al. 2007) ; « à compléter » signale un champ "
                              "coreq: de study.yaml resté vide.",
        "report.no_consensus": "Pas encore de consensus enregistré.",
        "report.consensus_counts": "{n} tranchés : {counts}.",
        "report.decided_by": "Décidés par : {who}.",
        "report.references": "Références",
        "report.table": "Tableau {n}. {caption}",
        "report.figure": "Figure {n}. {caption}",
        "report.saturation_reached": "saturation atteinte à n = {n} ({settings})",
        "report.saturation_undefined": "saturation indéfinie : les {base} premiers événements "
                                       "ne portent aucun code ({settings})",
        "report.saturation_not": "saturation non atteinte en {events} ({settings})",
        "report.saturation_settings": "base {base}, série {run}, seuil {threshold}, séries "
                                      "{runs}",
        "runs.rolling": "glissantes", "runs.stepped": "successives",
        "consensus.complete": "les désaccords ont été tranchés en réunion de consensus, et "
                              "les analyses portent sur ce codage de consensus",
        "consensus.none": "les désaccords n'ont pas encore été tranchés : les analyses "
                          "portent sur l'union des codeurs",
        "consensus.incomplete": "une partie des désaccords reste à trancher : les analyses "
                                "portent sur l'union des codeurs",
        "extracts.title": "Extraits par code",
        "extracts.intro": "Tous les passages codés, par code puis par site ({coding}).",
        "extracts.none": "Aucun passage.",
        # table headers
        "col.group": "Groupe", "col.site": "Site", "col.date": "Date",
        "col.invited": "Invités", "col.present": "Présents", "col.duration": "Durée (min)",
        "col.words": "Mots", "col.segments": "Segments", "col.domain": "Domaine",
        "col.percent": "Accord brut", "col.kappa": "Kappa", "col.alpha": "Alpha (IC 95 %)",
        "col.ac1": "AC1", "col.item": "Item", "col.answer": "Réponse", "col.number": "N°",
        "col.coder": "Codeur", "col.precision": "Précision", "col.recall": "Rappel",
        "col.f1": "F1",
    },
    "en": {
        "priority.essential": "Essential", "priority.important": "Important",
        "priority.desirable": "Desirable", "priority.not_raised": "Not raised",
        "status.met": "met", "status.partly": "partly met", "status.not_met": "not met",
        "status.unknown": "unknown",
        "agreement.reliable": "reliable", "agreement.tentative": "tentative",
        "agreement.unreliable": "unreliable", "agreement.undefined": "undefined",
        "convergence.agreement": "agreement",
        "convergence.partial agreement": "partial agreement",
        "convergence.dissonance": "dissonance", "convergence.silence": "silence",
        "kind.university_city": "university city", "kind.prefecture": "county town",
        "kind.rural_town": "small rural town", "kind.candidate": "candidate",
        "kind.existing": "existing",
        "section.capacity": "Capacity and who is housed",
        "section.location": "Location and surroundings",
        "section.spaces": "Spaces and equipment", "section.services": "Services and welcome",
        "section.management": "Management, rules and follow-up",
        "section.costs": "Costs and financing", "section.timeline": "Timeline",
        "section.other": "Other requirements",
        "yes": "yes", "no": "no", "all": "All", "to_confirm": "to confirm",
        "todo": "to complete", "missing": "–",
        "unit.sentence": "the sentence", "unit.turn": "the speaking turn",
        "by.sentence": "sentence", "by.turn": "speaking turn", "colon": ": ", "semicolon": "; ",
        "level.participant": "participants", "level.group": "groups",
        "level.turn": "speaking turns",
        "checklist.title": "Requirements checklist",
        "checklist.for": "For: {audience}",
        "checklist.fictional": "Fictional demonstration study: statements and figures are "
                               "made up.",
        "checklist.summary": "In short: what to provide first",
        "checklist.who": "{participants} took part in {groups}{invited}, in {sites}: {towns}.",
        "checklist.invited": " ({n} invited)",
        "checklist.how": "The discussions were recorded, transcribed, pseudonymised, then "
                         "coded independently by {coders} ({coding}).",
        "checklist.top": "The strongest requirements, by priority:",
        "checklist.top_row": "{text} — {why}",
        "checklist.short": "{sites} of {total} sites, {share} of the {noun}",
        "checklist.counts": "{counts} ({total}).",
        "checklist.rule": "How to read the priorities: \"Essential\" = raised in every site, "
                          "by at least {essential} of the {noun} and {site_share} of each "
                          "site's {noun}, with reliable coding; "
                          "\"Important\" = at least {sites} sites and {important} of the "
                          "{noun}; \"Desirable\" = raised; \"Not raised\" = no data. Within a "
                          "priority, the order follows the evidence score (the mean of the "
                          "share of sites, the share of {noun} and the share in the site "
                          "where the theme is weakest). \"To confirm\" flags unreliable "
                          "coding.",
        "checklist.tick": "Tick ☐ each requirement your project meets.",
        "checklist.no_data": "Parts of a functional brief the data say nothing about: "
                             "{sections}. The project owner still has to define them.",
        "checklist.theme": "Theme: {label} ({id}).",
        "checklist.score": "evidence score {score}",
        "checklist.method": "Appendix: method",
        "checklist.method.recorded": "{kind} recorded and transcribed verbatim; participants "
                                     "are named by an id (P01…), and names mentioned were "
                                     "replaced.",
        "checklist.method.coding": "Coding: hierarchical codebook \"{title}\" ({codes} in "
                                   "{domains}), independent double coding by {unit}.",
        "checklist.method.sites": "Site triangulation: each theme is compared from one site "
                                  "to the next (presence, share of {noun} raising it). Quotes "
                                  "are the passages most representative of the theme "
                                  "(closest to its centre, complete sentences, one per "
                                  "person).",
        "checklist.method.software": "Analysed with qualcode (free software).",
        "checklist.no_agreement": "Inter-coder agreement: not computed (one coder).",
        "checklist.agreement": "Inter-coder agreement over the codes used: Krippendorff's "
                               "alpha {alpha} (95% CI {low} to {high}), raw agreement "
                               "{percent} (.80 and above: reliable; .667 to .80: "
                               "tentative).",
        "evidence.none": "not raised in the {groups}",
        "evidence": "raised in {sites} {unit}, by {n} {noun} of {total} ({share}), {passages}",
        "evidence.all_sites": "all {n}", "evidence.some_sites": "{n} of the {total}",
        "coding.consensus": "disagreements settled in a consensus meeting and recorded",
        "coding.union": "disagreements under review: the analysis uses the union of the "
                        "coders for now",
        "assessment.title": "Assessment: {design}",
        "assessment.coverage": "Of {total}: {counts}. Coverage weighted by priority: "
                               "{coverage} of what is known ({known_n} known), {overall} "
                               "overall.",
        "assessment.unknown_note": "An \"unknown\" requirement is one the project file says "
                                   "nothing about: ask the project owner; it is not a "
                                   "shortfall found.",
        "assessment.met_list": "What the project meets:",
        "assessment.gaps": "What is missing (not met or partly met):",
        "assessment.unknown_list": "Essential or important requirements with no information "
                                   "(ask the project owner):",
        "assessment.nothing_met": "No requirement is stated as met.",
        "col.requirement": "Requirement", "col.priority": "Priority", "col.status": "Status",
        "col.note": "Note",
        "report.fictional": "Fictional demonstration study: statements, people and figures "
                            "are made up.",
        "report.methods": "Methods",
        "report.design": "Qualitative study of {groups} held in {sites}: {towns}, with "
                         "{participants}.",
        "report.transcription": "The {kind} were recorded, transcribed verbatim and "
                                "pseudonymised (ids P01…). The coding unit is {unit} "
                                "({segments} to code).",
        "report.codebook": "The hierarchical codebook holds {codes} in {domains} "
                           "({deductive}, {inductive}); it is given in appendix 1.",
        "report.double": "Each transcript was coded independently by {coders}; {consensus}.",
        "report.single": "The transcripts were coded by {coders}.",
        "report.agreement_method": "Inter-coder agreement was measured on the presence of "
                                   "each code in each segment: raw agreement, kappa, "
                                   "Krippendorff's alpha (main coefficient) and Gwet's AC1, "
                                   "pooled over the codes applied by at least one coder. "
                                   "Confidence intervals: {interval}.",
        "report.triangulation_method": "Themes were compared across sites with a framework "
                                       "matrix (share of each site's {noun} who raised each "
                                       "code) and classed with Farmer et al.'s convergence "
                                       "coding (agreement, partial agreement, dissonance, "
                                       "silence).",
        "report.saturation_method": "Saturation was assessed with Guest, Namey and Chen's "
                                    "method (events: {level}).",
        "report.participants_table": "Characteristics of the participants",
        "report.groups_table": "{kind}",
        "report.characteristic": "Characteristic", "report.total": "All",
        "report.median": "median {median} ({low} to {high})",
        "report.agreement": "Inter-coder agreement",
        "report.agreement_table": "Inter-coder agreement by domain (pooled over the codes "
                                  "used)",
        "report.agreement_note": "Krippendorff's alpha: .800 and above reliable, .667 to .800 "
                                 "tentative.",
        "report.agreement_figure": "Inter-coder agreement per code, kappa and alpha with "
                                   "their 95% confidence intervals",
        "report.suggestions": "Code suggestions",
        "suggestions.method": "A local model (lemmas, TF-IDF, one calibrated logistic "
                              "regression per code) learns the reference coding and the "
                              "codebook's examples; no text leaves the computer. It is "
                              "assessed as a third coder by cross-validation ({validation}): "
                              "the group assessed was never used for learning. {learnt} codes "
                              "of {total} can be learnt (at least 5 coded segments); the "
                              "others are not suggested.",
        "suggestions.model": "Suggestions", "suggestions.keywords": "Keywords (baseline)",
        "suggestions.note": "Agreement with the coding learnt, over every code. The coders' "
                            "agreement with a consensus drawn from their own codings is its "
                            "upper bound. Suggestions are never mixed with codings: only those "
                            "a coder accepts become their codings.",
        "suggestions.figure": "Code suggestions next to the coders, alpha per code",
        "report.triangulation": "Site triangulation",
        "report.matrix_figure": "Share of each site's {noun} who raised each code",
        "report.convergence": "Convergence across sites suggested by qualcode (Farmer et al. "
                              "2006), for the researchers to confirm: {counts}. {confirmed}",
        "report.convergence_confirmed": "Convergence across sites confirmed by the "
                                        "researchers (Farmer et al. 2006): {counts}.",
        "report.confirmed_n": "Confirmed or silences found: {n} of {total} "
                              "(codings/decisions/convergence.xlsx).",
        "report.silent": "Themes absent from at least one site: {codes}.",
        "report.silent_code": "{label} ({n} of {total})",
        "report.saturation": "Saturation",
        "report.saturation_caveat_fg": "Caveats: in a focus group each participant hears the "
                                       "others, so participants are not independent events; "
                                       "saturation counts new codes (code saturation), not new "
                                       "meanings, which need more data (Hennink et al. 2017); "
                                       "the point depends on the order of collection, hence "
                                       "the band of random orders.",
        "report.saturation_caveat": "Caveats: saturation counts new codes (code saturation), "
                                    "not new meanings, which need more data (Hennink et al. "
                                    "2017); the point depends on the order of collection, "
                                    "hence the band of random orders.",
        "report.saturation_figure": "Cumulative distinct codes in the order of collection, "
                                    "with the median and 95% band over random orders",
        "report.results": "Results by domain and code",
        "report.code_line": "{n} {noun} of {total} ({share}), {sites}, {passages}.",
        "report.code_sites": "{n} of {total}",
        "report.not_raised": "Codes not raised: {codes}.",
        "report.requirements": "Requirements checklist",
        "report.requirements_note": "The details, with quotes and the assessment of designs, "
                                    "are in checklist.docx.",
        "report.requirements_table": "Requirements drawn from the results, by priority",
        "report.annex_codebook": "Appendix 1: codebook",
        "report.annex_consensus": "Appendix 2: consensus",
        "report.annex_coreq": "Appendix 3: COREQ checklist",
        "report.coreq_intro": "Items filled from study.yaml and the study's data (Tong et al. "
                              "2007); \"to complete\" marks a coreq: field of study.yaml left "
                              "empty.",
        "report.no_consensus": "No consensus recorded yet.",
        "report.consensus_counts": "{n} settled: {counts}.",
        "report.decided_by": "Decided by: {who}.",
        "report.references": "References",
        "report.table": "Table {n}. {caption}",
        "report.figure": "Figure {n}. {caption}",
        "report.saturation_reached": "saturation reached at n = {n} ({settings})",
        "report.saturation_undefined": "saturation undefined: the first {base} events hold no "
                                       "code ({settings})",
        "report.saturation_not": "saturation not reached in {events} ({settings})",
        "report.saturation_settings": "base {base}, run {run}, threshold {threshold}, "
                                      "{runs} runs",
        "runs.rolling": "rolling", "runs.stepped": "stepped",
        "consensus.complete": "disagreements were settled in a consensus meeting, and the "
                              "analyses use this consensus coding",
        "consensus.none": "disagreements are not settled yet: the analyses use the union "
                          "of the coders",
        "consensus.incomplete": "some disagreements are still to be settled: the analyses "
                                "use the union of the coders",
        "extracts.title": "Extracts by code",
        "extracts.intro": "Every coded passage, by code then by site ({coding}).",
        "extracts.none": "No passage.",
        "col.group": "Group", "col.site": "Site", "col.date": "Date",
        "col.invited": "Invited", "col.present": "Present", "col.duration": "Duration (min)",
        "col.words": "Words", "col.segments": "Segments", "col.domain": "Domain",
        "col.percent": "Raw agreement", "col.kappa": "Kappa", "col.alpha": "Alpha (95% CI)",
        "col.ac1": "AC1", "col.item": "Item", "col.answer": "Answer", "col.number": "No.",
        "col.coder": "Coder", "col.precision": "Precision", "col.recall": "Recall",
        "col.f1": "F1",
    },
}

_COLUMNS = {
    "fr": {"requirement_id": "exigence", "code_id": "code", "domain": "domaine",
           "label": "libellé", "text": "texte", "category": "catégorie",
           "n_sites": "sites", "n_sites_total": "sites (total)",
           "n_participants": "participants", "n_participants_total": "participants (total)",
           "share_participants": "part des participants", "n_segments": "segments",
           "priority": "priorité", "score": "score de preuve",
           "weakest_site_share": "part dans le site le plus faible",
           "krippendorff_alpha": "alpha de Krippendorff", "agreement_status": "fiabilité",
           "to_confirm": "à confirmer", "convergence": "convergence", "quotes": "citations",
           "quote_ids": "segments cités", "design": "projet", "kind": "type",
           "n_requirements": "exigences", "n_met": "satisfaites", "n_partly": "en partie",
           "n_not_met": "non satisfaites", "n_unknown": "inconnues", "n_known": "connues",
           "coverage": "couverture", "coverage_of_known": "couverture du connu",
           "status": "état", "note": "note", "weight": "poids", "value": "valeur",
           "percent_agreement": "accord brut", "cohen_kappa": "kappa de Cohen",
           "fleiss_kappa": "kappa de Fleiss", "gwet_ac1": "AC1 de Gwet",
           "n_units": "unités", "flag": "signalement", "interval": "intervalle",
           "method": "méthode", "row": "ligne", "coding": "codage"},
    "en": {"requirement_id": "requirement", "code_id": "code", "n_sites_total":
           "sites (total)", "n_participants_total": "participants (total)",
           "share_participants": "share of participants", "score": "evidence score",
           "weakest_site_share": "share in the weakest site",
           "krippendorff_alpha": "Krippendorff's alpha", "agreement_status": "reliability",
           "quote_ids": "segments quoted", "n_requirements": "requirements",
           "n_met": "met", "n_partly": "partly met", "n_not_met": "not met",
           "n_unknown": "unknown", "n_known": "known",
           "coverage_of_known": "coverage of the known",
           "percent_agreement": "raw agreement", "cohen_kappa": "Cohen's kappa",
           "fleiss_kappa": "Fleiss' kappa", "gwet_ac1": "Gwet's AC1", "n_units": "units"},
}
_SHARE = {"fr": "part {site}", "en": "share {site}"}

FIGURE_WORDS = {  # the words of the figures (matplotlib)
    "fr": {"title": "Accord inter-codeurs par code (IC à 95 %)", "kappa": "kappa",
           "cooccurrence": "Co-occurrence des codes chez les mêmes participants (Jaccard)",
           "saturation": "Codes distincts cumulés", "events": "événements (ordre de recueil)",
           "band": "ordres aléatoires : médiane et 95 %", "observed": "ordre observé",
           "point": "saturation", "new": "nouveaux codes", "all": "ensemble",
           "requirements": "Exigences par domaine et priorité", "count": "exigences",
           "heatmap": "Part des participants ayant évoqué chaque code, par site",
           "share": "part des participants du site",
           "alpha": "alpha de Krippendorff", "tentative": "0,667 : acceptable",
           "reliable": "0,800 : fiable",
           "suggestions": "Suggestions de codes comparées aux codeurs (validation croisée "
                          "par groupe)",
           "alpha_with": "alpha de Krippendorff avec le codage appris",
           "model": "suggestions (IC à 95 %)", "keywords": "mots-clés (référence naïve)",
           "coder": "codeur", "not_learnable": "pas encore apprenable ({n} segments codés)"},
    "en": {"title": "Inter-coder agreement per code (95% CI)", "kappa": "kappa",
           "cooccurrence": "Codes raised by the same participants (Jaccard)",
           "saturation": "Cumulative distinct codes", "events": "events (collection order)",
           "band": "random orders: median and 95%", "observed": "observed order",
           "point": "saturation", "new": "new codes", "all": "all",
           "requirements": "Requirements by domain and priority", "count": "requirements",
           "heatmap": "Share of participants who raised each code, by site",
           "share": "share of the site's participants",
           "alpha": "Krippendorff's alpha", "tentative": ".667: tentative",
           "reliable": ".800: reliable",
           "suggestions": "Code suggestions next to the coders (cross-validated by group)",
           "alpha_with": "Krippendorff's alpha with the coding learnt",
           "model": "suggestions (95% CI)", "keywords": "keywords (naive baseline)",
           "coder": "coder", "not_learnable": "not learnable yet ({n} coded segments)"},
}

# The agreement tables describe their intervals in English (``AgreementTables.interval``).
_INTERVAL_FR = (("95% percentile bootstrap", "bootstrap percentile à 95 %"),
                ("resamples of", "rééchantillonnages des"), ("no interval", "sans intervalle"),
                ("(cluster bootstrap)", "(bootstrap par grappes)"),
                ("as if independent", "comme s'ils étaient indépendants"),
                ("fewer than", "moins de"), ("no participants", "aucun participant"),
                ("with their characters", "avec leurs caractères"), ("turns", "tours"),
                ("characters", "caractères"), ("groups", "groupes"),
                ("sentences", "phrases"), ("leave one group out", "un groupe laissé de côté"),
                ("folds", "plis"), ("-fold", " plis"), ("grouped", "par groupes,"),
                ("each in one fold only", "chacun dans un seul pli"))


@dataclass(frozen=True)
class Wording:
    """The words of one study's outputs: ``language`` and the study's nouns for its
    participants and its groups (singular, plural)."""

    language: str = "fr"
    participant: tuple[str, str] | None = None
    kind: str = "focus_groups"
    site_kinds: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.language not in _LABELS:
            object.__setattr__(self, "language", "en")

    def __call__(self, key: str, **values) -> str:
        """The sentence or label ``key``, its ``{fields}`` filled with ``values``."""
        return _LABELS[self.language][key].format(**values)

    def count(self, n: int, noun: str) -> str:
        """``n`` and ``noun`` agreeing with it: "1 exigence", "2 exigences", "0 exigence"
        (French takes the singular below 2), "0 requirements"."""
        return f"{n} {self.noun(noun, n)}"

    def noun(self, noun: str, n: int = 2) -> str:
        """``noun`` in the number ``n`` asks for; ``participant`` and ``group`` are the
        study's own."""
        if noun == "participant" and self.participant is not None:
            forms = self.participant
        elif noun == "group":
            forms = _NOUNS[self.language][self.kind]
        else:
            forms = _NOUNS[self.language][noun]
        plural = n >= 2 if self.language == "fr" else n != 1
        return forms[1] if plural else forms[0]

    def label(self, kind: str, code: str) -> str:
        """The word for a code of the tables (``priority``, ``status``, ``agreement``,
        ``convergence``, ``kind``, ``section``); an unknown code is shown readable."""
        if kind == "kind" and code in self.site_kinds:
            return self.site_kinds[code]
        return _LABELS[self.language].get(f"{kind}.{code}", str(code).replace("_", " "))

    def number(self, value: float, digits: int = 2) -> str:
        """A decimal number, with a decimal comma in French; "–" when missing."""
        if value != value or value is None:  # NaN
            return "–"
        text = f"{value:.{digits}f}"
        return text.replace(".", ",") if self.language == "fr" else text

    def percent(self, share: float) -> str:
        """A share as a percentage: "68 %" (French; :func:`typography` makes the space
        non-breaking) or "68%"."""
        if share != share:
            return "–"
        return f"{share:.0%}".replace("%", " %") if self.language == "fr" else f"{share:.0%}"

    def join(self, items: list[str]) -> str:
        """"a, b et c" / "a, b and c"."""
        items = [i for i in items if i]
        if len(items) < 2:
            return "".join(items)
        last = " et " if self.language == "fr" else " and "
        return ", ".join(items[:-1]) + last + items[-1]

    def interval(self, text: str) -> str:
        """The agreement tables' (English) description of their intervals, in the study's
        language."""
        if self.language == "fr":
            for english, french in _INTERVAL_FR:
                text = text.replace(english, french)
        return text

    def column(self, name: str) -> str:
        """A table's column header in words ("share_participants" -> "part des
        participants"); ``share_<site>`` names the site."""
        if name in _COLUMNS[self.language]:
            return _COLUMNS[self.language][name]
        if name.startswith("share_"):
            return _SHARE[self.language].format(site=name.removeprefix("share_"))
        return name.removeprefix("n_").replace("_", " ")

    def yes_no(self, value: object) -> str:
        return self("yes") if value is True else self("no") if value is False else str(value)


def study_wording(study) -> Wording:
    """The :class:`Wording` of a study (its language and ``study.yaml``'s nouns)."""
    return Wording(study.language, study.participant_noun, study.study_kind,
                   dict(study.site_kinds))


_FR_COLON = re.compile(r"(?<=\S) +:(?=\s|$)")
_FR_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_FR_CLOSE = re.compile(r"[ \u00a0\u202f]*»")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def typography(text: str, language: str) -> str:
    """French typography: a non-breaking space inside « » and before ``:`` (U+00A0), a narrow
    one before ``; ! ? %`` (U+202F) where a space stood, and typographic apostrophes (’) between
    letters. Other languages are given back unchanged. Numbers, times and URLs keep their
    colons (only a colon after a space is touched)."""
    if language != "fr" or not text:
        return text
    text = _FR_OPEN.sub("«\u00a0", text)
    text = _FR_CLOSE.sub("\u00a0»", text)
    text = _FR_COLON.sub("\u00a0:", text)
    text = re.sub(r"(?<=\S) +([;!?%])", "\u202f\\1", text)
    return _APOSTROPHE.sub("’", text)
