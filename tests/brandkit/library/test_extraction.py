"""The library reads text out of each kind of file it indexes, and refuses archives that would blow up."""

from __future__ import annotations

import pytest

from brandkit.library import extraction
from tests.brandkit.library import fixtures


def test_kinds_are_told_from_the_bytes_not_the_name():
    assert extraction.sniff(fixtures.pdf(["x"])[:4096], "logo.png") == extraction.PDF
    assert extraction.sniff(fixtures.png(), "guidelines.pdf") == extraction.IMAGE
    assert extraction.sniff(fixtures.SVG_WITH_SCRIPT, "logo.png") == extraction.SVG
    assert extraction.sniff(b"<!DOCTYPE html><html><script>x</script>", "notes.txt") == extraction.HTML
    assert extraction.sniff("Brief: café opening, 3 weeks".encode(), "brief.md") == extraction.TEXT
    assert extraction.sniff(b"OTTO" + b"\x00" * 100, "font.otf") == extraction.FONT
    assert extraction.office_kind(fixtures.docx(["Hello"])) == extraction.DOCX
    assert extraction.office_kind(fixtures.pptx([["Hello"]])) == extraction.PPTX
    assert extraction.office_kind(fixtures.xlsx([["Hello"]])) == extraction.XLSX


def test_a_pdf_gives_the_text_of_every_page_and_its_page_count():
    found = extraction.extract_text(fixtures.pdf(fixtures.guidelines_pages()), extraction.PDF)

    assert found.pages == 20
    assert "Invisalign treatments are always shown with the clear aligner case" in found.text
    assert "Page 20:" in found.text


def test_a_word_document_reads_paragraph_by_paragraph_across_formatting_runs():
    data = fixtures.docx(["Campaign brief for the spring dental promotion", "Audience: parents of teenagers"])

    text = extraction.extract_text(data, extraction.DOCX).text

    assert text.splitlines() == [
        "Campaign brief for the spring dental promotion",
        "Audience: parents of teenagers",
    ]


def test_a_deck_reads_slide_by_slide_in_order():
    data = fixtures.pptx([["Research findings"], ["Slide two"]] + [[f"Slide {n}"] for n in range(3, 12)])

    text = extraction.extract_text(data, extraction.PPTX).text

    assert (
        text.index("Research findings")
        < text.index("Slide two")
        < text.index("Slide 10")
        < text.index("Slide 11")
    )


def test_a_workbook_reads_shared_strings_and_numbers_row_by_row():
    data = fixtures.xlsx([["Keyword", "Volume"], ["teeth whitening", 8100]])

    assert extraction.extract_text(data, extraction.XLSX).text == "Keyword Volume\nteeth whitening 8100"


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    with pytest.raises(extraction.NotSearchable, match="compressed .* to 1"):
        extraction.extract_text(fixtures.zip_bomb(), extraction.DOCX)


def test_too_many_entries_and_too_much_unpacked_data_are_refused_with_the_figure():
    limits = extraction.Limits(max_entries=3)
    with pytest.raises(extraction.NotSearchable, match="entries; the limit is 3"):
        extraction.extract_text(fixtures.pptx([["a"], ["b"], ["c"]]), extraction.PPTX, limits=limits)
    limits = extraction.Limits(max_uncompressed_bytes=100)
    with pytest.raises(extraction.NotSearchable, match="unpacks to"):
        extraction.extract_text(fixtures.docx(["x" * 500]), extraction.DOCX, limits=limits)


def test_damaged_documents_say_why_they_are_not_searchable():
    with pytest.raises(extraction.NotSearchable, match="damaged"):
        extraction.extract_text(b"PK\x03\x04 this is not really a zip", extraction.DOCX)
    with pytest.raises(extraction.NotSearchable, match="missing"):
        extraction.extract_text(fixtures.xlsx([["a"]]), extraction.DOCX)
    with pytest.raises(extraction.NotSearchable, match="cannot be opened"):
        extraction.extract_text(b"%PDF-1.7 broken", extraction.PDF)


def test_xml_entity_expansion_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        "<w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    data = fixtures._zip({"word/document.xml": bomb})

    with pytest.raises(extraction.NotSearchable, match="damaged"):
        extraction.extract_text(data, extraction.DOCX)


def test_text_is_capped_at_the_character_budget():
    text = extraction.extract_text(
        ("word " * 100_000).encode(), extraction.TEXT, limits=extraction.Limits(max_chars=1000)
    )

    assert len(text.text) == 1000


def test_svg_and_html_are_indexed_without_their_markup():
    text = extraction.extract_text(fixtures.SVG_WITH_SCRIPT, extraction.SVG).text

    assert "<script" not in text and "Logo" in text
