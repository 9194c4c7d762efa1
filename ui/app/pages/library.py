"""Library: add PDFs or arXiv ids, browse the papers in a table, open one (metadata, summary, figures,
pages), remove it."""

from __future__ import annotations

import re

import streamlit as st

from assistant.domain import AddResult, Paper
from assistant.errors import REPORTED, message
from ui.app import jobs, state
from ui.app.paper_view import show_paper
from ui.app.uploads import start_adding
from ui.app.widgets import label_filters, paper_label, plural

st.title("Library")
assistant = state.assistant()
registry = jobs.registry()
st.session_state.setdefault("library_upload_round", 0)


def _remove(paper: Paper) -> None:
    """Confirmed removal (a button callback, so the picker can be reset before it is drawn)."""
    with state.exclusive():
        try:
            assistant.library.remove(paper.id)
        except REPORTED as exc:
            st.session_state["library_notice"] = ("error", message(exc))
            return
    st.session_state["library_notice"] = ("success", f"Removed “{paper.title}”.")
    st.session_state.update(library_open=None, library_paper=None, library_confirm=None)


def _fetch() -> None:
    """Start adding the typed arXiv ids (the same path as `paperlamp fetch`)."""
    ids = [i for i in re.split(r"[\s,;]+", st.session_state.get("library_arxiv_ids", "")) if i]
    if not ids:
        st.session_state["library_notice"] = ("warning", "Type one or more arXiv ids first.")
        return
    title = f"Fetching {plural(len(ids), 'paper')} from arXiv"
    jobs.start("fetch", " ".join(ids), title, lambda job: assistant.fetcher.fetch(ids, job.progress))
    st.session_state["library_arxiv_ids"] = ""


def _dismiss(done: list[jobs.Job]) -> None:
    for job in done:
        job.dismissed = not job.active


def _matches(paper: Paper, needle: str) -> bool:
    """Whether every word of the filter occurs in the paper's title, authors, source or year."""
    text = " ".join((paper.title, *paper.authors, paper.source, str(paper.year or ""))).lower()
    return all(word in text for word in needle.lower().split())


def _show_result(r: AddResult, fetched: bool) -> None:
    name = r.path if fetched else r.path.rsplit("/", 1)[-1]
    if not r.ok:
        st.error(r.reason if fetched and name in r.reason else f"Could not add {name}: {r.reason}")
    elif r.status == "exists":
        st.success(f"Already in the library: “{r.title}”" + ("" if fetched else f" ({name})"))
    elif fetched:
        st.success(f"Added “{r.title}” from arXiv ({r.paper_id}, {plural(r.pages, 'page')})")
    else:
        verb = "Added" if r.status == "added" else "Finished adding"
        st.success(f"{verb} “{r.title}” ({plural(r.pages, 'page')}, {plural(r.chunks, 'passage')})")


def _draw_adding(job: jobs.Job) -> None:
    """An add or fetch job: its bars while it runs, one line per file or id when it is over."""
    jobs.progress_box(job, show_steps=job.kind == "fetch")
    if not job.active:
        for result in job.result or []:
            _show_result(result, job.kind == "fetch")


# --- adding -------------------------------------------------------------------------------------
uploads_col, ids_col = st.columns([3, 2])
with uploads_col, st.form("library_add", border=True):
    uploads = st.file_uploader(
        "Add PDFs",
        type=["pdf"],
        accept_multiple_files=True,
        key=f"library_uploads_{st.session_state.library_upload_round}",
        help="Each file is read, cut into passages and embedded. Adding a PDF twice changes nothing.",
    )
    submitted = st.form_submit_button("Add to library", type="primary")
with ids_col, st.form("library_fetch", border=True):
    st.text_input(
        "Add from arXiv",
        placeholder="e.g. 1505.04597 1706.03762v7",
        key="library_arxiv_ids",
        help="arXiv ids, separated by spaces or commas: the PDF and arXiv's metadata are added.",
    )
    st.form_submit_button("Fetch from arXiv", on_click=_fetch)
if submitted and uploads:
    start_adding(assistant, uploads)
    st.session_state.library_upload_round += 1  # a fresh uploader, so the files are not added again
    st.rerun()
elif submitted:
    st.warning("Choose one or more PDF files first.")

notice = st.session_state.pop("library_notice", None)
if notice:
    getattr(st, notice[0])(notice[1])

adding = [j for j in registry.of(["add", "fetch"]) if not j.dismissed][:5]
jobs.follow(adding, _draw_adding)
if any(not j.active for j in adding):
    st.button("Clear these messages", on_click=_dismiss, args=(adding,))

# --- the table ----------------------------------------------------------------------------------
papers = state.attempt(assistant.library.papers) or []
st.subheader(f"Papers ({len(papers)})")
needle = st.text_input(
    "Filter", placeholder="Words from the title, authors, source or year", key="library_filter"
)
collections, tags = label_filters("library")
if collections or tags:
    selected = {p.id for p in state.attempt(lambda: assistant.library.papers_in(collections, tags)) or []}
    papers_shown = [p for p in papers if p.id in selected]
else:
    papers_shown = papers
shown = [p for p in papers_shown if _matches(p, needle)]
st.dataframe(
    [
        {
            "title": p.title,
            "authors": ", ".join(p.authors),
            "year": p.year,
            "source": p.source,
            "pages": p.pages,
            "added": p.added_at[:16].replace("T", " "),
        }
        for p in shown
    ],
    hide_index=True,
    column_config={"year": st.column_config.NumberColumn(format="%d")},
)
if shown:
    bibtex = state.attempt(lambda: assistant.bibliography.bibtex(shown)) or ""
    st.download_button(
        f"BibTeX of these {plural(len(shown), 'paper')}",
        bibtex,
        file_name="library.bib",
        mime="application/x-bibtex",
    )
if not papers:
    st.info("No papers yet: add PDFs or arXiv ids above.")

# --- one paper ----------------------------------------------------------------------------------
by_id = {p.id: p for p in papers}
if "library_open" not in st.session_state:  # back from another page: reopen the paper left open
    st.session_state["library_open"] = st.session_state.get("library_paper")
if st.session_state.get("library_open") not in by_id:
    st.session_state["library_open"] = None
chosen = st.selectbox(
    "Open a paper",
    list(by_id),
    format_func=lambda pid: paper_label(by_id[pid]),
    index=None,
    placeholder="Choose a paper",
    key="library_open",
)
st.session_state["library_paper"] = chosen
if chosen:
    paper = by_id[chosen]
    show_paper(assistant, paper)
    if st.session_state.get("library_confirm") == paper.id:
        st.warning(f"Remove “{paper.title}” with its passages, vectors and kept PDF? This cannot be undone.")
        yes, no = st.columns(2)
        yes.button("Yes, remove it", type="primary", on_click=_remove, args=(paper,))
        no.button("Cancel", on_click=lambda: st.session_state.update(library_confirm=None))
    else:
        st.button("Remove this paper…", on_click=lambda: st.session_state.update(library_confirm=chosen))
