"""Compare: two or more papers side by side on chosen aspects, each cell cited from its own paper."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from assistant.answers.compare import DEFAULT_ASPECTS, Comparison, to_csv, to_markdown
from assistant.library.bibliography import pandoc_cells
from ui.app import jobs, state
from ui.app.widgets import citation_list, label_filters, md_escape, paper_label, plural

st.title("Compare")
st.caption(
    "Each cell is written from that paper's own passages and checked against them; when the model's "
    "words do not hold up, the cell quotes the paper instead."
)
assistant = state.assistant()
papers = state.attempt(assistant.library.papers) or []
by_id = {p.id: p for p in papers}


def _start() -> None:
    ss = st.session_state
    chosen = [pid for pid in ss.get("compare_papers", []) if pid in by_id]
    collections, tags = ss.get("compare_collections", []), ss.get("compare_tags", [])
    if collections or tags:
        picked = state.attempt(lambda: assistant.library.papers_in(collections, tags)) or []
        chosen = list(dict.fromkeys([*chosen, *(p.id for p in picked)]))
    extra = [a.strip() for a in ss.get("compare_other", "").split(",") if a.strip()]
    aspects = [*ss.get("compare_aspects", []), *extra]
    comparer = assistant.comparer
    title = f"Comparing {plural(len(chosen), 'paper')} on {plural(len(aspects), 'aspect')}"

    def work(job: jobs.Job) -> Comparison:
        return comparer.compare(chosen, aspects, job.progress)

    jobs.start("compare", "|".join([*chosen, "", *aspects]), title, work)


def _matrix(comparison: Comparison) -> None:
    """The matrix as a table, then each cell with its citations (paper, page, quote)."""
    titles = [p.title for p in comparison.papers]
    if len(set(titles)) < len(titles):  # two papers with one title: the ids tell them apart
        titles = [f"{p.title} ({p.id})" for p in comparison.papers]
    st.dataframe(
        [
            {"aspect": a}
            | {t: comparison.cells[a][p.id].text for t, p in zip(titles, comparison.papers, strict=True)}
            for a in comparison.aspects
        ],
        hide_index=True,
    )
    keys = state.attempt(lambda: assistant.bibliography.citekeys(comparison.papers)) or {}
    cited = replace(comparison, cells=pandoc_cells(comparison.cells, keys))
    md_col, csv_col, bib_col = st.columns(3)
    md_col.download_button(
        "Download Markdown", to_markdown(cited), file_name="comparison.md", mime="text/markdown"
    )
    csv_col.download_button("Download CSV", to_csv(comparison), file_name="comparison.csv", mime="text/csv")
    bibtex = state.attempt(lambda: assistant.bibliography.bibtex(list(comparison.papers))) or ""
    bib_col.download_button("Download BibTeX", bibtex, file_name="refs.bib", mime="application/x-bibtex")
    st.subheader("Cells and their citations")
    for aspect in comparison.aspects:
        st.markdown(f"#### {md_escape(aspect)}")
        for col, paper in zip(st.columns(len(comparison.papers)), comparison.papers, strict=True):
            cell = comparison.cells[aspect][paper.id]
            with col.container(border=True):
                st.caption(md_escape(paper.title))
                st.markdown(md_escape(cell.text))
                citation_list(cell.citations, f"{aspect}-{paper.id}", "compare_open")


def _draw(job: jobs.Job) -> None:
    jobs.progress_box(job)
    if job.state == "done":
        _matrix(job.result)


if len(papers) < 2:
    st.info("A comparison needs at least two papers: add them on the Library page first.")
else:
    with st.form("compare_form", border=True):
        st.multiselect(
            "Papers",
            list(by_id),
            format_func=lambda pid: paper_label(by_id[pid]),
            placeholder="Choose two or more papers",
            key="compare_papers",
        )
        label_filters("compare")
        st.multiselect("Aspects", list(DEFAULT_ASPECTS), default=list(DEFAULT_ASPECTS), key="compare_aspects")
        st.text_input("Other aspects", placeholder="comma-separated, e.g. cost, code", key="compare_other")
        st.form_submit_button("Compare", type="primary", on_click=_start)

latest = jobs.registry().latest("compare")
if latest is not None:
    jobs.follow([latest], _draw)
