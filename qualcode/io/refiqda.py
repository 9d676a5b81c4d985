"""REFI-QDA files: projects (``.qdpx`` zip, bare ``.qde``) and codebooks (``.qdc``).

The REFI-QDA standard 1.5 (2019, https://www.qdasoftware.org) is how NVivo, ATLAS.ti, MAXQDA,
QualCoder, Taguette and f4 exchange projects. Reading is lenient where tools differ (the name
of the ``.qde`` member, the case of ``sources/``, codebook namespaces ``1.0``, ``0:4``,
``1:0`` or none, GUID case and braces, a BOM) and strict where safety is at stake: no DTD or
entity is ever resolved, zip members with absolute or ``..`` paths are refused, and the
number and total size of members are capped.

Text selections are half-open ``[start, end)`` intervals of Unicode code points of the plain
text, as the standard's examples and every sample practise. Tools disagree on line ends: NVivo
for Windows counts CRLF as two characters, ATLAS.ti and QualCoder as one. Texts are returned
with ``\\n`` line ends and offsets are converted accordingly (:data:`CRLF_CONVENTIONS`).
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qualcode.errors import CodingError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2**30  # uncompressed, all members together
CRLF_CONVENTIONS = ("auto", "one", "two")
"""How selections count a CRLF line end: ``one`` character (ATLAS.ti, QualCoder, MAXQDA),
``two`` (NVivo for Windows), or ``auto``: the convention under which more selections match
the text their ``name`` quotes, NVivo's when that does not decide."""

QUALCODE_NAMESPACE = uuid.UUID("a5eeb98a-76b2-4eca-b344-e015cb236658")
"""The namespace of qualcode's ``uuid5`` GUIDs: the same study always gets the same GUIDs."""

FOUND = ("User", "Code", "TextSource", "PDFSource", "PictureSource", "AudioSource",
         "VideoSource", "PlainTextSelection", "PDFSelection", "PictureSelection",
         "AudioSelection", "VideoSelection", "TranscriptSelection", "Coding", "Case",
         "Variable", "Note", "Set", "Link", "Graph")


@dataclass(frozen=True, slots=True)
class RefiCode:
    guid: str
    name: str
    codable: bool = True
    description: str = ""
    children: tuple[RefiCode, ...] = ()


@dataclass(frozen=True, slots=True)
class RefiSelection:
    """A text selection and its codings: ``(code guid, user guid)`` pairs."""

    guid: str
    start: int
    end: int
    codings: tuple[tuple[str, str], ...]
    name: str = ""


@dataclass(frozen=True, slots=True)
class RefiSource:
    """A text source with ``\\n`` line ends; ``outside`` holds selections whose offsets do
    not fit in the text."""

    guid: str
    name: str
    text: str
    selections: tuple[RefiSelection, ...] = ()
    outside: tuple[RefiSelection, ...] = ()


