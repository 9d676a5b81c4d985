"""Every word of the browser workspace, in French and English (the study's language by
default)."""

from __future__ import annotations

LANGUAGES = ("fr", "en")

WORDS: dict[str, tuple[str, str]] = {
    # key: (fr, en)
    "overview": ("Vue d'ensemble", "Overview"),
    "transcripts": ("Transcriptions", "Transcripts"),
    "transcript": ("Transcription", "Transcript"),
    "group": ("Groupe", "Group"),
    "site": ("Site", "Site"),
    "speakers": ("Locuteurs", "Speakers"),
    "segments": ("Segments", "Segments"),
    "codebook": ("Grille de codage", "Codebook"),
    "domains": ("domaines", "domains"),
    "codable_codes": ("codes", "codes"),
    "coders": ("Codeurs", "Coders"),
    "coder": ("Codeur", "Coder"),
    "progress": ("Avancement par transcription", "Progress per transcript"),
    "done": ("terminé", "done"),
    "started": ("en cours", "in progress"),
    "todo": ("à faire", "to do"),
    "analysis": ("Analyse", "Analysis"),
    "never_run": ("Aucune analyse encore : lancez « qualcode run » quand le codage est terminé.",
                  "No analysis yet: run 'qualcode run' once coding is done."),
    "run_current": ("Dernière analyse ({time}, UTC) : à jour.",
                    "Last analysis ({time}, UTC): up to date."),
    "run_outdated": ("Dernière analyse ({time}, UTC) : des fichiers ont changé depuis ; "
                     "relancez « qualcode run ».",
                     "Last analysis ({time}, UTC): files changed since; run 'qualcode run' "
                     "again."),
    "next_coding": ("Prochaine étape : chaque codeur termine ses transcriptions.",
                    "Next: each coder finishes their transcripts."),
    "next_run": ("Prochaine étape : « qualcode run » (accord inter-codeurs), puis "
                 "« qualcode disagreements » pour la réunion de consensus.",
                 "Next: 'qualcode run' (inter-coder agreement), then 'qualcode "
                 "disagreements' for the consensus meeting."),
    "problems": ("Problèmes", "Problems"),
    "no_problem": ("Aucun problème.", "No problem."),
    "code_it": ("coder", "code"),
    "your_transcripts": ("Vos transcriptions", "Your transcripts"),
    "filter": ("Filtrer les codes (tapez)…", "Filter codes (type)…"),
    "definition": ("Définition", "Definition"),
    "include": ("Inclure", "Include"),
    "exclude": ("Exclure", "Exclude"),
    "examples": ("Exemples", "Examples"),
    "note": ("Note sur le segment", "Note on the segment"),
    "note_none": ("Choisissez un segment pour écrire une note.",
                  "Select a segment to write a note."),
    "mark_done": ("Marquer terminée", "Mark as done"),
    "marked_done": ("Terminée ✓ (rouvrir)", "Done ✓ (reopen)"),
    "saved": ("Enregistré", "Saved"),
    "saving": ("Enregistrement…", "Saving…"),
    "not_codable": ("non codable", "not codable"),
    "coded_count": ("segments codés", "segments coded"),
    "passage": ("passage", "passage"),
    "help": ("Cliquez un segment puis un code (ou sélectionnez un passage puis un code). "
             "Clavier : ↑ ↓ segment, tapez pour filtrer, Tab code suivant, Entrée appliquer "
             "ou retirer, Échap effacer.",
             "Click a segment, then a code (or select a passage, then a code). Keys: ↑ ↓ "
             "segment, type to filter, Tab next code, Enter apply or remove, Esc clear."),
    "forbidden": ("Accès refusé : ouvrez le lien personnel affiché au démarrage de "
                  "« qualcode serve ».",
                  "Access denied: open the personal link printed when 'qualcode serve' "
                  "started."),
    "not_found": ("Page introuvable.", "Page not found."),
    "error": ("Erreur", "Error"),
    "blind": ("Codage en aveugle : vous ne voyez que votre propre codage.",
              "Blind coding: you see only your own coding."),
    "language": ("English", "Français"),
    "review": ("Désaccords à trancher", "Settle disagreements"),
    "review_help": ("Pour chaque désaccord, gardez ou retirez le code, avec une justification "
                    "et qui décide ; chaque décision est enregistrée aussitôt dans "
                    "codings/consensus.csv, que lit « qualcode consensus ».",
                    "For each disagreement, keep or drop the code, with a rationale and who "
                    "decided; each decision is saved at once in codings/consensus.csv, which "
                    "'qualcode consensus' reads."),
    "settled_of": ("{settled} sur {total} tranchés", "{settled} of {total} settled"),
    "all": ("tous", "all"),
    "code": ("Code", "Code"),
    "apply_filter": ("Filtrer", "Filter"),
    "no_disagreement": ("Aucun désaccord.", "No disagreement."),
    "applied_by": ("appliqué par :", "applied by:"),
    "not_applied_by": ("non appliqué par :", "not applied by:"),
    "keep": ("Garder", "Keep"),
    "drop": ("Retirer", "Drop"),
    "rationale": ("Justification", "Rationale"),
    "domain": ("Domaine", "Domain"),
    "unsettled_only": ("non tranchés seulement", "unsettled only"),
    "one_at_a_time": ("un à la fois", "one at a time"),
    "review_keys": ("Clavier : ↓ ↑ pour passer d'un désaccord à l'autre, G garder, R retirer, "
                    "/ pour écrire la justification (Entrée l'enregistre), O un à la fois.",
                    "Keyboard: ↓ ↑ move between disagreements, K keep, D drop, / writes the "
                    "rationale (Enter saves it), O one at a time."),
    "shown_of": ("{shown} affichés sur {total}", "{shown} shown of {total}"),
    "decided_by": ("Décidé par", "Decided by"),
    # /convergence
    "convergence": ("Convergence entre sites", "Convergence across sites"),
    "convergence_help": (
        "Pour chaque code et chaque paire de sites, qualcode propose une classe de convergence "
        "(Farmer et al. 2006) d'après la grille par site ; lisez les extraits, puis confirmez "
        "la classe proposée ou choisissez-en une autre. Chaque confirmation est enregistrée "
        "aussitôt dans codings/convergence.csv, que lit « qualcode triangulate » (la note "
        "garde qui a décidé et pourquoi).",
        "For each code and pair of sites, qualcode suggests a convergence class (Farmer et al. "
        "2006) from the framework matrix by site; read the quotes, then confirm the class "
        "suggested or choose another. Each confirmation is saved at once in "
        "codings/convergence.csv, which 'qualcode triangulate' reads (the note keeps who "
        "decided and why)."),
    "confirmed_of": ("{done} sur {total} confirmées", "{done} of {total} confirmed"),
    "no_coding_yet": ("Aucun codage encore : la convergence se calcule sur le codage.",
                      "No coding yet: convergence is computed from the coding."),
    "category": ("Catégorie", "Category"),
    "site_pair": ("Paire de sites", "Pair of sites"),
    "participants_raised": ("Participants qui l'évoquent", "Participants who raised it"),
    "share": ("Part", "Share"),
    "quotes": ("Extraits", "Quotes"),
    "suggested": ("Classe proposée :", "Class suggested:"),
    "difference": ("écart des parts", "difference of shares"),
    "overlap": ("recouvrement des sous-codes", "overlap of child codes"),
    "note_recorded": ("Note :", "Note:"),
    "agreement": ("Accord", "Agreement"),
    "partial agreement": ("Accord partiel", "Partial agreement"),
    "dissonance": ("Dissonance", "Dissonance"),
    "silence": ("Silence", "Silence"),
    # /suggestions
    "suggestions": ("Suggestions de codes", "Code suggestions"),
    "suggestions_help": (
        "Les codes que le codeur automatique propose pour les segments que personne n'a "
        "codés, avec sa probabilité et le F1 du code en validation croisée ; acceptez ou "
        "rejetez chacun. Chaque décision est enregistrée aussitôt dans codings/suggest.csv, "
        "que lisent « qualcode collect » et « qualcode run ».",
        "The codes the machine coder suggests for the segments nobody has coded, with its "
        "probability and the code's cross-validated F1; accept or reject each. Each decision "
        "is saved at once in codings/suggest.csv, which 'qualcode collect' and 'qualcode "
        "run' read."),
    "reviewed_of": ("{done} sur {total} examinées", "{done} of {total} reviewed"),
    "no_suggestion": (
        "Aucune suggestion encore. Lancez « qualcode suggest » dans le dossier de l'étude : "
        "il apprend du codage déjà fait et propose des codes pour les transcriptions que "
        "personne n'a codées.",
        "No suggestion yet. Run 'qualcode suggest' in the study folder: it learns from the "
        "coding done so far and suggests codes for the transcripts nobody has coded."),
    "probability": ("probabilité", "probability"),
    "code_f1": ("F1 du code (validation croisée)", "code's F1 (cross-validated)"),
    "accept": ("Accepter", "Accept"),
    "reject": ("Rejeter", "Reject"),
    # /import
    "import": ("Importer les transcriptions", "Import the transcripts"),
    "import_help": (
        "Les locuteurs détectés dans chaque transcription et la personne à qui chacun "
        "correspond (identities.csv) ; rien n'est écrit avant que vous lanciez l'import, qui "
        "fait ce que fait « qualcode import ».",
        "The speakers detected in each transcript and whom each maps to (identities.csv); "
        "nothing is written until you start the import, which does what 'qualcode import' "
        "does."),
    "speaker": ("Locuteur", "Speaker"),
    "maps_to": ("Correspond à", "Maps to"),
    "turns": ("Tours", "Turns"),
    "first_turn": ("Premier tour", "First turn"),
    "no_import_problem": ("Aucun problème : l'import peut être lancé.",
                          "No problem: the import can be started."),
    "start_import": ("Lancer l'import", "Start the import"),
    "import_idle": ("", ""),
    "import_running": ("Import en cours : {done} sur {total} transcriptions lues…",
                       "Importing: {done} of {total} transcripts read…"),
    "import_done": ("Import terminé.", "Import done."),
    "import_failed": ("L'import a échoué :", "The import failed:"),
    "next_steps": ("Étapes suivantes", "Next steps"),
    # /run and /results
    "run": ("Lancer l'analyse", "Run the analysis"),
    "run_help": ("Lance « qualcode run » sur cet ordinateur : chaque étape s'affiche quand elle "
                 "commence et finit ; les résultats remplacent analyses/ en un seul ensemble "
                 "(un échec laisse les précédents).",
                 "Runs 'qualcode run' on this computer: each stage shows as it starts and ends; "
                 "the results replace analyses/ as one set (a failure leaves the previous ones)."),
    "start_run": ("Lancer l'analyse", "Run the analysis"),
    "run_running": ("Analyse en cours…", "Running…"),
    "run_done": ("Analyse terminée.", "Analysis done."),
    "run_failed": ("L'analyse a échoué :", "The analysis failed:"),
    "run_busy": ("Une analyse ou un import de cette étude est déjà en cours ; attendez qu'il "
                 "se termine.", "A run or an import of this study is in progress already; "
                 "wait for it to end."),
    "stage_start": ("en cours", "running"),
    "stage_done": ("terminé", "done"),
    "stage_reused": ("repris de la dernière analyse", "reused from the last run"),
    "see_results": ("Voir les résultats", "See the results"),
    "results": ("Résultats", "Results"),
    "no_results": ("Aucune analyse complète : lancez l'analyse pour voir les résultats.",
                   "No complete run: run the analysis to see the results."),
    "agreement_title": ("Accord inter-codeurs", "Inter-coder agreement"),
    "interval": ("Intervalles de confiance :", "Confidence intervals:"),
    "agreement_by_code_id": ("Par code", "Per code"),
    "agreement_by_domain": ("Par domaine", "Per domain"),
    "agreement_by_transcript_id": ("Par transcription", "Per transcript"),
    "agreement_by_site_id": ("Par site", "Per site"),
    "col_code_id": ("Code", "Code"),
    "col_domain": ("Domaine", "Domain"),
    "col_transcript_id": ("Transcription", "Transcript"),
    "col_site_id": ("Site", "Site"),
    "label": ("Libellé", "Label"),
    "method": ("Méthode", "Method"),
    "percent_agreement": ("Accord brut", "Percent agreement"),
    "status": ("Fiabilité", "Reliability"),
    "flag": ("Remarque", "Note"),
    "matrix": ("Matrice du cadre (carte de chaleur)", "Framework matrix (heat map)"),
    "matrix_by": ("Colonnes :", "Columns:"),
    "matrix_help": ("Chaque case : le nombre de participants qui ont évoqué le code, la couleur "
                    "leur part dans la colonne. Cliquez une case pour lire ses extraits.",
                    "Each cell: how many participants raised the code, its colour their share "
                    "of the column. Click a cell to read its quotes."),
    "quotes_help": ("Cliquez une case de la matrice pour lire ses extraits.",
                    "Click a cell of the matrix to read its quotes."),
    "no_quote": ("Aucun extrait dans cette case.", "No quote in this cell."),
    "presence": ("Présence", "Presence"),
    "confirm_convergence": ("Confirmer la convergence", "Confirm convergence"),
    "saturation": ("Saturation", "Saturation"),
    "cooccurrence": ("Cooccurrence des codes", "Code co-occurrence"),
    "checklist": ("Cahier des exigences", "Requirement checklist"),
    "assessments": ("Évaluation des projets", "Design assessments"),
    "downloads": ("Téléchargements", "Downloads"),
    "kind_documents": ("Documents", "Documents"),
    "kind_workbooks": ("Classeurs", "Workbooks"),
    "kind_tables": ("Tableaux (CSV)", "Tables (CSV)"),
    "kind_figures": ("Figures", "Figures"),
    "kind_exchange": ("Échanges (REFI-QDA, IRaMuTeQ, textes)",
                      "Exchange (REFI-QDA, IRaMuTeQ, texts)"),
}


