"""Reranking and diversity for the evidence a model reads, with only the bundled models at hand.

No cross-encoder ships offline, so the reranker combines three cheap signals per candidate: the
fused retrieval score, the best cosine between the question and any one of its sentences (a chunk
embedded whole is truncated and averaged; the one sentence that answers is what matters), and the
share of the question's content words it contains. MMR then picks passages that are relevant but
not near-duplicates, so one paper's overlapping chunks do not crowd the others out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.domain import Hit
from ingest.text import content_words, split_sentences
from models.embedder import Embedder


@dataclass(frozen=True)
class Weights:
    """How much each signal counts in the reranked score."""

    fused: float = 0.3
    sentence: float = 0.5
    overlap: float = 0.2


@dataclass(frozen=True)
class Scored:
    """A candidate with its reranked score, its question relevance and its passage vector."""

    hit: Hit
    score: float
    relevance: float  # best question-sentence cosine: the evidence floor is applied to it
    vector: np.ndarray


def rerank(
    question: str, hits: Sequence[Hit], embedder: Embedder, weights: Weights = Weights()
) -> list[Scored]:
    """Candidates best first by the weighted fused score, best-sentence cosine and word overlap."""
    if not hits:
        return []
    sentences = [split_sentences(h.text) or [h.text] for h in hits]
    flat = [s for group in sentences for s in group]
    vectors = embedder.embed([question, *flat])
    query, sentence_vectors = vectors[0], vectors[1:]
    top = max(h.score for h in hits) or 1.0
    words = content_words(question)
    scored: list[Scored] = []
    start = 0
    for hit, group in zip(hits, sentences, strict=True):
        block = sentence_vectors[start : start + len(group)]
        start += len(group)
        best = float(np.max(block @ query))
        mean = block.mean(axis=0)
        vector = mean / (np.linalg.norm(mean) or 1.0)
        overlap = len(words & content_words(hit.text)) / max(len(words), 1)
        score = weights.fused * hit.score / top + weights.sentence * best + weights.overlap * overlap
        scored.append(Scored(hit, score, best, vector))
    return sorted(scored, key=lambda s: -s.score)


def mmr(candidates: Sequence[Scored], k: int, balance: float = 0.75) -> list[Scored]:
    """Pick k candidates by maximal marginal relevance: relevant, and unlike those picked already."""
    chosen: list[Scored] = []
    rest = list(candidates)
    while rest and len(chosen) < k:
        if chosen:
            picked = np.stack([c.vector for c in chosen])
            values = [balance * c.score - (1 - balance) * float(np.max(picked @ c.vector)) for c in rest]
            best = int(np.argmax(values))
        else:
            best = 0
        chosen.append(rest.pop(best))
    return chosen
