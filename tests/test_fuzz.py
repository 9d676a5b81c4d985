"""Property tests: arbitrary input ends in a result or a QualcodeError, never anything else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.corpus import detect_turns
from qualcode.errors import QualcodeError
from qualcode.io.transcripts import decode_text
from qualcode.schema import SourceLine, SourceText
from qualcode.text import fold

french = st.text(alphabet=st.sampled_from(list("abcdeéèàçôÉÀ ABCZ:[]*().,…«»\n0123456789'’-")),
                 max_size=300)


@given(french)
@settings(max_examples=300, deadline=None)
def test_fuzz_turn_detection_keeps_every_labelled_line(text):
    lines = tuple(SourceLine(line, n) for n, line in enumerate(text.split("\n"), 1))
    turns = detect_turns(SourceText("fg.txt", lines))
    for turn in turns:
        assert turn.speaker.strip() and turn.text.strip()
        assert "\n\n" not in turn.text


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_fuzz_decoding_gives_text_or_a_clear_error(data):
    try:
        text = decode_text(data, Path("fg.txt"))
    except QualcodeError as error:
        assert "fg.txt" in str(error)
    else:
        assert "\r" not in text


@given(st.text(max_size=200))
def test_fuzz_fold_keeps_one_character_per_character(text):
    assert len(fold(text)) == len(text)


yaml_text = st.text(alphabet=st.sampled_from(list("abcdeé :-_.{}[]\n'\"0123456789#!&*,|>")),
                    max_size=300)


@given(yaml_text)
@settings(max_examples=300, deadline=None)
def test_fuzz_codebook_loader_gives_a_codebook_or_a_clear_error(tmp_path_factory, text):
    from qualcode.codebook import load_codebook

    path = tmp_path_factory.mktemp("cb") / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_codebook(path)
    except QualcodeError as error:
        assert "codebook.yaml" in str(error)


@given(st.binary(max_size=300), st.sampled_from([".txt", ".md", ".vtt", ".srt", ".docx"]))
@settings(max_examples=300, deadline=None)
def test_fuzz_transcript_readers_give_lines_or_a_clear_error(tmp_path_factory, data, suffix):
    from qualcode.io.transcripts import read_transcript

    path = tmp_path_factory.mktemp("tr") / f"fg{suffix}"
    path.write_bytes(data)
    try:
        source = read_transcript(path)
    except QualcodeError as error:
        assert path.name in str(error)
    else:
        detect_turns(source)


csv_text = st.text(alphabet=st.sampled_from(list("abcAB,;\"\n0123456789-_.")), max_size=300)


@given(csv_text)
@settings(max_examples=300, deadline=None)
def test_fuzz_coding_csv_reader_gives_rows_or_a_clear_error(tmp_path_factory, text):
    from qualcode.io.codings import read_coding_csv

    path = tmp_path_factory.mktemp("cs") / "codes.csv"
    path.write_text("coder,segment_id,code_id\n" + text, encoding="utf-8")
    try:
        read_coding_csv(path)
    except QualcodeError as error:
        assert "codes.csv" in str(error)


@given(st.text(max_size=200))
def test_fuzz_matching_view_maps_every_character_back_in_order(text):
    from qualcode.text import matching_view

    view, origin = matching_view(text)
    if origin is None:
        assert len(view) == len(text)
        return
    places = [origin[i] for i in range(len(view) + 1)]
    assert places == sorted(places) and places[-1] == len(text)
    assert all(0 <= p <= len(text) for p in places)
