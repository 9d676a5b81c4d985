"""REFI-QDA files: projects (``.qdpx`` zip, bare ``.qde``) and codebooks (``.qdc``).

The REFI-QDA standard 1.5 (2019, https://www.qdasoftware.org) is how NVivo, ATLAS.ti, MAXQDA,
QualCoder, Taguette and f4 exchange projects. Reading is lenient where tools differ (the name
of the ``.qde`` member, the case of ``sources/``, codebook namespaces ``1.0``, ``0:4``,
``1:0`` or none, GUID case and braces, a BOM) and strict where safety is at stake: no DTD or
entity is ever resolved, zip members with absolute or ``..`` paths are refused, and the
number and total size of members are capped.

Text selections are half-open ``[start, end)`` intervals of Unicode code points of the plain
text, as the standard says. Tools disagree: NVivo for Windows counts CRLF as two characters
(ATLAS.ti and QualCoder as one), and tools written in .NET, C++/Qt or JavaScript may count
UTF-16 units (an emoji is two). Texts are returned with ``\\n`` line ends and offsets
converted to code points of that text, under the conventions the evidence decides
(:func:`offset_conventions`) or the caller names.

This module is the format only: it reads what a file holds (with what it lacks: texts missing
from the archive, duplicate GUIDs) and writes what it is given. Judging whether a project's
codings can be placed on a study is :mod:`qualcode.interchange`'s.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from qualcode.errors import CodingError
from qualcode.io.files import unreadable
from qualcode.io.zipped import MAX_MEMBERS, BoundedZip

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
MAX_TOTAL_BYTES = 2**30  # uncompressed, all members together
CRLF_CONVENTIONS = ("auto", "one", "two")
"""How selections count a CRLF line end: ``one`` character (ATLAS.ti, QualCoder, MAXQDA),
``two`` (NVivo for Windows), or ``auto``: decided by the evidence (see
:func:`offset_conventions`)."""
OFFSET_UNITS = ("auto", "codepoints", "utf16")
"""What selections count: Unicode code points (the standard), UTF-16 units (one more per
character beyond U+FFFF, such as an emoji), or ``auto``."""
CHECKED_KINDS = ("User", "Code", "TextSource", "PlainTextSelection", "Coding", "Case",
                 "Variable")
"""Elements whose GUIDs must be unique (each kind on its own: ATLAS.ti gives a PDF
selection the GUID of its text selection)."""

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
    color: str = ""


@dataclass(frozen=True, slots=True)
class RefiSelection:
    """A text selection and its codings: ``(code guid, user guid)`` pairs; ``user`` is the
    selection's own ``creatingUser`` (QualCoder and NVivo take the coder from it)."""

    guid: str
    start: int
    end: int
    codings: tuple[tuple[str, str], ...]
    name: str = ""
    user: str = ""


@dataclass(frozen=True, slots=True)
class RefiSource:
    """A text source with ``\\n`` line ends; ``outside`` holds selections whose offsets do
    not fit in the text (as the file gives them); ``file`` is the name of its text file, when
    it has one (``board_2017.txt``)."""

    guid: str
    name: str
    text: str
    selections: tuple[RefiSelection, ...] = ()
    outside: tuple[RefiSelection, ...] = ()
    file: str = ""


