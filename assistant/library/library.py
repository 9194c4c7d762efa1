"""The library use case: add papers (idempotent, resumable), list, show, remove and repair them.

An add writes in this order, so that a kill at any point leaves a state the next run finishes:
1. the PDF is read and chunked, then copied into the library (atomic rename);
2. the paper and its chunks enter the catalog as `pending` (one SQLite transaction);
3. chunk vectors are upserted into the vector store batch by batch (deterministic ids);
4. the paper is marked `complete`.
Running add again on a `pending` paper embeds only the chunks whose vectors are missing.
Searches only ever see `complete` papers. `repair` (run by every add) finishes what a kill left
halfway: removals, vectors and copied PDFs that no paper owns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.domain import AddResult, AddStatus, Paper, Progress, StoredChunk, no_progress
from assistant.errors import BadInput, NotFound
from ingest.chunking import chunk_document, windows
from ingest.errors import UnreadableInput
from ingest.files import check_pdf_file
from ingest.metadata import extract_metadata
from ingest.ocr import OcrMode
from ingest.pdf import read_pdf
from ingest.types import Document, PaperMeta
from models.catalog import Catalog, SourceLink
from models.embedder import Embedder
from models.home import LibraryHome, sha256_of
from models.ids import chunk_id, paper_of, vector_id
from models.store import VectorStore


@dataclass(frozen=True)
class Window:
    """One embedded run of a chunk's sentences, under its vector id (models/ids.py)."""

    id: str
    chunk: StoredChunk
    text: str


@dataclass(frozen=True)
class DocumentItem:
    """An already-read document to add, with its identity and where it came from.

    `file` is the PDF it was read from, copied into the library once the document is recorded
    (None for text that has no PDF, such as an evaluation corpus's abstracts).
    """

    doc: Document
    meta: PaperMeta
    sha256: str
    source: str
    paper_id: str | None = None
    file: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class _Work:
    """One file being added, and its size for progress."""

    path: Path
    size: int


