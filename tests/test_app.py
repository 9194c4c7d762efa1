"""The Streamlit app's pages through AppTest, on a real small library (real PyMuPDF, Chroma, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pymupdf
import pytest
from streamlit.testing.v1 import AppTest

from assistant.build import Assistant, build_assistant
from assistant.library.pages import quote_rects, word_windows
from assistant.retrieval.highlight import marked_segments
from assistant.settings import load_settings
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.papers import ENZYME_FACT, SENSOR_FACT, enzyme_paper, sensor_paper
from ui.app import jobs, state
from ui.app.widgets import md_escape

APP = Path(__file__).resolve().parent.parent / "ui" / "app" / "main.py"
ENZYME = "A Thermostable Enzyme that Degrades PET Plastic"
SENSOR = "LoomNet: A Low-Power Protocol for Field Sensor Networks"


@pytest.fixture
def built(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Assistant]:
    """The app's assistant: the fast hashing embedder and a scripted generator, injected via ui.state."""
    generator = ScriptedGenerator(" PetX is most active at 42 degrees Celsius [1].")
    made = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    made.asker.min_evidence = 0.2  # the hashing embedder's sentence similarities are low
    monkeypatch.setattr(state, "build", lambda: made)
    state.forget_assistant()
    jobs.registry.clear()
    yield made
    for job in jobs.registry().active():
        jobs.registry().wait(job, 60)
    jobs.registry.clear()
    state.forget_assistant()
    made.close()


