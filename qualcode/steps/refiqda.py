"""The study folder's side of exchange with other tools: REFI-QDA projects and codebooks,
Taguette's CSV codebook, and IRaMuTeQ.

This step reads and writes the study folder; the format is :mod:`qualcode.io.refiqda`'s and
the mapping between a study and a project :mod:`qualcode.interchange`'s.
``export-qdpx``, ``export-qdc`` and ``export-iramuteq`` write into ``analyses/`` (or ``-o``).
``import-qdpx`` brings a project's codings into a study (as a span CSV in ``codings/``, which
``collect`` reads like any coder's file), or makes a new study from a project: its texts
become transcripts, its users coders, its codes the codebook, its speakers participants, its
consensus user the consensus decisions. Both refuse what they cannot place
(:func:`qualcode.interchange.check_project`) before writing anything.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import unicodedata
import warnings
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import yaml

from qualcode import schema as S
from qualcode.codebook import Codebook, load_codebook
from qualcode.coding import (
    CodeResolver,
    spans_to_segments,
    uncovered_message,
    uncovered_spans,
)
from qualcode.corpus import detect_turns, label_key
from qualcode.errors import CodebookError, CodingError, QualcodeError, QualcodeWarning
from qualcode.interchange import (
    OffsetMap,
    check_project,
    code_fields,
    code_guids,
    codebook_codes,
    export_project,
    is_consensus,
    place_codings,
    project_spans,
    qualcode_origin,
    summary,
)
from qualcode.io.cells import guard_table
from qualcode.io.files import write_atomic, write_csv, write_text
from qualcode.io.iramuteq import iramuteq_corpus
from qualcode.io.refiqda import RefiCode, RefiProject, codebook_xml, read_codes, read_project
from qualcode.io.refiqda import write_qdpx as write_project
from qualcode.io.transcripts import read_transcript
from qualcode.names import study_matcher
from qualcode.paths import ANALYSES, CODINGS, DECISIONS_FILE, IDENTITIES_FILE, STUDY_FILE
from qualcode.steps.collect import coding_stage_if_any, transcript_names
from qualcode.steps.imports import import_study
from qualcode.study import IDENTITY_COLUMNS, Coder, Study, load_identities, load_study
from qualcode.text import fold

SPAN_HEADER = ["coder", "transcript_id", "start", "end", "code_id"]
MODERATOR_LABELS = {"mod", "moderateur", "moderatrice", "animateur", "animatrice", "interviewer",
                    "intervieweur", "intervieweuse", "enqueteur", "enqueteuse"}
GENERIC_LABELS = {"intervenant", "intervenante", "participant", "participante", "interne",
                  "locuteur", "locutrice", "speaker", "orateur", "oratrice"}


# --- export --------------------------------------------------------------------------------

def shown_coders(study: Study) -> tuple[Coder, ...]:
    """The coders as the outputs name them: a coder whose name holds a name of
    ``identities.csv`` (a researcher called Camille, like a participant) is named by their id
    alone, with a warning, since no output may hold a participant's name."""
    matcher = study_matcher(study, load_identities(study))
    shown = []
    for coder in study.coders:
        if coder.name and any(hit.is_name for hit in matcher.hits(coder.name)):
            warnings.warn(f"study.yaml: coder {coder.id}'s name holds a name of "
                          f"identities.csv, so the outputs name this coder '{coder.id}' only",
                          QualcodeWarning, stacklevel=2)
            coder = replace(coder, name=None)
        shown.append(coder)
    return tuple(shown)


def study_project(study: Study, codebook: Codebook, imported, stage) -> RefiProject:
    """The study as a REFI-QDA project; without codings, the texts, codebook and cases.
    The consensus, when complete, is exported as its own user; coders are named as in
    ``study.yaml`` (see :func:`shown_coders`)."""
    study = replace(study, coders=shown_coders(study))
    if stage is None:
        empty = pd.DataFrame(columns=["coder", "segment_id", "code_id", "source"])
        return export_project(study, imported.transcripts, codebook, empty,
                              pd.DataFrame(columns=["coder"]), imported.segments)
    spans = stage.codings.spans
    codings = stage.codings.codings
    codings = codings[~codings["source"].isin(set(spans["source"]))]
    return export_project(study, imported.transcripts, codebook, codings, spans,
                          imported.segments)


