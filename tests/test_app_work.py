"""The app's long work through AppTest: digests, arXiv ids, summaries, comparisons, background jobs.

A real small library (real PyMuPDF, Chroma, SQLite), the loopback arXiv replay, the hashing
embedder and a scripted generator; a gate in the generator holds a job mid-way when a test needs it
still running.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from assistant.answers.compare import to_csv, to_markdown
from assistant.build import Assistant, build_assistant
from assistant.domain import Paper
from assistant.library.bibliography import pandoc_cells
from assistant.settings import load_settings
from ingest.arxiv_client import build_query
from models.generator import Prompt
from models.isolated import ChildProcessGenerator, ModelSpec
from tests.arxiv_server import ArxivReplay, Reply
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_paper_pdf
from tests.test_app import ENZYME, SENSOR, open_page, stock
from tests.test_digest import entry, paper_pdf, reply
from ui.app import jobs, state
from ui.app.widgets import md_escape

TODAY = datetime.now().date()
GRIDNET = "GridNet {n}: Cell Segmentation with Grid Encoders"


class GatedGenerator(ScriptedGenerator):
    """A scripted generator that, while its gate is closed, waits before answering."""

    def __init__(self) -> None:
        super().__init__(self._reply)
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def _reply(self, prompt: Prompt) -> str:
        if not self.gate.is_set():
            self.waiting.set()
            self.gate.wait(30)
        if "42 degrees" in prompt.material and prompt.cue in ("Answer:", "Results:"):
            return " PetX is most active at 42 degrees Celsius [1]."
        return reply(prompt)


@pytest.fixture
def generator() -> GatedGenerator:
    return GatedGenerator()


@pytest.fixture
def app_lib(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, generator: GatedGenerator, replay: ArxivReplay
) -> Iterator[Assistant]:
    """The app's assistant (hashing embedder, gated scripted generator) on the replayed arXiv."""
    made = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    made.asker.min_evidence = 0.2
    monkeypatch.setattr(state, "build", lambda: made)
    state.forget_assistant()
    jobs.registry.clear()
    yield made
    generator.gate.set()
    for job in jobs.registry().active():
        assert jobs.registry().wait(job, 60), f"{job.title} did not end"
    jobs.registry.clear()
    state.forget_assistant()
    made.close()


@pytest.fixture
def stocked(app_lib: Assistant, tmp_path: Path) -> Assistant:
    return stock(app_lib, tmp_path)


def _finish(at: AppTest) -> AppTest:
    """Let every background job end, then run the page again (as its polling fragment would)."""
    for job in jobs.registry().active():
        assert jobs.registry().wait(job, 60), f"{job.title} did not end"
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest, kind: str) -> list[Any]:
    return [cast(Any, e).value for e in at.get(kind)]


def _captions(at: AppTest) -> list[str]:
    """The captions of every image on the page."""
    return [c for e in at.get("image") for c in cast(Any, e).captions]