def stock(built: Assistant, tmp_path: Path) -> Assistant:
    """`built` with both test papers added."""
    results = list(built.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    assert [r.status for r in results] == ["added", "added"]
    return built


@pytest.fixture
def stocked(built: Assistant, tmp_path: Path) -> Assistant:
    """The app's assistant with both test papers added."""
    return stock(built, tmp_path)


def open_page(page: str) -> AppTest:
    """The app, run, on `page` (a file name under ui/app/pages without .py), with no exception raised."""
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    if page != "home":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [cast(Any, e).value for e in at.get(kind)]


def _images(at: AppTest) -> list[object]:
    return list(at.get("image"))


# --- home ---------------------------------------------------------------------------------------
def test_home_on_an_empty_library_says_how_to_start(built: Assistant) -> None:
    at = open_page("home")
    assert [m.value for m in at.metric] == ["0", "0", "0", "0"]
    assert "The library is empty. Add PDFs on the Library page." in _texts(at, "info")


def test_home_shows_counts_recent_papers_and_recent_questions(stocked: Assistant) -> None:
    stocked_chunks = stocked.library.catalog.chunk_count()
    at = open_page("ask")
    at.chat_input[0].set_value("At what temperature is PetX most active?").run()
    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", str(stocked_chunks), "0", "1"]
    markdown = _texts(at, "markdown")
    assert any(m.startswith(f"- **{md_escape(SENSOR)}** (2021) · 1 page · ") for m in markdown)
    assert any(m.startswith(f"- **{md_escape(ENZYME)}** (2023) · 1 page · ") for m in markdown)
    assert any(m.startswith("- At what temperature is PetX most active? · 1 citation · ") for m in markdown)


# --- library ------------------------------------------------------------------------------------
def test_library_upload_adds_good_files_and_names_the_bad_one(built: Assistant, tmp_path: Path) -> None:
    at = open_page("library")
    good = enzyme_paper(tmp_path).read_bytes()
    at.file_uploader[0].set_value(
        [("enzyme.pdf", good, "application/pdf"), ("notes.pdf", b"just some notes", "application/pdf")]
    )
    at.button[0].click().run()
    [job] = jobs.registry().of(["add"])
    assert jobs.registry().wait(job, 60)
    at.run()
    assert not at.exception
    assert job.items == {"enzyme.pdf": (1.0, "added"), "notes.pdf": (1.0, "failed")}
    assert _texts(at, "success") == [
        f"Added “{ENZYME}” (1 page, {built.library.catalog.chunk_count()} passages)"
    ]
    assert _texts(at, "error") == ["Could not add notes.pdf: notes.pdf: not a PDF file (no %PDF header)."]
    assert [p.title for p in built.library.papers()] == [ENZYME]
    table = at.dataframe[0].value
    assert list(table.columns) == ["title", "authors", "year", "source", "pages", "added"]
    assert table["title"].tolist() == [ENZYME]
    assert table["authors"].tolist() == ["Lena Brandt, Tomas Reyes"]
    # the uploader was replaced by a fresh, empty one, so the files are not added twice
    assert at.file_uploader[0].key == "library_uploads_1"
    assert at.file_uploader[0].value == []


def test_library_table_filters_and_a_paper_opens_with_its_pages(stocked: Assistant) -> None:
    at = open_page("library")
    assert sorted(at.dataframe[0].value["title"]) == [ENZYME, SENSOR]
    at.text_input(key="library_filter").input("loomnet 2021").run()
    assert at.dataframe[0].value["title"].tolist() == [SENSOR]
    sensor_id = next(p.id for p in stocked.library.papers() if p.title == SENSOR)
    at.selectbox(key="library_open").set_value(sensor_id).run()
    assert not at.exception
    assert [h.value for h in at.header] == [SENSOR]
    facts = _texts(at, "markdown")
    assert any("**authors:** Priya Natarajan, Oskar Lind" in m and "**year:** 2021" in m for m in facts)
    assert len(_images(at)) == 1
    assert at.number_input[0].value == 1


def test_library_removes_a_paper_only_after_confirmation(stocked: Assistant) -> None:
    at = open_page("library")
    enzyme_id = next(p.id for p in stocked.library.papers() if p.title == ENZYME)
    at.selectbox(key="library_open").set_value(enzyme_id).run()
    [remove] = [b for b in at.button if b.label == "Remove this paper…"]
    remove.click().run()
    assert len(stocked.library.papers()) == 2  # asking is not removing
    assert any("cannot be undone" in w for w in _texts(at, "warning"))
    [yes] = [b for b in at.button if b.label == "Yes, remove it"]
    yes.click().run()
    assert not at.exception
    assert [p.title for p in stocked.library.papers()] == [SENSOR]
    assert _texts(at, "success") == [f"Removed “{ENZYME}”."]
    assert at.dataframe[0].value["title"].tolist() == [SENSOR]
    assert at.selectbox(key="library_open").value is None


# --- search -------------------------------------------------------------------------------------
def test_search_marks_query_terms_and_opens_the_page_of_a_hit(stocked: Assistant) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("sensor node battery months")
    at.button[0].click().run()
    assert not at.exception
    markdown = _texts(at, "markdown")
    assert markdown[0].startswith(f"**1. {md_escape(SENSOR)}** · p. 1")
    passage = markdown[1]
    assert ":orange-background[**sensor**] :orange-background[**node**]" in passage
    assert ":orange-background[**months**]" in passage
    [show] = [b for b in at.button if b.label == "Show page 1"][:1]
    show.click().run()
    assert not at.exception
    assert len(_images(at)) == 1
    assert [b.label for b in at.button].count("Hide page 1") == 1


def test_search_filters_by_paper_and_by_year(stocked: Assistant) -> None:
    at = open_page("search")
    enzyme_id = next(p.id for p in stocked.library.papers() if p.title == ENZYME)
    at.text_input(key="search_query").input("sensor node battery months")
    at.multiselect[0].set_value([enzyme_id])
    at.button[0].click().run()
    titles = [m for m in _texts(at, "markdown") if m.startswith("**")]
    assert titles and all(md_escape(ENZYME) in t for t in titles)
    at.multiselect[0].set_value([])
    at.slider[0].set_value((2022, 2023))
    at.button[0].click().run()
    titles = [m for m in _texts(at, "markdown") if m.startswith("**")]
    assert titles and all(md_escape(ENZYME) in t for t in titles)


def test_search_can_rerank_by_the_closest_sentence(stocked: Assistant) -> None:
    at = open_page("search")
    assert at.checkbox(key="search_rerank").value is False  # the setting's default
    at.text_input(key="search_query").input("How long does a LoomNet node run on two AA cells?")
    at.checkbox(key="search_rerank").check()
    at.button[0].click().run()
    assert not at.exception
    query, hits = at.session_state["search_results"]
    expected = stocked.searcher.search(query, 10, rerank=True)
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in expected]
    assert [h.score for h in hits] == [h.score for h in expected]
    assert [h.score for h in hits] != [h.score for h in stocked.searcher.search(query, 10)]


