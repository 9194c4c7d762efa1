"""Library: add PDFs, browse the papers in a table, open one (metadata, pages), remove it."""

from __future__ import annotations

import streamlit as st

from assistant.domain import AddResult, Paper
from assistant.errors import PaperlampError
from ui import state
from ui.uploads import add_uploads
from ui.widgets import md_escape, paper_label, plural, show_page

st.title("Library")
assistant = state.assistant()
st.session_state.setdefault("library_upload_round", 0)


def _remove(paper: Paper) -> None:
    """Confirmed removal (a button callback, so the picker can be reset before it is drawn)."""
    with state.exclusive():
        try:
            assistant.library.remove(paper.id)
        except PaperlampError as exc:
            st.session_state["library_notice"] = ("error", str(exc))
            return
    st.session_state["library_notice"] = ("success", f"Removed “{paper.title}”.")
    st.session_state["library_open"] = None
    st.session_state["library_confirm"] = None


def _matches(paper: Paper, needle: str) -> bool:
    """Whether every word of the filter occurs in the paper's title, authors, source or year."""
    text = " ".join((paper.title, *paper.authors, paper.source, str(paper.year or ""))).lower()
    return all(word in text for word in needle.lower().split())


def _show_results(results: list[AddResult]) -> None:
    for r in results:
        if r.ok:
            verb = {"added": "Added", "resumed": "Finished adding", "exists": "Already in the library:"}
            size = f"{plural(r.pages, 'page')}, {plural(r.chunks, 'passage')}"
            st.success(f"{verb[r.status]} “{r.title}” ({size})")
        else:
            st.error(f"Could not add {r.path.rsplit('/', 1)[-1]}: {r.reason}")


# --- adding -------------------------------------------------------------------------------------
with st.form("library_add", clear_on_submit=False, border=True):
    uploads = st.file_uploader(
        "Add PDFs",
        type=["pdf"],
        accept_multiple_files=True,
        key=f"library_uploads_{st.session_state.library_upload_round}",
        help="Each file is read, cut into passages and embedded. Adding a PDF twice changes nothing.",
    )
    submitted = st.form_submit_button("Add to library", type="primary")
if submitted and uploads:
    st.session_state["library_added"] = add_uploads(uploads)
    st.session_state.library_upload_round += 1  # a fresh uploader, so the files are not added again
    st.rerun()
elif submitted:
    st.warning("Choose one or more PDF files first.")
_show_results(st.session_state.get("library_added", []))

notice = st.session_state.pop("library_notice", None)
if notice:
    getattr(st, notice[0])(notice[1])

# --- the table ----------------------------------------------------------------------------------
papers = state.attempt(assistant.library.papers) or []
st.subheader(f"Papers ({len(papers)})")
needle = st.text_input("Filter", placeholder="Words from the title, authors, source or year")
shown = [p for p in papers if _matches(p, needle)]
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
if not papers:
    st.info("No papers yet: add PDFs above.")

# --- one paper ----------------------------------------------------------------------------------
by_id = {p.id: p for p in papers}
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
if chosen:
    paper = by_id[chosen]
    st.header(paper.title)
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
    st.markdown("  \n".join(f"**{k}:** {md_escape(v)}" for k, v in facts.items() if v))
    if paper.abstract:
        st.markdown(f"> {md_escape(paper.abstract)}")
    chunks = state.attempt(lambda: assistant.library.chunks(paper.id)) or []
    sections = list(dict.fromkeys(c.section for c in chunks if c.section))
    if sections:
        st.caption("Sections: " + md_escape(" · ".join(sections)))

    page = st.number_input(
        f"Page (of {paper.pages})", min_value=1, max_value=max(paper.pages, 1), step=1, key=f"page_{paper.id}"
    )
    show_page(paper.id, int(page), caption=f"{paper.title}, page {page} of {paper.pages}")

    if st.session_state.get("library_confirm") == paper.id:
        st.warning(f"Remove “{paper.title}” with its passages, vectors and kept PDF? This cannot be undone.")
        yes, no = st.columns(2)
        yes.button("Yes, remove it", type="primary", on_click=_remove, args=(paper,))
        no.button("Cancel", on_click=lambda: st.session_state.update(library_confirm=None))
    else:
        st.button("Remove this paper…", on_click=lambda: st.session_state.update(library_confirm=chosen))
