"""A study to and from other tools: REFI-QDA projects and codebooks, and IRaMuTeQ.

``export-qdpx``, ``export-qdc`` and ``export-iramuteq`` write into ``analyses/``.
``import-qdpx`` brings a project's codings into a study (as a span CSV in ``codings/``, which
``collect`` reads like any coder's file), or makes a new study from a project: its texts
become transcripts, its users coders, its codes the codebook, its speakers participants.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import yaml

from qualcode.codebook import Codebook, load_codebook
from qualcode.coding import CodeResolver, human_codings
from qualcode.corpus import detect_turns, label_key
from qualcode.errors import CodebookError, CodingError, QualcodeError
from qualcode.interchange import (
    OffsetMap,
    code_guids,
    code_names,
    codebook_codes,
    export_project,
    match_sources,
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
from qualcode.paths import ANALYSES, CODINGS, IDENTITIES_FILE, STUDY_FILE
from qualcode.steps.collect import coding_stage_if_any, transcript_names
from qualcode.steps.imports import import_study, read_transcripts
from qualcode.study import IDENTITY_COLUMNS, Study, load_study
from qualcode.text import fold

SPAN_HEADER = ["coder", "transcript_id", "start", "end", "code_id"]
MODERATOR_LABELS = {"mod", "moderateur", "moderatrice", "animateur", "animatrice", "interviewer",
                    "intervieweur", "intervieweuse", "enqueteur", "enqueteuse"}
GENERIC_LABELS = {"intervenant", "intervenante", "participant", "participante", "interne",
                  "locuteur", "locutrice", "speaker", "orateur", "oratrice"}


# --- export --------------------------------------------------------------------------------

def study_project(study: Study, codebook: Codebook, imported, stage) -> RefiProject:
    """The study as a REFI-QDA project; without codings, the texts, codebook and cases."""
    if stage is None:
        empty = pd.DataFrame(columns=["coder", "segment_id", "code_id", "source"])
        return export_project(study, imported.transcripts, codebook, empty,
                              pd.DataFrame(columns=["coder"]), imported.segments)
    spans = stage.codings.spans
    codings = human_codings(stage.codings.codings)
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
    data = codebook_xml(codebook_codes(codebook), origin=qualcode_origin())
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


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

def import_into_study(study: Study, file: Path, *, crlf: str = "auto",
                      force: bool = False) -> tuple[Path, pd.DataFrame]:
    """A project's codings as ``codings/<file stem>.csv`` (span form), and the summary of
    what was imported and lost. Codes map onto the study's codebook by id or label; users
    onto its coders by id or name."""
    target = study.root / CODINGS / f"{file.stem}.csv"
    if target.exists() and not force:
        raise QualcodeError("exists already; pass --force to replace it", path=target)
    project = read_project(file, crlf=crlf)
    codebook = load_codebook(study.codebook)
    canonical = {t.id: t.text for t in read_transcripts(study)}
    coders = {fold(c.id): c.id for c in study.coders} | \
        {fold(c.name): c.id for c in study.coders if c.name}
    names = code_names(project.codes, code_guids(codebook))
    spans = project_spans(project, match_sources(project, canonical, transcript_names(study),
                                                 path=file),
                          code_names=names, coder_of=lambda name: coders.get(fold(name.strip())),
                          default_coder=file.stem, path=file)
    resolve, ids = CodeResolver(codebook), {}
    for name in sorted(set(names.values())):
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
    write_csv(target, _span_csv(table))
    return target, summary(project, spans, codes=len(ids))


def _span_csv(table: pd.DataFrame) -> pd.DataFrame:
    return table[SPAN_HEADER].drop_duplicates().sort_values(SPAN_HEADER, kind="stable")


# --- a new study from a project ------------------------------------------------------------

def study_from_project(file: Path, target: Path, *, crlf: str = "auto") -> pd.DataFrame:
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
    project = read_project(file, crlf=crlf)
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
    group_of, silent = {}, 0
    cases = {fold(c.name).strip(): dict(c.variables) for c in project.cases if c.name}
    for source in project.sources:
        group_id = _unique_id(_slug(Path(source.name).stem) or "T", {g["id"] for g in groups})
        path = root / "transcripts" / f"{group_id}.txt"
        path.write_text(source.text, encoding="utf-8")
        turns = detect_turns(read_transcript(path))
        if not turns:
            path.unlink()
            silent += 1
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
            participants.append({"id": pid, "group": group_id} |
                                ({"attributes": attributes} if attributes else {}))
            identities.append((group_id, label, label if _is_name(label) else "", pid))
        site = max(set(sites) - {None}, key=sites.count, default="Site à préciser")
        groups.append({"id": group_id, "site": _slug(site).lower() or "site",
                       "transcript": f"transcripts/{path.name}", "moderator": "MOD",
                       "site_name": site})
    if not groups:
        raise CodingError("no text source of the project has speaker turns ('Name : ...' at "
                          "the start of a line); qualcode needs them to know who speaks",
                          path=file)
    taken: set[str] = set()
    coders = {fold(name): _unique_id(_slug(project.user_ids.get(guid, "")) or _slug(name)
                                     or "coder", taken)
              for guid, name in project.users.items()}
    codebook_id = _codebook_id(file)
    tree, ids = _codebook(project.codes, project.origin or "REFI-QDA")
    (root / "codebooks" / f"{codebook_id}.yaml").write_text(
        _codebook_yaml(codebook_id, project.name or codebook_id, tree), encoding="utf-8")
    manifest = {
        "title": project.name or file.stem, "language": "fr",
        "codebook": f"codebooks/{codebook_id}.yaml", "coding_unit": "sentence",
        "sites": [{"id": site_id, "name": name, "kind": "unknown"} for site_id, name in
                  dict.fromkeys((g["site"], g.pop("site_name")) for g in groups)],
        "groups": groups, "participants": participants,
        "roles": [{"id": "MOD", "label": "Modérateur·rice"}],
        "coders": [{"id": coders[fold(name)], "name": name}
                   for name in dict.fromkeys(project.users.values())]
        or [{"id": _slug(file.stem) or "coder"}]}
    (root / STUDY_FILE).write_text(
        f"# Made by 'qualcode import-qdpx' from {file.name}: check the sites, groups and "
        "participants.\n" + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    guard_table(pd.DataFrame(identities, columns=list(IDENTITY_COLUMNS))).to_csv(
        root / IDENTITIES_FILE, index=False)
    (root / ".gitignore").write_text(f"{IDENTITIES_FILE}\nanalyses/\n", encoding="utf-8")
    if project.notes:
        (root / "notes").mkdir()
        (root / "notes" / f"{file.stem}.md").write_text("".join(
            f"## {name or 'Note'}\n\n{text.strip()}\n\n" for name, text in project.notes),
            encoding="utf-8")
    study = load_study(root)
    canonical = {t.id: t.text for t in read_transcripts(study)}
    texts = {source.guid: source.text for source in project.sources}
    matched = {guid: (group_id, OffsetMap(texts[guid], canonical[group_id]))
               for guid, group_id in group_of.items()}
    spans = project_spans(project, matched,
                          code_names=ids, coder_of=lambda name: coders.get(fold(name)),
                          default_coder=manifest["coders"][0]["id"], path=file)
    table = spans.spans.rename(columns={"code": "code_id"})
    guard_table(_span_csv(table)).to_csv(
        root / CODINGS / f"{_slug(file.stem) or 'project'}.csv", index=False)
    result = summary(project, spans, codes=len(ids), cases=sum(
        1 for p in participants if "attributes" in p), notes=len(project.notes))
    if silent:
        result.loc[len(result)] = ("lost: text sources without speaker turns", silent, 0)
    guard_table(result).to_csv(root / "import-summary.csv", index=False)
    return result


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
                own = depth == len(path) - 1
                code_id, definition = _exported_id(code.description, parent) if own else \
                    (None, "")
                code_id = code_id or _unique_id(
                    f"{parent}.{_word(part)}" if parent else _word(part), siblings)
                found = {"id": code_id, "label": part, "definition": definition or
                         f"Importé de {origin} sans définition.", "children": []}
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


def _exported_id(description: str, parent: str | None) -> tuple[str | None, str]:
    """The code id qualcode wrote at the start of a description (``[housing.x] ...``), if it
    fits under ``parent``, and the description without it."""
    match = re.match(r"\[([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\] ", description)
    if match and match.group(1).rpartition(".")[0] == (parent or ""):
        return match.group(1), description[match.end():]
    return None, description


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
    """A ``.qdc`` (or a project's) code tree as ``codebooks/<file stem>.yaml``."""
    origin, codes = read_codes(file)
    if not codes:
        raise CodingError("the file holds no code", path=file)
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
