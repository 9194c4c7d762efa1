"""Running text, stamps, line numbers, notices and display equations never split a sentence."""

from __future__ import annotations

from ingest.chunking import chunk_document
from ingest.flow import EQUATION_CLOSE, EQUATION_OPEN
from ingest.metadata import extract_metadata
from ingest.pdf import read_pdf
from tests.pdfmaker import MARGIN, PAGE_W, make_lines_pdf, make_paper_pdf

FILLER = "Each generation keeps the best networks and mutates the rest of them slightly."


def body(y0: float, texts: list[str], x: float = 72.0) -> list[tuple[float, float, str, float]]:
    """Lines of 10 pt body text from y0 down."""
    return [(x, y0 + 13 * i, t, 10.0) for i, t in enumerate(texts)]


def count_words(texts):
    """A token counter for chunking: words."""
    return [len(t.split()) for t in texts]


def test_running_header_footer_and_copyright_never_enter_a_sentence(tmp_path):
    page1 = body(100, [FILLER] * 40 + ["We make the comparisons in this paper to"])
    page1.append((72, 742, "© 2002 by the Massachusetts Institute of Technology", 7.0))
    page2 = body(100, ["NE methods that evolve only the connection weights.", FILLER, FILLER])
    path = make_lines_pdf(
        tmp_path / "ec.pdf",
        [page1, page2, body(100, [FILLER] * 3)],
        header="Evolutionary Computation Volume 10, Number 2",
        footer="{n}",
    )
    doc = read_pdf(path)
    text = " ".join(c.text for c in chunk_document(doc, count_words))
    sentence = "We make the comparisons in this paper to NE methods that evolve only the connection weights."
    assert sentence in text
    assert "Evolutionary Computation" not in doc.text
    assert "Massachusetts" not in doc.text
    assert "© 2002 by the Massachusetts Institute of Technology" in doc.margins


def test_a_journal_footer_with_its_page_number_on_either_side_never_enters_a_sentence(tmp_path):
    # Cell Press: the page number leads on left pages and trails on right ones, the supplement's pages
    # are "e1", "e2", and the first page adds the copyright; each variant alone is on few pages.
    line = "Cell Reports 12, 1000–1007, May 3, 2024"
    pages = []
    for n in range(12):
        mark = f"{1000 + n}" if n < 8 else f"e{n - 7}"
        foot = line if n < 8 else line.replace("1007", "1007.e1–e4")
        foot = f"{mark} {foot}" if n % 2 == 0 else f"{foot} {mark}"
        if n == 0:
            foot += " © 2024 The Authors. Published by Elsevier Inc."
        lines = body(100, [FILLER] * 3 + ["The gauges were read every hour, and the readings of"])
        pages.append([*lines, (72, 742, foot, 7.0)])
        pages[-1] += body(170, ["each gauge were kept for a week.", FILLER])
    doc = read_pdf(make_lines_pdf(tmp_path / "cell.pdf", pages))
    assert "Cell Reports" not in doc.text and "Elsevier" not in doc.text
    text = " ".join(c.text for c in chunk_document(doc, count_words))
    assert text.count("the readings of each gauge were kept for a week.") == 12


def test_a_received_and_licence_notice_at_the_foot_of_the_first_page_never_enters_a_sentence(tmp_path):
    # Nucleic Acids Research: dates with month names, then the copyright running into its licence,
    # together longer than any notice of one line.
    notice = [
        "Received: March 13, 2023. Revised: January 16, 2024. Editorial Decision: January 17, 2024.",
        "Accepted: January 23, 2024 © The Author(s) 2024. Published by Oxford University Press on",
        "behalf of Nucleic Acids Research. This is an Open Access article distributed under the terms",
        "of the Creative Commons Attribution License, which permits unrestricted reuse, distribution,",
        "and reproduction in any medium, provided the original work is properly cited. For commercial",
        "re-use, please contact reprints@oup.com for reprints and translation rights for reprints.",
    ]
    page1 = body(100, [FILLER] * 30 + ["The gauges were read every hour, and the readings of"])
    page1 += [(72, 700 + 9 * i, t, 7.0) for i, t in enumerate(notice)]
    page2 = body(100, ["each gauge were kept for a week.", FILLER, FILLER])
    doc = read_pdf(make_lines_pdf(tmp_path / "nar.pdf", [page1, page2]))
    assert "Oxford" not in doc.text and "Received" not in doc.text
    text = " ".join(c.text for c in chunk_document(doc, count_words))
    assert "The gauges were read every hour, and the readings of each gauge were kept for a week." in text