@dataclass(frozen=True, slots=True)
class RefiCase:
    """A case (a participant, usually) with its typed variables (``str``, ``int``,
    ``float``, ``bool`` or :class:`datetime.date` values), the sources and the selections
    (a participant's own turns) it holds."""

    guid: str
    name: str
    variables: tuple[tuple[str, object], ...] = ()
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefiProject:
    """What qualcode reads from or writes to a REFI-QDA project. ``users`` maps a user GUID
    to its name, ``user_ids`` to its short id (initials, a coder id) when it has one;
    ``found`` counts the elements of each kind of :data:`FOUND` in the file, read by
    qualcode or not, so that what was not imported can be reported; ``missing`` names the
    text sources whose text the file does not hold, ``duplicates`` the GUIDs given twice
    (``"Code 1234…"``), ``offsets`` the conventions the selections were read under."""

    name: str
    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)
    codes: tuple[RefiCode, ...] = ()
    sources: tuple[RefiSource, ...] = ()
    cases: tuple[RefiCase, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    found: tuple[tuple[str, int], ...] = ()
    missing: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    offsets: str = ""


def stable_guid(kind: str, *keys: str) -> str:
    """A deterministic GUID for one thing of a study (``stable_guid("code", code_id)``)."""
    return str(uuid.uuid5(QUALCODE_NAMESPACE, ":".join((kind, *keys))))


def guid_key(guid: str | None) -> str:
    """GUIDs compare ignoring case and braces."""
    return (guid or "").strip().strip("{}").lower()


# --- reading -------------------------------------------------------------------------------

def read_project(path: Path, *, crlf: str = "auto", units: str = "auto") -> RefiProject:
    """Read a ``.qdpx`` (or a bare ``.qde``) project; selections are converted to code
    points of the ``\\n`` text under the conventions given or decided
    (:func:`offset_conventions`)."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with BoundedZip(path, CodingError, limit=MAX_TOTAL_BYTES,
                        members=MAX_MEMBERS) as archive:
            root = parse_xml(archive.read(_qde_name(archive, path)), path)
            return _project(root, path, lambda name: _source_file(archive, name, path),
                            crlf, units)
    if path.suffix.lower() == ".qdpx":
        raise CodingError("not a zip archive, so not a .qdpx project; export the project "
                          "again from your software", path=path)
    return _project(parse_xml(_read_bytes(path), path), path, lambda name: None, crlf, units)


def read_codes(path: Path) -> tuple[str, tuple[RefiCode, ...], dict[str, int]]:
    """The origin and code tree of a ``.qdc`` codebook (or of a project's codebook), and
    what it holds that a code tree does not keep (``{"sets": n, "colours": n}``). Refuses
    code GUIDs given twice."""
    path = Path(path)
    if zipfile.is_zipfile(path) or path.suffix.lower() in (".qdpx", ".qde"):
        project = read_project(path)
        root_codes, origin, sets = project.codes, project.origin, dict(project.found).get(
            "Set", 0)
    else:
        root = parse_xml(_read_bytes(path), path)
        if root.tag != "CodeBook":
            raise CodingError(f"the root element is <{root.tag}>, not <CodeBook>; a .qdc file "
                              "holds a REFI-QDA codebook", path=path)
        duplicates = _duplicates(root, ("Code",))
        if duplicates:
            raise CodingError(f"GUID given twice: {duplicates[0]}; each code needs its own "
                              "GUID: export the codebook again", path=path)
        root_codes, origin = _codes(root.find("Codes"), path), root.get("origin", "")
        sets = sum(1 for _ in root.iterfind("Sets/Set"))
    colours = sum(1 for code in _walk(root_codes) if code.color)
    return origin, root_codes, {"sets": sets, "colours": colours}


def _walk(codes: tuple[RefiCode, ...]):
    for code in codes:
        yield code
        yield from _walk(code.children)


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_TOTAL_BYTES:
            raise CodingError(f"larger than {MAX_TOTAL_BYTES >> 20} MB; refused", path=path)
        return path.read_bytes()
    except OSError as err:
        raise unreadable(path, err, CodingError) from None


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


def _qde_name(archive: BoundedZip, path: Path) -> str:
    names = [n for n in archive.names() if "/" not in n and n.lower().endswith(".qde")]
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise CodingError(f"a .qdpx holds exactly one .qde project file at its root (found: "
                          f"{found}); export the project again", path=path)
    return names[0]


def _source_file(archive: BoundedZip, name: str, path: Path) -> bytes | None:
    """The bytes of ``sources/<name>`` (any case of ``sources``), or None."""
    wanted = f"sources/{name}".lower()
    for member in archive.names():
        if member.lower() == wanted:
            return archive.read(member)
    return None


def _duplicates(root, kinds: Sequence[str]) -> tuple[str, ...]:
    """``"<kind> <guid>"`` for each GUID given to two elements of one kind."""
    return tuple(f"{kind} {guid}" for kind in kinds for guid, n in Counter(
        guid_key(e.get("guid")) for e in root.iter(kind) if e.get("guid")).items() if n > 1)


def _project(root, path: Path, source_file, crlf: str, units: str) -> RefiProject:
    if root.tag != "Project":
        raise CodingError(f"the root element is <{root.tag}>, not <Project>; a .qdpx or .qde "
                          "file holds a REFI-QDA project", path=path)
    users = {guid_key(u.get("guid")): u.get("name") or u.get("id") or guid_key(u.get("guid"))
             for u in root.iterfind("Users/User")}
    user_ids = {guid_key(u.get("guid")): u.get("id") for u in root.iterfind("Users/User")
                if u.get("id")}
    variables = {guid_key(v.get("guid")): v.get("name", "")
                 for v in root.iterfind("Variables/Variable")}
    raw, missing = [], []
    for element in root.iterfind("Sources/TextSource"):
        text = _text(element, source_file, path)
        if text is None:
            missing.append(element.get("name") or element.get("plainTextPath") or
                           guid_key(element.get("guid")))
        else:
            raw.append((element, text, [_selection(e, element) for e in
                                        element.iterfind("PlainTextSelection")]))
    conventions = offset_conventions([(text, selections) for _, text, selections in raw],
                                     crlf=crlf, units=units, path=path)
    return RefiProject(
        root.get("name", path.stem), root.get("origin", ""), users, user_ids,
        _codes(root.find("CodeBook/Codes"), path),
        tuple(_text_source(*item, conventions) for item in raw),
        tuple(_case(element, variables) for element in root.iterfind("Cases/Case")),
        tuple((note.get("name", ""), _text(note, source_file, path) or "")
              for note in root.iterfind("Notes/Note")),
        tuple((tag, n) for tag in FOUND if (n := sum(1 for _ in root.iter(tag)))),
        tuple(missing), _duplicates(root, CHECKED_KINDS),
        f"CRLF counted as {conventions[0]} character(s), offsets in "
        f"{'UTF-16 units' if conventions[1] == 'utf16' else 'code points'}")


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
                              _codes(element, path), element.get("color") or ""))
    return tuple(codes)


def _text(element, source_file, path: Path) -> str | None:
    """The plain text of a TextSource or Note: inline, or an internal file (None when the
    file is not there)."""
    inline = element.find("PlainTextContent")
    if inline is not None:
        return inline.text or ""
    location = element.get("plainTextPath") or ""
    if not location or location.startswith("absolute:"):
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


def _text_source(element, raw: str, selections: list[RefiSelection],
                 conventions: tuple[str, str]) -> RefiSource:
    text, positions = _lf_text(raw), _positions(raw, *conventions)
    inside, outside = [], []
    whole = tuple(_coding(c, element) for c in element.iterfind("Coding"))
    if whole:  # codings of the whole source
        inside.append(RefiSelection(guid_key(element.get("guid")), 0, len(text), whole))
    for selection in selections:
        span = _place(selection, positions)
        if span is None:
            outside.append(selection)
        else:
            inside.append(replace(selection, start=span[0], end=span[1]))
    location = element.get("plainTextPath") or ""
    return RefiSource(guid_key(element.get("guid")), element.get("name", ""), text,
                      tuple(inside), tuple(outside),
                      location.removeprefix("internal://").rpartition("/")[2])


def _selection(element, source) -> RefiSelection:
    own = element.get("creatingUser") or element.get("modifyingUser") or ""
    fallback = own or source.get("creatingUser")
    try:
        start, end = int(element.get("startPosition")), int(element.get("endPosition"))
    except (TypeError, ValueError):
        start, end = -1, -1  # reported as outside the text
    return RefiSelection(guid_key(element.get("guid")), start, end,
                         tuple(_coding(c, element, fallback) for c in
                               element.iterfind("Coding")), element.get("name", ""),
                         guid_key(own))


def _coding(element, parent, fallback: str | None = None) -> tuple[str, str]:
    user = element.get("creatingUser") or fallback or parent.get("creatingUser") or ""
    return guid_key(element.find("CodeRef").get("targetGUID")
                    if element.find("CodeRef") is not None else ""), guid_key(user)


def _lf_text(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _positions(raw: str, crlf: str, units: str) -> Sequence[int]:
    """For each offset counted under the conventions (CRLF as ``crlf`` characters, in
    ``units``), the code-point offset in the ``\\n`` text, or -1 inside a CRLF pair or a
    UTF-16 surrogate pair; the last item is the text's length."""
    astral = units == "utf16" and any(ord(c) > 0xFFFF for c in raw)
    if "\r" not in raw and not astral:
        return range(len(raw) + 1)
    positions, at, i = [], 0, 0
    while i < len(raw):
        if raw.startswith("\r\n", i):
            width, i = (2 if crlf == "two" else 1), i + 2
        else:
            width, i = (2 if astral and ord(raw[i]) > 0xFFFF else 1), i + 1
        positions += [at] + [-1] * (width - 1)
        at += 1
    positions.append(at)
    return positions


def _place(selection: RefiSelection, positions: Sequence[int]) -> tuple[int, int] | None:
    if not 0 <= selection.start <= selection.end < len(positions):
        return None
    start, end = positions[selection.start], positions[selection.end]
    return None if start < 0 or end < 0 else (start, end)


def offset_conventions(texts: Sequence[tuple[str, Sequence[RefiSelection]]], *,
                       crlf: str = "auto", units: str = "auto",
                       path: Path | None = None) -> tuple[str, str]:
    """``(crlf, units)``: how a project's selections count line ends and characters.

    ``auto`` is decided only where it matters (a text with CRLF line ends, a character
    beyond U+FFFF, selections the conventions place differently) and only by evidence, in
    this order: more selections whose ``name`` quotes the text at their offsets; fewer
    selections outside their text or inside a CRLF or surrogate pair; clearly more
    selections (half as many again) starting and ending on word or line boundaries.
    Otherwise raises, asking for ``--crlf`` or ``--offsets``.
    """
    crlfs = [crlf] if crlf != "auto" else \
        ["one", "two"] if any("\r\n" in text for text, _ in texts) else ["one"]
    unitss = [units] if units != "auto" else \
        ["codepoints", "utf16"] if any(ord(c) > 0xFFFF for text, _ in texts for c in text) \
        else ["codepoints"]
    candidates = [(c, u) for c in crlfs for u in unitss]
    if len(candidates) == 1:
        return candidates[0]
    placed = {}
    for candidate in candidates:
        placed[candidate] = [(_lf_text(text), [_place(s, positions) for s in selections])
                             for text, selections in texts
                             for positions in [_positions(text, *candidate)]]
    if all(placed[c] == placed[candidates[0]] for c in candidates):
        return candidates[0]  # every selection lands on the same characters
    evidence = {c: _evidence(texts, placed[c]) for c in candidates}
    for rank in range(3):
        ordered = sorted(candidates, key=lambda c: evidence[c][rank], reverse=True)
        best, second = evidence[ordered[0]][rank], evidence[ordered[1]][rank]
        if best > (second * 1.5 if rank == 2 else second):
            return ordered[0]
    asked = " or ".join(
        (["--crlf one|two (a line end counted as one character: ATLAS.ti, MAXQDA, "
          "QualCoder; as two: NVivo for Windows)"] if len(crlfs) > 1 else []) +
        (["--offsets codepoints|utf16 (UTF-16 units: some tools count an emoji as two)"]
         if len(unitss) > 1 else []))
    raise CodingError("the selections fit the texts equally well under several ways of "
                      f"counting characters; say which with 'qualcode import-qdpx' {asked}",
                      path=path)


def _evidence(texts, placed) -> tuple[int, int, int]:
    """(names matching, minus selections not placed, selections on word boundaries)."""
    names = unplaced = bounded = 0
    for (_, selections), (text, spans) in zip(texts, placed, strict=True):
        for selection, span in zip(selections, spans, strict=True):
            if span is None:
                unplaced += 1
                continue
            start, end = span
            quoted = " ".join(text[start:end].split())
            name = " ".join(selection.name.split())
            if name and (quoted == name or (name.endswith("…") and
                         quoted.startswith(name.rstrip("…").rstrip()))):
                names += 1
            if _boundary(text, start) and _boundary(text, end):
                bounded += 1
    return names, -unplaced, bounded


def _boundary(text: str, at: int) -> bool:
    return at in (0, len(text)) or not (text[at - 1].isalnum() and text[at].isalnum())


def _case(element, variables: dict[str, str]) -> RefiCase:
    values = []
    for value in element.iterfind("VariableValue"):
        ref = value.find("VariableRef")
        name = variables.get(guid_key(ref.get("targetGUID")) if ref is not None else "", "")
        typed = next((child for child in value if child.tag.endswith("Value")), None)
        if name and typed is not None:
            values.append((name, _typed((typed.text or "").strip(), typed.tag)))
    return RefiCase(guid_key(element.get("guid")), element.get("name", ""), tuple(values),
                    tuple(guid_key(s.get("targetGUID")) for s in element.iterfind("SourceRef")),
                    tuple(guid_key(s.get("targetGUID"))
                          for s in element.iterfind("SelectionRef")))


def _typed(text: str, tag: str) -> object:
    """A variable's value as its type says (a malformed one stays text)."""
    try:
        if tag == "IntegerValue":
            return int(text)
        if tag == "FloatValue":
            return float(text)
        if tag == "BooleanValue":
            return text.lower() in ("true", "1")
        if tag == "DateValue":
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    return text


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
    types = variable_types(project.cases)
    if types:
        container = etree.SubElement(root, _tag("Variables"))
        for name, kind in types.items():
            etree.SubElement(container, _tag("Variable"), guid=stable_guid("variable", name),
                             name=name, typeOfVariable=kind)
    if project.cases:
        container = etree.SubElement(root, _tag("Cases"))
        for case in project.cases:
            _write_case(etree.SubElement(container, _tag("Case"), guid=case.guid,
                                         name=case.name), case, types)
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


def variable_types(cases: Sequence[RefiCase]) -> dict[str, str]:
    """``{variable: REFI-QDA type}``: the type all its values share, else ``Text``."""
    kinds: dict[str, set[str]] = {}
    for case in cases:
        for name, value in case.variables:
            kinds.setdefault(name, set()).add(_type_of(value))
    return {name: found.pop() if len(found) == 1 else "Text" for name, found in kinds.items()}


def _type_of(value: object) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return "Date"
    return "Text"


def _value_text(value: object, kind: str) -> str:
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Date":
        return value.isoformat()  # type: ignore[attr-defined]
    return str(value)


def _tag(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


def _write_codes(parent, codes: tuple[RefiCode, ...], tag) -> None:
    from lxml import etree

    for code in codes:
        element = etree.SubElement(parent, tag("Code"), guid=code.guid, name=code.name,
                                   isCodable="true" if code.codable else "false",
                                   **({"color": code.color} if code.color else {}))
        if code.description:
            etree.SubElement(element, tag("Description")).text = code.description
        _write_codes(element, code.children, tag)


def _write_case(element, case: RefiCase, types: dict[str, str]) -> None:
    from lxml import etree

    for name, value in case.variables:
        holder = etree.SubElement(element, _tag("VariableValue"))
        etree.SubElement(holder, _tag("VariableRef"), targetGUID=stable_guid("variable", name))
        etree.SubElement(holder, _tag(f"{types[name]}Value")).text = \
            _value_text(value, types[name])
    for guid in case.sources:
        etree.SubElement(element, _tag("SourceRef"), targetGUID=guid)
    for guid in case.selections:
        etree.SubElement(element, _tag("SelectionRef"), targetGUID=guid)


def _write_source(element, source: RefiSource) -> None:
    from lxml import etree

    for selection in source.selections:
        holder = etree.SubElement(element, _tag("PlainTextSelection"), guid=selection.guid,
                                  name=selection.name, startPosition=str(selection.start),
                                  endPosition=str(selection.end),
                                  **({"creatingUser": selection.user} if selection.user
                                     else {}))
        for code_guid, user_guid in selection.codings:
            coding = etree.SubElement(holder, _tag("Coding"),
                                      guid=stable_guid("coding", selection.guid, code_guid,
                                                        user_guid),
                                      creatingUser=user_guid)
            etree.SubElement(coding, _tag("CodeRef"), targetGUID=code_guid)