def _downloads(at: AppTest) -> list[str]:
    """The labels of the page's download buttons."""
    return [e.proto.label for e in at.get("download_button")]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Every named file the app hands Streamlit to serve (downloads), by file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(
        self: MemoryMediaFileStorage, data: Any, mimetype: str, kind: Any, filename: Any = None
    ) -> str:
        if filename:
            files[filename] = data if isinstance(data, bytes) else Path(data).read_bytes()
        return original(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _serve_topic(replay: ArxivReplay, tmp_path: Path, ns: list[int]) -> None:
    since = TODAY - timedelta(days=6)
    feed = [entry(n, published=f"{TODAY.isoformat()}T0{n}:00:00Z") for n in ns]
    replay.on_query(replay.feed(feed), search_query=build_query("segmentation", ["cs.CV"], since, TODAY))
    for n in ns:
        replay.on_pdf(f"2401.0000{n}v1", paper_pdf(tmp_path, n))


# --- digest ---------------------------------------------------------------------------------------
def test_a_digest_runs_with_progress_per_paper_and_stage_then_shows_its_post(
    app_lib: Assistant,
    generator: GatedGenerator,
    replay: ArxivReplay,
    tmp_path: Path,
    served: dict[str, bytes],
) -> None:
    _serve_topic(replay, tmp_path, [1, 2])
    at = open_page("digest")
    at.text_input(key="digest_name").input("Segmentation")
    at.text_input(key="digest_query").input("segmentation")
    at.text_input(key="digest_categories").input("cs.CV")
    at.number_input(key="digest_max").set_value(3)
    generator.gate.clear()
    [run] = [b for b in at.button if b.label == "Run the digest"]
    run.click().run()
    assert generator.waiting.wait(30)  # the first paper is fetched, read and cropped; generation waits
    at.run()
    assert not at.exception
    [job] = jobs.registry().active()
    assert job.title == "Digest: Segmentation"
    steps = [m for m in _texts(at, "markdown") if m.startswith("- ✓")]
    title = md_escape(GRIDNET.format(n=1))
    stages = ["✓ 1/2 fetch", "✓ 1/2 read", "✓ 1/2 figures", "… 1/2 generation"]
    window = "- ✓ asking arXiv for the window\n- ✓ ranking 2 papers\n"
    assert steps == [window + "\n".join(f"- {stage}: {title}" for stage in stages)]
    assert any(0 < cast(Any, b).value < 100 for b in at.get("progress"))

    generator.gate.set()
    _finish(at)
    post = f"{TODAY.isoformat()}-segmentation"
    assert _texts(at, "success") == [f"Segmentation: 2 new papers, posted as {post}.md"]
    assert at.selectbox(key="digest_post").value == post
    sections = [m for m in _texts(at, "markdown") if m.startswith("## ")]
    assert [s.splitlines()[0] for s in sections] == [
        f"## 1. {GRIDNET.format(n=1)}",
        f"## 2. {GRIDNET.format(n=2)}",
    ]
    assert "<sub>" not in sections[0] and ":gray[" in sections[0]
    captions = _captions(at)
    assert captions == ["Figure 1 (p. 1): Figure 1: The GridNet architecture."] * 2
    assert _downloads(at) == ["Download the Markdown post", "Download the JSON"]
    markdown = (app_lib.home.digests / f"{post}.md").read_bytes()
    assert markdown.startswith(b"---\ntitle:") and served[f"{post}.md"] == markdown
    assert served[f"{post}.json"] == (app_lib.home.digests / f"{post}.json").read_bytes()

    at.switch_page("pages/home.py").run()
    assert [m.value for m in at.metric] == ["2", str(app_lib.library.catalog.chunk_count()), "1", "0"]
    assert f"- {TODAY.isoformat()} · **segmentation** · 2 papers" in _texts(at, "markdown")


def test_a_ranked_post_shows_why_each_paper_was_picked_and_what_else_is_new(
    stocked: Assistant, replay: ArxivReplay, tmp_path: Path
) -> None:
    from assistant.digests.entries import DigestRequest

    entries = [entry(n, published=f"{TODAY}T10:00:00Z") for n in (1, 2)]
    replay.on_query(replay.feed(entries), search_query=build_query("segmentation", ["cs.CV"], TODAY, TODAY))
    replay.on_pdf("2401.00001v1", paper_pdf(tmp_path, 1))  # the pick; the other is listed only
    cells = [
        make_paper_pdf(tmp_path / f"cells{n}.pdf", title=f"Cell segmentation {n}",
                       abstract=f"Cell segmentation number {n} with grid encoders.")
        for n in range(3)
    ]  # fmt: skip
    added = [r.status for r in stocked.library.add(cells)]  # five papers: the library ranks the window
    assert (added, len(stocked.library.papers())) == (["added"] * 3, 5)
    request = DigestRequest("Segmentation", "segmentation", ("cs.CV",), TODAY, TODAY, max_papers=1)
    digest = stocked.digester.post(request, TODAY, stocked.home.digests)
    assert digest.rank == "library" and len(digest.also_new) == 1

    at = open_page("digest")
    texts = _texts(at, "markdown")
    assert any(f"*Why this paper: {digest.entries[0].reason}*" in t for t in texts)
    also = digest.also_new[0]
    assert any(t.startswith("## Also new") and also.title in t for t in texts)
    assert any("ranked by your library" in c for c in _texts(at, "caption"))


def test_a_digest_that_arxiv_refuses_is_a_readable_error(app_lib: Assistant, replay: ArxivReplay) -> None:
    since = TODAY - timedelta(days=1)
    replay.on_query(Reply.error(503), search_query=build_query("segmentation", [], since, TODAY))
    at = open_page("digest")
    at.text_input(key="digest_name").input("segmentation")
    at.number_input(key="digest_days").set_value(2)
    [run] = [b for b in at.button if b.label == "Run the digest"]
    run.click().run()
    _finish(at)
    [error] = _texts(at, "error")
    assert error.startswith("Digest: segmentation: ") and "503" in error and "Traceback" not in error
    assert "No digests yet" in " ".join(_texts(at, "caption"))


def test_a_digest_needs_a_topic_name(app_lib: Assistant) -> None:
    at = open_page("digest")
    [run] = [b for b in at.button if b.label == "Run the digest"]
    run.click().run()
    assert _texts(at, "error") == ["Give the topic a name: it names the post and keeps the topic's history."]
    assert jobs.registry().latest("digest") is None


# --- arXiv ids, figures and summaries in the library ------------------------------------------------
def test_arxiv_ids_are_added_like_fetch_and_the_paper_shows_its_figures(
    app_lib: Assistant, replay: ArxivReplay, tmp_path: Path
) -> None:
    replay.on_query(replay.feed([entry(3)]), id_list="2401.00003,2401.00009")
    replay.on_pdf("2401.00003v1", paper_pdf(tmp_path, 3))
    at = open_page("library")
    at.text_input(key="library_arxiv_ids").input("2401.00003, 2401.00009")
    [fetch] = [b for b in at.button if b.label == "Fetch from arXiv"]
    fetch.click().run()
    _finish(at)
    title = GRIDNET.format(n=3)
    assert _texts(at, "error") == ["arXiv does not know 2401.00009"]
    assert _texts(at, "success") == [f"Added “{title}” from arXiv (arxiv:2401.00003v1, 1 page)"]
    assert at.text_input(key="library_arxiv_ids").value == ""
    assert at.dataframe[0].value["title"].tolist() == [title]
    [paper] = app_lib.library.papers()
    assert paper.id == "arxiv:2401.00003v1" and paper.authors == ("Ada Lovelace 3", "Grace Hopper")

    at.selectbox(key="library_open").set_value(paper.id).run()
    assert not at.exception
    captions = _captions(at)
    assert "Figure 1 (p. 1): Figure 1: The GridNet architecture." in captions
    assert (app_lib.home.figures / paper.sha256 / "fig-1.png").read_bytes().startswith(b"\x89PNG")


def test_a_bad_arxiv_id_is_a_readable_error(app_lib: Assistant) -> None:
    at = open_page("library")
    at.text_input(key="library_arxiv_ids").input("not-an-id")
    [fetch] = [b for b in at.button if b.label == "Fetch from arXiv"]
    fetch.click().run()
    _finish(at)
    [error] = _texts(at, "error")
    assert error.startswith("Fetching 1 paper from arXiv: 'not-an-id' is not an arXiv id; write it like")
    assert app_lib.library.papers() == []


def _paper_opened(stocked: Assistant, title: str) -> tuple[Paper, AppTest]:
    """The library page with the paper of this title open."""
    paper = next(p for p in stocked.library.papers() if p.title == title)
    at = open_page("library")
    at.selectbox(key="library_open").set_value(paper.id).run()
    return paper, at


def test_a_summary_is_written_on_demand_kept_and_read_back(
    stocked: Assistant, generator: GatedGenerator, served: dict[str, bytes]
) -> None:
    paper, at = _paper_opened(stocked, ENZYME)
    assert "No summary yet" in " ".join(_texts(at, "caption"))
    [write] = [b for b in at.button if b.label == "Write the summary"]
    write.click().run()
    _finish(at)
    kept = stocked.summaries.kept(paper, "en")
    assert kept is not None and kept.summary.paper_id == paper.id
    assert stocked.summaries.file(paper, "en").is_file()
    shown = "\n".join(_texts(at, "markdown"))
    assert (kept.summary.model, kept.summary.source) == ("scripted-test-generator", "full text")
    assert kept.summary.one_line.text in shown
    assert "#### Key Takeaways" in shown
    assert [b.label for b in at.button if b.label.startswith("Write")] == ["Write the summary again"]
    key = stocked.bibliography.citekeys([paper])[paper.id]
    assert _downloads(at)[-2:] == ["Markdown with [@citekey, p. N]", "BibTeX of the paper"]
    markdown = served[f"{key}-summary.md"].decode()
    assert markdown.startswith(f"# {paper.title} [@{key}]") and f"[@{key}, p. " in markdown
    assert served[f"{key}.bib"].decode() == stocked.bibliography.bibtex([paper])
    asked = len(generator.prompts)
    again = open_page("library")
    again.selectbox(key="library_open").set_value(paper.id).run()
    assert kept.summary.one_line.text in "\n".join(_texts(again, "markdown"))
    assert len(generator.prompts) == asked  # read back, not generated again
    assert kept.summary == stocked.summarizer.summarize(paper, "en")  # what `summarize` writes


def test_a_job_keeps_running_while_the_user_is_on_other_pages(
    stocked: Assistant, generator: GatedGenerator
) -> None:
    paper, at = _paper_opened(stocked, SENSOR)
    generator.gate.clear()
    [write] = [b for b in at.button if b.label == "Write the summary"]
    write.click().run()
    assert generator.waiting.wait(30)
    at.switch_page("pages/search.py").run()
    at.switch_page("pages/home.py").run()
    assert not at.exception
    [job] = jobs.registry().active()
    assert job.kind == "summary" and job.state == "running"
    assert "In progress" in [h.value for h in at.subheader]
    assert any(m.startswith(f"**Summarizing “{md_escape(SENSOR)}”**") for m in _texts(at, "markdown"))

    at.switch_page("pages/library.py").run()  # back: the paper is still open, its job still running
    assert at.selectbox(key="library_open").value == paper.id
    assert not [b for b in at.button if b.label.startswith("Write")]
    generator.gate.set()
    _finish(at)
    assert job.state == "done"
    kept = stocked.summaries.kept(paper, "en")
    assert kept is not None and kept.summary.one_line.text in "\n".join(_texts(at, "markdown"))


# --- compare --------------------------------------------------------------------------------------
def test_compare_shows_the_matrix_with_citations_and_downloads(
    stocked: Assistant, served: dict[str, bytes]
) -> None:
    ids = [p.id for p in sorted(stocked.library.papers(), key=lambda p: p.title, reverse=True)]
    at = open_page("compare")
    assert at.multiselect(key="compare_aspects").value == [
        "problem",
        "method",
        "data",
        "results",
        "limitations",
    ]
    at.multiselect(key="compare_papers").set_value(ids)
    at.multiselect(key="compare_aspects").set_value(["results"])
    at.text_input(key="compare_other").input("battery life")
    [go] = [b for b in at.button if b.label == "Compare"]
    go.click().run()
    _finish(at)
    expected = stocked.comparer.compare(ids, ["results", "battery life"])
    table = at.dataframe[0].value
    assert list(table.columns) == ["aspect", SENSOR, ENZYME]
    assert table["aspect"].tolist() == ["results", "battery life"]
    for aspect, row in zip(expected.aspects, table.to_dict("records"), strict=True):
        assert row[SENSOR] == expected.cells[aspect][ids[0]].text
        assert row[ENZYME] == expected.cells[aspect][ids[1]].text
    cell = expected.cells["results"][ids[1]]  # the paper's own results sentence, quoted and cited
    [citation] = cell.citations
    assert cell.quoted and cell.text == f"“{citation.quote}” [1]"
    assert _downloads(at) == ["Download Markdown", "Download CSV", "Download BibTeX"]
    assert served["refs.bib"] == stocked.bibliography.bibtex(list(expected.papers)).encode()
    assert served["refs.bib"].decode().count("@") == 2
    keys = stocked.bibliography.citekeys(expected.papers)
    cited = dataclasses.replace(expected, cells=pandoc_cells(expected.cells, keys))
    assert served["comparison.md"].decode().startswith(f"| aspect | {SENSOR} | {ENZYME} |")
    assert served["comparison.md"] == to_markdown(cited).encode()
    assert "[@" in served["comparison.md"].decode()
    assert served["comparison.csv"].decode().splitlines()[0] == f"aspect,{ids[0]},{ids[1]}"
    assert served["comparison.csv"] == to_csv(expected).encode()
    cites = [b for b in at.button if b.label.startswith("[1] ")]
    assert f"[1] {ENZYME}, p. 1" in [b.label for b in cites]
    next(b for b in cites if ENZYME in b.label).click().run()
    assert not at.exception
    assert len(at.get("image")) == 1


def test_compare_with_one_paper_says_why_not(stocked: Assistant) -> None:
    at = open_page("compare")
    at.multiselect(key="compare_papers").set_value([stocked.library.papers()[0].id])
    [go] = [b for b in at.button if b.label == "Compare"]
    go.click().run()
    _finish(at)
    [error] = _texts(at, "error")
    assert error == "Comparing 1 paper on 5 aspects: a comparison needs at least two different papers; got 1"


def test_a_configured_topic_is_digested_with_its_own_query_categories_and_size(
    app_lib: Assistant,
    generator: GatedGenerator,
    replay: ArxivReplay,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "no-config.toml").write_text(
        '[[topics]]\nname = "Cells"\nquery = "segmentation"\ncategories = ["cs.CV"]\nmax_papers = 1\n',
        encoding="utf-8",
    )
    configured = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    monkeypatch.setattr(state, "build", lambda: configured)
    state.forget_assistant()
    _serve_topic(replay, tmp_path, [1])
    at = open_page("digest")
    assert at.radio(key="digest_source").value == "topic"
    assert at.selectbox(key="digest_topic").value == "Cells"
    assert at.number_input(key="digest_max").value == 1
    [run] = [b for b in at.button if b.label == "Run the digest"]
    run.click().run()
    _finish(at)
    post = f"{TODAY.isoformat()}-cells"
    assert _texts(at, "success") == [f"Cells: 1 new paper, posted as {post}.md"]
    assert at.selectbox(key="digest_post").value == post
    assert [m.splitlines()[0] for m in _texts(at, "markdown") if m.startswith("## ")] == [
        f"## 1. {GRIDNET.format(n=1)}"
    ]
    configured.close()


def test_the_app_lets_go_of_an_idle_store_unless_a_job_holds_the_work_lock(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERLAMP_STORE__APP_IDLE_SECONDS", "0.2")
    built = build_assistant(load_settings(), embedder=HashingEmbedder())
    lock = threading.Lock()
    try:
        assert built.library.store.count() == 0  # opened, and used just now
        assert not state.release_if_idle(built, lock)
        time.sleep(0.3)
        with lock:  # a job (adding, digest, summary) is running
            assert not state.release_if_idle(built, lock)
        assert state.release_if_idle(built, lock)
        assert not state.release_if_idle(built, lock)  # already let go
        assert built.library.store.count() == 0  # the next use reopens it
    finally:
        built.close()


def test_the_app_never_lets_go_when_told_not_to(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERLAMP_STORE__APP_IDLE_SECONDS", "0")
    built = build_assistant(load_settings(), embedder=HashingEmbedder())
    try:
        built.library.store.count()
        assert not state.release_if_idle(built, threading.Lock())
        assert built.library.release_store(0)  # it was still open: only an explicit release closes it
    finally:
        built.close()


# --- a model that crashes ------------------------------------------------------------------------
class KillsItsModel(ChildProcessGenerator):
    """The real supervised model process on the bundled GGUF, killed with SIGILL mid-answer once armed."""

    armed = False

    def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> str:
        seen: list[str] = []

        def tap(token: str) -> None:
            seen.append(token)
            if self.armed and len(seen) == 3 and self._child is not None:
                self.armed = False
                os.kill(self._child.pid, signal.SIGILL)
            if on_token is not None:
                on_token(token)

        return super().generate(prompt, max_tokens=max_tokens, stop=stop, on_token=tap)


@pytest.mark.slow
def test_a_model_that_dies_mid_answer_fails_one_job_and_the_app_goes_on(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from models.generator import bundled_gguf_path

    model = KillsItsModel(ModelSpec(str(bundled_gguf_path(tmp_path)), context_tokens=4096))
    made = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=model)
    made.asker.min_evidence = 0.2
    monkeypatch.setattr(state, "build", lambda: made)
    state.forget_assistant()
    jobs.registry.clear()
    try:
        stock(made, tmp_path)
        _, at = _paper_opened(made, ENZYME)
        model.armed = True
        [write] = [b for b in at.button if b.label == "Write the summary"]
        write.click().run()
        _finish(at)
        [job] = jobs.registry().of(["summary"])
        assert job.state == "failed"
        assert job.error.startswith("the model process died of SIGILL (illegal instruction) while generating")
        [shown] = _texts(at, "error")
        assert shown == f"The summary could not be written: {job.error}"

        asked = open_page("ask")  # the same app process serves the next page, with a fresh model
        asked.chat_input[0].set_value("At what temperature is PetX most active?").run()
        assert not asked.exception
        assert [b for b in asked.button if b.label == f"[1] {ENZYME}, p. 1"]
        assert model.restarts == 1
    finally:
        for running in jobs.registry().active():
            jobs.registry().wait(running, 60)
        jobs.registry.clear()
        state.forget_assistant()
        made.close()
        model.close()
