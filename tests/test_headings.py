"""Headings as papers set them: run-in numbered ones, numbers apart from titles; hyphens at breaks."""

from __future__ import annotations

import pymupdf

from ingest.cleanup import BREAK, join_lines, resolve_breaks
from ingest.pdf import read_pdf
from tests.pdfmaker import make_lines_pdf

FILLER = "The study asked readers to explain each of the passages in their own words."


def test_run_in_numbered_heading_and_a_number_set_apart_are_headings(tmp_path):
    run_in = "2.1.1 Participants."
    width = pymupdf.get_text_length(run_in + " ", fontname="hebo", fontsize=10)
    lines = [
        (72, 100, "1", 12.0, "hebo"),
        (90, 100, "INTRODUCTION", 12.0, "hebo"),
        *[(72, 120 + 13 * i, FILLER, 10.0) for i in range(4)],
        (72, 190, run_in, 10.0, "hebo"),
        (72 + width, 190, "We recruited twelve readers from a mailing list of the", 10.0),
        (72, 203, "library and paid each of them for an hour of their time.", 10.0),
    ]
    doc = read_pdf(make_lines_pdf(tmp_path / "runin.pdf", [lines]))
    assert [b.text for b in doc.blocks if b.is_heading] == ["1 INTRODUCTION", "2.1.1 Participants"]
    body = next(b for b in doc.blocks if b.text.startswith("We recruited"))
    assert body.text == (
        "We recruited twelve readers from a mailing list of the library and paid each of them for an "
        "hour of their time."
    )
    assert body.section == "2.1.1 Participants"


def test_a_line_end_hyphen_follows_how_the_document_spells_the_word():
    assert join_lines(["the Cite-", "Seer corpus"], mark=True) == f"the Cite{BREAK}Seer corpus"
    texts = [
        "CiteSeer and short-form summaries both appear here.",
        f"We parsed Cite{BREAK}Seer papers into short{BREAK}form notes with a trans{BREAK}former.",
    ]
    assert resolve_breaks(texts)[1] == "We parsed CiteSeer papers into short-form notes with a transformer."
