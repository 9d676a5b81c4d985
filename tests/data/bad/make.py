"""Write the binary and byte-exact bad-input cases of this folder.

Run ``python tests/data/bad/make.py`` from anywhere: it (re)writes every ``.docx`` and ``.xlsx``
case, and the text cases whose exact bytes matter (encodings), next to this script. The text
cases that a text editor can hold are plain files, written by hand. ``tests/test_bad_input.py``
says, for each file, where it goes in a small study, which command reads it and what is wrong.

The output is reproducible: zip members and document properties carry fixed dates, so running
the script again gives the same bytes (and git sees no change). Each file stays well under
20 KB: Word files are built from their few XML parts by hand rather than from python-docx's
template, Excel files with openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_DATE = (2000, 1, 1, 0, 0, 0)

# The canonical text of the test study's transcript (tests/test_bad_input.py, TRANSCRIPT),
# one paragraph per turn, as 'qualcode export-docx' writes it.
CANONICAL = (
    ("MOD", "Qu'est-ce qui compte le plus pour vous dans le logement ?"),
    ("P11", "Une chambre à moi, fermée à clé. Et une salle de bain pas partagée."),
    ("P12", "Moi c'est le parking. Sans voiture, impossible de faire mes trois cabinets."),
    ("MOD", "Et le loyer ?"),
    ("P11", "Moins que les 300 euros d'indemnité, sinon ça n'a pas d'intérêt."),
)


# --- zip helpers -------------------------------------------------------------------------------


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    """A zip archive of ``members``, with fixed dates."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def rezip(data: bytes) -> bytes:
    """``data`` (an Office file) again, with fixed member and document dates."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {}
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\2", content)
            members[name] = content
    return zip_bytes(members)


# --- Word --------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def run(text: str, *, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'


def paragraph(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def docx_bytes(paragraphs: list[str], *, identifier: str | None = None,
               comments: list[tuple[int, str, str]] = (), document_xml: str | None = None,
               with_document: bool = True) -> bytes:
    """A minimal Word file: ``paragraphs`` (XML), an optional core ``identifier`` (what
    'qualcode export-docx' writes) and ``comments`` as ``(id, author, text)``."""
    overrides = ['<Override PartName="/word/document.xml" ContentType="application/'
                 'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>']
    rels = [f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>']
    members: dict[str, str | bytes] = {}
    if identifier is not None:
        overrides.append('<Override PartName="/docProps/core.xml" ContentType="application/'
                         'vnd.openxmlformats-package.core-properties+xml"/>')
        rels.append(f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" '
                    'Target="docProps/core.xml"/>')
        members["docProps/core.xml"] = (
            XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>Étude test — {identifier}</dc:title>"
            f"<dc:identifier>{identifier}</dc:identifier></cp:coreProperties>")
    if comments:
        overrides.append('<Override PartName="/word/comments.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>')
        members["word/_rels/document.xml.rels"] = (
            XML + f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/comments" Target="comments.xml"/></Relationships>')
        members["word/comments.xml"] = (
            XML + f'<w:comments xmlns:w="{W}">' + "".join(
                f'<w:comment w:id="{key}" w:author="{author}" w:initials="{author[:1]}">'
                f"{paragraph(run(text))}</w:comment>" for key, author, text in comments)
            + "</w:comments>")
    members["[Content_Types].xml"] = (
        XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + "".join(overrides) + "</Types>")
    members["_rels/.rels"] = XML + f'<Relationships xmlns="{PKG_REL}">' + "".join(rels) + \
        "</Relationships>"
    if with_document:
        members["word/document.xml"] = document_xml if document_xml is not None else (
            XML + f'<w:document xmlns:w="{W}"><w:body>' + "".join(paragraphs)
            + "</w:body></w:document>")
    first = ("[Content_Types].xml", "_rels/.rels")
    order = [*first, *sorted(m for m in members if m not in first)]
    return zip_bytes({name: members[name] for name in order})


def speaker_paragraphs(turns) -> list[str]:
    """Transcript paragraphs whose leading bold run is the speaker (``**Camille :** ...``)."""
    return [paragraph(run(f"{speaker} :", bold=True), run(f" {text}")) for speaker, text in turns]


def exported(turns=CANONICAL, *, comment: tuple[str, str] | None = None,
             identifier: str | None = "FG1", document_xml: str | None = None) -> bytes:
    """A transcript as 'qualcode export-docx' writes it (title, instructions, one paragraph
    per turn), with one comment ``(author, text)`` on the second turn's first sentence."""
    body = [paragraph(run("Étude test — FG1")), paragraph(run("Sélectionnez un passage..."))]
    for number, (speaker, text) in enumerate(turns):
        if comment and number == 1:
            first, _, rest = text.partition(". ")
            body.append(paragraph(run(f"{speaker} : ", bold=True),
                                  '<w:commentRangeStart w:id="0"/>', run(first + "."),
                                  '<w:commentRangeEnd w:id="0"/>', run(" " + rest)))
        else:
            body.append(paragraph(run(f"{speaker} : ", bold=True), run(text)))
    body[-1] = body[-1].replace("</w:p>", "<w:r><w:br/></w:r></w:p>")  # the text's final \n
    comments = [(0, *comment)] if comment else []
    return docx_bytes(body, identifier=identifier, comments=comments, document_xml=document_xml)


