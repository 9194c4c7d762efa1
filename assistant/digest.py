"""Topic digests: new arXiv papers fetched into the library, summarized from their full text, posted.

A run searches arXiv for a topic's window, skips papers already digested for that topic (a newer
version comes back marked "updated"), and takes each new paper through four stages: fetch (the
PDF), read (into the library, metadata from the arXiv entry), figures (PNG crops) and generation
(the per-paper summary). Each finished paper is saved to the topic's state file at once, so a run
killed halfway resumes without fetching or generating again what it already has.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from assistant.build import Assistant
from assistant.domain import AddResult, AddStatus, Paper
from assistant.errors import BackendUnavailable, BadInput
from assistant.library import Library
from assistant.summarize import PaperSummary, Summarizer, summarizer_for
from assistant.summary_prompts import Lang
from ingest.arxiv_client import ArxivClient, ArxivEntry, parse_arxiv_id
from ingest.errors import SourceUnavailable, UnreadableInput
from ingest.figures import find_figures, save_figures
from ingest.metadata import extract_metadata
from ingest.pdf import read_pdf
from ingest.types import Document, PaperMeta
from models.home import LibraryHome, sha256_of, write_text_atomically

Progress = Callable[[str, int, int], None]
Status = Literal["new", "updated"]

# Relative cost of each stage for the ETA (generation dominates with a local model).
STAGES: tuple[tuple[str, int], ...] = (("fetch", 1), ("read", 2), ("figures", 1), ("generation", 8))
_PER_PAPER = sum(w for _, w in STAGES)
_CODE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co)/[^\s\"'<>)\]},;]+"
)


@dataclass(frozen=True)
class DigestRequest:
    """What to digest: a topic's search and window, how many papers, in which language."""

    topic: str
    query: str = ""
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    max_papers: int = 5
    lang: Lang = "en"

    @property
    def slug(self) -> str:
        """The topic as a file-name part."""
        return re.sub(r"[^a-z0-9]+", "-", self.topic.lower()).strip("-") or "topic"


@dataclass(frozen=True)
class FigureRef:
    """A saved figure crop: its label, caption, page and path relative to the post."""

    label: str
    caption: str
    page: int
    path: str


@dataclass(frozen=True)
class DigestEntry:
    """One digested paper: arXiv metadata (never generated), figures and the summary."""

    arxiv_id: str
    version: int
    paper_id: str
    title: str
    authors: tuple[str, ...]
    affiliations: tuple[str, ...]
    published: str
    updated: str
    categories: tuple[str, ...]
    comment: str
    paper_url: str
    pdf_url: str
    code_url: str
    status: Status
    summary: PaperSummary
    figures: tuple[FigureRef, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        data = {k: v for k, v in self.__dict__.items() if k not in ("summary", "figures")}
        data |= {"summary": self.summary.to_json(), "figures": [f.__dict__ for f in self.figures]}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DigestEntry:
        """Rebuild an entry saved with `to_json`."""
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        values["summary"] = PaperSummary.from_json(data["summary"])
        values["figures"] = tuple(FigureRef(**f) for f in data["figures"])
        return cls(**values)


@dataclass(frozen=True)
class Digest:
    """A topic's post for one day: the papers digested that day, and what went wrong on the way."""

    request: DigestRequest
    day: date
    entries: tuple[DigestEntry, ...]
    new: int  # papers digested by this run (0 means "no new papers")
    warnings: tuple[str, ...] = ()
    markdown_path: Path | None = None
    json_path: Path | None = None

    @property
    def name(self) -> str:
        """The post's file stem: day and topic."""
        return f"{self.day.isoformat()}-{self.request.slug}"


@dataclass
class _State:
    """A topic's digest history: per arXiv id, the version digested, the day, and the entry."""

    path: Path
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> _State:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, json.JSONDecodeError) as exc:
            raise BadInput(f"the digest state {path} is damaged ({exc}); delete it to start over") from exc
        return cls(path, dict(data.get("papers", {})))

    def save(self, entry: DigestEntry, day: date) -> None:
        self.papers[entry.arxiv_id] = {
            "version": entry.version,
            "day": day.isoformat(),
            "entry": entry.to_json(),
        }
        write_text_atomically(self.path, json.dumps({"papers": self.papers}, ensure_ascii=False, indent=1))

    def entries_of(self, day: date) -> list[DigestEntry]:
        return [
            DigestEntry.from_json(p["entry"]) for p in self.papers.values() if p["day"] == day.isoformat()
        ]


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
        state = _State.load(self.home.digests / ".state" / f"{request.slug}.json")
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
                paper, doc = self.ingest(entry, _StageReport(report, n, len(entries), ""))
                status: AddStatus = "added" if doc is not None else "exists"
                results.append(AddResult(entry.canonical_id, status, paper.id, paper.title, paper.pages))
            except (SourceUnavailable, UnreadableInput) as exc:
                results.append(AddResult(entry.canonical_id, "failed", reason=str(exc)))
        report("done", len(entries), len(entries))
        return results

    def ingest(self, entry: ArxivEntry, stage: _StageReport) -> tuple[Paper, Document | None]:
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
            return _entry(entry, status, entry.canonical_id, (), _code_url(entry, ()), summary, (), note)
        stage("figures", entry.title)
        figures = self._figures(paper, doc, figures_root / _safe(entry.arxiv_id), out_dir)
        stage("generation", entry.title)
        summary = self.summarizer.summarize(paper, lang, stage.fields)
        code = _code_url(entry, paper.code_urls)
        return _entry(entry, status, paper.id, paper.affiliations, code, summary, figures, "")

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


