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
}


def words(language: str) -> dict[str, str]:
    """The wording in ``language`` (French or English)."""
    index = 0 if language == "fr" else 1
    return {key: pair[index] for key, pair in WORDS.items()}
