"""Word transcripts for coding with comments.

:func:`write_transcript_docx` writes a transcript's canonical, pseudonymised text, one
paragraph per turn (``P01 : ...``); a coder selects a passage and adds a Word comment holding
one or more code ids or labels. :func:`read_comments` finds each comment's covered text and
turns it into offsets in the canonical text, refusing a document whose text was edited.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import CodingError
from qualcode.io.office import open_docx
from qualcode.textdiff import pseudonym_alignment

_HEADER_PARAGRAPHS = 2
_INSTRUCTIONS = {
    "fr": "Sélectionnez un passage et insérez un commentaire qui contient un ou plusieurs "
          "codes (identifiants ou libellés du codebook, séparés par des virgules). Ne modifiez "
          "pas le texte : qualcode vérifie qu'il est identique à la transcription importée.",
    "en": "Select a passage and insert a comment holding one or more codes (ids or labels from "
          "the codebook, separated by commas). Do not edit the text: qualcode checks that it is "
          "identical to the imported transcript.",
}


@dataclass(frozen=True, slots=True)
class CommentSpan:
    """A Word comment and the stretch of canonical text it covers (``end`` exclusive)."""

    comment_id: str
    author: str
    text: str
    start: int
    end: int


def write_transcript_docx(path: Path, transcript_id: str, text: str, *, title: str,
                          language: str, document) -> None:
    """One paragraph per turn of the canonical ``text``, the speaker id in bold, into
    ``document`` (an empty python-docx document laid out by the caller). The text is written
    as imported, never retouched: it is compared with the imported transcript when the
    comments are read back."""
    from qualcode.io.files import write_office

    document.core_properties.identifier = transcript_id
    document.core_properties.title = title
    document.add_heading(title, level=1)
    document.add_paragraph().add_run(_INSTRUCTIONS.get(language, _INSTRUCTIONS["en"])).italic = True
    for turn in text.split("\n\n"):
        speaker, _, said = turn.partition(" : ")
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker} : ").bold = True
        lines = said.split("\n")
        run = paragraph.add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run = paragraph.add_run(line)
    write_office(path, document)


def read_comments(path: Path, canonical: dict[str, str], pseudonyms: Collection[str] = ()
                  ) -> tuple[str, list[CommentSpan], bool]:
    """The transcript id of an exported Word file, its comments as canonical spans, and
    whether the text differed from the canonical one only by names now replaced by
    ``pseudonyms`` (the spans are then moved onto the new text).

    ``canonical`` maps transcript ids to their current canonical text; a document whose
    paragraphs differ from it otherwise (edited text, added paragraphs) is refused, naming the
    first paragraph that differs.
    """
    document = open_docx(path, CodingError)
    transcript_id = document.core_properties.identifier or ""
    if transcript_id not in canonical:
        raise CodingError("not a transcript written by 'qualcode export-docx' for this study "
                          f"(identifier '{transcript_id}'); comment on an exported transcript",
                          path=path)
    paragraphs = document.element.find(_w("body")).findall(_w("p"))[_HEADER_PARAGRAPHS:]
    starts, ends, pieces, offset, paragraph_ends = {}, {}, [], 0, []
    for number, paragraph in enumerate(paragraphs, _HEADER_PARAGRAPHS + 1):
        if pieces:
            pieces.append("\n\n")
            offset += 2
        for element in paragraph.iter(_w("t"), _w("tab"), _w("br"), _w("cr"),
                                      _w("commentRangeStart"), _w("commentRangeEnd")):
            tag = element.tag.rpartition("}")[2]
            if tag == "commentRangeStart":
                starts[element.get(_w("id"))] = offset
            elif tag == "commentRangeEnd":
                ends[element.get(_w("id"))] = offset
            elif _is_deleted(element):
                continue
            else:
                piece = element.text or "" if tag == "t" else "\t" if tag == "tab" else "\n"
                pieces.append(piece)
                offset += len(piece)
        paragraph_ends.append((number, offset))
    text, expected = "".join(pieces), canonical[transcript_id]
    alignment = None
    if text != expected:
        alignment = pseudonym_alignment(text, expected, pseudonyms)
        if alignment is None:
            _refuse_edited(path, text, expected, paragraph_ends)
        starts = {key: alignment.offset(at) for key, at in starts.items()}
        ends = {key: alignment.offset(at, end=True) for key, at in ends.items()}
    spans = []
    for key, author, text in _comments(document, path):
        if key not in starts or key not in ends:
            raise CodingError(f"comment {key} ('{text[:30]}') covers no text; select "
                              "the passage before inserting the comment", path=path,
                              line=f"comment {key}")
        spans.append(CommentSpan(key, author, text, starts[key], ends[key]))
    return transcript_id, spans, alignment is not None


def _comments(document, path: Path) -> list[tuple[str, str, str]]:
    """``(id, author, text)`` of each comment. python-docx builds the comments part only when
    asked; when the package does not declare it as comments, it is a plain part without
    ``comments`` (AttributeError)."""
    try:
        return [(str(comment.comment_id), comment.author or "", comment.text)
                for comment in document.comments]
    except AttributeError:
        raise CodingError("the comments of this Word file are damaged; open it in Word or "
                          "LibreOffice and save it again as .docx", path=path) from None


def _refuse_edited(path: Path, text: str, expected: str,
                   paragraph_ends: list[tuple[int, int]]) -> None:
    """Name the first paragraph that differs from the imported transcript."""
    for number, end in paragraph_ends:
        if not expected.startswith(text[:end]):
            raise CodingError("the text was edited after export (it differs from the imported "
                              "transcript here); export it again with 'qualcode export-docx' "
                              "and copy the comments over", path=path,
                              line=f"paragraph {number}")
    raise CodingError("the document ends before or after the imported transcript; "
                      "export it again with 'qualcode export-docx'", path=path)


def _is_deleted(element) -> bool:
    """Text inside a tracked deletion is not part of the document any more."""
    parent = element.getparent()
    while parent is not None:
        if parent.tag == _w("del"):
            return True
        parent = parent.getparent()
    return False


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag

