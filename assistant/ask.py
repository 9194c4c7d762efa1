"""Cited answers: retrieve evidence, let the model answer, keep only what the evidence supports.

The evidence pipeline is built for small models: hybrid retrieval, a rerank on sentence-level
similarity and word overlap (assistant/rerank.py), a relevance floor, then MMR so the few passages
the model reads are not near-duplicates. A small local model will sometimes write things its
passages do not say, or follow instructions planted in a paper. Every sentence it writes is
checked against the passage it cites (shared content words and embedding similarity); markers the
passage does not support are moved to the passage that does, or removed, and a sentence no passage
supports is dropped (not flagged: a reader skims, and a flagged invention still reads as an
answer). Quotes are always verbatim sentences of the passage, never model text, and a passage
sentence that addresses the model ("ignore previous instructions") never counts as support. When
nothing survives, the answer falls back to quoting the passages that best match the question; when
retrieval finds nothing relevant, the answer abstains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant import prompts
from assistant.domain import Answer, Citation, Hit
from assistant.errors import BadInput
from assistant.rerank import Scored, content_words, mmr, rerank
from assistant.search import Searcher, SearchFilter
from assistant.summary_text import numbers as _numbers
from ingest.chunking import split_sentences
from models.generator import Generator

GeneratorFactory = Callable[[], Generator]

MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = "The library holds no evidence for this question."
NOT_LATIN_NOTE = (
    "The question is not in Latin script; the bundled embedding model reads English only, "
    "so ask in English for reliable results."
)
_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# Text in a paper that addresses the model rather than the reader: never evidence for anything.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,60}\b(?:instructions?|prompts?|rules|above)\b"
    r"|\byou are (?:now )?(?:an? |the )?(?:ai|assistant|language model|chatbot)\b"
    r"|\b(?:system prompt|new instructions?)\b",
    re.IGNORECASE,
)
Kept = tuple[str, int, str]  # (sentence, passage index, quote)


@dataclass(frozen=True)
class _Claim:
    text: str  # the sentence without markers
    cited: tuple[int, ...]  # passage numbers (1-based) it cites


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for a question: the passages the model reads, and the closest ones."""

    passages: tuple[Hit, ...]  # above the relevance floor, reranked and diversified
    closest: tuple[Hit, ...]  # the best candidates whatever their relevance (shown on abstaining)


class Asker:
    """Answers questions across the library with citations a reader can check."""

    def __init__(
        self,
        searcher: Searcher,
        generator_factory: GeneratorFactory,
        *,
        evidence_k: int = 5,
        candidates_k: int = 20,
        min_evidence: float = 0.35,
        min_support: float = 0.5,
        min_extract: float = 0.3,
        max_answer_tokens: int = 200,
        rerank: bool = True,
    ) -> None:
        self.searcher = searcher
        self._generator_factory = generator_factory
        self._generator: Generator | None = None
        self.evidence_k = evidence_k
        self.candidates_k = candidates_k
        self.min_evidence = min_evidence
        self.min_support = min_support
        self.min_extract = min_extract
        self.max_answer_tokens = max_answer_tokens
        self.rerank = rerank

    @property
    def generator(self) -> Generator:
        """The generator, loaded on first use."""
        if self._generator is None:
            self._generator = self._generator_factory()
        return self._generator

    def ask(self, question: str, where: SearchFilter = SearchFilter(), qid: str | None = None) -> Answer:
        """Answer `question` from the library, or abstain with the closest passages."""
        question = check_question(question)
        return self.answer(question, self.evidence(question, where), qid)

    def answer(self, question: str, found: Evidence, qid: str | None = None) -> Answer:
        """Answer `question` from evidence already retrieved for it (see `evidence`)."""
        note = NOT_LATIN_NOTE if not_latin(question) else ""
        abstain = Answer(question, ABSTAIN_TEXT, (), True, closest=found.closest, id=qid, note=note)
        if not found.passages:
            return abstain
        raw = self.generator.generate(
            prompts.answer_prompt(question, found.passages),
            max_tokens=self.max_answer_tokens,
            stop=prompts.ANSWER_STOPS,
        )
        text, citations, model = self._grounded(question, raw, found.passages)
        if not citations:
            return abstain
        return Answer(question, text, citations, False, id=qid, model=model, note=note)

    def evidence(self, question: str, where: SearchFilter = SearchFilter()) -> Evidence:
        """The passages above the relevance floor, reranked and diversified, best first."""
        hits = self.searcher.search(question, k=self.candidates_k, where=where)
        if not hits and not self.searcher.library.papers():
            raise BadInput("the library is empty; add papers first: paperlamp add FILE.pdf")
        embedder = self.searcher.library.embedder
        scored = rerank(question, hits, embedder)
        if not self.rerank:  # the plain fused order, kept for measuring what reranking adds
            by_id = {s.hit.chunk_id: s for s in scored}
            scored = [by_id[h.chunk_id] for h in hits]
        relevant = [s for s in scored if s.relevance >= self.min_evidence]
        chosen: list[Scored] = mmr(relevant, self.evidence_k) if self.rerank else relevant[: self.evidence_k]
        return Evidence(tuple(s.hit for s in chosen), tuple(s.hit for s in scored[:3]))

    def _grounded(
        self, question: str, raw: str, evidence: Sequence[Hit]
    ) -> tuple[str, tuple[Citation, ...], str]:
        """The model's sentences that the evidence supports, with verified citations."""
        checker = SupportChecker(self.searcher.library.embedder, evidence)
        kept = ground(checker, raw, self.min_support)
        model = self.generator.name
        if not kept:
            kept = checker.extract(question, self.min_extract)
            model = "extractive"
        return (*render(kept, evidence), model)