def write_exports(study: Study, codebook: Codebook, imported, stage, *,
                  into: Path | None = None) -> list[Path]:
    """``project.qdpx``, ``codebook.qdc`` and ``iramuteq.txt`` (one text per turn), in
    ``into`` (default: ``analyses/``)."""
    analyses = into or study.root / ANALYSES
    return [write_project(analyses / "project.qdpx",
                          study_project(study, codebook, imported, stage)),
            write_qdc(analyses / "codebook.qdc", codebook),
            write_text(analyses / "iramuteq.txt", iramuteq_corpus(imported.segments, study))]


def write_qdc(path: Path, codebook: Codebook) -> Path:
    """The codebook as a REFI-QDA ``.qdc``, or, for a path ending ``.csv``, as the CSV
    Taguette imports (``tag``, ``description``; a child's tag is its parent's path, ``\\``,
    its label)."""
    codes = codebook_codes(codebook)
    if path.suffix.lower() == ".csv":
        return write_csv(path, pd.DataFrame(_taguette_rows(codes, ""),
                                            columns=["tag", "description"]))
    data = codebook_xml(codes, origin=qualcode_origin())
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def _taguette_rows(codes: tuple[RefiCode, ...], parent: str) -> list[tuple[str, str]]:
    rows = []
    for code in codes:
        tag = f"{parent}\\{code.name}" if parent else code.name
        rows += [(tag, code.description), *_taguette_rows(code.children, tag)]
    return rows


def export_qdpx(study: Study, output: Path | None = None) -> Path:
    """The study (transcripts, codebook, every coder's codings, participants) as a .qdpx."""
    codebook, imported = load_codebook(study.codebook), import_study(study)
    stage = coding_stage_if_any(study, imported, codebook)
    return write_project(output or study.root / ANALYSES / "project.qdpx",
                         study_project(study, codebook, imported, stage))


def export_iramuteq(study: Study, output: Path | None = None, *, per: str = "turn") -> Path:
    """The participants' words as an IRaMuTeQ corpus."""
    return write_text(output or study.root / ANALYSES / f"iramuteq-{per}.txt",
                      iramuteq_corpus(import_study(study).segments, study, per=per))


# --- import into a study -------------------------------------------------------------------

def import_into_study(study: Study, file: Path, *, crlf: str = "auto", units: str = "auto",
                      force: bool = False) -> tuple[Path, pd.DataFrame]:
    """A project's codings as ``codings/<file stem>.csv`` (span form), and the summary of
    what was imported and lost. Codes map onto the study's codebook by id or label; users
    onto its coders by id or name. Refused, writing nothing, as ``collect`` refuses it."""
    target = study.root / CODINGS / f"{file.stem}.csv"
    if target.exists() and not force:
        raise QualcodeError("exists already; pass --force to replace it", path=target)
    project = read_project(file, crlf=crlf, units=units)
    codebook = load_codebook(study.codebook)
    imported = import_study(study)
    canonical = {t.id: t.text for t in imported.transcripts}
    coders = {fold(c.id): c.id for c in study.coders} | \
        {fold(c.name): c.id for c in study.coders if c.name}
    spans = place_codings(project, canonical, transcript_names(study),
                          code_guids=code_guids(codebook),
                          coder_of=lambda name: coders.get(fold(name.strip())),
                          default_coder=file.stem, path=file)
    names = dict.fromkeys(spans.spans["code"])
    resolve, ids = CodeResolver(codebook), {}
    for name in sorted(names):
        with contextlib.suppress(CodingError):
            ids[name] = resolve(name, path=str(file), location="")
    unknown = sorted(set(spans.spans["code"]) - set(ids))
    if unknown:
        raise CodingError(f"{len(unknown)} code(s) of the project are not codable codes of the "
                          f"study's codebook: {', '.join(unknown)}; add them to "
                          f"{study.codebook.name} (with these labels) or start a new study "
                          "from the project with 'qualcode import-qdpx FILE NEW_FOLDER'",
                          path=file)
    table = spans.spans.assign(code_id=spans.spans["code"].map(ids))
    uncovered = _uncovered(table, imported.segments, study.span_share)
    write_csv(target, _span_csv(table))
    return target, summary(project, spans, codes=len(ids), uncovered=uncovered)


