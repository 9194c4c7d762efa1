"""extract_metadata on papers made by tests/pdfmaker.py, and on hand-built Documents."""

from __future__ import annotations

import pytest

from ingest.metadata import extract_metadata
from ingest.pdf import read_pdf
from ingest.types import Block, Document
from tests.pdfmaker import make_paper_pdf

ABSTRACT = "We present a lamp that reads papers aloud and measure how much it helps. " * 5


@pytest.fixture(scope="module")
def meta(tmp_path_factory):
    """Metadata of a two-column arXiv-style paper with a DOI, keywords and a code link."""
    path = make_paper_pdf(
        tmp_path_factory.mktemp("meta") / "paper.pdf",
        title="Deep Lamps for Reading Scientific Papers",
        authors=("Ada Lovelace*", "Alan M. Turing1,2", "Grace Hopper"),
        affiliations=("1University of Somewhere", "2Lamp Institute of Technology"),
        abstract=ABSTRACT,
        keywords=("reading", "lamps", "papers"),
        sections=[
            ("1 Introduction", ["Code is at https://github.com/lamp/deep-lamps. " * 3]),
            ("References", ["[1] Other. https://github.com/other/thing. 2019."]),
        ],
        two_column=True,
        doi="10.1234/lamp.5678",
        arxiv_id="2302.07302v1",
        info_title="Microsoft Word - draft3.docx",
    )
    return extract_metadata(read_pdf(path))


def test_title_comes_from_the_page_when_info_title_is_junk(meta):
    assert meta.title == "Deep Lamps for Reading Scientific Papers"


def test_authors_and_affiliations(meta):
    assert meta.authors == ("Ada Lovelace", "Alan M. Turing", "Grace Hopper")
    assert meta.affiliations == ("University of Somewhere", "Lamp Institute of Technology")


def test_identifiers_year_keywords_and_code(meta):
    assert meta.doi == "10.1234/lamp.5678"
    assert meta.arxiv_id == "2302.07302v1"
    assert meta.year == 2023
    assert meta.keywords == ("reading", "lamps", "papers")
    assert meta.code_urls == ("https://github.com/lamp/deep-lamps",)


def test_abstract_is_the_text_under_the_heading(meta):
    assert meta.abstract == ABSTRACT.strip()


def block(text, page=1, size=10.0, heading=False, y=100.0):
    """A hand-made block."""
    return Block(page, text, (72, y, 540, y + 12), size, False, heading, "")


def test_info_title_used_when_real_and_shown_on_page():
    doc = Document(
        (block("A Real Title About Lamps", size=16), block("Ann Smith and Bob Jones", y=130)),
        1,
        info={"title": "A Real Title About Lamps", "creationDate": "D:20190101000000Z"},
    )
    meta = extract_metadata(doc)
    assert meta.title == "A Real Title About Lamps"
    assert meta.authors == ("Ann Smith", "Bob Jones")
    assert meta.year == 2019


def test_published_line_beats_the_old_arxiv_id_year_and_index_terms():
    doc = Document(
        (
            block("Strings in Old Physics", size=16),
            block("arXiv:hep-th/9901001v2", y=130),
            block("Index Terms—strings, branes", y=160),
            block("Published: 3 March 2001. DOI: 10.1000/xyz123).", y=190),
        ),
        1,
    )
    meta = extract_metadata(doc)
    assert meta.arxiv_id == "hep-th/9901001v2"
    assert meta.year == 2001  # the id only says when it was first submitted
    assert meta.keywords == ("strings", "branes")
    assert meta.doi == "10.1000/xyz123"


def test_nothing_is_invented_for_an_empty_document():
    assert extract_metadata(Document((), 0)) == extract_metadata(Document((), 0))
    meta = extract_metadata(Document((), 0))
    assert (meta.title, meta.authors, meta.year, meta.doi) == ("", (), None, "")


def test_hyphenated_and_prefixed_surnames_are_names() -> None:
    from ingest.metadata import _names

    assert _names("Kofi Mensah-Doyle, Lena Hartmann-Osei and Sean O'Brien") == [
        "Kofi Mensah-Doyle",
        "Lena Hartmann-Osei",
        "Sean O'Brien",
    ]
    assert _names("DEPARTMENT OF PHYSICS") == []


def span(text, size=10.0, sup=False, x0=72.0):
    """A span of a front-page line."""
    from ingest.types import Span

    return Span(text, size, False, sup, x0, x0 + 5.5 * len(text) * size / 10)


def line(y, *spans):
    """A front-page line at y, its spans laid out left to right."""
    from ingest.types import Line, Span

    placed, x = [], 72.0
    for s in spans:
        placed.append(Span(s.text, s.size, s.bold, s.superscript, x, x + (s.x1 - s.x0)))
        x += s.x1 - s.x0
    return Line(1, (72, y, x, y + max(s.size for s in spans)), tuple(placed))


def front_doc(lines, info=None, margins=()):
    """A Document with only its front page's lines (the blocks do not matter here)."""
    return Document((), 1, info=info or {}, front=tuple(lines), margins=tuple(margins))


def test_html_entity_in_info_title_is_decoded():
    doc = front_doc(
        [line(100, span("DNA-PK controls Apollo’s access to leading-end telomeres", 18.0))],
        info={"title": "DNA-PK controls Apollo&rsquo;s access to leading-end telomeres"},
    )
    assert extract_metadata(doc).title == "DNA-PK controls Apollo’s access to leading-end telomeres"


def test_truncated_info_title_loses_to_the_page():
    doc = front_doc(
        [
            line(100, span("A loss-of-function mutation in KCNJ11 causing", 16.0)),
            line(118, span("diabetes in early adult life", 16.0)),
        ],
        info={"title": "A loss-of-function mutation in"},
    )
    assert (
        extract_metadata(doc).title
        == "A loss-of-function mutation in KCNJ11 causing diabetes in early adult life"
    )


def test_doi_broken_over_a_line_is_joined():
    doc = front_doc(
        [
            line(
                100,
                span("Copyright © 2024 the Author(s). Published by PNAS. See https://doi.org/10.1073/pnas."),
            ),
            line(112, span("2322520121 for the supplement.")),
        ]
    )
    assert extract_metadata(doc).doi == "10.1073/pnas.2322520121"


def test_published_year_beats_received_and_accepted():
    doc = front_doc(
        [
            line(100, span("A Paper About Lamps and Their Light", 16.0)),
            line(
                200,
                span(
                    "Received: 25 September 2023 / Accepted: 28 November 2023 / "
                    "Published online: 17 February 2024"
                ),
            ),
        ]
    )
    assert extract_metadata(doc).year == 2024


def test_byline_not_corresponding_authors():
    doc = front_doc(
        [
            line(100, span("Phosphocode-dependent signaling in immunity", 19.0)),
            line(130, span("Eun-Young Lee", 9.0), span("1", 6.3, True), span(", Jungwon Hwang", 9.0),
                 span("1", 6.3, True), span(" and Myung Hee Kim", 9.0), span("1✉", 6.3, True)),
            line(150, span("✉ Correspondence: Jungwon Hwang and Myung Hee Kim (kimmh@example.org)", 7.0)),
        ]
    )  # fmt: skip
    assert extract_metadata(doc).authors == ("Eun-Young Lee", "Jungwon Hwang", "Myung Hee Kim")
