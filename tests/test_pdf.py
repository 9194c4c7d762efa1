"""read_pdf on PDFs made by tests/pdfmaker.py: reading order, clean-up, headings, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.errors import UnreadableInput
from ingest.pdf import clean_text, join_lines, read_pdf, render_clip_png, render_page_png
from tests.pdfmaker import (
    FigureSpec,
    make_encrypted_pdf,
    make_lines_pdf,
    make_paper_pdf,
    make_scanned_pdf,
    make_truncated_pdf,
)

PNG = b"\x89PNG\r\n\x1a\n"


def words(tag: str, n: int) -> str:
    """A paragraph of numbered marker words, so reading order can be checked word by word."""
    return " ".join(f"{tag}w{i}" for i in range(n)) + "."


def markers(text: str) -> list[str]:
    """The marker words of a text, in order."""
    return re.findall(r"\b[A-Z]\d?w\d+\b", text)


@pytest.fixture(scope="module")
def two_column(tmp_path_factory) -> Path:
    """Two pages, two columns, a running header, page numbers and a mid-page wide figure."""
    paragraphs = [words("A", 90), words("B", 90), words("C", 90), words("D", 90)]
    return make_paper_pdf(
        tmp_path_factory.mktemp("pdf") / "two.pdf",
        title="Deep Lamps for Reading",
        abstract="We study reading lamps in depth. " * 12,
        sections=[
            ("1 Introduction", paragraphs[:2]),
            ("2 Methods", paragraphs[2:]),
            ("3 Results", [words("E", 260), words("F", 200), words("G", 300)]),
        ],
        two_column=True,
        header="Journal of Lamps 2024, vol. 7",
        figures=[FigureSpec("Figure 1: Bars of light.", page=2, top=330, full_width=True)],
    )


def test_two_column_text_comes_out_column_by_column_in_bands(two_column):
    doc = read_pdf(two_column)
    sizes = [("A", 90), ("B", 90), ("C", 90), ("D", 90), ("E", 260), ("F", 200), ("G", 300)]
    expected = markers(" ".join(words(tag, n) for tag, n in sizes))
    assert markers(doc.text) == expected
    assert doc.two_column_pages == 2
    assert doc.blocks[0].text == "Deep Lamps for Reading"
    abstract = next(i for i, b in enumerate(doc.blocks) if b.text.startswith("We study"))
    first_body = next(i for i, b in enumerate(doc.blocks) if b.text.startswith("Aw0"))
    assert abstract < first_body


def test_wide_figure_caption_sits_between_the_bands_it_splits(two_column):
    page2 = [b for b in read_pdf(two_column).blocks if b.page == 2]
    caption = next(i for i, b in enumerate(page2) if b.text.startswith("Figure 1"))
    above = markers(" ".join(b.text for b in page2[:caption]))
    below = markers(" ".join(b.text for b in page2[caption + 1 :]))
    assert above and below
    assert all(b.bbox[3] <= 330 for b in page2[:caption] if markers(b.text))
    assert all(b.bbox[1] >= 330 for b in page2[caption + 1 :])


def test_running_header_page_numbers_and_figure_labels_are_removed(two_column):
    doc = read_pdf(two_column)
    assert "Journal of Lamps" not in doc.text
    assert not any(re.fullmatch(r"\d+", b.text) for b in doc.blocks)
    assert "x-axis" not in doc.text and "0.5" not in doc.text


def test_sections_follow_the_latest_heading(two_column):
    doc = read_pdf(two_column)
    headings = [b.text for b in doc.blocks if b.is_heading]
    assert headings == ["Abstract", "1 Introduction", "2 Methods", "3 Results"]
    assert doc.blocks[0].section == ""
    assert {b.section for b in doc.blocks if "C1w0" in b.text or "D1w0" in b.text} <= {"2 Methods"}
    assert all(b.section == "3 Results" for b in doc.blocks if b.text.startswith("F"))
    assert not any(b.is_heading for b in doc.blocks if b.text.startswith("Figure"))


def test_hyphenation_is_repaired_but_real_hyphens_stay(tmp_path):
    text = "The transformer model is state-of-the-art and Transformer-Based tools help a lot."
    path = make_paper_pdf(
        tmp_path / "hy.pdf",
        sections=[("1 Introduction", [text])],
        hyphenate_words=("trans|former", "state-of-|the-art", "Transformer-|Based"),
    )
    body = next(b.text for b in read_pdf(path).blocks if "model" in b.text)
    assert body == text


def test_join_lines_rules():
    assert join_lines(["a trans-", "former here"]) == "a transformer here"
    assert join_lines(["the self-", "attention"]) == "the self-attention"
    assert join_lines(["COVID-", "19 cases"]) == "COVID-19 cases"
    assert join_lines(["two", " lines "]) == "two lines"


def test_single_column_reading_order_and_info(tmp_path):
    path = make_paper_pdf(
        tmp_path / "one.pdf",
        sections=[("Introduction", [words("A", 300)]), ("Conclusion", [words("B", 40)])],
        info_title="Lamps: A Study",
    )
    doc = read_pdf(path)
    assert markers(doc.text) == markers(words("A", 300) + " " + words("B", 40))
    assert doc.two_column_pages == 0
    assert doc.info["title"] == "Lamps: A Study"
    assert [b.text for b in doc.blocks if b.is_heading] == ["Introduction", "Conclusion"]


def test_ligatures_and_old_tex_accents_are_normalised():
    assert clean_text("An eﬃcient ﬁt") == "An efficient fit"
    assert clean_text("F´ısica") == "Física"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "missing.pdf: file not found."),
        (lambda p: p.write_bytes(b"") and p, "missing.pdf: file is empty (0 bytes)."),
        (lambda p: p.write_text("just some notes\n") and p, "missing.pdf: not a PDF file"),
        (make_truncated_pdf, "missing.pdf: corrupt or truncated PDF"),
        (make_encrypted_pdf, "missing.pdf: PDF is encrypted (password-protected)."),
        (make_scanned_pdf, "missing.pdf: has no text layer, and OCR found no text on its pages."),
        # A text layer too thin to be a paper, and no scan under it: said as such, not "no text layer".
        (
            lambda p: make_lines_pdf(p, [[(72, 100, "This is a test file.", 11)]]),
            "missing.pdf: has only 20 characters of text on 1 page(s).",
        ),
    ],
)
def test_bad_input_is_reported_in_one_sentence(tmp_path, make, message):
    path = tmp_path / "missing.pdf"
    make(path)
    with pytest.raises(UnreadableInput) as err:
        read_pdf(path)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_too_large_by_bytes_or_pages(tmp_path):
    path = make_paper_pdf(tmp_path / "big.pdf", sections=[("Intro", ["Text. " * 50])], min_pages=3)
    with pytest.raises(UnreadableInput, match=r"^big.pdf: file is too large"):
        read_pdf(path, max_bytes=100)
    with pytest.raises(UnreadableInput, match=r"^big.pdf: too many pages \(3 > 2\)"):
        read_pdf(path, max_pages=2)


def test_render_page_and_clip_to_png(two_column):
    assert render_page_png(two_column, 1).startswith(PNG)
    assert render_clip_png(two_column, 2, (100, 330, 500, 450)).startswith(PNG)
    with pytest.raises(UnreadableInput, match="has no page 9"):
        render_page_png(two_column, 9)


def test_soft_hyphens_and_zero_width_characters_are_removed() -> None:
    from ingest.pdf import clean_text, join_lines

    assert clean_text("pre-\xadmRNA and \xadKATP chan\u200bnels\ufeff") == "pre-mRNA and KATP channels"
    assert join_lines([clean_text("the trans\xad"), clean_text("former model")]) == "the transformer model"
