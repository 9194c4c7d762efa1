"""Chunking along sections: whole sentences, token budgets, overlap, and skipped reference lists."""

from __future__ import annotations

import itertools

from ingest.chunking import chunk_document
from ingest.text import split_sentences
from ingest.types import Block, Document
from tests.fakes import HashingEmbedder

count = HashingEmbedder().count_tokens


def _doc(*blocks: tuple[int, str, str, bool]) -> Document:
    return Document(
        blocks=tuple(
            Block(page=p, text=t, bbox=(0, 0, 1, 1), section=s, is_heading=h) for p, s, t, h in blocks
        ),
        page_count=max(b[0] for b in blocks),
    )


def test_sentences_keep_abbreviations_and_initials() -> None:
    text = (
        "As shown by Smith et al. in Fig. 2, the loss falls. J. Doe disagreed (e.g. in Table 3). "
        "Results improve by 3.5 points! Why? Because vs. baselines it wins."
    )
    assert split_sentences(text) == [
        "As shown by Smith et al. in Fig. 2, the loss falls.",
        "J. Doe disagreed (e.g. in Table 3).",
        "Results improve by 3.5 points!",
        "Why?",
        "Because vs. baselines it wins.",
    ]


def test_a_period_inside_parentheses_or_an_abbreviation_does_not_end_the_sentence() -> None:
    text = (
        "T cells secreted less cytokine (IFN-g fell by 2. IL-2) production. "
        "Strains were grown as before [see Sec. 3. Table 2]. Bacillus sp. strain K1 grew in Vol. 2 media. "
        "Scores lie in [0, 1). The next sentence starts here. Ms. Osei timed the guard at 4.1 ms. "
        "In a 90-day deployment it held."
    )
    assert split_sentences(text) == [
        "T cells secreted less cytokine (IFN-g fell by 2. IL-2) production.",
        "Strains were grown as before [see Sec. 3. Table 2].",
        "Bacillus sp. strain K1 grew in Vol. 2 media.",
        "Scores lie in [0, 1).",
        "The next sentence starts here.",
        "Ms. Osei timed the guard at 4.1 ms.",  # a unit after a figure ends it; a title does not
        "In a 90-day deployment it held.",
    ]


def test_chunks_stay_inside_sections_and_carry_pages() -> None:
    doc = _doc(
        (1, "", "Introduction", True),
        (1, "Introduction", "Cats purr. Dogs bark.", False),
        (2, "Introduction", "Birds sing.", False),
        (2, "", "Methods", True),
        (2, "Methods", "We counted animals.", False),
    )
    chunks = chunk_document(doc, count, max_tokens=100)
    assert [(c.section, c.text, c.page_start, c.page_end) for c in chunks] == [
        ("Introduction", "Cats purr. Dogs bark. Birds sing.", 1, 2),
        ("Methods", "We counted animals.", 2, 2),
    ]
    assert [c.index for c in chunks] == [0, 1]


def test_budget_is_respected_and_neighbours_share_one_sentence() -> None:
    sentences = [f"Sentence number {i} talks about topic {i}." for i in range(12)]
    doc = _doc((1, "Results", " ".join(sentences), False))
    chunks = chunk_document(doc, count, max_tokens=30)
    assert all(sum(count([c.text])) <= 30 for c in chunks)
    assert chunks[0].text == " ".join(sentences[:3])
    # Each chunk starts with the last sentence of the one before it.
    for before, after in itertools.pairwise(chunks):
        assert after.text.startswith(split_sentences(before.text)[-1])
    # Every sentence appears in some chunk.
    joined = " ".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)


def test_overlong_sentence_is_cut_into_pieces_that_fit() -> None:
    long_sentence = " ".join(f"word{i}" for i in range(100)) + "."
    chunks = chunk_document(_doc((3, "Data", long_sentence, False)), count, max_tokens=40)
    assert len(chunks) >= 3
    assert all(count([c.text])[0] <= 40 for c in chunks)
    assert " ".join(c.text for c in chunks).split()[0] == "word0"


def test_reference_sections_are_not_chunked() -> None:
    doc = _doc(
        (1, "Conclusion", "We conclude things.", False),
        (2, "References", "[1] A. Author. A paper. 2020.", False),
        (2, "7 Bibliography", "[2] B. Author. Another. 2021.", False),
    )
    assert [c.section for c in chunk_document(doc, count)] == ["Conclusion"]


def test_paragraph_breaks_are_preferred_cut_points() -> None:
    para1 = "Alpha one is here. Alpha two is here. Alpha three is here."
    para2 = "Beta one is here. Beta two is here."
    doc = _doc((1, "Intro", para1, False), (1, "Intro", para2, False))
    chunks = chunk_document(doc, count, max_tokens=22, overlap_sentences=0)
    assert chunks[0].text == para1
    assert chunks[1].text == para2
