"""Scanned papers through Tesseract OCR: which pages are read by OCR, and a scan added, found and cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.settings import load_settings
from ingest.errors import UnreadableInput
from ingest.ocr import PageLayer, image_cover, needs_ocr
from ingest.pdf import read_pdf, tessdata
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import FigureSpec, make_image_only_pdf, make_paper_pdf

FACT = "The copper lamp glowed for 42 hours in the cold chamber."
BODY = f"{FACT} The glass lamp cracked after nine hours of steady heating. " + (
    "Every lamp was weighed before and after each trial on the same scale. " * 4
)


@pytest.fixture(scope="module")
def digital(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page digital paper with a figure (a picture covering about a third of the page)."""
    return make_paper_pdf(
        tmp_path_factory.mktemp("ocr") / "lamps.pdf",
        title="Lamps in the Cold",
        abstract="We measure how long lamps glow in a cold chamber.",
        sections=[("1 Results", [BODY])],
        figures=[FigureSpec("Figure 1: Hours of light per lamp.", page=1, top=420, full_width=True)],
    )


@pytest.fixture(scope="module")
def scan(digital: Path) -> Path:
    """The digital paper rendered to an image-only PDF."""
    return make_image_only_pdf(digital, digital.with_name("scan.pdf"))


def test_tesseract_is_installed() -> None:
    assert tessdata() is not None  # setup.sh installs tesseract-ocr and tesseract-ocr-eng


def test_an_image_only_page_is_read_by_ocr(scan: Path) -> None:
    doc = read_pdf(scan)
    assert doc.ocr_pages == (1,)
    assert FACT in doc.text
    assert "Lamps in the Cold" in doc.text


def test_a_digital_page_with_a_figure_is_not_read_by_ocr(digital: Path) -> None:
    doc = read_pdf(digital)
    assert doc.ocr_pages == ()
    assert FACT in doc.text


def test_a_text_header_over_a_page_image_is_no_text_layer(digital: Path) -> None:
    thin = make_image_only_pdf(digital, digital.with_name("thin.pdf"), header="Journal of Lamps 2024, vol. 7")
    # Its one text line is not taken for the paper: without OCR it is refused, not added as a header.
    with pytest.raises(UnreadableInput, match=r"^thin.pdf: has no text layer"):
        read_pdf(thin, ocr="off")
    doc = read_pdf(thin)
    assert doc.ocr_pages == (1,)
    assert FACT in doc.text


def test_without_ocr_a_scan_is_refused_in_one_line(scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnreadableInput) as off:
        read_pdf(scan, ocr="off")
    assert str(off.value) == 'scan.pdf: has no text layer (scanned?); OCR is off (pdf.ocr = "off").'
    monkeypatch.setattr("ingest.pdf.tessdata", lambda: None)  # a machine without tesseract-ocr
    with pytest.raises(UnreadableInput) as missing:
        read_pdf(scan)
    assert str(missing.value) == "scan.pdf: has no text layer (scanned?); install tesseract-ocr to read it."


@pytest.mark.parametrize(
    ("layer", "auto"),
    [
        (PageLayer(chars=0, unmapped=0, image_cover=1.0), True),  # a scan
        (PageLayer(chars=25, unmapped=0, image_cover=1.0), True),  # a header line over it
        (PageLayer(chars=150, unmapped=0, image_cover=0.9), True),  # a header and a stamp
        (PageLayer(chars=150, unmapped=0, image_cover=0.4), False),  # a short page with a figure
        (PageLayer(chars=2500, unmapped=0, image_cover=0.9), False),  # a full text layer over a scan
        (PageLayer(chars=0, unmapped=0, image_cover=0.0), False),  # a blank page
        (PageLayer(chars=2500, unmapped=2000, image_cover=0.0), True),  # glyphs no font maps
    ],
)
def test_auto_reads_by_ocr_only_pages_without_a_usable_text_layer(layer: PageLayer, auto: bool) -> None:
    assert needs_ocr(layer, "auto") is auto
    assert needs_ocr(layer, "always") is True
    assert needs_ocr(layer, "off") is False


def test_a_scanned_paper_is_added_searched_and_cited_as_ocr(scan: Path) -> None:
    generator = ScriptedGenerator("The copper lamp glowed for 42 hours in the cold chamber [1].")
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    built.asker.min_evidence = 0.1  # the hashing embedder's similarities are low
    [result] = built.library.add([scan])
    assert result.status == "added"
    paper = built.library.get(result.paper_id)
    assert paper.ocr_pages == (1,)
    [hit] = built.searcher.search("copper lamp cold chamber", 1)
    assert FACT in hit.text
    answer = built.asker.ask("How long did the copper lamp glow in the cold chamber?")
    [citation] = answer.citations
    assert citation.quote == FACT
    assert citation.ocr is True
    assert citation.to_json()["ocr"] is True
    summary = built.summarizer.summarize(paper)
    assert summary.source == "full text"
    text = " ".join(read_pdf(scan).text.split())
    fields = [f for f in summary.to_json().values() if isinstance(f, dict)]
    quotes = [q["text"] for f in fields for u in f.get("items", [f]) for q in u.get("quotes", [])]
    assert quotes and all(q in text for q in quotes)  # the summary quotes the OCR'd text, verbatim
    built.close()


def test_image_cover_counts_overlapping_images_once() -> None:
    page = (0.0, 0.0, 100.0, 200.0)
    assert image_cover([(0, 0, 100, 100)], page) == 0.5
    assert image_cover([(0, 0, 100, 100), (0, 50, 100, 150)], page) == 0.75
    assert image_cover([(-50, -50, 500, 500)], page) == 1.0
    assert image_cover([], page) == 0.0


LEFT = (
    "The copper lamps were tested in the left chamber at minus twenty degrees for six weeks. "
    "Their light fell by a tenth after the first week and stayed level after that."
)
RIGHT = (
    "The glass lamps were tested in the right chamber at room temperature for the same weeks. "
    "Their light did not change until the glass cracked in the fifth week."
)


def test_a_two_column_scan_reads_each_column_whole_and_in_order(tmp_path: Path) -> None:
    # Tesseract's blocks run across both columns of such a page; read as it returns them, the
    # columns' lines would interleave ("...left chamber at The glass lamps were tested...").
    digital = make_paper_pdf(
        tmp_path / "two.pdf",
        title="Lamps in Two Chambers",
        abstract="We compare copper and glass lamps.",
        sections=[("1 Copper", [LEFT * 3]), ("2 Glass", [RIGHT * 3])],
        two_column=True,
        arxiv_id="2401.01234v1",  # the side stamp, which Tesseract reads into the page's blocks
    )
    doc = read_pdf(make_image_only_pdf(digital, tmp_path / "two-scan.pdf", dpi=200))
    assert doc.ocr_pages == (1,)
    text = " ".join(doc.text.split())
    assert LEFT in text and RIGHT in text
    assert text.index(LEFT) < text.index(RIGHT)
