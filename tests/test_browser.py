"""The app in a real browser: `paperlamp ui` as a subprocess, driven by Debian's headless Chromium.

Opens every page, uploads two papers, searches, asks a question and opens a citation, with the
real bundled models; screenshots go to test-artifacts/. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.papers import enzyme_paper, sensor_paper

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ENZYME = "A Thermostable Enzyme that Degrades PET Plastic"

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
def app_url(tmp_path: Path) -> Iterator[str]:
    """`paperlamp ui` on a free port over an empty library in tmp_path; stopped afterwards."""
    port = _free_port()
    env = os.environ | {"PAPERLAMP_HOME": str(tmp_path / "home"), "PAPERLAMP_CONFIG": str(tmp_path / "none")}
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


def test_every_page_add_search_ask_and_open_a_citation(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    papers = [enzyme_paper(tmp_path), sensor_paper(tmp_path)]
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
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

            page.goto(f"{app_url}/settings")
            expect(page.get_by_text("Gemma 3 270M Q4_K_M (bundled)")).to_be_visible(timeout=30_000)
            shot("6-settings")

            page.goto(app_url)
            expect(page.get_by_text("At what temperature is the enzyme PetX most active?")).to_be_visible(
                timeout=30_000
            )
            shot("7-home")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "app-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert outside == []
