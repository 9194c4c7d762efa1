"""The app in a real browser: `paperlamp ui` as a subprocess, driven by Debian's headless Chromium.

Opens every page, uploads two papers, searches, asks a question and opens a citation, compares
the two papers, and runs a one-paper digest from a loopback arXiv (leaving the page while it runs),
with the real bundled models; screenshots go to test-artifacts/. No request may leave 127.0.0.1.
And `paperlamp add` beside an open app: it works once the app has let go of its idle store.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from ingest.arxiv_client import build_query
from tests.arxiv_server import ArxivReplay, replay_server
from tests.papers import enzyme_paper, sensor_paper
from tests.test_digest import entry, paper_pdf

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ENZYME = "A Thermostable Enzyme that Degrades PET Plastic"
SENSOR = "LoomNet: A Low-Power Protocol for Field Sensor Networks"
TODAY = datetime.now().date()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"paperlamp ui exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the app did not answer at {url} within {seconds} s")


@pytest.fixture
def arxiv(tmp_path: Path) -> Iterator[ArxivReplay]:
    """A loopback arXiv with one new segmentation paper (with a figure) submitted today."""
    for server in replay_server():
        query = build_query("segmentation", ["cs.CV"], TODAY - timedelta(days=6), TODAY)
        tomorrow = TODAY + timedelta(days=1)  # the app asks for its own day: a run may cross midnight
        later = build_query("segmentation", ["cs.CV"], tomorrow - timedelta(days=6), tomorrow)
        feed = server.feed([entry(1, published=f"{TODAY}T09:00:00Z")])
        server.on_query(feed, search_query=query, or_query=later)
        server.on_pdf("2401.00001v1", paper_pdf(tmp_path, 1))
        yield server


def _serve_app(tmp_path: Path, extra: dict[str, str]) -> Iterator[str]:
    """`paperlamp ui` on a free port over an empty library in tmp_path; stopped afterwards."""
    port = _free_port()
    env = os.environ | {
        "PAPERLAMP_HOME": str(tmp_path / "home"),
        "PAPERLAMP_CONFIG": str(tmp_path / "none"),
        **extra,
    }
    log = (tmp_path / "app.log").open("wb")
    command = [str(Path(sys.executable).with_name("paperlamp")), "ui", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def app_url(tmp_path: Path, arxiv: ArxivReplay) -> Iterator[str]:
    """The app, with arXiv pointed at the loopback replay."""
    extra = {"PAPERLAMP_ARXIV_API_URL": arxiv.api_url, "PAPERLAMP_ARXIV__DELAY_SECONDS": "0"}
    yield from _serve_app(tmp_path, extra)


def _chromium(pw: Any) -> Any:
    return pw.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def test_every_page_add_search_ask_and_open_a_citation(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    papers = [enzyme_paper(tmp_path), sensor_paper(tmp_path)]
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = _chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 2600})
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:")
                else None
            ),
        )

        def shot(name: str) -> None:
            page.wait_for_timeout(400)  # let the last delta paint
            page.screenshot(path=str(ARTIFACTS / f"app-{name}.png"), full_page=True)

        try:
            page.goto(app_url)
            expect(page.get_by_text("The library is empty. Add PDFs on the Library page.")).to_be_visible(
                timeout=30_000
            )
            shot("1-home-empty")

            page.goto(f"{app_url}/library")
            page.locator("input[type=file]").set_input_files([str(p) for p in papers])
            expect(page.get_by_text("sensor.pdf")).to_be_visible()
            page.get_by_role("button", name="Add to library").click()
            expect(page.get_by_text(f"Added “{ENZYME}”")).to_be_visible(timeout=120_000)
            expect(page.get_by_text("Added “LoomNet")).to_be_visible()
            shot("2-library-added")
            page.get_by_label("Open a paper").click()
            page.get_by_role("option", name=f"{ENZYME} (2023)").click()
            expect(page.get_by_role("heading", name=ENZYME)).to_be_visible()
            page.get_by_role("tab", name="Pages").click()
            expect(page.get_by_role("img")).to_have_count(1, timeout=30_000)
            shot("3-library-paper")

            page.goto(f"{app_url}/search")
            page.get_by_label("Query").fill("sensor node battery lifetime")
            page.get_by_role("button", name="Search").click()
            expect(
                page.get_by_text("1. LoomNet: A Low-Power Protocol for Field Sensor Networks")
            ).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Show page 1").first.click()
            expect(page.get_by_role("img")).to_have_count(1, timeout=30_000)
            shot("4-search")

            page.goto(f"{app_url}/ask")
            chat = page.get_by_placeholder("Ask a question about your papers")
            chat.fill("At what temperature is the enzyme PetX most active?")
            chat.press("Enter")
            citation = page.get_by_role("button", name=f"[1] {ENZYME}, p. 1")
            expect(citation).to_be_visible(timeout=240_000)
            citation.click()
            expect(page.get_by_role("img")).to_have_count(1, timeout=30_000)
            shot("5-ask-citation")

            page.goto(f"{app_url}/compare")
            page.get_by_label("Papers", exact=True).click()
            page.get_by_role("option", name=f"{ENZYME} (2023)").click()
            page.get_by_label("Papers", exact=True).click()
            page.get_by_role("option", name=f"{SENSOR} (2021)").click()
            page.keyboard.press("Escape")
            aspects = page.get_by_label("Aspects", exact=True)
            aspects.click()
            for _ in range(4):  # keep only the first default aspect, "problem": two cells to write
                aspects.press("Backspace")
            page.keyboard.press("Escape")
            page.get_by_role("button", name="Compare", exact=True).click()
            expect(page.get_by_role("heading", name="Cells and their citations")).to_be_visible(
                timeout=240_000
            )
            expect(page.get_by_role("heading", name="problem")).to_be_visible()
            expect(page.get_by_role("button", name="Download Markdown")).to_be_visible()
            expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
            shot("6-compare")

            page.goto(f"{app_url}/digest")
            page.get_by_label("Topic", exact=True).fill("segmentation")
            page.get_by_label("Topic", exact=True).press("Enter")
            page.get_by_label("Categories").fill("cs.CV")
            page.get_by_label("Categories").press("Enter")
            page.get_by_label("At most (papers)").fill("1")
            page.get_by_label("At most (papers)").press("Enter")
            page.get_by_role("button", name="Run the digest").click()
            expect(page.get_by_text("Digest: segmentation")).to_be_visible(timeout=30_000)
            page.goto(app_url)  # leave while it runs (a new session): the job goes on
            expect(page.get_by_role("heading", name="In progress")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Digest: segmentation")).to_be_visible()
            shot("7-home-digest-running")
            page.goto(f"{app_url}/digest")
            post = f"{TODAY.isoformat()}-segmentation"
            expect(page.get_by_text(f"segmentation: 1 new paper, posted as {post}.md")).to_be_visible(
                timeout=300_000
            )
            expect(page.get_by_text("1. GridNet 1: Cell Segmentation with Grid Encoders")).to_be_visible()
            expect(page.get_by_text("Figure 1 (p. 1): Figure 1: The GridNet architecture.")).to_be_visible()
            expect(page.get_by_role("button", name="Download the Markdown post")).to_be_visible()
            shot("8-digest")

            page.goto(f"{app_url}/settings")
            expect(page.get_by_text("Gemma 3 270M Q4_K_M (bundled)")).to_be_visible(timeout=30_000)
            shot("9-settings")

            page.goto(app_url)
            expect(page.get_by_text("At what temperature is the enzyme PetX most active?")).to_be_visible(
                timeout=30_000
            )
            expect(page.get_by_text("segmentation · 1 paper")).to_be_visible()
            shot("10-home")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "app-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert outside == []


def test_the_cli_adds_beside_an_open_app_once_it_is_idle_and_the_app_sees_the_paper(tmp_path: Path) -> None:
    """Embedded Chroma allows one process per folder: the app lets go when idle, and reopens."""
    import fcntl

    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "home"
    env = os.environ | {"PAPERLAMP_HOME": str(home), "PAPERLAMP_CONFIG": str(tmp_path / "none")}
    for url in _serve_app(tmp_path, {"PAPERLAMP_STORE__APP_IDLE_SECONDS": "1"}):
        with sync_playwright() as pw:
            browser = _chromium(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            try:
                page.goto(f"{url}/library")
                page.locator("input[type=file]").set_input_files([str(sensor_paper(tmp_path))])
                expect(page.get_by_text("sensor.pdf")).to_be_visible()  # uploaded before the click
                page.get_by_role("button", name="Add to library").click()
                expect(page.get_by_text("Added “LoomNet")).to_be_visible(timeout=120_000)

                deadline = time.monotonic() + 30
                while True:  # the app holds the store until it has gone unused for a second
                    with (home / "chroma.lock").open("rb+") as lock:
                        try:
                            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                            break
                        except BlockingIOError:
                            assert time.monotonic() < deadline, "the app never let go of the store"
                    time.sleep(0.5)
                added = subprocess.run(
                    [str(Path(sys.executable).with_name("paperlamp")), "add", str(enzyme_paper(tmp_path))],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert added.returncode == 0, added.stderr

                page.goto(f"{url}/search")
                page.get_by_label("Query").fill("enzyme most active temperature")
                page.get_by_role("button", name="Search").click()
                expect(page.get_by_text(f"1. {ENZYME}")).to_be_visible(timeout=60_000)
            finally:
                browser.close()


def _model_children(home: Path) -> list[Any]:
    """The supervised model processes (python -m models.isolated) working for the library in `home`."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        with contextlib.suppress(psutil.Error, TypeError):
            if "models.isolated" in " ".join(process.info["cmdline"] or []) and (
                (process.info["environ"] or {}).get("PAPERLAMP_HOME") == str(home)
            ):
                found.append(process)
    return found