def comments_undeclared(data: bytes) -> bytes:
    """``data`` (a Word file with comments) whose content types no longer declare the
    comments part as comments (a tool other than Word rewrote them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    types = members["[Content_Types].xml"]
    members["[Content_Types].xml"] = re.sub(rb'<Override PartName="/word/comments.xml"[^>]*/>',
                                            b"", types)
    return zip_bytes(members)


TRANSCRIPT_TURNS = (
    ("Animatrice", "Qu'est-ce qui compte le plus pour vous dans le logement ?"),
    ("Camille", "Une chambre à moi, fermée à clé."),
    ("Hugo", "Moi c'est le parking."),
)


# --- Excel -------------------------------------------------------------------------------------

FIXED = ("segment_id", "group", "speaker", "context", "text")
SEGMENT = ("FG1-0002", "FG1", "P11", "Qu'est-ce qui compte le plus pour vous dans le logement ?",
           "Une chambre à moi, fermée à clé.")


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return rezip(buffer.getvalue())


def coding_sheet(*, title: str = "coding", header=FIXED, codes=("housing.private_room",
                 "housing.parking"), marks=("x", None), segment=SEGMENT, coder: str = "B",
                 rows: bool = True) -> bytes:
    """A small coding sheet laid out as 'qualcode sheet' writes it (rows 1-3 headers, one
    segment from row 4), holding ``marks`` under ``codes``."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    if rows:
        sheet.append([*header, "Qualité de l'hébergement", None, "note"])
        sheet.append([None] * len(header) + ["Chambre individuelle", "Stationnement"])
        sheet.append([None] * len(header) + list(codes))
        sheet.append([*segment, *marks])
    meta = workbook.create_sheet("qualcode")
    meta.append(["coder", coder])
    meta.sheet_state = "hidden"
    return workbook_bytes(workbook)


def without_dimension(data: bytes) -> bytes:
    """``data`` (an .xlsx) without the ``<dimension>`` element of its first worksheet, as
    some tools other than Excel write it (readers must then find the size row by row)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = re.sub(rb"<dimension [^>]*/>", b"", members[sheet])
    return zip_bytes(members)


def damaged_member(data: bytes, member: str, *, xml: bytes | None = None) -> bytes:
    """``data`` (an Office file) with ``member`` replaced by ``xml``, or, without ``xml``,
    with bytes in the middle of its compressed stream overwritten (the zip directory stays
    valid, the data does not inflate)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    if xml is not None:
        members[member] = xml
        return zip_bytes(members)
    damaged = bytearray(zip_bytes(members))
    with zipfile.ZipFile(io.BytesIO(bytes(damaged))) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    damaged[middle:middle + 8] = bytes(8)
    return bytes(damaged)


