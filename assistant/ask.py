"""Cited answers: retrieve evidence, let the model answer, keep only what the evidence supports.

A small local model will sometimes write things its passages do not say. Every sentence it
writes is checked against the passage it cites (shared content words and embedding similarity);
markers the passage does not support are moved to the passage that does, or removed, and a
sentence no passage supports is dropped. Quotes are always verbatim sentences of the passage,
never model text. When nothing survives, the answer falls back to quoting the passages that best
match the question; when retrieval finds nothing relevant, the answer abstains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant import prompts
from assistant.domain import Answer, Citation, Hit
from assistant.errors import BadInput
from assistant.search import Searcher, SearchFilter
from ingest.chunking import split_sentences
from models.generator import Generator

GeneratorFactory = Callable[[], Generator]

MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = "The library holds no evidence for this question."
_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STOP = frozenset(
    """the a an of and or to in on for with by from is are was were be been this that these those
    it its as at which who what how why when where than then there their they we our us can
    could may might also not no do does did has have had into over under between""".split()
)


@dataclass(frozen=True)
class _Claim:
    text: str  # the sentence without markers
    cited: tuple[int, ...]  # passage numbers (1-based) it cites


class Asker:
    """Answers questions across the library with citations a reader can check."""

    def __init__(
        self,
        searcher: Searcher,
        generator_factory: GeneratorFactory,
        *,
        evidence_k: int = 5,
        min_evidence: float = 0.35,
        min_support: float = 0.5,
        min_extract: float = 0.3,
        max_answer_tokens: int = 200,
    ) -> None:
        self.searcher = searcher
        self._generator_factory = generator_factory
        self._generator: Generator | None = None
        self.evidence_k = evidence_k
        self.min_evidence = min_evidence
        self.min_support = min_support
        self.min_extract = min_extract
        self.max_answer_tokens = max_answer_tokens

    @property
    def generator(self) -> Generator:
        """The generator, loaded on first use."""
        if self._generator is None:
            self._generator = self._generator_factory()
        return self._generator

    def ask(self, question: str, where: SearchFilter = SearchFilter(), qid: str | None = None) -> Answer:
        """Answer `question` from the library, or abstain with the closest passages."""
        question = " ".join(question.split())
        if not question:
            raise BadInput("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadInput(f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}")
        hits = self.searcher.search(question, k=self.evidence_k * 2, where=where)
        embedder = self.searcher.library.embedder
        relevance = _relevance(embedder.embed([question])[0], hits, embedder)
        evidence = [h for h, r in zip(hits, relevance, strict=True) if r >= self.min_evidence]
        evidence = evidence[: self.evidence_k]
        if not evidence:
            return Answer(question, ABSTAIN_TEXT, (), True, closest=tuple(hits[:3]), id=qid)
        raw = self.generator.generate(
            prompts.answer_prompt(question, evidence),
            max_tokens=self.max_answer_tokens,
            stop=prompts.ANSWER_STOPS,
        )
        text, citations, model = self._grounded(question, raw, evidence)
        if not citations:
            return Answer(question, ABSTAIN_TEXT, (), True, closest=tuple(hits[:3]), id=qid)
        return Answer(question, text, citations, False, id=qid, model=model)

    def _grounded(
        self, question: str, raw: str, evidence: Sequence[Hit]
    ) -> tuple[str, tuple[Citation, ...], str]:
        """The model's sentences that the evidence supports, with verified citations."""
        checker = SupportChecker(self.searcher.library.embedder, evidence)
        kept: list[tuple[str, int, str]] = []  # (sentence, passage index, quote)
        for claim in parse_claims(raw):
            if prompts.NO_ANSWER.lower().rstrip(".") in claim.text.lower():
                continue
            best = checker.best(claim.text, prefer=claim.cited)
            if best is not None and best[1] >= self.min_support and best[2] not in {k[2] for k in kept}:
                kept.append((claim.text, best[0], best[2]))
        model = self.generator.name
        if not kept:
            kept = checker.extract(question, self.min_extract)
            model = "extractive"
        return (*render(kept, evidence), model)