def test_side_stamp_is_removed_and_read_for_the_id_and_year(tmp_path):
    page1 = body(
        100, ["A Study of Lamps", FILLER, FILLER] + [FILLER] * 38 + ["The method reads every page of"]
    )
    page2 = body(100, ["the paper before it answers.", FILLER])
    stamp = "arXiv:2503.99871v1 [cs.CL] 11 Mar 2025"
    doc = read_pdf(make_lines_pdf(tmp_path / "stamp.pdf", [page1, page2], stamp=stamp))
    assert "arXiv:2503" not in doc.text
    assert stamp in doc.margins
    assert any("The method reads every page of the paper before it answers." in b.text for b in doc.blocks)
    meta = extract_metadata(doc)
    assert (meta.arxiv_id, meta.year) == ("2503.99871v1", 2025)


def test_line_numbers_of_a_review_copy_are_removed(tmp_path):
    lines = body(100, ["Review copies number each line in the margin, and", "the numbers are not words."])
    doc = read_pdf(
        make_lines_pdf(tmp_path / "review.pdf", [lines + body(140, [FILLER] * 5)], line_numbers=True)
    )
    assert (
        doc.blocks[0].text == "Review copies number each line in the margin, and the numbers are not words."
    )
    assert "101" not in doc.text and " 1 " not in f" {doc.text} "


def test_a_preprint_s_line_numbers_close_to_the_text_are_removed(tmp_path):
    # bioRxiv sets 10 pt numbers from x = 36 pt: "101" ends about 53 pt in, the text starts at 72 pt.
    lines = body(100, ["Preprints number each line close to the text, and", "the numbers are not words."])
    pages = [body(100, [FILLER] * 6), lines + body(140, [FILLER] * 5)]
    doc = read_pdf(make_lines_pdf(tmp_path / "preprint.pdf", pages, line_numbers=36))
    assert "Preprints number each line close to the text, and the numbers are not words." in doc.text
    assert not any(f" {n} " in f" {doc.text} " for n in range(1, 200)), doc.text


def test_a_sentence_split_across_columns_and_pages_comes_out_whole(tmp_path):
    # Tags made of letters, so no two lines are the same text modulo digits (as running heads are).
    tags = [chr(97 + n // 26) + chr(97 + n % 26) for n in range(260)]
    sentences = [f"Sentence {t} is long enough to carry a little filler text along with {t}." for t in tags]
    path = make_paper_pdf(
        tmp_path / "cols.pdf",
        sections=[("1 Introduction", [" ".join(sentences[i : i + 13]) for i in range(0, 260, 13)])],
        two_column=True,
        header="Journal of Lamps 2024",
    )
    doc = read_pdf(path)
    assert doc.two_column_pages == 4
    blocks = [b.text for b in doc.blocks if not b.is_heading]
    missing = [s for s in sentences if not any(s in b for b in blocks)]
    assert missing == []


def test_a_display_equation_inside_a_sentence_is_kept_and_marked(tmp_path):
    width = PAGE_W - 2 * MARGIN
    lines = body(100, [FILLER, "The output of the layer is computed from its input as"])
    lines.append((MARGIN + width / 2 - 40, 140, "y = Wx + b", 10.0))
    lines.append((PAGE_W - MARGIN - 20, 140, "(1)", 10.0))
    lines += body(158, ["where W is the weight matrix and b the bias.", FILLER, FILLER])
    doc = read_pdf(make_lines_pdf(tmp_path / "eq.pdf", [lines]))
    expected = (
        f"The output of the layer is computed from its input as {EQUATION_OPEN}y = Wx + b (1)"
        f"{EQUATION_CLOSE} where W is the weight matrix and b the bias."
    )
    assert any(expected in b.text for b in doc.blocks)
