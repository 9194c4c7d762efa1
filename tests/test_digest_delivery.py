"""Digest delivery: the Atom feed read by an independent parser, the index page, and a real Hexo
site built from a generated post with its figures (npm's hexo, as a blog would)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from ingest.arxiv_client import build_query
from tests.arxiv_server import ArxivReplay
from tests.fakes import ScriptedGenerator
from tests.test_digest import DAY, REQUEST, SINCE, built, entry, paper_pdf, reply, serve

HEXO = Path(__file__).resolve().parent / "hexo"
POST = "2024-01-10-segmentation"


def hexo_modules() -> Path:
    """Where `setup.sh --dev` installs the test site's npm packages, keyed by their lockfile (so
    CI and every worktree reuse one install until the lockfile changes)."""
    key = hashlib.sha256((HEXO / "package-lock.json").read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "paperlamp" / f"hexo-{key}" / "node_modules"


def test_the_feed_has_an_entry_per_day_newest_first_and_the_index_lists_them(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    out = tmp_path / "digests"
    serve(replay, tmp_path, [entry(1)])
    built(ScriptedGenerator(reply)).digester.post(REQUEST, DAY, out)
    next_day = date(2024, 1, 11)
    query = build_query("segmentation", ["cs.CV"], SINCE, next_day)
    replay.on_query(replay.feed([entry(2, published="2024-01-11T10:00:00Z"), entry(1)]), search_query=query)
    replay.on_pdf("2401.00002v1", paper_pdf(tmp_path, 2))
    later = replace(REQUEST, until=next_day)
    built(ScriptedGenerator(reply)).digester.post(later, next_day, out)

    feed = feedparser.parse((out / "segmentation" / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert (feed.version, feed.feed.title, feed.feed.id) == (
        "atom10", "arXiv digest: Segmentation", "urn:paperlamp:digest:segmentation"
    )  # fmt: skip
    assert [(e.id, e.title, e.link, e.published) for e in feed.entries] == [
        ("urn:paperlamp:digest:segmentation:2024-01-11", "arXiv digest: Segmentation, 2024-01-11",
         "../2024-01-11-segmentation.md", "2024-01-11T08:00:00+00:00"),
        ("urn:paperlamp:digest:segmentation:2024-01-10", "arXiv digest: Segmentation, 2024-01-10",
         "../2024-01-10-segmentation.md", "2024-01-10T08:00:00+00:00"),
    ]  # fmt: skip
    newest = feed.entries[0]
    assert newest.summary == "1 paper: GridNet 2: Cell Segmentation with Grid Encoders"
    assert (
        f'<a href="{replay.base_url}/abs/2401.00002v1">GridNet 2: Cell Segmentation'
        in newest.content[0].value
    )

    index = (out / "index.html").read_text(encoding="utf-8")
    rows = [line for line in index.splitlines() if line.startswith("<tr><td>")]
    topic = '<td><a href="segmentation/feed.xml">Segmentation</a></td><td>1</td>'
    assert rows == [
        f'<tr><td>2024-01-11</td>{topic}<td><a href="2024-01-11-segmentation.md">GridNet 2: Cell '
        "Segmentation with Grid Encoders</a></td></tr>",
        f'<tr><td>2024-01-10</td>{topic}<td><a href="2024-01-10-segmentation.md">GridNet 1: Cell '
        "Segmentation with Grid Encoders</a></td></tr>",
    ]


class _Page(HTMLParser):
    """The parts of a generated page the test checks."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[tuple[str, str]] = []  # (class, src)
        self.items: dict[str, list[str]] = {"tag": [], "category": []}
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.images.append((a.get("class") or "", a.get("src") or ""))
        self._in = a.get("class") if tag in ("li", "h1") else None

    def handle_data(self, data: str) -> None:
        if self._in in self.items and data.strip():
            self.items[self._in].append(data.strip())
        elif self._in == "post-title":
            self.title += data.strip()


@pytest.mark.parametrize("links", ["post-asset-folder", "/images/digests"])
def test_a_real_hexo_site_builds_the_post_with_every_figure(
    replay: ArxivReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: str
) -> None:
    modules = hexo_modules()
    if shutil.which("node") is None:
        pytest.skip("node is not installed (setup.sh --dev installs it with apt-get)")
    if not (modules / "hexo" / "package.json").is_file():
        pytest.skip(
            f"Hexo's npm packages are not in {modules}: run ./setup.sh --dev (it needs npm's registry)"
        )
    monkeypatch.setenv("PAPERLAMP_DIGEST__FIGURE_LINKS", links)
    serve(replay, tmp_path, [entry(1), entry(2)])
    out = tmp_path / "digests"
    digest = built(ScriptedGenerator(reply)).digester.post(REQUEST, DAY, out)
    figures = [f.path for e in digest.entries for f in e.figures]
    assert len(figures) == 2

    site = tmp_path / "site"
    shutil.copytree(HEXO / "site", site)
    shutil.copy(HEXO / "package.json", site)
    (site / "node_modules").symlink_to(modules)
    posts = site / "source" / "_posts"
    posts.mkdir(parents=True)
    shutil.copy(out / f"{POST}.md", posts)
    # Asset folders sit beside the post; a URL prefix means the folder is published under it.
    target = posts / POST if links == "post-asset-folder" else site / "source" / "images" / "digests" / POST
    shutil.copytree(out / POST, target)
    run = subprocess.run(["node", str(modules / "hexo" / "bin" / "hexo"), "generate"], cwd=site,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr

    url = f"/2024/01/10/{POST}/"
    page = _Page()
    page.feed((site / "public" / url.strip("/") / "index.html").read_text(encoding="utf-8"))
    assert page.title == "arXiv digest: Segmentation, 2024-01-10"
    assert (page.items["tag"], page.items["category"]) == (["cs.CV"], ["arXiv digest", "Segmentation"])
    assert [c for c, _ in page.images] == ["cover", "", ""]
    resolved = [urljoin(url, src) for _, src in page.images]
    assert all((site / "public" / r.lstrip("/")).is_file() for r in resolved), resolved
    figure_urls = resolved[1:]
    expected = (
        [f"{url}{p.split('/', 1)[1]}" for p in figures] if links == "post-asset-folder"
        else [f"/images/digests/{p}" for p in figures]
    )  # fmt: skip
    assert (figure_urls, resolved[0]) == (expected, expected[0])
