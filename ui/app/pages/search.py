"""Search: a query, filters by paper, year, collection and tag; the passages found, query words marked."""

from __future__ import annotations

import streamlit as st

from assistant.retrieval.search import SearchFilter
from ui.app import state
from ui.app.widgets import hit_card, label_filters, md_escape, paper_label, plural

st.title("Search")
assistant = state.assistant()
papers = state.attempt(assistant.library.papers) or []
by_id = {p.id: p for p in papers}
years = sorted({p.year for p in papers if p.year})

with st.form("search_form", border=False):
    query = st.text_input("Query", placeholder="e.g. enzyme temperature optimum", key="search_query")
    chosen = st.multiselect(
        "Papers", list(by_id), format_func=lambda pid: paper_label(by_id[pid]), placeholder="All papers"
    )
    collections, tags = label_filters("search")
    span = st.slider("Years", years[0], years[-1], (years[0], years[-1])) if len(years) > 1 else (None, None)
    k = st.slider("Passages", 1, 50, 10)
    rerank = st.checkbox(
        "Rerank by the closest sentence (slower, often better)",
        value=assistant.searcher.rerank,
        key="search_rerank",
    )
    submitted = st.form_submit_button("Search", type="primary")

if submitted:
    low, high = span
    where = SearchFilter(
        paper_ids=tuple(chosen),
        # Papers without a year pass only while the year range is left wide open.
        year_from=low if low is not None and low > years[0] else None,
        year_to=high if high is not None and high < years[-1] else None,
        collections=collections,
        tags=tags,
    )
    hits = state.attempt(lambda: assistant.searcher.search(query, k, where, rerank=rerank))
    st.session_state["search_results"] = (query, hits) if hits is not None else None
    st.session_state["search_open"] = None

results = st.session_state.get("search_results")
if not papers:
    st.info("The library is empty: add PDFs on the Library page first.")
elif results is not None:
    asked, hits = results
    if not hits:
        st.warning(f"Nothing in the library matches “{md_escape(asked)}”.")
    else:
        st.caption(f"{plural(len(hits), 'passage')} for “{md_escape(asked)}”")
    for i, hit in enumerate(hits, start=1):
        hit_card(hit, i, asked, "search_open")