def test_search_shows_an_empty_query_as_an_error_not_a_traceback(stocked: Assistant) -> None:
    at = open_page("search")
    at.button[0].click().run()
    assert not at.exception
    assert _texts(at, "error") == ["the query is empty"]


# --- ask ----------------------------------------------------------------------------------------
def test_ask_answers_with_a_citation_whose_page_opens(stocked: Assistant) -> None:
    at = open_page("ask")
    at.chat_input[0].set_value("At what temperature is PetX most active?").run()
    assert not at.exception
    markdown = _texts(at, "markdown")
    assert "PetX is most active at 42 degrees Celsius. \\[1\\]" in markdown
    assert f"> “{md_escape(ENZYME_FACT)}”" in markdown
    [cite] = [b for b in at.button if b.label.startswith("[1] ")]
    assert cite.label == f"[1] {ENZYME}, p. 1"
    cite.click().run()
    assert not at.exception
    assert len(_images(at)) == 1
    # the conversation survives the rerun, and the question is in the library's history
    assert "At what temperature is PetX most active?" in _texts(at, "markdown")
    assert [q.question for q in stocked.history.recent()] == ["At what temperature is PetX most active?"]


def test_ask_shows_an_abstention_with_the_closest_passages(stocked: Assistant) -> None:
    at = open_page("ask")
    at.chat_input[0].set_value("Who painted the ceiling of the Sistine Chapel?").run()
    assert not at.exception
    assert _texts(at, "warning") == ["No answer: The library holds no evidence for this question."]
    assert "The closest passages in the library:" in _texts(at, "caption")
    assert not [b for b in at.button if b.label.startswith("[1] ")]
    [asked] = stocked.history.recent()
    assert asked.abstained and asked.citations == 0


def test_ask_within_chosen_papers_only_cites_them(stocked: Assistant) -> None:
    at = open_page("ask")
    sensor_id = next(p.id for p in stocked.library.papers() if p.title == SENSOR)
    at.multiselect(key="ask_scope").set_value([sensor_id]).run()
    at.chat_input[0].set_value("How long does a LoomNet sensor node last on two AA cells?").run()
    assert not at.exception
    cites = [b.label for b in at.button if b.label.startswith("[")]
    assert cites and all(SENSOR in c for c in cites)
    assert f"> “{md_escape(SENSOR_FACT)}”" in _texts(at, "markdown")


# --- settings -----------------------------------------------------------------------------------
def test_settings_show_models_locations_and_doctor_facts(built: Assistant, isolated_home: Path) -> None:
    at = open_page("settings")
    rows = dict(zip(at.table[0].value["setting"], at.table[0].value["value"], strict=True))
    assert rows["answer model (GGUF)"] == "Gemma 3 270M Q4_K_M (bundled)"
    assert rows["language"] == "en"
    assert rows["library location"] == str(isolated_home)
    assert rows["arXiv address"] == "https://export.arxiv.org/api/query"
    doctor = dict(zip(at.table[1].value["check"], at.table[1].value["value"], strict=True))
    assert doctor["library home"] == str(isolated_home)
    assert doctor["papers"] == "0"
    assert any("PAPERLAMP_LLM_MODEL" in c for c in _texts(at, "code"))


def test_a_library_that_cannot_be_opened_is_an_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.errors import BackendUnavailable

    def broken() -> Assistant:
        raise BackendUnavailable("the vector store at http://127.0.0.1:9 cannot be reached")

    monkeypatch.setattr(state, "build", broken)
    state.forget_assistant()
    at = open_page("search")
    assert _texts(at, "error") == [
        "The library could not be opened: the vector store at http://127.0.0.1:9 cannot be reached"
    ]


