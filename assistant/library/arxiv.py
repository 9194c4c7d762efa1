"""Papers from arXiv into the library: each is downloaded, read, and added under its arXiv id.

Metadata comes from the arXiv entry (title, authors, dates, abstract, DOI) and from the PDF what
arXiv does not know (affiliations, keywords, code links); nothing is generated. The PDF is read
from the download, so a file nothing can be read from never enters the library.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from assistant.domain import AddResult, AddStatus, Paper, Progress, no_progress
from assistant.library.library import Library
from ingest.arxiv_client import ArxivClient, ArxivEntry, parse_arxiv_id
from ingest.errors import InvalidRequest, SourceUnavailable, UnreadableInput
from ingest.files import check_pdf_file
from ingest.metadata import extract_metadata
from ingest.pdf import read_pdf
from ingest.text import code_urls
from ingest.types import Document, PaperMeta
from models.home import LibraryHome, sha256_of

# A stage of one paper's way in ("fetch", "read") and the paper's title, for progress reports.
Stage = Callable[[str, str], None]


def _no_stage(stage: str, title: str) -> None:
    """A stage report that ignores every update."""


DIGEST_KEY = "digest"  # Paper.extra key: the topic whose digest added the paper


class ArxivFetcher:
    """Adds arXiv papers to the library by id, and serves digests the entries they found."""

    def __init__(self, library: Library, home: LibraryHome, client: Callable[[], ArxivClient]) -> None:
        self.library = library
        self.home = home
        self._client = client

    @property
    def client(self) -> ArxivClient:
        """The arXiv client (built on first use by the factory, which keeps it)."""
        return self._client()

    def fetch(self, ids: Sequence[str], progress: Progress = no_progress) -> list[AddResult]:
        """Add arXiv papers to the library by id; unknown ids and unreadable PDFs become failed results."""
        entries = self.client.get(ids)
        known = {e.arxiv_id for e in entries}
        results = [
            AddResult(i, "failed", reason=f"arXiv does not know {i}") for i in ids if _bare(i) not in known
        ]
        for n, entry in enumerate(entries):
            progress(entry.canonical_id, n, len(entries))
            try:
                paper, doc = self.ingest(entry, functools.partial(_fetch_step, progress, n, len(entries)))
                status: AddStatus = "added" if doc is not None else "exists"
                results.append(AddResult(entry.canonical_id, status, paper.id, paper.title, paper.pages))
            except (SourceUnavailable, UnreadableInput) as exc:
                results.append(AddResult(entry.canonical_id, "failed", reason=str(exc)))
        progress("done", len(entries), len(entries))
        return results

    def ingest(
        self, entry: ArxivEntry, stage: Stage = _no_stage, *, digest_topic: str = ""
    ) -> tuple[Paper, Document | None]:
        """The library paper for an arXiv entry: downloaded, read and added unless already there.

        The document comes back only when it was read now (None: the paper was in the library).
        A paper a digest adds records its topic under DIGEST_KEY, so the digest's ranking can tell
        the papers the researcher chose from those it brought in itself.
        """
        existing = self.library.catalog.paper(entry.canonical_id)
        if existing is not None and existing.status == "complete" and self.library.file_of(existing):
            return existing, None
        stage("fetch", entry.title)
        download = self.home.cache / "arxiv" / f"{entry.arxiv_id.replace('/', '_')}v{entry.version}.pdf"
        self.client.download_pdf(entry, download)
        try:
            check_pdf_file(download, self.library.max_pdf_bytes)
            stage("read", entry.title)
            doc = read_pdf(
                download,
                max_bytes=self.library.max_pdf_bytes,
                ocr=self.library.ocr,
                tables=self.library.tables,
            )
            result = self.library.add_document(
                doc,
                entry_meta(entry, extract_metadata(doc)),
                sha256=sha256_of(download),
                source=entry.abs_url,
                paper_id=entry.canonical_id,
                file=download,
                extra={"arxiv": arxiv_fields(entry)} | ({DIGEST_KEY: digest_topic} if digest_topic else {}),
            )
        finally:
            download.unlink(missing_ok=True)
        paper = self.library.catalog.paper(result.paper_id)
        if paper is None:  # pragma: no cover - add_document just stored it
            raise UnreadableInput(f"{entry.canonical_id}: the library lost it while adding")
        return paper, doc


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
        code_urls=tuple(dict.fromkeys([*entry_code_urls(entry), *from_pdf.code_urls])),
    )


def entry_code_urls(entry: ArxivEntry) -> list[str]:
    """The code links an arXiv entry's abstract and comment give."""
    return code_urls(f"{entry.abstract} {entry.comment}")


def arxiv_fields(entry: ArxivEntry) -> dict[str, object]:
    """The arXiv entry's facts kept in the library record."""
    return {
        "arxiv_id": entry.arxiv_id,
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


def _fetch_step(progress: Progress, done: int, total: int, stage: str, title: str) -> None:
    """Progress of `paperlamp fetch`: one step per paper, labelled with the stage."""
    progress(f"{stage}: {title}", done, total)


def _bare(ref: str) -> str:
    try:
        return parse_arxiv_id(ref)[0]
    except InvalidRequest:
        return ref
