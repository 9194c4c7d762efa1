"""Ask: a chat over the library (or chosen papers); every answer shows its citations."""

from __future__ import annotations

import streamlit as st

from assistant.domain import Answer
from assistant.retrieval.search import SearchFilter
from ui.app import state
from ui.app.widgets import citation_list, hit_card, label_filters, md_escape, paper_label

st.title("Ask")
assistant = state.assistant()
papers = state.attempt(assistant.library.papers) or []
by_id = {p.id: p for p in papers}
history: list[Answer] = st.session_state.setdefault("ask_history", [])


def show_answer(answer: Answer, index: int) -> None:
    """An answer with its citations, or an abstention with the closest passages."""
    if answer.abstained:
        st.warning(f"No answer: {answer.answer}", icon=":material/search_off:")
        if answer.closest:
            st.caption("The closest passages in the library:")
            for i, hit in enumerate(answer.closest, start=1):
                hit_card(hit, i, answer.question, "ask_open")
        return
    st.markdown(md_escape(answer.answer))
    if answer.table_cell:
        st.caption("A cell of the paper's table, read by its row and column; the row is cited whole.")
    elif answer.quoted:
        st.caption("The paper's own words, quoted (the model's answer did not check against them).")
    citation_list(answer.citations, f"a{index}", "ask_open")
    bibliography = assistant.bibliography
    cited = state.attempt(lambda: bibliography.cited(answer.citations))
    if cited is not None:
        md_col, bib_col = st.columns(2)
        md_col.download_button(
            "Markdown with [@citekey, p. N]",
            bibliography.answer_markdown(answer),
            file_name="answer.md",
            mime="text/markdown",
            key=f"ask_md_{index}",
        )
        bib_col.download_button(
            "BibTeX of the works cited",
            bibliography.bibtex(cited[0]),
            file_name="refs.bib",
            mime="application/x-bibtex",
            key=f"ask_bib_{index}",
        )


scope = st.multiselect(
    "Ask about",
    list(by_id),
    format_func=lambda pid: paper_label(by_id[pid]),
    placeholder="The whole library",
    key="ask_scope",
)
collections, tags = label_filters("ask")
if not papers:
    st.info("The library is empty: add PDFs on the Library page first.")
if history:
    st.button("Clear the conversation", on_click=lambda: st.session_state.update(ask_history=[]))

for i, past in enumerate(history):
    with st.chat_message("user"):
        st.markdown(md_escape(past.question))
    with st.chat_message("assistant"):
        show_answer(past, i)

question = st.chat_input("Ask a question about your papers")
if question is not None and question.strip():
    asked = question
    with st.chat_message("user"):
        st.markdown(md_escape(asked))
    with st.chat_message("assistant"):
        with st.spinner("Reading the evidence…"), state.exclusive():
            answer = state.attempt(
                lambda: assistant.history.ask(
                    asked, SearchFilter(paper_ids=tuple(scope), collections=collections, tags=tags)
                )
            )
        if answer is not None:
            history.append(answer)
            show_answer(answer, len(history) - 1)
