"""Home: the library at a glance: counts, work in progress, the newest papers, digests and questions."""

from __future__ import annotations

import streamlit as st

from assistant.digests.render import past_digests, read_digest
from assistant.errors import REPORTED
from ui.app import jobs, state
from ui.app.widgets import md_escape, plural

st.title("paperlamp")
st.caption("A local-first research assistant: your papers, searched and answered on this machine.")

summary = state.attempt(lambda: state.assistant().history.glance())
if summary is not None:
    digests = past_digests(state.assistant().home.digests)
    papers, chunks, posts, questions = st.columns(4)
    papers.metric("Papers", summary.papers)
    chunks.metric("Passages", summary.chunks)
    posts.metric("Digests", len(digests))
    questions.metric("Questions asked", summary.questions)
    if not summary.papers:
        st.info("The library is empty. Add PDFs on the Library page.")
    st.page_link(
        "pages/library.py", label="Library: add, browse and read papers", icon=":material/library_books:"
    )

    running = jobs.registry().active()
    if running:
        st.subheader("In progress")
        jobs.follow(running, jobs.progress_box)

    recent, digested, asked = st.columns(3)
    with recent:
        st.subheader("Recently added")
        for paper in summary.recent_papers:
            year = f" ({paper.year})" if paper.year else ""
            pages = plural(paper.pages, "page")
            st.markdown(f"- **{md_escape(paper.title)}**{year} · {pages} · {paper.added_at[:10]}")
        if not summary.recent_papers:
            st.caption("No papers yet.")
    with digested:
        st.subheader("Recent digests")
        for post in digests[:5]:
            try:
                count = f" · {plural(len(read_digest(post).entries), 'paper')}"
            except REPORTED:
                count = " · unreadable"
            st.markdown(f"- {post.stem[:10]} · **{md_escape(post.stem[11:])}**{count}")
        if not digests:
            st.caption("No digests yet.")
        st.page_link("pages/digest.py", label="Digest new arXiv papers", icon=":material/newspaper:")
    with asked:
        st.subheader("Recent questions")
        for q in summary.recent_questions:
            outcome = "no evidence" if q.abstained else plural(q.citations, "citation")
            st.markdown(f"- {md_escape(q.question)} · {outcome} · {q.asked_at[:16].replace('T', ' ')}")
        if not summary.recent_questions:
            st.caption("No questions yet.")
        st.page_link("pages/ask.py", label="Ask the library", icon=":material/chat:")
