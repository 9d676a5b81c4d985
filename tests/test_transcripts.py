"""Reading transcript files: formats, encodings, and refusals with a clear message."""

from __future__ import annotations

import codecs
from pathlib import Path

import docx
import pytest

from qualcode.corpus import detect_turns
from qualcode.errors import TranscriptError
from qualcode.io.transcripts import decode_text, parse_clock, read_transcript

TEXT = "Animatrice : Bonjour à tous.\nCamille : Une chambre à moi, c'est le minimum.\n"


def turns_of(path: Path):
    return [(t.speaker, t.text) for t in detect_turns(read_transcript(path))]


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("cp1252", b""),
])
def test_transcripts_encodings_are_detected(tmp_path, encoding, prefix):
    path = tmp_path / "fg.txt"
    path.write_bytes(prefix + TEXT.replace("\n", "\r\n").encode(encoding))
    assert turns_of(path) == [("Animatrice", "Bonjour à tous."),
                              ("Camille", "Une chambre à moi, c'est le minimum.")]


def test_transcripts_cp1252_typography_survives(tmp_path):
    # « », … and œ are single bytes in Windows-1252 (0xAB, 0xBB, 0x85, 0x9C).
    path = tmp_path / "fg.txt"
    path.write_bytes("Léa : « Un cœur de village »… voilà.\r\n".encode("cp1252"))
    assert turns_of(path) == [("Léa", "« Un cœur de village »… voilà.")]


def test_transcripts_text_is_nfc(tmp_path):
    path = tmp_path / "fg.txt"
    path.write_text("Ine\u0300s : De\u0301ja\u0300 vu.\n", encoding="utf-8")  # decomposed
    assert turns_of(path) == [("Inès", "Déjà vu.")]


def test_transcripts_mixed_encodings_are_refused(tmp_path):
    path = tmp_path / "fg.txt"
    path.write_bytes("Léa : déjà\n".encode() + "Hugo : très\n".encode("cp1252"))
    with pytest.raises(TranscriptError, match="mixes UTF-8 and Windows-1252") as info:
        read_transcript(path)
    assert info.value.path == path


def test_transcripts_undecodable_bytes_are_refused_with_line(tmp_path):
    path = tmp_path / "fg.txt"
    path.write_bytes(b"Hugo : bon\nLea : \x81\x8d\n")
    with pytest.raises(TranscriptError) as info:
        read_transcript(path)
    assert info.value.line == 2 and "save the file as UTF-8" in str(info.value)


def test_transcripts_markdown_headings_are_not_turns(tmp_path):
    path = tmp_path / "fg.md"
    path.write_text("# Focus group 2\n\n**Hugo :** Le wifi avant tout.\n\n## Partie 2\n\n"
                    "**Léa** Et le parking.\n", encoding="utf-8")
    assert turns_of(path) == [("Hugo", "Le wifi avant tout."), ("Léa", "Et le parking.")]


def test_transcripts_docx_bold_labels_and_paragraphs(tmp_path):
    document = docx.Document()
    document.add_heading("Focus group 1 — Bordeaux", level=1)
    for label, text in [("Animatrice :", " On commence ?"), ("Camille", " : Oui, allez.")]:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(text)
    document.add_paragraph("Et je continue dans un second paragraphe.")
    document.save(tmp_path / "fg.docx")
    assert turns_of(tmp_path / "fg.docx") == [
        ("Animatrice", "On commence ?"),
        ("Camille", "Oui, allez.\nEt je continue dans un second paragraphe.")]


def test_transcripts_docx_table_layout(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [("Temps", "Locuteur", "Texte"),
                                        ("00:01:05", "I1", "Le loyer doit rester bas."),
                                        ("00:01:20", "I2", "Et pas de caution encaissée.")],
                           strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "fg.docx")
    turns = detect_turns(read_transcript(tmp_path / "fg.docx"))
    assert [(t.speaker, t.text, t.time) for t in turns] == [
        ("I1", "Le loyer doit rester bas.", 65.0), ("I2", "Et pas de caution encaissée.", 80.0)]
    assert turns[0].location == "table 1, row 2"


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04truncated"])
def test_transcripts_corrupt_docx_is_refused(tmp_path, content):
    path = tmp_path / "fg.docx"
    path.write_bytes(content)
    with pytest.raises(TranscriptError, match=r"not a readable Word \.docx file"):
        read_transcript(path)


def test_transcripts_vtt_voice_tags_and_cue_merging(tmp_path):
    path = tmp_path / "fg.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE fictif\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Sophie Laurent>On y va."
        "</v>\n\n2\n00:00:04.500 --> 00:00:07.000\n<v Clara Muller>Le jardin, c'est la vie."
        "</v>\n\n3\n00:00:07.000 --> 00:00:09.000\n<v Clara Muller>Vraiment.</v>\n\n"
        "00:01:02.000 --> 00:01:04.000\nZoom : sans voix\n", encoding="utf-8")
    turns = detect_turns(read_transcript(path))
    assert [(t.speaker, t.text, t.time) for t in turns] == [
        ("Sophie Laurent", "On y va.", 1.0),
        ("Clara Muller", "Le jardin, c'est la vie. Vraiment.", 4.5),
        ("Zoom", "sans voix", 62.0)]


def test_transcripts_srt(tmp_path):
    path = tmp_path / "fg.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,500\nHugo : Le parking.\n\n2\n"
                    "00:00:04,000 --> 00:00:06,000\nLéa : Et le ménage.\n", encoding="utf-8")
    turns = detect_turns(read_transcript(path))
    assert [(t.speaker, t.time) for t in turns] == [("Hugo", 1.0), ("Léa", 4.0)]


@pytest.mark.parametrize("suffix,content,line", [
    (".vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:0x:04.000\n<v A>Bonjour</v>\n", 4),
    (".srt", "1\n00:00:01,000 -> 00:00:03,000\nHugo : Bonjour\n", 1),
    (".vtt", "1\n00:00:01.000 --> 00:00:04.000\nBonjour\n", 1),
])
def test_transcripts_broken_subtitles_name_the_line(tmp_path, suffix, content, line):
    path = tmp_path / f"fg{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError) as info:
        read_transcript(path)
    assert info.value.line == line


def test_transcripts_unsupported_format_says_what_to_do(tmp_path):
    path = tmp_path / "fg.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TranscriptError, match=r"save it as \.docx"):
        read_transcript(path)


@pytest.mark.parametrize("value,seconds", [("01:02:03.5", 3723.5), ("02:03", 123.0),
                                           ("00:00:01,250", 1.25), ("1:2", None)])
def test_transcripts_parse_clock(value, seconds):
    assert parse_clock(value) == seconds


def test_transcripts_decode_normalises_line_ends():
    assert decode_text(b"a\r\nb\rc\n", Path("x.txt")) == "a\nb\nc\n"
