"""Property tests: arbitrary input ends in a result or a QualcodeError, never anything else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.corpus import detect_turns, fold
from qualcode.errors import QualcodeError
from qualcode.io.transcripts import decode_text
from qualcode.schema import SourceLine, SourceText

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