def entry_meta(entry: ArxivEntry, from_pdf: PaperMeta) -> PaperMeta:
    """Library metadata: the arXiv entry's facts, with affiliations, keywords and code links from the PDF."""
    return PaperMeta(
        title=entry.title,
        authors=entry.authors,
        affiliations=from_pdf.affiliations,
        year=entry.published.year,
        abstract=entry.abstract,
        doi=entry.doi or from_pdf.doi,
        arxiv_id=f"{entry.arxiv_id}v{entry.version}",
        keywords=from_pdf.keywords,
        code_urls=tuple(dict.fromkeys([*_code_links(entry), *from_pdf.code_urls])),
    )


def arxiv_fields(entry: ArxivEntry) -> dict[str, object]:
    """The arXiv entry's facts kept in the library record."""
    return {
        "id": entry.arxiv_id,
        "version": entry.version,
        "published": entry.published.isoformat(),
        "updated": entry.updated.isoformat(),
        "categories": list(entry.categories),
        "primary_category": entry.primary_category,
        "comment": entry.comment,
        "journal_ref": entry.journal_ref,
        "abs_url": entry.abs_url,
        "pdf_url": entry.pdf_url,
    }


def _code_links(entry: ArxivEntry) -> list[str]:
    found = _CODE_URL.findall(f"{entry.abstract} {entry.comment}")
    return [u.rstrip(".") if u.startswith("http") else "https://" + u.rstrip(".") for u in found]


def _code_url(entry: ArxivEntry, from_paper: Sequence[str]) -> str:
    links = [*_code_links(entry), *from_paper]
    return links[0] if links else ""


def _entry(
    entry: ArxivEntry,
    status: Status,
    paper_id: str,
    affiliations: Sequence[str],
    code: str,
    summary: PaperSummary,
    figures: tuple[FigureRef, ...],
    note: str,
) -> DigestEntry:
    return DigestEntry(
        arxiv_id=entry.arxiv_id,
        version=entry.version,
        paper_id=paper_id,
        title=entry.title,
        authors=entry.authors,
        affiliations=tuple(affiliations),
        published=entry.published.date().isoformat(),
        updated=entry.updated.date().isoformat(),
        categories=entry.categories,
        comment=entry.comment,
        paper_url=entry.abs_url,
        pdf_url=entry.pdf_url,
        code_url=code,
        status=status,
        summary=summary,
        figures=figures,
        note=note,
    )


def _bare(ref: str) -> str:
    try:
        return parse_arxiv_id(ref)[0]
    except ValueError:
        return ref


def _safe(arxiv_id: str) -> str:
    return arxiv_id.replace("/", "_")
