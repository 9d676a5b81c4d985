"""Property tests for the coders' files: an Excel coding sheet made by ``qualcode sheet`` or a
Word transcript made by ``qualcode export-docx``, then edited arbitrarily (cells, rows,
columns, worksheet names, comments and their ranges, bytes of the file or of one of its XML
parts), is collected into codings or refused with one clear CodingError naming the file.
Never another exception."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from qualcode.errors import QualcodeError
from qualcode.steps.coding import export_docx, make_sheet
from qualcode.steps.collect import collect_codings
from qualcode.steps.transcripts import prepare
from qualcode.study import load_study
from tests.conftest import CODERS, IDENTITIES, TRANSCRIPT, build_study

FUZZ = settings(max_examples=40, deadline=None)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class Coded:
    """The small study imported once, with a blank sheet for B and the exported transcript
    (their bytes); :meth:`collect_with` collects the codings with one coding file given."""

    def __init__(self, root) -> None:
        self.root, self.study = root, load_study(root)
        self.codebook, self.imported = prepare(self.study)
        sheet, [word] = make_sheet(self.study, "B").path, export_docx(self.study)
        self.blank, self.exported = sheet.read_bytes(), word.read_bytes()
        sheet.unlink()

    def __repr__(self) -> str:
        return "Coded()"

    def collect_with(self, name: str, data: bytes) -> None:
        """Collect with ``codings/<name>`` holding ``data``: codings, or one line naming the
        file as ``<file>: ...`` or ``<file>:<place>: ...``."""
        path = self.root / "codings" / name
        path.write_bytes(data)
        try:
            collect_codings(self.study, self.imported, self.codebook)
        except QualcodeError as error:
            text = str(error)
            assert error.path is not None and error.path.name == name, text
            assert text.startswith(f"{error.path}:") and "\n" not in text, text
        finally:
            path.unlink()


@pytest.fixture(scope="module")
def coded(tmp_path_factory) -> Coded:
    return Coded(build_study(tmp_path_factory.mktemp("fuzz") / "study", {"fg1.txt": TRANSCRIPT},
                             identities=IDENTITIES, extra=CODERS))


def damaged(data: bytes, edits: list[tuple[int, bytes, int]]) -> bytes:
    """``data`` with, for each edit ``(position, inserted, n_deleted)``, bytes replaced."""
    data = bytearray(data)
    for position, inserted, deleted in edits:
        at = position % (len(data) + 1)
        data[at:at + deleted] = inserted
    return bytes(data)


def with_member_damaged(data: bytes, member: str, edits) -> bytes:
    """``data`` (an Office zip) with one XML part's bytes edited, the zip itself sound."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    if member in members:
        members[member] = damaged(members[member], edits)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in members.items():
            target.writestr(name, content)
    return buffer.getvalue()


def texts(max_size: int, min_size: int = 0):
    """Any text an XML file can hold (no control characters, no lone surrogates)."""
    return st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=min_size,
                   max_size=max_size)


byte_edits = st.lists(st.tuples(st.integers(0, 10**7), st.binary(max_size=4),
                                st.integers(0, 4)), min_size=1, max_size=3)
damage = st.one_of(st.none(), st.tuples(st.just("bytes"), byte_edits),
                   st.tuples(st.sampled_from(["[Content_Types].xml", "_rels/.rels",
                                              "xl/workbook.xml", "xl/worksheets/sheet1.xml",
                                              "xl/worksheets/sheet3.xml", "word/document.xml",
                                              "word/comments.xml", "docProps/core.xml"]),
                             byte_edits))


def apply_damage(data: bytes, how) -> bytes:
    if how is None:
        return data
    where, edits = how
    return damaged(data, edits) if where == "bytes" else with_member_damaged(data, where, edits)


# --- Excel coding sheets -----------------------------------------------------------------------

cell_values = st.one_of(
    st.none(), st.just("x"), st.just(" X "), texts(12),
    st.integers(-5, 10**12), st.floats(), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["FG1-0002", "FG1-0004", "FG1-0099", "FG1-0001", "housing.parking",
                     "housing", "Stationnement", "segment_id", "text", "=1+1", "#N/A", "A",
                     "B", "consensus", "Une chambre à moi, fermée à clé."]))
sheet_names = texts(31, min_size=1).filter(
    lambda name: not set(name) & set("[]:*?/\\'") and name.strip())