def _uncovered(table: pd.DataFrame, segments: pd.DataFrame, share: float) -> dict[str, int]:
    """Per coder, the imported spans that code no segment (warned about, and counted in the
    import's summary)."""
    spans = table.rename(columns={"location": S.SOURCE})[list(S.SPAN_COLUMNS)]
    uncovered = uncovered_spans(spans, segments, share=share)
    if uncovered:
        warnings.warn(uncovered_message(uncovered), QualcodeWarning, stacklevel=3)
    return uncovered


def _span_csv(table: pd.DataFrame) -> pd.DataFrame:
    return table[SPAN_HEADER].drop_duplicates().sort_values(SPAN_HEADER, kind="stable")


# --- a new study from a project ------------------------------------------------------------

def study_from_project(file: Path, target: Path, *, crlf: str = "auto",
                       units: str = "auto") -> pd.DataFrame:
    """Make a new study folder from a REFI-QDA project; returns the import summary.

    The folder is built aside and renamed into place at the end, so a failure leaves
    nothing. Each text source becomes a transcript (``.txt``, its text as the project holds
    it), each speaker label a participant (``P01``...) or the moderator role, each case
    matching a speaker gives that participant's attributes, each user a coder, the code tree
    the codebook, and the codings ``codings/<file stem>.csv``. Sites are not in REFI-QDA:
    every group is put in one site to edit in ``study.yaml``.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise QualcodeError("folder exists and is not empty; choose a new folder name",
                            path=target)
    project = read_project(file, crlf=crlf, units=units)
    check_project(project, file)
    if not project.sources:
        raise CodingError("the project holds no text source qualcode can read; nothing to "
                          "make a study from", path=file)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        result = _build_study(project, file, build)
        if target.exists():
            target.rmdir()
        build.rename(target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return result


def _build_study(project: RefiProject, file: Path, root: Path) -> pd.DataFrame:
    for folder in ("transcripts", "codebooks", CODINGS, "designs"):
        (root / folder).mkdir()
    groups, identities, participants = [], [], []
    group_of, silent = {}, []
    cases = {fold(c.name).strip(): dict(c.variables) for c in project.cases if c.name}
    for source in project.sources:
        named = Path(source.name or source.file).stem
        group_id = _unique_id(_slug(named) or "T", {g["id"] for g in groups})
        path = root / "transcripts" / f"{group_id}.txt"
        path.write_text(source.text, encoding="utf-8")
        turns = detect_turns(read_transcript(path), known_labels=speaker_labels(source.text))
        if not _is_transcript(source.text, turns):
            path.unlink()
            silent.append(named or source.guid)
            continue
        group_of[source.guid] = group_id
        sites = []
        for label in dict.fromkeys(turn.speaker for turn in turns):
            if label_key(label) in MODERATOR_LABELS:
                identities.append((group_id, label, "", "MOD"))
                continue
            taken = {p["id"] for p in participants}
            pid = label if re.fullmatch(r"[A-Z]{1,3}\d+", label) and label not in taken \
                else _unique_id(f"P{len(participants) + 1:02d}", taken)
            attributes = cases.get(fold(label).strip(), {})
            sites.append(attributes.pop("site", None))
            attributes.pop("group", None)
            attributes.pop("site_kind", None)
            participants.append({"id": pid, "group": group_id} |
                                ({"attributes": attributes} if attributes else {}))
            identities.append((group_id, label, label if _is_name(label) else "", pid))
        site = max(set(sites) - {None}, key=sites.count, default="Site à préciser")
        kinds = [cases.get(fold(label).strip(), {}).get("site_kind") for label in
                 dict.fromkeys(turn.speaker for turn in turns)]
        groups.append({"id": group_id, "site": _slug(str(site)).lower() or "site",
                       "transcript": f"transcripts/{path.name}", "moderator": "MOD",
                       "site_name": str(site),
                       "site_kind": next((k for k in kinds if k), "unknown")})
    if not groups:
        raise CodingError(f"no text source of the project is a transcript with speaker turns "
                          f"({_quoted(silent)}: most paragraphs must start with a speaker "
                          "label, 'Name: ...', used at least twice; a heading such as "
                          "'Abstract:' is not one); qualcode needs them to know who speaks",
                          path=file)
    if silent:
        warnings.warn(f"{file.name}: text source(s) {_quoted(silent)} are not transcripts "
                      "with speaker turns: not imported", QualcodeWarning, stacklevel=3)
    taken: set[str] = set()
    coders = {fold(name): _unique_id(_slug(project.user_ids.get(guid, "")) or _slug(name)
                                     or "coder", taken)
              for guid, name in project.users.items() if not is_consensus(name)}
    codebook_id = _codebook_id(file)
    tree, ids = _codebook(project.codes, project.origin or "REFI-QDA")
    (root / "codebooks" / f"{codebook_id}.yaml").write_text(
        _codebook_yaml(codebook_id, project.name or codebook_id, tree), encoding="utf-8")
    manifest = {
        "title": project.name or file.stem, "language": "fr",
        "codebook": f"codebooks/{codebook_id}.yaml", "coding_unit": "sentence",
        "sites": [{"id": site_id, "name": name, "kind": kind} for site_id, name, kind in
                  dict.fromkeys((g["site"], g.pop("site_name"), g.pop("site_kind"))
                                for g in groups)],
        "groups": groups, "participants": participants,
        "roles": [{"id": "MOD", "label": "Modérateur·rice"}],
        "coders": [{"id": coders[fold(name)], "name": name}
                   for name in dict.fromkeys(project.users.values()) if not is_consensus(name)]
        or [{"id": _slug(file.stem) or "coder"}]}
    (root / STUDY_FILE).write_text(
        f"# Made by 'qualcode import-qdpx' from {file.name}: check the sites, groups and "
        "participants.\n" + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    guard_table(pd.DataFrame(identities, columns=list(IDENTITY_COLUMNS))).to_csv(
        root / IDENTITIES_FILE, index=False)
    (root / ".gitignore").write_text(f"{IDENTITIES_FILE}\nanalyses/\n.qualcode/\n",
                                     encoding="utf-8")
    if project.notes:
        (root / "notes").mkdir()
        (root / "notes" / f"{file.stem}.md").write_text("".join(
            f"## {name or 'Note'}\n\n{text.strip()}\n\n" for name, text in project.notes),
            encoding="utf-8")
    study = load_study(root)
    imported = import_study(study)
    canonical = {t.id: t.text for t in imported.transcripts}
    texts = {source.guid: source.text for source in project.sources}
    matched = {guid: (group_id, OffsetMap(texts[guid], canonical[group_id]))
               for guid, group_id in group_of.items()}
    spans = project_spans(project, matched,
                          code_names=ids, coder_of=lambda name: coders.get(fold(name)),
                          default_coder=manifest["coders"][0]["id"], path=file)
    table = spans.spans.rename(columns={"code": "code_id"})
    guard_table(_span_csv(table)).to_csv(
        root / CODINGS / f"{_slug(file.stem) or 'project'}.csv", index=False)
    consensus = spans.consensus is not None and not spans.consensus.empty
    if consensus:
        _consensus_decisions(table, spans.consensus.rename(columns={"code": "code_id"}),
                             imported.segments, study, file)
    result = summary(project, spans, codes=len(ids), cases=sum(
        1 for p in participants if "attributes" in p), variables=len(
        {name for p in participants for name in p.get("attributes", {})}),
        notes=len(project.notes), consensus=consensus,
        uncovered=_uncovered(table, imported.segments, study.span_share))
    if silent:
        result["item"] = result["item"].replace(
            "lost: text sources that are not transcripts of the study",
            "lost: text sources without speaker turns")
    guard_table(result).to_csv(root / "import-summary.csv", index=False)
    return result


def _consensus_decisions(coded: pd.DataFrame, consensus: pd.DataFrame,
                         segments: pd.DataFrame, study: Study, file: Path) -> None:
    """The consensus user's codings as ``codings/consensus.csv``: a decision for each
    segment and code the coders did not all give, ``keep`` when the consensus has it."""
    def pairs(table: pd.DataFrame) -> list[tuple[str, str, str]]:
        spans = table.rename(columns={"location": S.SOURCE})[list(S.SPAN_COLUMNS)]
        return [(coder, segment, code) for coder, segment, code, _ in
                spans_to_segments(spans, segments, share=study.span_share)]

    kept = {(segment, code) for _, segment, code in pairs(consensus)}
    given = Counter((segment, code) for _, segment, code in set(pairs(coded)))
    everyone = len(study.coders)
    rows = sorted((segment, code, "keep" if (segment, code) in kept else "drop",
                   f"consensus of {file.name}", "import")
                  for (segment, code), n in given.items() if n < everyone)
    guard_table(pd.DataFrame(rows, columns=[S.SEGMENT_ID, S.CODE_ID, "decision", "rationale",
                                            "decided_by"])).to_csv(
        study.root / CODINGS / DECISIONS_FILE, index=False)


def speaker_labels(text: str) -> set[str]:
    """Labels that start at least two lines of an imported text followed by a colon, in
    any case and with hyphens (``admin-1:``, ``interviewer:``), folded as speaker labels."""
    found = Counter(label_key(m.group(1)) for m in _LOOSE_LABEL.finditer(text))
    return {label for label, n in found.items() if n >= 2}


_LOOSE_LABEL = re.compile(r"^[ \t]*([^\W\d_][\w.'’-]{0,30}(?:[ \t][\w.'’-]{1,30}){0,3})"
                          r"[ \t]*:[ \t]", re.MULTILINE)


def _is_transcript(text: str, turns) -> bool:
    """Whether speaker turns make most of a text: paragraphs (or lines) starting with the
    label of a speaker who speaks at least twice hold at least half its characters (a
    paper's ``Abstract:``, or a short dialogue quoted in it, do not)."""
    counts = Counter(label_key(turn.speaker) for turn in turns)
    speakers = {label for label, n in counts.items() if n >= 2}
    blocks = [b for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    lines = [line for line in text.splitlines() if line.strip()]
    parts = blocks if len(blocks) > 1 else lines
    spoken = sum(len(part) for part in parts
                 if ":" in part and label_key(part.strip().split(":", 1)[0]) in speakers)
    return bool(parts) and spoken >= 0.5 * sum(len(part) for part in parts)


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names[:5]) + \
        (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _codebook_yaml(codebook_id: str, title: str, tree: list) -> str:
    """An imported code tree as a qualcode codebook (labels in French, the study's default)."""
    return yaml.safe_dump({"id": codebook_id, "title": title, "language": "fr", "codes": tree},
                          allow_unicode=True, sort_keys=False, width=96)


def _codebook(codes: tuple[RefiCode, ...], origin: str) -> tuple[list, dict[str, str]]:
    """The code tree as codebook YAML items, and ``{code guid: code id}``. Flat names with
    ``::`` or ``\\`` (ATLAS.ti 8, Taguette) become nested codes."""
    ids: dict[str, str] = {}
    roots: list = []

    def add(items: list, path: list[str], code: RefiCode, parent: str | None) -> None:
        node = None
        for depth, part in enumerate(path):
            siblings = {item["id"] for item in items}
            found = next((i for i in items if i["label"] == part), None)
            if found is None or depth == len(path) - 1:
                fields = _exported(code, part, parent) if depth == len(path) - 1 else {}
                code_id = fields.pop("id", None) or _unique_id(
                    f"{parent}.{_word(part)}" if parent else _word(part), siblings)
                found = {"id": code_id, "label": part,
                         "definition": code.description if depth == len(path) - 1 and
                         code.description else f"Importé de {origin} sans définition."}
                found |= fields
                found["children"] = []
                items.append(found)
            node, parent, items = found, found["id"], found["children"]
        node["codable"] = code.codable
        ids[code.guid] = node["id"]
        for child in code.children:
            add(items, [child.name], child, node["id"])

    for code in codes:
        add(roots, [p.strip() for p in re.split(r"::|\\", code.name) if p.strip()] or
            [code.name], code, None)
    _prune(roots)
    return roots, ids


def _exported(code: RefiCode, label: str, parent: str | None) -> dict:
    """The codebook fields qualcode wrote in a code's description (its id first), when that
    id fits under ``parent``; ``{}`` otherwise (another tool's description stays the
    definition)."""
    fields = code_fields(code.description, label, language="fr")
    if not fields or fields["id"].rpartition(".")[0] != (parent or ""):
        return {}
    return fields


def _prune(items: list) -> None:
    for item in items:
        if item["children"]:
            _prune(item["children"])
        else:
            del item["children"]


def _is_name(label: str) -> bool:
    """Whether a speaker label looks like a person's name (``Camille``, ``Mme Dupont``),
    which is then also replaced inside the text, rather than a code (``I3``, ``P2``) or a
    generic word (``Intervenant 1``)."""
    words = label.split()
    return bool(words) and all(re.fullmatch(r"[^\W\d_]+(?:['’.-][^\W\d_]*)*", w) and w[0].isupper()
                               for w in words) and fold(words[0]) not in GENERIC_LABELS


def _word(text: str) -> str:
    """A lower-case word for a code id or a codebook id."""
    word = _slug(text).lower().replace("-", "_").replace(".", "_")
    return word if word[:1].isalpha() else f"c_{word}"


def _codebook_id(file: Path) -> str:
    return _word(file.stem)


def _slug(text: str) -> str:
    """``text`` as an id: ASCII letters (case kept), digits, ``_``, ``-`` and ``.``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_text).strip("-.")


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def import_codebook(study_root: Path, file: Path) -> Path:
    """A ``.qdc`` (or a project's) code tree as ``codebooks/<file stem>.yaml``; code groups
    (sets) and colours, which a qualcode codebook does not hold, are warned about."""
    origin, codes, dropped = read_codes(file)
    if not codes:
        raise CodingError("the file holds no code", path=file)
    if any(dropped.values()):
        warnings.warn(f"{file.name}: not imported (a qualcode codebook has no place for them): "
                      + ", ".join(f"{n} {what}" for what, n in dropped.items() if n)
                      .replace("sets", "code groups (sets)"), QualcodeWarning, stacklevel=2)
    tree, _ = _codebook(codes, origin or "REFI-QDA")
    codebook_id = _codebook_id(file)
    path = study_root / "codebooks" / f"{codebook_id}.yaml"
    if path.exists():
        raise QualcodeError("exists already; rename or move it first", path=path)
    text = _codebook_yaml(codebook_id, file.stem, tree)

    def write_checked(tmp: Path) -> None:  # checked before it takes its place
        tmp.write_text(text, encoding="utf-8", newline="\n")
        try:
            load_codebook(tmp)
        except CodebookError as error:
            raise CodingError(f"its code tree does not make a valid codebook ({error.message}"
                              "); correct the codes in the software that wrote it",
                              path=file) from None

    return write_atomic(path, write_checked)