def _when_busy(process: Any, idle: Any, seconds: float = 120.0) -> None:
    """Return as soon as `process` uses CPU time beyond what it had used at `idle`."""
    deadline = time.monotonic() + seconds
    while sum(process.cpu_times()[:2]) < sum(idle[:2]) + 0.05:
        assert time.monotonic() < deadline, "the model process never started on the answer"
        time.sleep(0.01)


def _wait_dead(process: Any, seconds: float = 30.0) -> None:
    """Until `process` has died (a zombie counts: its parent, the app, reaps it when it next asks)."""
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.status() != psutil.STATUS_ZOMBIE:
                time.sleep(0.2)
                continue
        return
    raise TimeoutError(f"process {process.pid} did not die")


def test_the_app_survives_its_model_process_dying_of_sigill(tmp_path: Path) -> None:
    """A model that crashes fails one answer with a sentence; the app and the next answer go on."""
    import signal

    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "home"
    env = os.environ | {"PAPERLAMP_HOME": str(home), "PAPERLAMP_CONFIG": str(tmp_path / "none")}
    added = subprocess.run(
        [str(Path(sys.executable).with_name("paperlamp")), "add", str(enzyme_paper(tmp_path))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert added.returncode == 0, added.stderr
    for url in _serve_app(tmp_path, {}):
        with sync_playwright() as pw:
            browser = _chromium(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            try:
                page.goto(f"{url}/ask")
                chat = page.get_by_placeholder("Ask a question about your papers")
                chat.fill("At what temperature is the enzyme PetX most active?")
                chat.press("Enter")
                expect(page.get_by_role("button", name=f"[1] {ENZYME}, p. 1")).to_be_visible(timeout=240_000)
                [model] = _model_children(home)
                idle = model.cpu_times()
                chat.fill("Which mutant doubled the rate of PET film degradation?")
                chat.press("Enter")
                _when_busy(model, idle)  # the model is writing the answer: kill it, as the kernel might
                model.send_signal(signal.SIGILL)
                _wait_dead(model)
                expect(
                    page.get_by_text("the model process died of SIGILL (illegal instruction)")
                ).to_be_visible(timeout=120_000)
                page.screenshot(path=str(ARTIFACTS / "app-model-crash.png"), full_page=True)

                page.goto(f"{url}/search")  # the app still serves every page
                page.get_by_label("Query").fill("enzyme most active temperature")
                page.get_by_role("button", name="Search").click()
                expect(page.get_by_text(f"1. {ENZYME}")).to_be_visible(timeout=60_000)

                page.goto(f"{url}/ask")  # and the next answer gets a fresh model process
                chat = page.get_by_placeholder("Ask a question about your papers")
                chat.fill("At what temperature is the enzyme PetX most active?")
                chat.press("Enter")
                expect(page.get_by_role("button", name=f"[1] {ENZYME}, p. 1")).to_be_visible(timeout=240_000)
                [fresh] = _model_children(home)
                assert fresh.pid != model.pid
            finally:
                browser.close()