# --- what the pages show, below the UI ------------------------------------------------------------
def test_page_image_highlights_the_quote_in_yellow(stocked: Assistant) -> None:
    paper = next(p for p in stocked.library.papers() if p.title == ENZYME)
    path = stocked.library.file_of(paper)
    assert path is not None
    [rect] = quote_rects(path, 1, ENZYME_FACT)
    plain = pymupdf.Pixmap(stocked.pages.image(paper.id, 1, zoom=1.0))
    marked = pymupdf.Pixmap(stocked.pages.image(paper.id, 1, ENZYME_FACT, zoom=1.0))
    assert _yellow_share(marked, rect) > 0.5
    assert _yellow_share(plain, rect) == 0
    assert _yellow_share(marked, (rect[0], rect[3] + 20, rect[2], rect[3] + 40)) == 0  # only the quote


def _yellow_share(image: pymupdf.Pixmap, rect: tuple[float, float, float, float]) -> float:
    points = [(x, y) for x in range(int(rect[0]), int(rect[2])) for y in range(int(rect[1]), int(rect[3]))]
    yellow = [p for p in points if (lambda r, g, b: r > 240 and g > 190 and b < 180)(*image.pixel(*p)[:3])]
    return len(yellow) / len(points)


def test_a_page_past_the_end_is_a_readable_error(stocked: Assistant) -> None:
    from assistant.errors import BadInput

    paper = stocked.library.papers()[0]
    with pytest.raises(BadInput, match="has 1 pages; there is no page 3"):
        stocked.pages.image(paper.id, 3)


def test_marked_segments_and_word_windows() -> None:
    assert marked_segments("Enzymes degrade the plastic.", "what enzyme plastic") == [
        ("Enzymes", True),
        (" degrade the ", False),
        ("plastic", True),
        (".", False),
    ]
    assert marked_segments("x", "the of") == [("x", False)]
    assert word_windows("a b c d e f g", size=3) == ["a b c", "d e f", "g"]
    assert word_windows("a b c d e", size=4) == ["a b c d e"]  # a one-word tail would match anywhere
    assert md_escape("1. *bold* [x](y) $z$") == "1\\. \\*bold\\* \\[x\\](y) \\$z\\$"


def test_question_history_keeps_the_newest_and_skips_damaged_lines(built: Assistant) -> None:
    from datetime import UTC, datetime

    from assistant.answers.history import KEEP
    from assistant.domain import Answer

    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    for i in range(2 * KEEP + 1):
        built.history.remember(Answer(f"q{i}", "a", (), True), now=when)
    lines = built.history.file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == KEEP
    with built.history.file.open("a", encoding="utf-8") as handle:
        handle.write('{"question": "cut off\n')
    newest = built.history.recent(2)
    assert [q.question for q in newest] == [f"q{2 * KEEP}", f"q{2 * KEEP - 1}"]
    assert newest[0].asked_at == "2026-01-02T03:04:05+00:00"


def test_ui_command_serves_on_loopback_without_usage_statistics() -> None:
    from typer.testing import CliRunner

    from ui.cli import app
    from ui.cli.serve import APP_FILE, streamlit_command

    command = streamlit_command(8765, 50)
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[2:5] == ["streamlit", "run", str(APP_FILE)] and APP_FILE.is_file()
    assert flags == {
        "--server.address": "127.0.0.1",
        "--server.port": "8765",
        "--server.headless": "true",
        "--server.fileWatcherType": "none",
        "--server.maxUploadSize": "50",
        "--browser.gatherUsageStats": "false",
        "--global.developmentMode": "false",
        "--client.toolbarMode": "minimal",
    }
    result = CliRunner().invoke(app, ["ui", "--help"])
    assert result.exit_code == 0 and "--port" in result.output


def test_stopping_paperlamp_ui_stops_the_app_it_serves(tmp_path: Path) -> None:
    """A service manager's SIGTERM to `paperlamp ui` must not leave a Streamlit server running."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = os.environ | {"PAPERLAMP_HOME": str(tmp_path / "home"), "PAPERLAMP_CONFIG": str(tmp_path / "none")}
    command = [str(Path(sys.executable).with_name("paperlamp")), "ui", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the app never answered")
    process.terminate()
    assert process.wait(timeout=30) is not None
    with pytest.raises(OSError):
        urllib.request.urlopen(health, timeout=2)
