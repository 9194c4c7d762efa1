"""Topic digests: new arXiv papers fetched into the library, summarized from their full text, posted.

A run searches arXiv for a topic's window, skips papers already digested for that topic (a newer
version comes back marked "updated"), and takes each new paper through four stages: fetch (the
PDF), read (into the library, metadata from the arXiv entry), figures (PNG crops) and generation
(the per-paper summary). Each finished paper is saved to the topic's state file at once, so a run
killed halfway resumes without fetching or generating again what it already has.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from assistant.build import Assistant
from assistant.digest_entries import (
    Digest,
    DigestEntry,
    DigestRequest,
    DigestState,
    FigureRef,
    Status,
    arxiv_fields,
    code_url,
    entry_meta,
    make_entry,
)
from assistant.domain import AddResult, AddStatus, Paper
from assistant.errors import BackendUnavailable, BadInput
from assistant.library import Library
from assistant.summarize import Summarizer, summarizer_for
from assistant.summary_prompts import Lang
from ingest.arxiv_client import ArxivClient, ArxivEntry, parse_arxiv_id
from ingest.errors import SourceUnavailable, UnreadableInput
from ingest.figures import find_figures, save_figures
from ingest.metadata import extract_metadata
from ingest.pdf import read_pdf
from ingest.types import Document
from models.home import LibraryHome, sha256_of

__all__ = ["Digest", "DigestEntry", "DigestRequest", "Digester", "FigureRef", "digester_for", "window"]

Progress = Callable[[str, int, int], None]

# Relative cost of each stage for the ETA (generation dominates with a local model).
STAGES: tuple[tuple[str, int], ...] = (("fetch", 1), ("read", 2), ("figures", 1), ("generation", 8))
_PER_PAPER = sum(w for _, w in STAGES)


class Digester:
    """Fetches a topic's new arXiv papers into the library and writes their digest post."""

    def __init__(
        self,
        library: Library,
        summarizer: Summarizer,
        client_factory: Callable[[], ArxivClient],
        home: LibraryHome,
    ) -> None:
        self.library = library
        self.summarizer = summarizer
        self._client_factory = client_factory
        self._client: ArxivClient | None = None
        self.home = home

    @property
    def client(self) -> ArxivClient:
        """The arXiv client, built on first use."""
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def run(
        self, request: DigestRequest, day: date, out_dir: Path, progress: Progress | None = None
    ) -> Digest:
        """Digest the topic's new papers; the post holds every paper digested for it on `day`."""
        report = progress or (lambda label, done, total: None)
        state = DigestState.load(self.home.digests / ".state" / f"{request.slug}.json")
        try:
            found = self.client.search(
                request.query, request.categories, request.since, request.until, request.max_papers
            )
        except SourceUnavailable as exc:
            raise BackendUnavailable(str(exc)) from exc
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
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
            stage = _StageReport(report, n * _PER_PAPER, total, f"{n + 1}/{len(todo)}")
            done = self._digest_one(entry, status, request.lang, figures_root, out_dir, stage)
            state.save(done, day)
        report("done", total, total)
        return Digest(request, day, tuple(state.entries_of(day)), len(todo), tuple(warnings))

    def fetch(self, ids: Sequence[str], progress: Progress | None = None) -> list[AddResult]:
        """Add arXiv papers to the library by id; unknown ids and unreadable PDFs become failed results."""
        report = progress or (lambda label, done, total: None)
        try:
            entries = self.client.get(ids)
        except SourceUnavailable as exc:
            raise BackendUnavailable(str(exc)) from exc
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
        known = {e.arxiv_id for e in entries}
        results = [
            AddResult(i, "failed", reason=f"arXiv does not know {i}") for i in ids if _bare(i) not in known
        ]
        for n, entry in enumerate(entries):
            report(entry.canonical_id, n, len(entries))
            try:
                step = functools.partial(_fetch_step, report, n, len(entries))
                paper, doc = self.ingest(entry, step)
                status: AddStatus = "added" if doc is not None else "exists"
                results.append(AddResult(entry.canonical_id, status, paper.id, paper.title, paper.pages))
            except (SourceUnavailable, UnreadableInput) as exc:
                results.append(AddResult(entry.canonical_id, "failed", reason=str(exc)))
        report("done", len(entries), len(entries))
        return results

    def ingest(
        self, entry: ArxivEntry, stage: Callable[[str, str], None] = lambda stage, title: None
    ) -> tuple[Paper, Document | None]:
        """The library paper for an arXiv entry: downloaded, read and added unless already there.

        The document comes back only when it was read now (None: the paper was in the library).
        """
        existing = self.library.catalog.paper(entry.canonical_id)
        if existing is not None and existing.status == "complete" and self.library.file_of(existing):
            return existing, None
        stage("fetch", entry.title)
        download = self.home.cache / "arxiv" / f"{entry.arxiv_id.replace('/', '_')}v{entry.version}.pdf"
        self.client.download_pdf(entry, download)
        try:
            sha = sha256_of(download)
            kept = self.home.keep_file(download, sha)
        finally:
            download.unlink(missing_ok=True)
        stage("read", entry.title)
        doc = read_pdf(kept, max_bytes=self.library.max_pdf_bytes)
        meta = entry_meta(entry, extract_metadata(doc))
        extra: dict[str, object] = {"arxiv": arxiv_fields(entry)}
        source, paper_id = entry.abs_url, entry.canonical_id
        result = self.library.add_document(
            doc, meta, sha256=sha, source=source, paper_id=paper_id, file=kept, extra=extra
        )
        paper = self.library.catalog.paper(result.paper_id)
        if paper is None:  # pragma: no cover - add_document just stored it
            raise UnreadableInput(f"{entry.canonical_id}: the library lost it while adding")
        return paper, doc

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
            paper, doc = self.ingest(entry, stage)
        except (SourceUnavailable, UnreadableInput) as exc:
            stage("generation", entry.title)
            summary = self.summarizer.summarize_abstract(
                entry.canonical_id, entry.title, entry.abstract, lang, stage.fields
            )
            note = f"digested from the abstract only: {exc}"
            return make_entry(entry, status, entry.canonical_id, (), code_url(entry, ()), summary, (), note)
        stage("figures", entry.title)
        figures = self._figures(paper, doc, figures_root / _safe(entry.arxiv_id), out_dir)
        stage("generation", entry.title)
        summary = self.summarizer.summarize(paper, lang, stage.fields)
        code = code_url(entry, paper.code_urls)
        return make_entry(entry, status, paper.id, paper.affiliations, code, summary, figures, "")

    def _figures(
        self, paper: Paper, doc: Document | None, folder: Path, out_dir: Path
    ) -> tuple[FigureRef, ...]:
        """Crop the paper's figures into `folder` (replaced as a whole, never left half-written)."""
        pdf = self.library.file_of(paper)
        if pdf is None:
            return ()
        found = find_figures(pdf, doc)
        partial = folder.with_name(f".{folder.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        saved = save_figures(pdf, found, partial) if found else []
        shutil.rmtree(folder, ignore_errors=True)
        if saved:
            partial.replace(folder)
        shutil.rmtree(partial, ignore_errors=True)
        return tuple(
            FigureRef(f.label, f.caption, f.page, (folder / p.name).relative_to(out_dir).as_posix())
            for f, p in saved
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


def _fetch_step(report: Progress, done: int, total: int, stage: str, title: str) -> None:
    """Progress of `paperlamp fetch`: one step per paper, labelled with the stage."""
    report(f"{stage}: {title}", done, total)


def digester_for(assistant: Assistant) -> Digester:
    """A Digester wired from the assistant's settings, library and generator."""
    arxiv = assistant.settings.arxiv

    def client() -> ArxivClient:
        try:
            return ArxivClient(
                api_url=arxiv.api_url,
                pdf_url_template=arxiv.pdf_url_template or None,
                delay_seconds=arxiv.delay_seconds,
                num_retries=arxiv.retries,
                timeout=arxiv.timeout_seconds,
            )
        except ValueError as exc:
            raise BadInput(f"arXiv settings: {exc}") from exc

    return Digester(assistant.library, summarizer_for(assistant), client, assistant.home)


def window(since: date | None, days: int | None, today: date) -> tuple[date, date]:
    """The submission-date window: since a day, or the last `days` days, up to today."""
    if since is not None and days is not None:
        raise BadInput("give --since or --days, not both")
    if since is not None and since > today:
        raise BadInput(f"--since {since} is in the future")
    if days is not None and days < 1:
        raise BadInput("--days must be at least 1")
    return since or today - timedelta(days=(days or 7) - 1), today


def _bare(ref: str) -> str:
    try:
        return parse_arxiv_id(ref)[0]
    except ValueError:
        return ref


def _safe(arxiv_id: str) -> str:
    return arxiv_id.replace("/", "_")