class Library:
    """The papers a researcher keeps: catalog records, chunk text and chunk vectors."""

    def __init__(
        self,
        home: LibraryHome,
        catalog: Catalog,
        store_factory: Callable[[], VectorStore],
        embedder_factory: Callable[[], Embedder],
        *,
        chunk_tokens: int = 450,
        window_tokens: int = 128,
        max_pdf_bytes: int = 200_000_000,
        batch_size: int = 256,
        ocr: OcrMode = "auto",
        tables: bool = True,
    ) -> None:
        self.home = home
        self.catalog = catalog
        self._store_factory = store_factory
        self._embedder_factory = embedder_factory
        self._store: VectorStore | None = None
        self._store_mutex = threading.RLock()
        self._store_used = time.monotonic()
        self.chunk_tokens = chunk_tokens
        self.window_tokens = window_tokens
        self.max_pdf_bytes = max_pdf_bytes
        self.batch_size = batch_size
        self.ocr = ocr
        self.tables = tables

    @property
    def store(self) -> VectorStore:
        """The vector store, opened on first use (and again after it was let go)."""
        with self._store_mutex:
            self._store_used = time.monotonic()
            if self._store is None:
                self._store = self._store_factory()
            return self._store

    def release_store(self, idle_seconds: float = 0.0) -> bool:
        """Close the vector store if nothing has used it for `idle_seconds`; whether it was closed.

        The next use opens it again. A long-running process (the app) calls this when idle, so an
        embedded store's folder is free meanwhile for `paperlamp add` and the other commands.
        """
        with self._store_mutex:
            if self._store is None or time.monotonic() - self._store_used < idle_seconds:
                return False
            store, self._store = self._store, None
            store.close()
            return True

    def close(self) -> None:
        """Release the vector store (it reopens on next use) and close the catalog."""
        self.release_store()
        self.catalog.close()

    @property
    def embedder(self) -> Embedder:
        """The embedder (loaded on first use, seconds, by the factory, which keeps it)."""
        return self._embedder_factory()

    # --- adding -------------------------------------------------------------------------------
    def add(self, paths: Sequence[Path], progress: Progress = no_progress) -> Iterator[AddResult]:
        """Add PDFs (folders are searched recursively); yield one result per file, never stop early.

        Progress counts bytes of input, so the ETA weighs big files more.
        """
        self.repair()
        work = [_Work(p, _size(p)) for p in expand_paths(paths)]
        total = sum(w.size for w in work) or 1
        done = 0
        for item in work:
            progress(item.path.name, done, total)

            def report(fraction: float, item: _Work = item, base: int = done) -> None:
                progress(item.path.name, base + int(item.size * fraction), total)

            yield self._add_one(item.path, report)
            done += item.size
            progress(item.path.name, done, total)

    def _add_one(self, path: Path, report: Callable[[float], None]) -> AddResult:
        started = time.perf_counter()
        try:
            result = self._add_pdf(path, report)
        except UnreadableInput as exc:
            result = AddResult(str(path), "failed", reason=str(exc))
        return replace(result, seconds=time.perf_counter() - started)

    def _add_pdf(self, path: Path, report: Callable[[float], None]) -> AddResult:
        check_pdf_file(path, self.max_pdf_bytes)
        sha = sha256_of(path)
        existing = self.catalog.paper_by_sha256(sha)
        if existing is not None and existing.status == "complete":
            return _result(path, "exists", existing, self.catalog.chunk_count(existing.id))
        status: AddStatus
        if existing is not None and existing.status == "pending":
            paper = existing
            status = "resumed"
        else:
            doc = read_pdf(path, max_bytes=self.max_pdf_bytes, ocr=self.ocr, tables=self.tables)
            report(0.1)
            paper = self._begin(doc, extract_metadata(doc), sha, source=path.name, file=path)
            status = "added"
        chunks = self.catalog.chunks(paper.id)
        self._embed_missing([(paper, chunks)], lambda f: report(0.1 + 0.9 * f))
        self.catalog.set_status(paper.id, "complete")
        return _result(path, status, paper, len(chunks))

    def add_documents(self, items: Iterable[DocumentItem], group: int = 256) -> Iterator[AddResult]:
        """Add already-read documents (arXiv fetches, evaluation corpora), idempotent by sha256.

        Documents are recorded and embedded in groups, so thousands of short ones (abstracts)
        cost a few large embedding batches instead of one small one each.
        """
        pending: list[tuple[DocumentItem, Paper]] = []
        for item in items:
            existing = self.catalog.paper_by_sha256(item.sha256)
            if existing is not None and existing.status == "complete":
                if item.file is not None and existing.file and self.file_of(existing) is None:
                    self.home.keep_file(item.file, item.sha256)  # its kept PDF had gone missing
                yield _result(Path(item.source), "exists", existing, self.catalog.chunk_count(existing.id))
                continue
            paper = self._begin(
                item.doc,
                item.meta,
                item.sha256,
                source=item.source,
                file=item.file,
                paper_id=item.paper_id,
                extra=item.extra,
            )
            pending.append((item, paper))
            if len(pending) >= group:
                yield from self._finish(pending)
                pending = []
        yield from self._finish(pending)

    def add_document(
        self,
        doc: Document,
        meta: PaperMeta,
        *,
        sha256: str,
        source: str,
        paper_id: str | None = None,
        file: Path | None = None,
        extra: dict[str, object] | None = None,
    ) -> AddResult:
        """Add one already-read document (see `add_documents`)."""
        item = DocumentItem(doc, meta, sha256, source, paper_id, file, dict(extra or {}))
        return next(iter(self.add_documents([item])))

    def _finish(self, batch: list[tuple[DocumentItem, Paper]]) -> Iterator[AddResult]:
        """Embed a group of pending papers together, then mark each complete."""
        chunks = {paper.id: self.catalog.chunks(paper.id) for _, paper in batch}
        self._embed_missing([(paper, chunks[paper.id]) for _, paper in batch], lambda f: None)
        for item, paper in batch:
            self.catalog.set_status(paper.id, "complete")
            yield _result(Path(item.source), "added", paper, len(chunks[paper.id]))

    def _begin(
        self,
        doc: Document,
        meta: PaperMeta,
        sha: str,
        *,
        source: str,
        file: Path | None,
        paper_id: str | None = None,
        extra: dict[str, object] | None = None,
    ) -> Paper:
        """Chunk a read document, keep its PDF, and record it with its chunks as pending.

        The PDF is copied in only once there are chunks to record, so a file nothing could be
        read from never stays in the library.
        """
        chunks = chunk_document(doc, self.embedder.count_tokens, max_tokens=self.chunk_tokens)
        if not chunks:
            raise UnreadableInput(f"{source}: no text could be read from it")
        kept = self.home.keep_file(file, sha) if file is not None else None
        paper = Paper(
            id=paper_id or f"sha256:{sha}",
            sha256=sha,
            title=meta.title or Path(source).stem,
            authors=meta.authors,
            affiliations=meta.affiliations,
            year=meta.year,
            abstract=meta.abstract,
            doi=meta.doi,
            arxiv_id=meta.arxiv_id,
            keywords=meta.keywords,
            code_urls=meta.code_urls,
            pages=doc.page_count,
            source=source,
            file=kept.name if kept else "",
            status="pending",
            extra=dict(extra or {}) | ({"ocr_pages": list(doc.ocr_pages)} if doc.ocr_pages else {}),
        )
        stored = [
            StoredChunk(
                chunk_id(paper.id, c.index),
                paper.id,
                c.index,
                c.section,
                c.page_start,
                c.page_end,
                c.text,
                c.page_starts,
                c.kind,
            )
            for c in chunks
        ]
        self.catalog.begin_paper(paper, stored)
        return paper

    def _embed_missing(
        self, papers: Sequence[tuple[Paper, Sequence[StoredChunk]]], report: Callable[[float], None]
    ) -> None:
        """Embed and store the windows whose vectors the store lacks, batch by batch.

        Batches are large so the embedder can sort windows by length and pad little; each batch
        is stored as soon as it is embedded, which bounds what a kill can lose.
        """
        wanted = [(paper, w) for paper, chunks in papers for w in self.windows(chunks)]
        present = self.store.existing([w.id for _, w in wanted])
        missing = [(paper, w) for paper, w in wanted if w.id not in present]
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = self.embedder.embed([w.text for _, w in batch])
            self.store.add(
                [w.id for _, w in batch],
                vectors,
                [w.text for _, w in batch],
                [_vector_metadata(paper, w.chunk) for paper, w in batch],
            )
            report((start + len(batch)) / len(missing))

    def windows(self, chunks: Sequence[StoredChunk]) -> list[Window]:
        """The texts the embedder reads for these chunks: a heading, then a window of text.

        The heading is the section's; a paper's first chunk (title page, abstract) also carries
        the paper's title, as it does in the keyword index, so a query naming the paper's subject
        in the title's words finds its opening by meaning too.
        """
        titles: dict[str, str] = {}
        out: list[Window] = []
        for chunk in chunks:
            heading = chunk.section[:100]
            if chunk.index == 0:
                if chunk.paper_id not in titles:
                    paper = self.catalog.paper(chunk.paper_id)
                    titles[chunk.paper_id] = paper.title[:200] if paper else ""
                heading = "\n".join(h for h in (titles[chunk.paper_id], heading) if h)
            budget = self.window_tokens - (self.embedder.count_tokens([heading])[0] + 1 if heading else 0)
            texts = windows(chunk.text, self.embedder.count_tokens, max(budget, 32), chunk.kind)
            for n, text in enumerate(texts):
                out.append(Window(vector_id(chunk.id, n), chunk, f"{heading}\n{text}" if heading else text))
        return out

    # --- reading ------------------------------------------------------------------------------
    def papers(self) -> list[Paper]:
        """Every complete paper, oldest first."""
        return self.catalog.papers("complete")

    def papers_in(self, collections: Sequence[str] = (), tags: Sequence[str] = ()) -> list[Paper]:
        """The complete papers in any of these collections (or below one) with any of these tags,
        oldest first (every paper when both are empty): the selection behind every such filter."""
        ids = self.catalog.labelled(collections, tags)
        return [p for p in self.papers() if p.id in ids]

    def get(self, ref: str) -> Paper:
        """The paper an id, id prefix, arXiv id or DOI names; NotFound or BadInput otherwise."""
        ref = ref.strip()
        if not ref:
            raise BadInput("a paper id is needed")
        exact = self.catalog.paper(ref)
        if exact is not None and exact.status == "complete":
            return exact
        candidates = [p for p in self.catalog.find_papers(ref) if p.status == "complete"]
        if not candidates and not ref.startswith(("sha256:", "arxiv:")):
            candidates = [p for p in self.catalog.find_papers(f"sha256:{ref}") if p.status == "complete"]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise NotFound(f"no paper {ref!r} in the library (see `paperlamp list`)")
        names = ", ".join(p.id[:20] for p in candidates[:5])
        raise BadInput(f"{ref!r} names {len(candidates)} papers ({names}); give more of the id")

    def chunks(self, paper_id: str) -> list[StoredChunk]:
        """A paper's chunks in reading order."""
        return self.catalog.chunks(paper_id)

    def labels(self) -> tuple[dict[str, int], dict[str, int]]:
        """Every collection and every tag in the library, with how many papers carry it."""
        return self.catalog.label_counts()

    def sources(self, paper_id: str) -> list[SourceLink]:
        """Where a paper was imported from (Zotero items, .bib entries), with collections and tags."""
        return self.catalog.links_of(paper_id)

    def labels_of(self, paper_id: str) -> tuple[list[str], list[str]]:
        """A paper's collections and tags, from all its sources, sorted."""
        sources = self.sources(paper_id)
        collections = sorted({c for s in sources for c in s.collections})
        return collections, sorted({t for s in sources for t in s.tags}, key=str.lower)

    def file_of(self, paper: Paper) -> Path | None:
        """The kept PDF of a paper, when there is one."""
        if not paper.file:
            return None
        path = self.home.papers / paper.file
        return path if path.is_file() else None

    # --- removing and repairing ------------------------------------------------------------
    def remove(self, ref: str) -> Paper:
        """Remove a paper: vectors first, then catalog rows, then its file; return what was removed."""
        paper = self.get(ref)
        self._purge(paper)
        return paper

    def _purge(self, paper: Paper) -> None:
        self.catalog.set_status(paper.id, "removing")
        self.store.delete_paper(paper.id)
        self.catalog.delete_paper(paper.id)
        if self.catalog.paper_by_sha256(paper.sha256) is None:
            self.home.remove_file(paper.sha256)

    def repair(self) -> dict[str, int]:
        """Finish interrupted removals, drop vectors and PDFs no catalog paper owns; say what was done."""
        removing = self.catalog.papers("removing")
        for paper in removing:
            self._purge(paper)
        papers = self.catalog.papers(None)
        known = {p.id for p in papers}
        orphans = [i for i in self.store.ids() if paper_of(i) not in known]
        self.store.delete_ids(orphans)
        swept = self.home.sweep_papers({p.sha256 for p in papers})
        pending = len(self.catalog.papers("pending"))
        return {
            "removals_finished": len(removing),
            "orphan_vectors": len(orphans),
            "orphan_files": swept,
            "pending_papers": pending,
        }


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders replaced by the PDFs below them (sorted); duplicates dropped."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def _size(path: Path) -> int:
    try:
        return max(path.stat().st_size, 1)
    except OSError:
        return 1


def _vector_metadata(paper: Paper, chunk: StoredChunk) -> dict[str, str | int]:
    return {
        "paper_id": paper.id,
        "page": chunk.page_start,
        "page_end": chunk.page_end,
        "chunk_id": chunk.id,
        "section": chunk.section[:200],
        "year": paper.year or 0,
        "kind": chunk.kind,
    }


def _result(path: Path, status: AddStatus, paper: Paper, chunks: int) -> AddResult:
    return AddResult(
        str(path),
        status,
        paper_id=paper.id,
        title=paper.title,
        pages=paper.pages,
        chunks=chunks,
    )