STAGES: dict[str, tuple[str, str]] = {
    # a stage of qualcode run (as the pipeline names it): (fr, en)
    "import": ("Import des transcriptions", "Import of the transcripts"),
    "codings": ("Lecture des codages", "Reading the codings"),
    "agreement": ("Accord entre codeurs", "Agreement between coders"),
    "suggestions": ("Qualité des suggestions", "Quality of the suggestions"),
    "triangulation": ("Triangulation", "Triangulation"),
    "saturation": ("Saturation", "Saturation"),
    "checklist": ("Cahier des exigences", "Checklist"),
    "write segments and codebook": ("Écriture des segments et de la grille",
                                    "Writing the segments and the codebook"),
    "write codings and disagreements": ("Écriture des codages et des désaccords",
                                        "Writing the codings and disagreements"),
    "exports (REFI-QDA, IRaMuTeQ)": ("Exports (REFI-QDA, IRaMuTeQ)",
                                     "Exports (REFI-QDA, IRaMuTeQ)"),
    "write agreement": ("Écriture de l'accord", "Writing the agreement"),
    "write suggestions": ("Écriture des suggestions", "Writing the suggestions"),
    "write triangulation": ("Écriture de la triangulation", "Writing the triangulation"),
    "write saturation": ("Écriture de la saturation", "Writing the saturation"),
    "write checklist": ("Écriture du cahier des exigences", "Writing the checklist"),
    "report": ("Rapport et extraits", "Report and extracts"),
    "figures": ("Figures", "Figures"),
    "audit": ("Audit de confidentialité", "Confidentiality audit"),
}


def stage_names(language: str) -> dict[str, str]:
    """The stages of a run in ``language`` (a stage not listed shows as the pipeline names
    it)."""
    index = 0 if language == "fr" else 1
    return {stage: pair[index] for stage, pair in STAGES.items()}


def words(language: str) -> dict[str, str]:
    """The wording in ``language`` (French or English)."""
    index = 0 if language == "fr" else 1
    return {key: pair[index] for key, pair in WORDS.items()}
