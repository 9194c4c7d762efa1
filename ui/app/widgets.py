"""Pieces the app's pages share: escaped and marked text, page images, citations and hits."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from assistant.domain import Citation, Hit, Lang, Paper
from assistant.retrieval.highlight import marked_segments
from ui.app import state

LANGS: dict[Lang, str] = {"en": "English", "zh": "Chinese (中文)"}  # the languages prose is written in
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|])")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")
_BLOCK_START = re.compile(r"^([#+\-=])")
_SUB = re.compile(r"<sub>(.*?)</sub>", re.DOTALL)


def md_escape(text: str) -> str:
    """Text shown literally by st.markdown (no emphasis, links, lists, LaTeX or HTML from paper text)."""
    text = _INLINE_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
    return _BLOCK_START.sub(r"\\\1", _LIST_NUMBER.sub(r"\1\\\2", text))


def post_markdown(text: str) -> str:
    """A digest post's or summary's Markdown as st.markdown shows it: page notes in grey, not <sub>."""
    return _SUB.sub(lambda m: f":gray[{m.group(1)}]" if m.group(1).strip() else "", text)


def marked(text: str, query: str) -> str:
    """Markdown of `text` with the query's terms bold on a yellow background."""
    return "".join(
        f":orange-background[**{md_escape(piece)}**]" if hit else md_escape(piece)
        for piece, hit in marked_segments(" ".join(text.split()), query)
    )


def plural(n: int, word: str) -> str:
    """Count and noun: "1 page", "2 pages"."""
    return f"{n} {word}{'s' * (n != 1)}"


def paper_label(paper: Paper) -> str:
    """How a paper is named in pickers: title and year."""
    return f"{paper.title} ({paper.year})" if paper.year else paper.title


def show_page(paper_id: str, page: int, quote: str = "", caption: str = "") -> None:
    """A rendered page of a paper, `quote` highlighted on it."""
    image = state.attempt(lambda: state.assistant().pages.image(paper_id, page, quote))
    if image is not None:
        st.image(image, caption=caption or f"page {page}", width=760)


def toggle(key: str, value: object) -> None:
    """Button callback: open `value` under `key`, or close it when it is already open."""
    st.session_state[key] = None if st.session_state.get(key) == value else value


def hit_card(hit: Hit, index: int, query: str, open_key: str) -> None:
    """One search result: where it is from, the passage with query terms marked, a page button."""
    with st.container(border=True):
        where = f"p. {hit.page}" if hit.page_end <= hit.page else f"pp. {hit.page}–{hit.page_end}"
        section = f" · {md_escape(hit.section)}" if hit.section else ""
        st.markdown(f"**{index}. {md_escape(hit.title)}** · {where}{section} · score {hit.score:.2f}")
        st.markdown(marked(hit.text, query))
        opened = st.session_state.get(open_key) == hit.chunk_id
        st.button(
            ("Hide page " if opened else "Show page ") + str(hit.page),
            key=f"{open_key}-{hit.chunk_id}",
            on_click=toggle,
            args=(open_key, hit.chunk_id),
        )
        if opened:
            show_page(hit.paper_id, hit.page, hit.text, f"{hit.title}, page {hit.page}")


def citation_list(citations: Sequence[Citation], prefix: str, open_key: str) -> None:
    """An answer's citations: a button each that opens the page with the quoted span highlighted."""
    for citation in citations:
        token = f"{prefix}-{citation.n}"
        opened = st.session_state.get(open_key) == token
        st.button(
            f"[{citation.n}] {citation.title}, p. {citation.page}",
            key=f"{open_key}-{token}",
            on_click=toggle,
            args=(open_key, token),
            type="tertiary",
            icon=":material/find_in_page:",
        )
        st.markdown(f"> “{md_escape(citation.quote)}”")
        if citation.ocr:
            st.caption("Quoted from Tesseract's reading of a scanned page, not from the PDF's text.")
        if opened:
            caption = f"{citation.title}, page {citation.page}"
            show_page(citation.paper_id, citation.page, citation.quote, caption)


def label_filters(key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Collection and tag pickers (drawn only when imported papers carry some): what was chosen."""
    collections, tags = state.attempt(state.assistant().library.labels) or ({}, {})
    if not collections and not tags:
        return (), ()
    left, right = st.columns(2)
    chosen_collections = left.multiselect(
        "Collections",
        list(collections),
        format_func=lambda c: f"{c} ({collections[c]})",
        key=f"{key}_collections",
    )
    chosen_tags = right.multiselect(
        "Tags", list(tags), format_func=lambda t: f"{t} ({tags[t]})", key=f"{key}_tags"
    )
    return tuple(chosen_collections), tuple(chosen_tags)
