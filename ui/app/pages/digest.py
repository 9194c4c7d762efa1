"""Digest: new arXiv papers on a topic, fetched, summarized and posted; past posts with their figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import streamlit as st

from assistant.digests.entries import Digest, DigestRequest
from assistant.digests.render import listed_markdown, paper_markdown, past_digests, read_digest
from assistant.digests.requests import requests_for, window
from assistant.domain import Lang
from assistant.errors import REPORTED, message
from assistant.settings import Topic
from ui.app import jobs, state
from ui.app.widgets import LANGS, md_escape, plural, post_markdown

st.title("Digest")
st.caption(
    "New arXiv papers on a topic: each is added to the library, its figures cropped and its summary "
    "written from the full text, then the day's post is saved in the library's digests folder."
)
assistant = state.assistant()
settings = assistant.settings
folder = assistant.home.digests
topics = {t.name: t for t in settings.topics}


def _requests(topic_list: list[Topic], days: int, max_papers: int | None, lang: Lang) -> list[DigestRequest]:
    start, end = window(None, days, datetime.now().date())
    return requests_for(topic_list, start, end, max_papers=max_papers, lang=lang)


def _run(requests: list[DigestRequest], key: str, title: str) -> None:
    """Start the digests in a background job (the same calls as `paperlamp digest`)."""
    day = datetime.now().date()

    def work(job: jobs.Job) -> list[Digest]:
        done: list[Digest] = []
        job.result = done
        for request in requests:
            done.append(assistant.digester.post(request, day, folder, job.progress))
        return done

    jobs.start("digest", key, title, work)


def _run_chosen() -> None:
    ss = st.session_state
    days, max_papers, lang = int(ss["digest_days"]), int(ss["digest_max"]), ss["digest_lang"]
    if ss.get("digest_source", "query") == "topic" and ss.get("digest_topic") in topics:
        topic = topics[ss["digest_topic"]]
    else:
        name = ss.get("digest_name", "").strip()
        if not name:
            ss["digest_notice"] = "Give the topic a name: it names the post and keeps the topic's history."
            return
        categories = [c for c in ss.get("digest_categories", "").replace(",", " ").split() if c]
        topic = Topic(name=name, query=ss.get("digest_query", "").strip() or name, categories=categories)
    try:
        requests = _requests([topic], days, max_papers, lang)
    except REPORTED as exc:
        ss["digest_notice"] = message(exc)
        return
    _run(requests, requests[0].slug, f"Digest: {topic.name}")


def _run_all() -> None:
    ss = st.session_state
    requests = _requests(list(topics.values()), int(ss["digest_days"]), None, ss["digest_lang"])
    _run(requests, "--all", f"Digest of every topic ({len(requests)})")


def _draw_job(job: jobs.Job) -> None:
    """Progress per paper and stage while it runs; then what each digest found."""
    jobs.progress_box(job)
    if job.active:
        return
    for digest in job.result or []:
        topic = md_escape(digest.request.topic)
        for warning in digest.warnings:
            st.warning(f"{digest.request.topic}: {warning}")
        if not digest.new:
            st.info(f"{digest.request.topic}: no new papers in the window.")
            continue
        where = digest.markdown_path.name if digest.markdown_path else ""
        st.success(f"{digest.request.topic}: {plural(digest.new, 'new paper')}, posted as {where}")
        for entry in digest.entries:
            mark = " (updated)" if entry.status == "updated" else ""
            st.markdown(f"- {topic}: **{md_escape(entry.title)}**{mark} · {entry.arxiv_id}v{entry.version}")


# --- a new digest -------------------------------------------------------------------------------
with st.container(border=True):
    sources = {"topic": "A configured topic", "query": "A new query"}
    source = (
        st.radio(
            "Digest", list(sources), format_func=sources.__getitem__, horizontal=True, key="digest_source"
        )
        if topics
        else "query"
    )
    chosen: Topic | None = None
    if source == "topic":
        chosen = topics[st.selectbox("Topic", list(topics), key="digest_topic")]
        cats = ", ".join(chosen.categories) or "any category"
        st.caption(f"Searches arXiv for “{md_escape(chosen.query or chosen.name)}” in {cats}.")
    else:
        name_col, query_col, cats_col = st.columns(3)
        name_col.text_input("Topic", placeholder="e.g. diffusion models", key="digest_name")
        query_col.text_input("arXiv query", placeholder="default: the topic", key="digest_query")
        cats_col.text_input("Categories", placeholder="e.g. cs.CV, cs.LG", key="digest_categories")
    lang_col, days_col, max_col = st.columns(3)
    default_lang = chosen.lang if chosen else settings.lang
    st.session_state.setdefault("digest_lang", default_lang)
    lang_col.radio("Language", list(LANGS), format_func=LANGS.__getitem__, horizontal=True, key="digest_lang")
    days_col.number_input("Window (days)", min_value=1, max_value=365, value=7, step=1, key="digest_days")
    max_col.number_input(
        "At most (papers)",
        min_value=1,
        max_value=50,
        value=chosen.max_papers if chosen else 5,
        key="digest_max",
    )
    run_col, all_col = st.columns(2)
    run_col.button("Run the digest", type="primary", on_click=_run_chosen)
    if topics:
        all_col.button("Run every configured topic", on_click=_run_all)

notice = st.session_state.pop("digest_notice", None)
if notice:
    st.error(notice)
latest = jobs.registry().latest("digest")
if latest is not None and not latest.dismissed:
    jobs.follow([latest], _draw_job)
    if not latest.active:
        st.button("Clear", on_click=lambda: setattr(latest, "dismissed", True))

# --- past digests -------------------------------------------------------------------------------
st.subheader("Past digests")
posts = past_digests(folder)
if not posts:
    st.caption(f"No digests yet in {folder}.")
else:
    names = {p.stem: p for p in posts}
    if latest is not None and latest.state == "done" and st.session_state.get("digest_shown") != latest.id:
        written = [d.json_path.stem for d in latest.result if d.json_path is not None]
        st.session_state["digest_shown"] = latest.id  # open the post a run just wrote, once
        if written and written[0] in names:
            st.session_state["digest_post"] = written[0]
    if st.session_state.get("digest_post") not in names:
        st.session_state["digest_post"] = posts[0].stem
    stem = st.selectbox("Post", list(names), format_func=lambda s: f"{s[:10]} · {s[11:]}", key="digest_post")
    digest = state.attempt(lambda: read_digest(names[stem]))
    if digest is not None:
        st.markdown(f"### {md_escape(digest.request.topic)}, {digest.day.isoformat()}")
        how = "ranked by your library" if digest.rank == "library" else "newest first"
        st.caption(f"{plural(len(digest.entries), 'paper')} · {how} · {LANGS[digest.request.lang]}")
        md_col, json_col = st.columns(2)
        if digest.markdown_path is not None:
            md_col.download_button(
                "Download the Markdown post",
                digest.markdown_path.read_bytes(),
                file_name=digest.markdown_path.name,
                mime="text/markdown",
                icon=":material/download:",
            )
        json_col.download_button(
            "Download the JSON",
            names[stem].read_bytes(),
            file_name=names[stem].name,
            mime="application/json",
        )
        for warning in digest.warnings:
            st.warning(warning)
        for n, entry in enumerate(digest.entries, start=1):
            with st.container(border=True):
                st.markdown(post_markdown(paper_markdown(replace(entry, figures=()), n)))
                for figure in entry.figures:
                    image = Path(folder / figure.path)
                    caption = f"{figure.label} (p. {figure.page}): {' '.join(figure.caption.split())}"
                    if image.is_file():
                        st.image(str(image), caption=caption, width=640)
                    else:
                        st.caption(f"{caption} (the image file is missing)")
        listed = listed_markdown(digest)  # also new, in other topics or the library, filtered out
        if listed:
            st.markdown(post_markdown("\n".join(listed)))