def check_question(question: str) -> str:
    """The question with whitespace collapsed; BadInput when it is empty or too long."""
    question = " ".join(question.split())
    if not question:
        raise BadInput("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}")
    return question


def not_latin(text: str) -> bool:
    """Whether most letters of `text` are outside the Latin script (Chinese, Cyrillic, Arabic...)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return latin < len(letters) / 2


def ground(checker: SupportChecker, raw: str, min_support: float) -> list[Kept]:
    """The model's sentences some passage supports, each with the passage and its verbatim quote."""
    kept: list[Kept] = []
    for claim in parse_claims(raw):
        if prompts.NO_ANSWER.lower().rstrip(".") in claim.text.lower():
            continue
        best = checker.best(claim.text, prefer=claim.cited)
        if best is not None and best[1] >= min_support and best[2] not in {k[2] for k in kept}:
            kept.append((claim.text, best[0], best[2]))
    return kept


def parse_claims(raw: str) -> list[_Claim]:
    """Split model output into sentences with the passage numbers each cites."""
    text = raw.strip().split("\n\n")[0] if raw.strip() else ""
    claims: list[_Claim] = []
    for sentence in split_sentences(" ".join(text.split())):
        cited = tuple(int(n) for m in _MARKER.finditer(sentence) for n in m.group(1).split(","))
        bare = _MARKER.sub("", sentence).strip()
        if len(content_words(bare)) >= 2:
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
        self._usable = np.array([not _INJECTION.search(s) for s in flat], dtype=bool)

    def _scores(self, text: str) -> np.ndarray:
        """Support of `text` by every evidence sentence: mean of cosine and word recall."""
        vector = self.embedder.embed([text])[0]  # type: ignore[attr-defined]
        cosine = self._vectors @ vector
        words = content_words(text)
        recall = np.array([len(words & content_words(s)) / max(len(words), 1) for s in self._flat])
        return np.where(self._usable, 0.5 * cosine + 0.5 * recall, -1.0)

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

    def extract(self, question: str, floor: float, count: int = 2) -> list[Kept]:
        """The evidence sentences that best answer `question` (scoring at least `floor`), verbatim."""
        scores = self._scores(question)
        chosen: list[Kept] = []
        used: set[int] = set()
        for j in np.argsort(-scores):
            if scores[j] < floor:
                break
            owner = self._owner[int(j)]
            sentence = self._flat[int(j)]
            if owner in used or len(content_words(sentence)) < 4:
                continue
            chosen.append((sentence, owner, sentence))
            used.add(owner)
            if len(chosen) == count:
                break
        return chosen


def render(kept: Sequence[Kept], evidence: Sequence[Hit]) -> tuple[str, tuple[Citation, ...]]:
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