sheet_edits = st.lists(st.one_of(
    st.tuples(st.just("cell"), st.integers(1, 12), st.integers(1, 50), cell_values),
    st.tuples(st.sampled_from(["delete_rows", "insert_rows"]), st.integers(1, 12),
              st.integers(1, 3)),
    st.tuples(st.sampled_from(["delete_cols", "insert_cols"]), st.integers(1, 50),
              st.integers(1, 3)),
    st.tuples(st.just("rename"), st.sampled_from(["coding", "codebook", "qualcode"]),
              sheet_names),
    st.tuples(st.just("remove"), st.sampled_from(["coding", "codebook", "qualcode"])),
    st.tuples(st.just("coder"), cell_values),
), max_size=6)


def edited_sheet(blank: bytes, edits) -> bytes:
    """The blank sheet edited as a coder (or another program) might edit it."""
    workbook = load_workbook(io.BytesIO(blank))
    coding = workbook["coding"]
    for kind, *args in edits:
        if kind == "cell":
            row, column, value = args
            cell = coding.cell(row, column)
            if not isinstance(cell, MergedCell):  # Excel cannot type into merged cells either
                cell.value = value
        elif kind in ("delete_rows", "insert_rows", "delete_cols", "insert_cols"):
            getattr(coding, kind)(*args)
        elif kind == "rename" and args[0] in workbook.sheetnames and \
                args[1] not in workbook.sheetnames:
            workbook[args[0]].title = args[1]
        elif kind == "remove" and any(sheet.title != args[0] and sheet.sheet_state == "visible"
                                      for sheet in workbook.worksheets):
            if args[0] in workbook.sheetnames:  # a workbook keeps one visible sheet
                workbook.remove(workbook[args[0]])
        elif kind == "coder" and "qualcode" in workbook.sheetnames:
            workbook["qualcode"]["B1"] = args[0]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@given(sheet_edits)
@FUZZ
def test_fuzz_edited_coding_sheet_is_collected_or_refused_clearly(coded, edits):
    coded.collect_with("B.xlsx", edited_sheet(coded.blank, edits))


@given(sheet_edits, damage)
@FUZZ
def test_fuzz_damaged_coding_sheet_is_collected_or_refused_clearly(coded, edits, how):
    coded.collect_with("B.xlsx", apply_damage(edited_sheet(coded.blank, edits), how))


@given(st.lists(st.lists(st.one_of(cell_values), max_size=8), max_size=8),
       st.lists(sheet_names, min_size=1, max_size=3, unique=True))
@FUZZ
def test_fuzz_arbitrary_workbook_is_collected_or_refused_clearly(coded, rows, names):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = names[0]
    for name in names[1:]:
        workbook.create_sheet(name)
    for values in rows:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    coded.collect_with("B.xlsx", buffer.getvalue())


# --- Word comments -----------------------------------------------------------------------------

authors = st.one_of(st.sampled_from(["B", "Alice Durand", "alice durand", "A", "", "consensus",
                                     "Zoé Martin"]), texts(10))
comment_texts = st.one_of(st.sampled_from(["housing.parking", "Stationnement", "housing",
                                           "housing.parking, Ménage", ";", "", " , ",
                                           "housing.private_room\nhousing.parking"]),
                          texts(20))
# A comment on the runs ``first..last`` (indices into the transcript's runs, after the title
# and instructions), with its text and author.
comments = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), comment_texts, authors),
                    min_size=1, max_size=3)
# Moving, deleting or copying a comment's range marks or reference to another paragraph.
mark_edits = st.lists(st.tuples(st.sampled_from(["move", "delete", "copy"]),
                                st.integers(0, 100), st.integers(0, 100)), max_size=3)


def commented(exported: bytes, notes, edits) -> bytes:
    document = docx.Document(io.BytesIO(exported))
    runs = [run for paragraph in document.paragraphs[2:] for run in paragraph.runs]
    for first, last, text, author in notes:
        first, last = sorted((first % len(runs), last % len(runs)))
        document.add_comment(runs[first:last + 1], text=text, author=author)
    body = document.element.body
    marks = [element for element in body.iter() if element.tag in
             (W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference")]
    paragraphs = body.findall(W + "p")
    for kind, which, where in edits:
        if not marks:
            break
        mark, target = marks[which % len(marks)], paragraphs[where % len(paragraphs)]
        if mark.getparent() is None:
            continue
        if kind == "move":
            mark.getparent().remove(mark)
            target.insert(where % (len(target) + 1), mark)
        elif kind == "delete":
            mark.getparent().remove(mark)
        else:
            target.append(copy.deepcopy(mark))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@given(comments, mark_edits)
@FUZZ
def test_fuzz_word_comments_are_collected_or_refused_clearly(coded, notes, edits):
    coded.collect_with("fg1.docx", commented(coded.exported, notes, edits))


@given(comments, damage)
@FUZZ
def test_fuzz_damaged_word_file_is_collected_or_refused_clearly(coded, notes, how):
    coded.collect_with("fg1.docx", apply_damage(commented(coded.exported, notes, []), how))