def filled_workbook(title: str, header: list[str], *rows: list[str]) -> bytes:
    """A workbook researchers fill in (disagreements, convergence): a header and rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return workbook_bytes(workbook)


DISAGREEMENT_HEADER = ["segment_id", "group_id", "participant_id", "text", "code_id",
                       "applied_by", "not_applied_by", "label", "decision", "rationale",
                       "decided_by"]
DISAGREEMENT_ROW = ["FG1-0004", "FG1", "P12", "Moi c'est le parking.", "housing.parking", "A",
                    "B", "Stationnement"]


# --- the cases ---------------------------------------------------------------------------------


# --- REFI-QDA ----------------------------------------------------------------------------------

SOURCE_GUID = "6f1c1a52-0000-4000-8000-000000000001"
CODE_GUID = "6f1c1a52-0000-4000-8000-000000000002"
USER_GUID = "6f1c1a52-0000-4000-8000-000000000003"
CANONICAL_TEXT = "".join(f"{speaker} : {text}\n\n" for speaker, text in CANONICAL)[:-1]


def project_qde(*, start: int = 6, end: int = 40, user: str = "B", head: str = "") -> str:
    """A REFI-QDA project for the test study: its transcript FG1 with one coded selection."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{head}'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="Étude test" origin="NVivo 14">'
            f'<Users><User guid="{USER_GUID}" name="{user}"/></Users>'
            f'<CodeBook><Codes><Code guid="{CODE_GUID}" name="Chambre individuelle" '
            'isCodable="true"/></Codes></CodeBook>'
            f'<Sources><TextSource guid="{SOURCE_GUID}" name="FG1" '
            f'plainTextPath="internal://{SOURCE_GUID}.txt">'
            f'<PlainTextSelection guid="6f1c1a52-0000-4000-8000-000000000004" '
            f'startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="6f1c1a52-0000-4000-8000-000000000005" creatingUser="{USER_GUID}">'
            f'<CodeRef targetGUID="{CODE_GUID}"/></Coding></PlainTextSelection>'
            "</TextSource></Sources></Project>")


def qdpx_bytes(qde: str | bytes, **extra: bytes) -> bytes:
    """A .qdpx: ``project.qde``, the transcript as ``sources/<guid>.txt`` and ``extra``
    members."""
    return zip_bytes({"project.qde": qde, f"sources/{SOURCE_GUID}.txt": CANONICAL_TEXT,
                      **extra})


def declared_size(data: bytes, size: int) -> bytes:
    """``data`` (a zip) whose headers claim every member unpacks to ``size`` bytes."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            data[at + offset:at + offset + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    return bytes(data)


def cases() -> dict[str, bytes]:
    valid_transcript = docx_bytes(speaker_paragraphs(TRANSCRIPT_TURNS))
    ole_header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    bad_xml = (XML + f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Camille : Bonjour'
               "</w:r></w:p></w:body></w:document>")
    workbook = coding_sheet()
    return {
        # Transcripts (transcripts/fg1.docx)
        "docx-truncated.docx": valid_transcript[:len(valid_transcript) * 3 // 5],
        "docx-not-zip.docx": "Camille : un fichier texte renommé en .docx\n".encode(),
        "docx-ole-doc.docx": ole_header,
        "docx-xlsx-renamed.docx": workbook,
        "docx-bad-xml.docx": docx_bytes([], document_xml=bad_xml),
        "docx-no-document.docx": docx_bytes([], with_document=False),
        "docx-no-body.docx": docx_bytes([], document_xml=(
            XML + f'<w:document xmlns:w="{W}"><w:p><w:r><w:t>Camille : Bonjour</w:t></w:r>'
            "</w:p></w:document>")),
        "docx-no-text.docx": docx_bytes([paragraph(), paragraph(run("   ")), paragraph()]),
        "docx-unknown-speaker.docx": docx_bytes(speaker_paragraphs(
            (*TRANSCRIPT_TURNS, ("Inconnue", "Et le loyer ?")))),
        "docx-oversized.docx": declared_size(valid_transcript, 0x40000000),
        # Transcripts whose bytes matter (transcripts/fg1.txt)
        "txt-mixed-encodings.txt": ("Camille : Une chambre fermée à clé.\n".encode()
                                    + "Hugo : Le café, c'est réglé.\n".encode("cp1252")),
        "txt-whitespace.txt": "   \r\n\t\r\n  \u00a0 \r\n\r\n".encode(),
        "txt-undecodable.txt": b"Camille : Une chambre \x81 moi.\nHugo : \x8d\x8f\x90\x9d\n",
        "txt-utf16-truncated.txt": "Camille : Une chambre à moi.\n".encode("utf-16-le")[:-1],
        # identities.csv, study.yaml, coding files and decisions saved as Windows-1252
        "identities-cp1252.csv": ("group_id,speaker,name,participant_id\n"
                                  "FG1,Camille,Camille Martin,P11\n"
                                  "FG1,Hugo,Hugo Lefèvre,P12\n"
                                  ",Animatrice,Sophie Laurent,MOD\n").encode("cp1252"),
        "study-cp1252.yaml": ("title: Étude test\ncodebook: codebooks/htes.yaml\n"
                              "sites:\n  - {id: ville, kind: rural_town}\n").encode("cp1252"),
        "csv-cp1252.csv": ("coder,segment_id,code_id\n"
                           "B,FG1-0002,Chambre individuelle\n"
                           "B,FG1-0004,Qualité de l'hébergement\n").encode("cp1252"),
        "consensus-cp1252.csv": ("segment_id,code_id,decision,rationale,decided_by\n"
                                 "FG1-0004,housing.parking,keep,déjà évoqué,A+B\n"
                                 "FG1-0005,quality_of_life.commute,drop,hors sujet,A+B\n"
                                 ).encode("cp1252"),
        # Excel coding sheets (codings/B.xlsx)
        "sheet-renamed.xlsx": coding_sheet(title="Feuil1"),
        "sheet-mark-oui.xlsx": coding_sheet(marks=(None, "oui")),
        "sheet-mark-number.xlsx": coding_sheet(marks=(1, None)),
        "sheet-not-xlsx.xlsx": b"coder,segment_id,code_id\nB,FG1-0002,housing.parking\n",
        "sheet-truncated.xlsx": workbook[:len(workbook) // 2],
        "sheet-columns-moved.xlsx": coding_sheet(header=("text", "segment_id", "group",
                                                         "speaker", "context"),
                                                 segment=(SEGMENT[4], *SEGMENT[:4])),
        "sheet-unknown-code.xlsx": coding_sheet(codes=("housing.private_rom",
                                                       "housing.parking")),
        "sheet-drift.xlsx": coding_sheet(segment=(*SEGMENT[:4], "Une chambre à moi, fermée.")),
        "sheet-unknown-segment.xlsx": coding_sheet(segment=("FG1-0099", *SEGMENT[1:])),
        "sheet-unknown-coder.xlsx": coding_sheet(coder="Zoé"),
        "sheet-empty.xlsx": coding_sheet(rows=False),
        "sheet-no-dimension.xlsx": without_dimension(coding_sheet(segment=SEGMENT[:1],
                                                                  marks=())),
        "sheet-bad-xml.xlsx": damaged_member(workbook, "xl/worksheets/sheet1.xml",
                                             xml=b'<worksheet><sheetData><row r="1">'),
        "sheet-bad-deflate.xlsx": damaged_member(workbook, "xl/worksheets/sheet1.xml"),
        "sheet-oversized.xlsx": declared_size(workbook, 0x40000000),
        "sheet-xls.xls": ole_header,
        "sheet-ods-damaged.ods": workbook[:len(workbook) // 2],
        # Word files with comments (codings/fg1.docx)
        "word-not-exported.docx": exported(identifier=None, comment=("B", "housing.parking")),
        "word-edited.docx": exported(comment=("B", "housing.parking"), turns=(
            *CANONICAL[:2], ("P12", "Moi c'est le garage. Sans voiture, impossible."),
            *CANONICAL[3:])),
        "word-unknown-author.docx": exported(comment=("Zoé Martin", "housing.private_room")),
        "word-unknown-code.docx": exported(comment=("B", "chambre privée à clé")),
        "word-bad-xml.docx": exported(comment=("B", "housing.private_room"),
                                      document_xml=bad_xml),
        "word-truncated.docx": exported(comment=("B", "housing.private_room"))[:900],
        "word-comments-undeclared.docx": comments_undeclared(
            exported(comment=("B", "housing.private_room"))),
        "word-bad-deflate.docx": damaged_member(exported(comment=("B", "housing.parking")),
                                                "word/document.xml"),
        # Disagreements workbook (analyses/disagreements.xlsx), for 'qualcode consensus'
        "disagreements-bad-decision.xlsx": filled_workbook(
            "disagreements", DISAGREEMENT_HEADER, [*DISAGREEMENT_ROW, "peut-être", "à revoir",
                                                   "A+B"]),
        "disagreements-renamed.xlsx": filled_workbook(
            "Feuille1", DISAGREEMENT_HEADER, [*DISAGREEMENT_ROW, "keep", "oui", "A+B"]),
        "disagreements-duplicate-row.xlsx": filled_workbook(
            "disagreements", DISAGREEMENT_HEADER, [*DISAGREEMENT_ROW, "keep", "évoqué", "A+B"],
            [*DISAGREEMENT_ROW, "drop", "non", "A+B"],
            ["FG1-0005", "FG1", "P12", "Sans voiture, impossible de faire mes trois cabinets.",
             "quality_of_life.commute", "B", "A", "Trajets", "drop", "non", "A+B"]),
        "disagreements-no-decision-column.xlsx": filled_workbook(
            "disagreements", [*DISAGREEMENT_HEADER[:8], "choix", "rationale", "decided_by"],
            [*DISAGREEMENT_ROW, "keep", "oui", "A+B"]),
        # REFI-QDA projects (codings/B.qdpx)
        "qdpx-bad-xml.qdpx": qdpx_bytes(project_qde()[:-20]),
        "qdpx-entities.qdpx": qdpx_bytes(project_qde(head=(
            '<!DOCTYPE Project [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'))),
        "qdpx-zip-slip.qdpx": qdpx_bytes(project_qde(), **{"../../evil.txt": b"x"}),
        "qdpx-oversized.qdpx": declared_size(qdpx_bytes(project_qde()), 0xF0000000),
        "qdpx-offsets-outside.qdpx": qdpx_bytes(project_qde(start=200, end=900)),
        "qdpx-unknown-user.qdpx": qdpx_bytes(project_qde(user="Zoé Martin")),
        "qdpx-no-project.qdpx": zip_bytes({f"sources/{SOURCE_GUID}.txt": CANONICAL_TEXT}),
        "qdpx-not-zip.qdpx": b"<Project name='p'/>",
        # Convergence workbook (analyses/convergence.xlsx), for 'qualcode triangulate --confirm'
        "convergence-bad-class.xlsx": filled_workbook(
            "convergence", ["row", "code_id", "label", "site_a", "site_b", "suggested",
                            "confirmed", "note"],
            ["code", "housing.parking", "Stationnement", "ville", "bourg", "agreement",
             "accord total", "relu"]),
    }


def main() -> None:
    for name, data in cases().items():
        assert len(data) < 20_000, name
        (HERE / name).write_bytes(data)
    print(f"wrote {len(cases())} files in {HERE}")


if __name__ == "__main__":
    main()
