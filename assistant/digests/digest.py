"""Topic digests: new arXiv papers fetched into the library, summarized from their full text, posted.

A run searches arXiv for a topic's window, skips papers already digested for that topic (a newer
version comes back marked "updated"), and takes each new paper through four stages: fetch (the
PDF), read (into the library, metadata from the arXiv entry), figures (PNG crops) and generation
(the per-paper summary). Each finished paper is saved to the topic's state file at once, so a run
killed halfway resumes without fetching or generating again what it already has.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.digests.entries import (
    Digest,
    DigestEntry,
    DigestRequest,
    DigestState,
    FigureRef,
    Status,
    make_entry,
)
from assistant.digests.render import write_digest
from assistant.domain import Lang, Progress, no_progress
from assistant.library.arxiv import ArxivFetcher, entry_code_urls
from assistant.library.figures import crop_figures
from assistant.summaries.summarize import Summarizer
from ingest.arxiv_client import ArxivEntry
from ingest.errors import SourceUnavailable, UnreadableInput
from ingest.types import Document
from models.catalog import Paper
from models.home import LibraryHome

# Relative cost of each stage for the ETA (generation dominates with a local model).
STAGES: tuple[tuple[str, int], ...] = (("fetch", 1), ("read", 2), ("figures", 1), ("generation", 8))
_PER_PAPER = sum(w for _, w in STAGES)


class Digester:
    """Fetches a topic's new arXiv papers into the library and writes their digest post."""

    def __init__(self, fetcher: ArxivFetcher, summarizer: Summarizer, home: LibraryHome) -> None:
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.home = home

    def post(
        self, request: DigestRequest, day: date, out_dir: Path, progress: Progress = no_progress
    ) -> Digest:
        """Run the digest and, when it found new papers, write its post (Markdown and JSON) into out_dir."""
        result = self.run(request, day, out_dir, progress)
        return write_digest(result, out_dir) if result.new else result

    def run(
        self, request: DigestRequest, day: date, out_dir: Path, progress: Progress = no_progress
    ) -> Digest:
        """Digest the topic's new papers; the post holds every paper digested for it on `day`."""
        state = DigestState.load(self.home.digests / ".state" / f"{request.slug}.json")
        found = self.fetcher.client.search(
            request.query, request.categories, request.since, request.until, request.max_papers
        )
        warnings = [f"arXiv returned a partial list: {found.error}"] if found.error else []
        todo: list[tuple[ArxivEntry, Status]] = []
        for entry in found.entries:
            seen = state.papers.get(entry.arxiv_id)
            if seen is None or entry.version > int(seen["version"]):
                todo.append((entry, "new" if seen is None else "updated"))
        digest = Digest(request, day, (), 0, tuple(warnings))
        figures_root = out_dir / digest.name
        total = max(len(todo), 1) * _PER_PAPER
        for n, (entry, status) in enumerate(todo):
            stage = _StageReport(progress, n * _PER_PAPER, total, f"{n + 1}/{len(todo)}")
            done = self._digest_one(entry, status, request.lang, figures_root, out_dir, stage)
            state.save(done, day)
        progress("done", total, total)
        return Digest(request, day, tuple(state.entries_of(day)), len(todo), tuple(warnings))

    def _digest_one(
        self,
        entry: ArxivEntry,
        status: Status,
        lang: Lang,
        figures_root: Path,
        out_dir: Path,
        stage: _StageReport,
    ) -> DigestEntry:
        """All four stages for one paper; an unreadable or missing PDF falls back to the abstract."""
        try:
            paper, doc = self.fetcher.ingest(entry, stage)
        except (SourceUnavailable, UnreadableInput) as exc:
            stage("generation", entry.title)
            summary = self.summarizer.summarize_abstract(
                entry.canonical_id, entry.title, entry.abstract, lang, stage.fields
            )
            note = f"digested from the abstract only: {exc}"
            return make_entry(entry, status, entry.canonical_id, (), _code_url(entry, ()), summary, (), note)
        stage("figures", entry.title)
        figures = self._figures(paper, doc, figures_root / _safe(entry.arxiv_id), out_dir)
        stage("generation", entry.title)
        summary = self.summarizer.summarize(paper, lang, stage.fields)
        code = _code_url(entry, paper.code_urls)
        return make_entry(entry, status, paper.id, paper.affiliations, code, summary, figures, "")

    def _figures(
        self, paper: Paper, doc: Document | None, folder: Path, out_dir: Path
    ) -> tuple[FigureRef, ...]:
        """Crop the paper's figures into `folder` (replaced as a whole, never left half-written)."""
        pdf = self.fetcher.library.file_of(paper)
        if pdf is None:
            return ()
        return tuple(
            FigureRef(f.label, f.caption, f.page, png.relative_to(out_dir).as_posix())
            for f, png in crop_figures(pdf, folder, doc)
        )


class _StageReport:
    """Turns "stage X of paper n" into (label, done, total) progress with stage weights."""

    def __init__(self, report: Progress, base: int, total: int, prefix: str) -> None:
        self.report, self.base, self.total, self.prefix = report, base, total, prefix
        self.offset = 0
        self.weight = 1
        self.label = prefix

    def __call__(self, stage: str, title: str) -> None:
        """Announce the start of a stage."""
        weights = dict(STAGES)
        self.offset = sum(w for s, w in STAGES[: [s for s, _ in STAGES].index(stage)])
        self.weight = weights[stage]
        self.label = f"{self.prefix} {stage}: {title}".strip()
        self.report(self.label, self.base + self.offset, self.total)

    def fields(self, name: str, done: int, total: int) -> None:
        """Progress within generation, field by field."""
        share = int(self.weight * done / max(total, 1))
        self.report(self.label, self.base + self.offset + share, self.total)


def _code_url(entry: ArxivEntry, from_paper: Sequence[str]) -> str:
    """The paper's code link: the arXiv entry's first, else the PDF's."""
    links = [*entry_code_urls(entry), *from_paper]
    return links[0] if links else ""


def _safe(arxiv_id: str) -> str:
    return arxiv_id.replace("/", "_")