def parse_claims(raw: str) -> list[_Claim]:
    """Split model output into sentences with the passage numbers each cites."""
    text = raw.strip().split("\n\n")[0] if raw.strip() else ""
    claims: list[_Claim] = []
    for sentence in split_sentences(" ".join(text.split())):
        cited = tuple(int(n) for m in _MARKER.finditer(sentence) for n in m.group(1).split(","))
        bare = _MARKER.sub("", sentence).strip()
        if len(_content_words(bare)) >= 2:
            claims.append(_Claim(bare, cited))
    return claims


class SupportChecker:
    """Scores how well each evidence passage supports a sentence, and finds the quote that does."""

    def __init__(self, embedder: object, evidence: Sequence[Hit]) -> None:
        self.embedder = embedder
        self.evidence = evidence
        self.sentences = [split_sentences(h.text) or [h.text] for h in evidence]
        flat = [s for group in self.sentences for s in group]
        self._vectors = embedder.embed(flat)  # type: ignore[attr-defined]
        self._owner = [i for i, group in enumerate(self.sentences) for _ in group]
        self._flat = flat

    def _scores(self, text: str) -> np.ndarray:
        """Support of `text` by every evidence sentence: mean of cosine and word recall."""
        vector = self.embedder.embed([text])[0]  # type: ignore[attr-defined]
        cosine = self._vectors @ vector
        words = _content_words(text)
        recall = np.array([len(words & _content_words(s)) / max(len(words), 1) for s in self._flat])
        return 0.5 * cosine + 0.5 * recall

    def best(self, text: str, prefer: Sequence[int] = ()) -> tuple[int, float, str] | None:
        """(passage index, support, quote) of the best support; a cited passage wins near-ties."""
        if not self._flat:
            return None
        # A sentence that states a number its source does not contain is not supported by it:
        # small models copy the shape of a result and change its figures.
        numbers = _numbers(text)
        scores = np.where([numbers <= _numbers(s) for s in self._flat], self._scores(text), -1.0)
        top = int(np.argmax(scores))
        for n in prefer:
            idx = n - 1
            mine = [j for j, owner in enumerate(self._owner) if owner == idx]
            if mine:
                j = max(mine, key=lambda j: scores[j])
                if scores[j] >= scores[top] - 0.05:
                    top = j
                    break
        return self._owner[top], float(scores[top]), self._flat[top]

    def extract(self, question: str, floor: float, count: int = 2) -> list[tuple[str, int, str]]:
        """The evidence sentences that best answer `question` (scoring at least `floor`), verbatim."""
        scores = self._scores(question)
        chosen: list[tuple[str, int, str]] = []
        used: set[int] = set()
        for j in np.argsort(-scores):
            if scores[j] < floor:
                break
            owner = self._owner[int(j)]
            sentence = self._flat[int(j)]
            if owner in used or len(_content_words(sentence)) < 4:
                continue
            chosen.append((sentence, owner, sentence))
            used.add(owner)
            if len(chosen) == count:
                break
        return chosen


def render(kept: Sequence[tuple[str, int, str]], evidence: Sequence[Hit]) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with [n] markers numbered by first use, and the matching citations."""
    numbers: dict[tuple[int, str], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence, index, quote in kept:
        key = (index, quote)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            hit = evidence[index]
            citations.append(
                Citation(
                    numbers[key],
                    hit.paper_id,
                    hit.title,
                    hit.doi,
                    hit.source,
                    _quote_page(hit, quote),
                    quote,
                    hit.chunk_id,
                )
            )
        sentence = sentence.rstrip()
        if not sentence.endswith((".", "!", "?")):
            sentence += "."
        parts.append(f"{sentence} [{numbers[key]}]")
    return " ".join(parts), tuple(citations)


def _quote_page(hit: Hit, quote: str) -> int:
    """The page of a quote; a chunk spanning pages gives its first page."""
    return hit.page


def _relevance(question_vector: np.ndarray, hits: Sequence[Hit], embedder: object) -> list[float]:
    """Cosine similarity of the question to each hit's passage."""
    if not hits:
        return []
    vectors = embedder.embed([h.text for h in hits])  # type: ignore[attr-defined]
    return [float(v) for v in vectors @ question_vector]


def _numbers(text: str) -> set[str]:
    """The numbers in a text, normalised ("4,096" and "4096" are one number)."""
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}


def _content_words(text: str) -> set[str]:
    return {w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in _STOP}
