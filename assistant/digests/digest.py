"""Topic digests: new arXiv papers fetched into the library, summarized from their full text, posted.

A run fetches the topic's whole window from arXiv (paged, politely), sorts it with the Selector
(ranked by the library or newest first, filtered by keywords, papers digested before skipped or,
under another topic, listed once; a newer version comes back marked "updated"), and takes the best
`--max` through four stages: fetch (the PDF), read (into the library, metadata from the arXiv
entry), figures (PNG crops) and generation (the per-paper summary). Each finished paper is saved
to the topic's state file at once, so a run killed halfway resumes without fetching or generating
again what it already has.
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
    make_entry,
)
from assistant.digests.feeds import write_feed, write_index
from assistant.digests.filters import KeywordFilter
from assistant.digests.render import write_digest
from assistant.digests.selection import Pick, Selector
from assistant.domain import Progress, no_progress
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

    def __init__(
        self,
        fetcher: ArxivFetcher,
        summarizer: Summarizer,
        home: LibraryHome,
        selector: Selector,
        *,
        max_candidates: int = 2000,
        figure_links: str = "",
        post_url: str = "",
    ) -> None:
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.home = home
        self.selector = selector
        self.max_candidates = max_candidates
        self.figure_links = figure_links
        self.post_url = post_url

    def post(
        self, request: DigestRequest, day: date, out_dir: Path, progress: Progress = no_progress
    ) -> Digest:
        """Run the digest and, when the window held anything new (digested or listed), write the
        day's post (Markdown and JSON) into out_dir, and the topic's feed and index page beside it."""
        result = self.run(request, day, out_dir, progress)
        if not (result.new or result.also_new or result.excluded or result.also_in):
            return result  # nothing new at all: no post
        written = write_digest(result, out_dir, self.figure_links)
        write_feed(out_dir, request, self.post_url)
        write_index(out_dir, self.post_url)
        return written

    def run(
        self, request: DigestRequest, day: date, out_dir: Path, progress: Progress = no_progress
    ) -> Digest:
        """Digest the topic's best new papers; the post holds every paper digested for it on `day`
        and lists the window's other new papers with their scores or reasons."""
        KeywordFilter.of(request.include, request.exclude)  # a bad pattern fails before arXiv is asked
        state = DigestState.load(self.home.digests / ".state" / f"{request.slug}.json", request.topic)
        progress("asking arXiv for the window", 0, 1)
        found = self.fetcher.client.search(
            request.query, request.categories, request.since, request.until, self.max_candidates
        )
        warnings = [f"arXiv returned a partial list: {found.error}"] if found.error else []
        if len(found) >= self.max_candidates:
            warnings.append(
                f"the window holds more than {self.max_candidates} papers; only the newest "
                f"{self.max_candidates} were considered (narrow the query, categories or days)"
            )
        progress(f"ranking {len(found)} papers", 0, 1)
        budget = request.max_papers - len(state.entries_of(day))
        chosen = self.selector.select(request, found.entries, state, day, budget)
        figures_root = out_dir / Digest(request, day, (), 0).name
        total = max(len(chosen.picks), 1) * _PER_PAPER
        for n, pick in enumerate(chosen.picks):
            stage = _StageReport(progress, n * _PER_PAPER, total, f"{n + 1}/{len(chosen.picks)}")
            done = self._digest_one(pick, request, figures_root, out_dir, stage)
            state.save(done, day)
        lists = {"also_new": chosen.also_new, "excluded": chosen.excluded, "also_in": chosen.also_in}
        state.save_listed(lists, day)
        progress("done", total, total)
        # The day's post shows what every run of the day listed, so a later run never hides an earlier one's.
        return Digest(
            request,
            day,
            tuple(state.entries_of(day)),
            len(chosen.picks),
            tuple(warnings),
            rank=chosen.rank,
            also_new=state.listed_on(day, "also_new"),
            excluded=state.listed_on(day, "excluded"),
            also_in=state.listed_on(day, "also_in"),
        )

    def _digest_one(
        self, pick: Pick, request: DigestRequest, figures_root: Path, out_dir: Path, stage: _StageReport
    ) -> DigestEntry:
        """All four stages for one paper; an unreadable or missing PDF falls back to the abstract."""
        entry, status, lang = pick.entry, pick.status, request.lang
        try:
            paper, doc = self.fetcher.ingest(entry, stage, digest_topic=request.topic)
        except (SourceUnavailable, UnreadableInput) as exc:
            stage("generation", entry.title)
            summary = self.summarizer.summarize_abstract(
                entry.canonical_id, entry.title, entry.abstract, lang, stage.fields
            )
            note = f"digested from the abstract only: {exc}"
            made = make_entry(entry, status, entry.canonical_id, (), _code_url(entry, ()), summary, (), note)
            return pick.with_ranking(made)
        stage("figures", entry.title)
        figures = self._figures(paper, doc, figures_root / _safe(entry.arxiv_id), out_dir)
        stage("generation", entry.title)
        summary = self.summarizer.summarize(paper, lang, stage.fields)
        code = _code_url(entry, paper.code_urls)
        return pick.with_ranking(
            make_entry(entry, status, paper.id, paper.affiliations, code, summary, figures, "")
        )

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
