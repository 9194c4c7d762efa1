"""One library paper in the app: its metadata, its summary (written on demand), figures and pages."""

from __future__ import annotations

from typing import cast

import streamlit as st

from assistant.build import Assistant
from assistant.digests.render import cited_summary_markdown, summary_markdown
from assistant.domain import Lang, Paper
from assistant.summaries.kept import KeptSummary
from ui.app import jobs, state
from ui.app.widgets import LANGS, md_escape, post_markdown, show_page


def show_paper(assistant: Assistant, paper: Paper) -> None:
    """The paper's header and its tabs: details, summary, figures, pages."""
    st.header(paper.title)
    details, summary, figures, pages = st.tabs(["Details", "Summary", "Figures", "Pages"])
    with details:
        _details(assistant, paper)
    with summary:
        _summary(assistant, paper)
    with figures:
        _figures(assistant, paper)
    with pages:
        page = st.number_input(
            f"Page (of {paper.pages})",
            min_value=1,
            max_value=max(paper.pages, 1),
            step=1,
            key=f"page_{paper.id}",
        )
        show_page(paper.id, int(page), caption=f"{paper.title}, page {page} of {paper.pages}")


def _details(assistant: Assistant, paper: Paper) -> None:
    facts = {
        "id": paper.id,
        "authors": ", ".join(paper.authors),
        "affiliations": "; ".join(paper.affiliations),
        "year": str(paper.year or ""),
        "DOI": paper.doi,
        "arXiv": paper.arxiv_id,
        "keywords": ", ".join(paper.keywords),
        "code": " ".join(paper.code_urls),
        "pages": str(paper.pages),
        "source": paper.source,
        "added": paper.added_at,
    }
    sources = state.attempt(lambda: assistant.library.sources(paper.id)) or []
    collections, tags = state.attempt(lambda: assistant.library.labels_of(paper.id)) or ([], [])
    keys = state.attempt(lambda: assistant.bibliography.citekeys([paper])) or {}
    facts |= {
        "citekey": keys.get(paper.id, ""),
        "collections": "; ".join(collections),
        "tags": ", ".join(tags),
        "other files": " ".join(s.file for s in sources if s.role == "file"),
    }
    st.markdown("  \n".join(f"**{k}:** {md_escape(v)}" for k, v in facts.items() if v))
    for link in dict.fromkeys(s.link for s in sources if s.link):
        st.markdown(f"**Zotero:** [{md_escape(link)}]({link})")
    if paper.abstract:
        st.markdown(f"> {md_escape(paper.abstract)}")
    chunks = state.attempt(lambda: assistant.library.chunks(paper.id)) or []
    sections = list(dict.fromkeys(c.section for c in chunks if c.section))
    if sections:
        st.caption("Sections: " + md_escape(" · ".join(sections)))


def _summary(assistant: Assistant, paper: Paper) -> None:
    """The kept summary, or a button that writes it in a background job with progress by field."""
    default = assistant.settings.lang
    lang = cast(
        Lang,
        st.radio(
            "Language",
            list(LANGS),
            index=list(LANGS).index(default),
            format_func=LANGS.__getitem__,
            horizontal=True,
            key=f"summary_lang_{paper.id}",
        ),
    )
    key = f"{paper.id}:{lang}"
    job = jobs.registry().latest("summary", key)
    if job is not None and job.active:
        jobs.follow([job], jobs.progress_box)
        return
    if job is not None and job.state == "failed" and not job.dismissed:
        st.error(f"The summary could not be written: {job.error}")
    kept = assistant.summaries.kept(paper, lang)
    if kept is not None:
        _show_summary(kept)
        _summary_downloads(assistant, paper, kept, key)
    else:
        st.caption("No summary yet. It is written from the paper's full text, part by part, with pages.")
    st.button(
        "Write the summary again" if kept else "Write the summary",
        key=f"summarize_{key}",
        type="secondary" if kept else "primary",
        on_click=_start_summary,
        args=(assistant, paper, lang),
    )


def _start_summary(assistant: Assistant, paper: Paper, lang: Lang) -> None:
    def work(job: jobs.Job) -> KeptSummary:
        return assistant.summaries.write(paper, lang, job.progress)

    jobs.start("summary", f"{paper.id}:{lang}", f"Summarizing “{paper.title}”", work)


def _show_summary(kept: KeptSummary) -> None:
    s = kept.summary
    if s.title_translated:
        st.markdown(f"**{md_escape(s.title_translated)}**")
    st.markdown(post_markdown("\n".join(summary_markdown(s, level=4))))
    model = f" by {s.model}" if s.model else ""
    took = f" in {s.seconds:.0f} s" if s.seconds else ""
    st.caption(f"Written {kept.written_at[:16].replace('T', ' ')} UTC{model}{took}, from the {s.source}.")


def _summary_downloads(assistant: Assistant, paper: Paper, kept: KeptSummary, key: str) -> None:
    """The summary as Markdown citing the paper by its citekey, and the paper's BibTeX entry."""
    bibliography = assistant.bibliography
    citekey = state.attempt(lambda: bibliography.citekeys([paper])[paper.id])
    if citekey is None:
        return
    md_col, bib_col = st.columns(2)
    md_col.download_button(
        "Markdown with [@citekey, p. N]",
        cited_summary_markdown(kept.summary, citekey),
        file_name=f"{citekey}-summary.md",
        mime="text/markdown",
        key=f"summary_md_{key}",
    )
    bib_col.download_button(
        "BibTeX of the paper",
        bibliography.bibtex([paper]),
        file_name=f"{citekey}.bib",
        mime="application/x-bibtex",
        key=f"summary_bib_{key}",
    )


def _figures(assistant: Assistant, paper: Paper) -> None:
    figures = state.attempt(lambda: assistant.figures.of(paper))
    if figures is None:
        return
    if not figures:
        st.caption("No figures with a “Figure N” caption were found in this paper.")
    for figure in figures:
        caption = " ".join(figure.caption.split())
        st.image(str(figure.path), caption=f"{figure.label} (p. {figure.page}): {caption}", width=640)
