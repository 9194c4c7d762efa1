"""The evaluation harness behind `paperlamp eval`: the project's own pipeline, scored on benchmarks.

Scoring follows the conventions of the project's reports (../shared/eval/README.md):
- LitQA2 key-passage hit@k: a chunk among the top k, from the right paper, holding at least 70%
  of the key passage's lowercase alphanumeric word tokens.
- SciFact: nDCG@10 over the qrels (BEIR's definition) and recall@100, chunks folded into documents.
- QASPER evidence recall@k: share of answerable questions with a gold evidence paragraph in the
  top k; a chunk holds a paragraph when it has at least half of the paragraph's word tokens, or
  80% of the chunk's tokens come from the paragraph (paragraphs longer than a chunk).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from assistant.domain import Hit
from assistant.evaluation.data import EvalDoc, LitQA2Question, QasperQuestion
from assistant.library.library import DocumentItem, Library
from assistant.retrieval.fusion import Fusion
from assistant.retrieval.search import Searcher, SearchFilter
from ingest.text import ascii_tokens

FUSIONS: tuple[str, ...] = ("dense", "lexical", "weighted", "weighted+rerank")


def _search(
    searcher: Searcher, query: str, k: int, method: str, where: SearchFilter | None = None
) -> list[Hit]:
    """Search with one of FUSIONS: a fusion method, optionally followed by the reranker."""
    how, _, then = method.partition("+")
    return searcher.search(
        query, k, where or SearchFilter(), fusion=cast(Fusion, how), rerank=then == "rerank"
    )


@dataclass
class Table:
    """A result table: one row per method, one column per metric."""

    title: str
    columns: list[str]
    rows: list[tuple[str, list[float]]] = field(default_factory=list)
    count: int = 0

    def markdown(self) -> str:
        """The table as Markdown."""
        head = f"| {self.title} (n={self.count}) | " + " | ".join(self.columns) + " |"
        rule = "|---|" + "---:|" * len(self.columns)
        body = [f"| {name} | " + " | ".join(_cell(v) for v in values) + " |" for name, values in self.rows]
        return "\n".join([head, rule, *body])

    def to_json(self) -> dict[str, object]:
        """The table as a JSON-ready dict: each row's metrics by column name."""
        rows = {
            name: {c: v for c, v in zip(self.columns, values, strict=True) if not math.isnan(v)}
            for name, values in self.rows
        }
        return {"table": self.title, "count": self.count, "rows": rows}


def _cell(value: float) -> str:
    """A metric as the table shows it; NaN (a metric that does not apply to the row) as a dash."""
    return "-" if math.isnan(value) else f"{value:.3f}"


def share_in(needle: Sequence[str], haystack: set[str]) -> float:
    """Share of `needle` tokens that occur in `haystack`."""
    return sum(t in haystack for t in needle) / len(needle) if needle else 0.0


def add_eval_docs(library: Library, docs: Iterable[EvalDoc]) -> int:
    """Index text documents of an evaluation corpus (idempotent); return how many were added."""
    items = (
        DocumentItem(
            item.doc,
            item.meta,
            hashlib.sha256((item.id + "\n" + item.doc.text).encode()).hexdigest(),
            source=item.id,
            paper_id=item.id,
        )
        for item in docs
    )
    return sum(r.status == "added" for r in library.add_documents(items))


def litqa2_retrieval(
    searcher: Searcher,
    questions: Sequence[LitQA2Question],
    ks: Sequence[int] = (1, 5, 10),
    fusions: Sequence[str] = FUSIONS,
) -> Table:
    """Key-passage hit@k for each retrieval method."""
    table = Table("LitQA2 key-passage hit", [f"hit@{k}" for k in ks])
    scored = [q for q in questions if q.pdf is not None and q.key_passage]
    table.count = len(scored)
    for how in fusions:
        hits_at = [0] * len(ks)
        for q in scored:
            key = ascii_tokens(q.key_passage)
            found = _search(searcher, q.question, max(ks), how)
            first = next(
                (
                    rank
                    for rank, h in enumerate(found)
                    if q.pdf is not None
                    and h.source == q.pdf.name
                    and share_in(key, set(ascii_tokens(h.text))) >= 0.7
                ),
                None,
            )
            for i, k in enumerate(ks):
                hits_at[i] += first is not None and first < k
        table.rows.append((how, [h / max(len(scored), 1) for h in hits_at]))
    return table


def scifact_retrieval(
    searcher: Searcher,
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    fusions: Sequence[str] = FUSIONS,
) -> Table:
    """nDCG@10 and recall@100 over the judged claims, for each retrieval method."""
    table = Table("SciFact", ["nDCG@10", "recall@100"])
    judged = [q for q in qrels if q in queries]
    table.count = len(judged)
    for how in fusions:
        ndcg = recall = 0.0
        for qid in judged:
            ranking = _documents(_search(searcher, queries[qid], 300, how))
            ndcg += ndcg_at(ranking, qrels[qid], 10)
            relevant = {d for d, r in qrels[qid].items() if r > 0}
            recall += len(relevant & set(ranking[:100])) / max(len(relevant), 1)
        table.rows.append((how, [ndcg / max(len(judged), 1), recall / max(len(judged), 1)]))
    return table


def ndcg_at(ranking: Sequence[str], relevance: dict[str, int], k: int) -> float:
    """BEIR's nDCG@k: graded gains, log2 discounts, ideal from the judged documents."""
    dcg = sum(relevance.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted(relevance.values(), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def _documents(hits: Sequence[Hit]) -> list[str]:
    """Paper ids in order of their best chunk."""
    return list(dict.fromkeys(h.paper_id for h in hits))


def qasper_retrieval(
    searcher: Searcher,
    questions: Sequence[QasperQuestion],
    ks: Sequence[int] = (5, 10),
    fusions: Sequence[str] = FUSIONS,
    pooled: bool = False,
) -> Table:
    """Evidence recall@k within each question's paper (or pooled over all papers)."""
    scope = "pooled" if pooled else "own paper"
    table = Table(f"QASPER evidence recall, {scope}", [f"recall@{k}" for k in ks])
    scored = [q for q in questions if q.answerable and q.evidence]
    table.count = len(scored)
    for how in fusions:
        found_at = [0] * len(ks)
        for q in scored:
            where = SearchFilter() if pooled else SearchFilter(paper_ids=(q.paper_id,))
            hits = _search(searcher, q.question, max(ks), how, where)
            first = next(
                (
                    rank
                    for rank, h in enumerate(hits)
                    if h.paper_id == q.paper_id and holds_evidence(h.text, q.evidence)
                ),
                None,
            )
            for i, k in enumerate(ks):
                found_at[i] += first is not None and first < k
        table.rows.append((how, [f / max(len(scored), 1) for f in found_at]))
    return table


def holds_evidence(chunk_text: str, evidence: Iterable[str]) -> bool:
    """Whether a chunk holds (most of) one of the evidence paragraphs, or lies inside one."""
    chunk = ascii_tokens(chunk_text)
    chunk_set = set(chunk)
    for paragraph in evidence:
        para = ascii_tokens(paragraph)
        if para and (share_in(para, chunk_set) >= 0.5 or share_in(chunk, set(para)) >= 0.8):
            return True
    return False
