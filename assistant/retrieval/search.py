"""Hybrid search: dense (embeddings) and lexical (BM25) retrieval fused into one ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.domain import Hit, Paper
from assistant.errors import BadInput
from assistant.library.library import Library
from assistant.retrieval.fusion import Fusion, fuse
from assistant.retrieval.rerank import rerank as rerank_hits
from ingest.text import search_terms
from models.ids import chunk_of

MAX_QUERY_CHARS = 4000


@dataclass(frozen=True)
class SearchFilter:
    """Which papers a search may return."""

    paper_ids: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    collections: tuple[str, ...] = ()  # in any of these (or below one): "Thesis/Chapter 2"
    tags: tuple[str, ...] = ()  # with any of these

    @property
    def empty(self) -> bool:
        """Whether the filter lets every paper through."""
        return (
            not self.paper_ids
            and self.year_from is None
            and self.year_to is None
            and not self.collections
            and not self.tags
        )


class Searcher:
    """Finds passages by meaning and by keyword across the library."""

    def __init__(
        self,
        library: Library,
        *,
        candidates: int = 60,
        dense_weight: float = 0.5,
        fusion: Fusion = "weighted",
        rerank: bool = False,
        rerank_depth: int = 30,
    ) -> None:
        self.library = library
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.fusion = fusion
        self.rerank = rerank
        self.rerank_depth = rerank_depth

    def search(
        self,
        query: str,
        k: int = 10,
        where: SearchFilter = SearchFilter(),
        fusion: Fusion | None = None,
        rerank: bool | None = None,
    ) -> list[Hit]:
        """The k best passages for `query`, best first (`fusion` and `rerank` override the settings).

        Reranking reorders the best `rerank_depth` fused results by the sentence in each that is
        closest to the query (see assistant/retrieval/rerank.py); those hits then carry the
        reranked score, and any deeper ones follow in fused order.
        """
        how = fusion or self.fusion
        if rerank if rerank is not None else self.rerank:
            hits = self.search(query, max(k, self.rerank_depth), where, how, rerank=False)
            head, tail = hits[: self.rerank_depth], hits[self.rerank_depth :]
            scored = rerank_hits(query, head, self.library.embedder)
            reranked = [replace(s.hit, score=round(s.score, 6)) for s in scored]
            return (reranked + tail)[:k]
        query = " ".join(query.split())
        if not query:
            raise BadInput("the query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise BadInput(f"the query is {len(query)} characters; the limit is {MAX_QUERY_CHARS}")
        if k < 1:
            raise BadInput("k must be at least 1")
        # Without a filter nothing is loaded per paper up front: a library of thousands of papers
        # would pay for every one of them on every query.
        papers = None if where.empty else self._allowed_papers(where)
        if not (self.library.catalog.has_papers() if papers is None else papers):
            return []
        paper_ids = None if papers is None else list(papers)
        depth = max(self.candidates, k)
        dense: dict[str, float] = {}
        lexical: dict[str, float] = {}
        if how != "lexical":
            vector = self.library.embedder.embed([query])[0]
            # Chunks are embedded as several windows: a chunk scores as its best window.
            for hit in self.library.store.query(vector, depth * 3, paper_ids):
                chunk = chunk_of(hit.id)
                dense[chunk] = max(dense.get(chunk, -1.0), hit.similarity)
            dense = dict(sorted(dense.items(), key=lambda kv: -kv[1])[:depth])
        if how != "dense":
            lexical = dict(self.library.catalog.search_text(search_terms(query), depth, paper_ids))
        fused = fuse(dense, lexical, how, self.dense_weight)
        return self._hits(fused, dense, lexical, papers, k)

    def _allowed_papers(self, where: SearchFilter) -> dict[str, Paper]:
        papers = {p.id: p for p in self.library.papers()}
        if where.paper_ids:
            papers = {i: p for i, p in papers.items() if i in set(where.paper_ids)}
        if where.collections or where.tags:
            labelled = self.library.catalog.labelled(where.collections, where.tags)
            papers = {i: p for i, p in papers.items() if i in labelled}
        if where.year_from is not None:
            papers = {i: p for i, p in papers.items() if p.year and p.year >= where.year_from}
        if where.year_to is not None:
            papers = {i: p for i, p in papers.items() if p.year and p.year <= where.year_to}
        return papers

    def _hits(
        self,
        fused: list[tuple[str, float]],
        dense: dict[str, float],
        lexical: dict[str, float],
        papers: dict[str, Paper] | None,
        k: int,
    ) -> list[Hit]:
        chunks = self.library.catalog.chunks_by_id(i for i, _ in fused[: k * 3])
        if papers is None:
            papers = self.library.catalog.complete_papers(c.paper_id for c in chunks.values())
        hits: list[Hit] = []
        for chunk_id, score in fused:
            chunk = chunks.get(chunk_id)
            paper = papers.get(chunk.paper_id) if chunk else None
            if chunk is None or paper is None:
                continue  # a pending/removed paper's vector, or outside the filter
            hits.append(
                Hit(
                    chunk_id=chunk_id,
                    paper_id=paper.id,
                    title=paper.title,
                    doi=paper.doi,
                    source=paper.source,
                    page=chunk.page_start,
                    page_end=chunk.page_end,
                    section=chunk.section,
                    text=chunk.text,
                    score=round(score, 6),
                    dense=round(dense.get(chunk_id, 0.0), 6),
                    lexical=round(lexical.get(chunk_id, 0.0), 6),
                    year=paper.year,
                    page_starts=chunk.page_starts,
                    ocr_pages=paper.ocr_pages,
                    kind=chunk.kind,
                )
            )
            if len(hits) == k:
                break
        return hits


def paper_filter(
    ids: Sequence[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    collections: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> SearchFilter:
    """A SearchFilter from front-end arguments."""
    return SearchFilter(tuple(ids), year_from, year_to, tuple(collections), tuple(tags))