@dataclass(frozen=True, slots=True)
class RefiCase:
    """A case (a participant, usually) with its variables and the sources it refers to."""

    guid: str
    name: str
    variables: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefiProject:
    """What qualcode reads from or writes to a REFI-QDA project. ``users`` maps a user GUID
    to its name, ``user_ids`` to its short id (initials, a coder id) when it has one;
    ``found`` counts the elements of each kind of :data:`FOUND` in the file, read by
    qualcode or not, so that what was not imported can be reported."""

    name: str
    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)
    codes: tuple[RefiCode, ...] = ()
    sources: tuple[RefiSource, ...] = ()
    cases: tuple[RefiCase, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    found: tuple[tuple[str, int], ...] = ()


def stable_guid(kind: str, *keys: str) -> str:
    """A deterministic GUID for one thing of a study (``stable_guid("code", code_id)``)."""
    return str(uuid.uuid5(QUALCODE_NAMESPACE, ":".join((kind, *keys))))


def guid_key(guid: str | None) -> str:
    """GUIDs compare ignoring case and braces."""
    return (guid or "").strip().strip("{}").lower()


# --- reading -------------------------------------------------------------------------------

def read_project(path: Path, *, crlf: str = "auto") -> RefiProject:
    """Read a ``.qdpx`` (or a bare ``.qde``) project."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with _safe_zip(path) as archive:
            root = parse_xml(_member(archive, _qde_name(archive, path), path), path)
            return _project(root, path, lambda name: _source_file(archive, name, path), crlf)
    if path.suffix.lower() == ".qdpx":
        raise CodingError("not a zip archive, so not a .qdpx project; export the project "
                          "again from your software", path=path)
    return _project(parse_xml(_read_bytes(path), path), path, lambda name: None, crlf)


def read_codes(path: Path) -> tuple[str, tuple[RefiCode, ...]]:
    """The origin and code tree of a ``.qdc`` codebook (or of a project's codebook)."""
    path = Path(path)
    if zipfile.is_zipfile(path) or path.suffix.lower() in (".qdpx", ".qde"):
        project = read_project(path)
        return project.origin, project.codes
    root = parse_xml(_read_bytes(path), path)
    if root.tag != "CodeBook":
        raise CodingError(f"the root element is <{root.tag}>, not <CodeBook>; a .qdc file "
                          "holds a REFI-QDA codebook", path=path)
    return root.get("origin", ""), _codes(root.find("Codes"), path)


def _read_bytes(path: Path) -> bytes:
    if path.stat().st_size > MAX_TOTAL_BYTES:
        raise CodingError(f"larger than {MAX_TOTAL_BYTES >> 20} MB; refused", path=path)
    return path.read_bytes()


def parse_xml(data: bytes, path: Path):
    """Parse REFI-QDA XML safely, without namespaces: no DTD, no entity, no network."""
    from lxml import etree

    if re.search(rb"<!(DOCTYPE|ENTITY)", data):
        raise CodingError("the XML declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), which "
                          "REFI-QDA files never do; refused for safety", path=path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data.removeprefix(b"\xef\xbb\xbf"), parser)
    except etree.XMLSyntaxError as err:
        line = f":{err.lineno}" if err.lineno else ""
        raise CodingError(f"not well-formed XML ({err.msg}{line}); export the file again",
                          path=path) from None
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    return root


def _safe_zip(path: Path) -> zipfile.ZipFile:
    from qualcode.io.files import check_readable

    check_readable(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise CodingError(f"not a readable zip archive ({err}); export the project again",
                          path=path) from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        archive.close()
        raise CodingError(f"the archive holds {len(infos)} files, more than the {MAX_MEMBERS} "
                          "qualcode accepts; refused", path=path)
    for info in infos:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"[A-Za-z]:",
                                                                            info.filename):
            archive.close()
            raise CodingError(f"the archive member '{info.filename}' has an absolute or "
                              "'..' path; refused for safety", path=path)
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        archive.close()
        raise CodingError(f"the archive unpacks to more than {MAX_TOTAL_BYTES >> 20} MB; "
                          "refused", path=path)
    return archive


def _member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """A member's bytes, read no further than the size cap whatever its header says."""
    try:
        with archive.open(name) as handle:
            data = handle.read(MAX_TOTAL_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise CodingError(f"the archive member '{name}' cannot be read ({err}); export the "
                          "project again", path=path) from None
    if len(data) > MAX_TOTAL_BYTES:
        raise CodingError(f"the archive member '{name}' unpacks to more than "
                          f"{MAX_TOTAL_BYTES >> 20} MB; refused", path=path)
    return data


def _qde_name(archive: zipfile.ZipFile, path: Path) -> str:
    names = [n for n in archive.namelist() if "/" not in n and n.lower().endswith(".qde")]
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise CodingError(f"a .qdpx holds exactly one .qde project file at its root (found: "
                          f"{found}); export the project again", path=path)
    return names[0]


def _source_file(archive: zipfile.ZipFile, name: str, path: Path) -> bytes | None:
    """The bytes of ``sources/<name>`` (any case of ``sources``), or None."""
    wanted = f"sources/{name}".lower()
    for member in archive.namelist():
        if member.lower() == wanted:
            return _member(archive, member, path)
    return None


def _project(root, path: Path, source_file, crlf: str) -> RefiProject:
    if root.tag != "Project":
        raise CodingError(f"the root element is <{root.tag}>, not <Project>; a .qdpx or .qde "
                          "file holds a REFI-QDA project", path=path)
    users = {guid_key(u.get("guid")): u.get("name") or u.get("id") or guid_key(u.get("guid"))
             for u in root.iterfind("Users/User")}
    user_ids = {guid_key(u.get("guid")): u.get("id") for u in root.iterfind("Users/User")
                if u.get("id")}
    variables = {guid_key(v.get("guid")): v.get("name", "")
                 for v in root.iterfind("Variables/Variable")}
    sources = tuple(filter(None, (_text_source(element, path, source_file, crlf,
                                               root.get("origin", ""))
                                  for element in root.iterfind("Sources/TextSource"))))
    return RefiProject(
        root.get("name", path.stem), root.get("origin", ""), users, user_ids,
        _codes(root.find("CodeBook/Codes"), path), sources,
        tuple(_case(element, variables) for element in root.iterfind("Cases/Case")),
        tuple((note.get("name", ""), _text(note, source_file, path) or "")
              for note in root.iterfind("Notes/Note")),
        tuple((tag, n) for tag in FOUND if (n := sum(1 for _ in root.iter(tag)))))


def _codes(container, path: Path) -> tuple[RefiCode, ...]:
    if container is None:
        return ()
    codes = []
    for element in container.iterfind("Code"):
        name = (element.get("name") or "").strip()
        if not name or not element.get("guid"):
            raise CodingError(f"a <Code> has no {'name' if element.get('guid') else 'guid'} "
                              f"(line {element.sourceline}); export the codebook again",
                              path=path)
        codes.append(RefiCode(guid_key(element.get("guid")), name,
                              element.get("isCodable", "true").strip() in ("true", "1"),
                              (element.findtext("Description") or "").strip(),
                              _codes(element, path)))
    return tuple(codes)


def _text(element, source_file, path: Path) -> str | None:
    """The plain text of a TextSource or Note: inline, or an internal file."""
    inline = element.find("PlainTextContent")
    if inline is not None:
        return inline.text or ""
    location = element.get("plainTextPath") or ""
    if location.startswith("absolute:"):
        return None
    data = _beside(path, location) if location.startswith("relative:") else \
        source_file(location.removeprefix("internal://"))
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodingError(f"the text of '{element.get('name', location)}' is not UTF-8, as "
                          "REFI-QDA requires; export the project again", path=path) from None


def _beside(path: Path, location: str) -> bytes | None:
    """A ``relative://`` text, looked for next to the project file only (never above it)."""
    folder = path.parent.resolve()
    target = (folder / location.removeprefix("relative://").lstrip("/")).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return _read_bytes(target)


def _text_source(element, path: Path, source_file, crlf: str, origin: str) -> RefiSource | None:
    raw = _text(element, source_file, path)
    if raw is None:
        return None
    selections = [_selection(e, element) for e in element.iterfind("PlainTextSelection")]
    convention = crlf if crlf != "auto" else _guess_crlf(raw, selections, origin)
    text, positions = _lf_text(raw), _lengths(raw, convention)
    inside, outside = [], []
    whole = tuple(_coding(c, element) for c in element.iterfind("Coding"))
    if whole:  # codings of the whole source
        inside.append(RefiSelection(guid_key(element.get("guid")), 0, len(text), whole))
    for selection in selections:
        if 0 <= selection.start <= selection.end < len(positions):
            inside.append(RefiSelection(selection.guid, positions[selection.start],
                                        positions[selection.end], selection.codings,
                                        selection.name))
        else:
            outside.append(selection)
    return RefiSource(guid_key(element.get("guid")), element.get("name", ""), text,
                      tuple(inside), tuple(outside))


def _selection(element, source) -> RefiSelection:
    fallback = element.get("creatingUser") or element.get("modifyingUser") or \
        source.get("creatingUser")
    try:
        start, end = int(element.get("startPosition")), int(element.get("endPosition"))
    except (TypeError, ValueError):
        start, end = -1, -1  # reported as outside the text
    return RefiSelection(guid_key(element.get("guid")), start, end,
                         tuple(_coding(c, element, fallback) for c in
                               element.iterfind("Coding")), element.get("name", ""))


def _coding(element, parent, fallback: str | None = None) -> tuple[str, str]:
    user = element.get("creatingUser") or fallback or parent.get("creatingUser") or ""
    return guid_key(element.find("CodeRef").get("targetGUID")
                    if element.find("CodeRef") is not None else ""), guid_key(user)


def _lf_text(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _lengths(raw: str, convention: str) -> Sequence[int]:
    """For each offset of a selection (counting CRLF as ``convention`` characters), the
    offset in the ``\\n`` text; the last item is the text's length. Counting CRLF as one
    character, offsets are those of the ``\\n`` text already."""
    if convention == "one" or "\r\n" not in raw:
        return range(len(_lf_text(raw)) + 1)
    positions, at, i = [], 0, 0
    while i < len(raw):
        positions.append(at)
        if raw.startswith("\r\n", i):
            if convention == "two":
                positions.append(at)
            i += 2
        else:
            i += 1
        at += 1
    positions.append(at)
    return positions


def _guess_crlf(raw: str, selections: list[RefiSelection], origin: str) -> str:
    if "\r\n" not in raw:
        return "one"
    text = _lf_text(raw)
    scores = {}
    for convention in ("two", "one"):
        positions = _lengths(raw, convention)
        scores[convention] = sum(
            1 for s in selections if s.name and 0 <= s.start <= s.end < len(positions)
            and text[positions[s.start]:positions[s.end]].strip() == s.name.strip())
    if scores["one"] != scores["two"]:
        return max(scores, key=scores.get)
    return "two" if "nvivo" in origin.lower() else "one"


def _case(element, variables: dict[str, str]) -> RefiCase:
    values = []
    for value in element.iterfind("VariableValue"):
        ref = value.find("VariableRef")
        name = variables.get(guid_key(ref.get("targetGUID")) if ref is not None else "", "")
        content = next((child.text or "" for child in value if child.tag.endswith("Value")),
                       "")
        if name:
            values.append((name, content.strip()))
    return RefiCase(guid_key(element.get("guid")), element.get("name", ""), tuple(values),
                    tuple(guid_key(s.get("targetGUID")) for s in element.iterfind("SourceRef")))


# --- writing -------------------------------------------------------------------------------

def project_xml(project: RefiProject) -> bytes:
    """The ``project.qde`` of a project, valid against ``Project-mrt2019.xsd``: children in
    the schema's order, no empty container, texts as ``internal://<guid>.txt``."""
    from lxml import etree

    root = etree.Element(_tag("Project"), nsmap={None: PROJECT_NS},
                         name=project.name, origin=project.origin)
    if project.users:
        users = etree.SubElement(root, _tag("Users"))
        for guid, name in project.users.items():
            etree.SubElement(users, _tag("User"), guid=guid, name=name,
                             **({"id": project.user_ids[guid]} if guid in project.user_ids
                                else {}))
    if project.codes:
        codes = etree.SubElement(etree.SubElement(root, _tag("CodeBook")), _tag("Codes"))
        _write_codes(codes, project.codes, _tag)
    variables = dict.fromkeys(name for case in project.cases for name, _ in case.variables)
    if variables:
        container = etree.SubElement(root, _tag("Variables"))
        for name in variables:
            etree.SubElement(container, _tag("Variable"), guid=stable_guid("variable", name),
                             name=name, typeOfVariable="Text")
    if project.cases:
        container = etree.SubElement(root, _tag("Cases"))
        for case in project.cases:
            _write_case(etree.SubElement(container, _tag("Case"), guid=case.guid,
                                         name=case.name), case)
    if project.sources:
        container = etree.SubElement(root, _tag("Sources"))
        for source in project.sources:
            _write_source(etree.SubElement(container, _tag("TextSource"), guid=source.guid,
                                           name=source.name,
                                           plainTextPath=f"internal://{source.guid}.txt"),
                          source)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def codebook_xml(codes: tuple[RefiCode, ...], *, origin: str) -> bytes:
    """A ``.qdc`` codebook, valid against ``Codebook.xsd``."""
    from lxml import etree

    def tag(name: str) -> str:
        return f"{{{CODEBOOK_NS}}}{name}"

    root = etree.Element(tag("CodeBook"), nsmap={None: CODEBOOK_NS}, origin=origin)
    _write_codes(etree.SubElement(root, tag("Codes")), codes, tag)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdpx(path: Path, project: RefiProject) -> Path:
    """Write a ``.qdpx``: ``project.qde`` and ``sources/<guid>.txt`` (UTF-8, no BOM, ``\\n``),
    atomically and with fixed member dates, so the same project gives the same bytes."""
    from qualcode.io.files import write_atomic

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            members = [("project.qde", project_xml(project))]
            members += [(f"sources/{s.guid}.txt", s.text.encode("utf-8"))
                        for s in project.sources]
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)

    return write_atomic(path, write)


def _tag(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


def _write_codes(parent, codes: tuple[RefiCode, ...], tag) -> None:
    from lxml import etree

    for code in codes:
        element = etree.SubElement(parent, tag("Code"), guid=code.guid, name=code.name,
                                   isCodable="true" if code.codable else "false")
        if code.description:
            etree.SubElement(element, tag("Description")).text = code.description
        _write_codes(element, code.children, tag)


def _write_case(element, case: RefiCase) -> None:
    from lxml import etree

    for name, value in case.variables:
        holder = etree.SubElement(element, _tag("VariableValue"))
        etree.SubElement(holder, _tag("VariableRef"), targetGUID=stable_guid("variable", name))
        etree.SubElement(holder, _tag("TextValue")).text = value
    for guid in case.sources:
        etree.SubElement(element, _tag("SourceRef"), targetGUID=guid)


def _write_source(element, source: RefiSource) -> None:
    from lxml import etree

    for selection in source.selections:
        holder = etree.SubElement(element, _tag("PlainTextSelection"), guid=selection.guid,
                                  name=selection.name, startPosition=str(selection.start),
                                  endPosition=str(selection.end))
        for code_guid, user_guid in selection.codings:
            coding = etree.SubElement(holder, _tag("Coding"),
                                      guid=stable_guid("coding", selection.guid, code_guid,
                                                        user_guid),
                                      creatingUser=user_guid)
            etree.SubElement(coding, _tag("CodeRef"), targetGUID=code_guid)
