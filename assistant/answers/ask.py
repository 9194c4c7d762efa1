"""Cited answers: retrieve evidence, let the model answer, keep only what the evidence supports.

A question naming a table's row and column ("What BLEU does ConvS2S reach on EN-FR?") is answered
from that cell before any model is asked, citing the whole row (assistant/answers/cells.py).

The evidence pipeline is built for small models: hybrid retrieval, a rerank on sentence-level
similarity and word overlap (assistant/retrieval/rerank.py), a relevance floor, then MMR so the
few passages the model reads are not near-duplicates. What the model writes then passes the
checks of assistant/answers/choose.py: its short answer is kept only when its cited sentence gives
that answer to what the question asks (assistant/answers/slots.py). Otherwise the model is shown
only the best-answering sentence and asked for the part of it that answers, or for yes or no, which
is kept only when it checks against that sentence (assistant/answers/short.py; llama.cpp holds the
reply to the sentence's words by a grammar); failing that, and always for an open question ("How
do they ...?", "What is the relationship ..."), the answer is the sentence, quoted. When retrieval
finds nothing relevant, the answer abstains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answers import prompts
from assistant.answers.cells import lookup
from assistant.answers.choose import Choice, choose
from assistant.answers.grounding import SupportChecker, render
from assistant.answers.short import Verdict, candidate, check_span, check_yes_no
from assistant.domain import EXTRACTIVE, TABLE_CELL, Answer, Citation, Hit, Rejected
from assistant.errors import BadInput
from assistant.retrieval.rerank import Scored, mmr, rerank
from assistant.retrieval.search import Searcher, SearchFilter
from ingest.text import not_latin
from models.generator import Generator

GeneratorFactory = Callable[[], Generator]

MAX_QUESTION_CHARS = 2000
ABSTAIN_TEXT = "The library holds no evidence for this question."
NOT_LATIN_NOTE = (
    "The question is not in Latin script; the bundled embedding model reads English only, "
    "so ask in English for reliable results."
)


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
        min_extract: float = 0.3,
        max_answer_tokens: int = 200,
        rerank: bool = True,
    ) -> None:
        self.searcher = searcher
        self._generator_factory = generator_factory
        self.evidence_k = evidence_k
        self.candidates_k = candidates_k
        self.min_evidence = min_evidence
        self.min_extract = min_extract
        self.max_answer_tokens = max_answer_tokens
        self.rerank = rerank

    @property
    def generator(self) -> Generator:
        """The generator (loaded on first use by the factory, which keeps it)."""
        return self._generator_factory()

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
        cell = lookup(question, found.passages)
        if cell is not None:
            text, citations = render([(cell.answer(), cell.passage, cell.row)], found.passages)
            return Answer(question, text, citations, False, id=qid, model=TABLE_CELL, note=note)
        raw = self.generator.generate(
            prompts.answer_prompt(question, found.passages),
            max_tokens=self.max_answer_tokens,
            stop=prompts.ANSWER_STOPS,
        )
        text, citations, model, rejected = self._grounded(question, raw, found.passages)
        if not citations:
            return abstain
        return Answer(question, text, citations, False, id=qid, model=model, note=note, rejected=rejected)

    def evidence(self, question: str, where: SearchFilter = SearchFilter()) -> Evidence:
        """The passages above the relevance floor, reranked and diversified, best first.

        The candidates come in fused order (never the search reranker's, even when searches
        rerank by default): the rerank below is the one that counts their fused score.
        """
        hits = self.searcher.search(question, k=self.candidates_k, where=where, rerank=False)
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
    ) -> tuple[str, tuple[Citation, ...], str, Rejected]:
        """The model's short answer if its cited sentence gives it; else the few words of the best
        sentence that answer, if they check against it; else that sentence quoted."""
        checker = SupportChecker(self.searcher.library.embedder, evidence)
        titles = sorted({h.title for h in evidence})
        choice = choose(checker, question, raw, titles, self.min_extract)
        if not choice.quoted or not choice.kept:
            return (
                *render(choice.kept, evidence, quoted=choice.quoted),
                self.generator.name,
                choice.rejected,
            )
        if choice.slot.kind == "open":  # "How do they ...?": a few words of the sentence seldom answer
            return (*render(choice.kept, evidence, quoted=True), EXTRACTIVE, choice.rejected)
        tried, verdict = self._shorten(question, choice, titles)
        rejected = choice.rejected + (() if verdict.text else ((tried, f"short answer: {verdict.reason}"),))
        if not verdict.text:
            return (*render(choice.kept, evidence, quoted=True), EXTRACTIVE, rejected)
        _, index, quote = choice.kept[0]
        return (*render([(verdict.text, index, quote)], evidence), self.generator.name, rejected)

    def _shorten(self, question: str, choice: Choice, titles: Sequence[str]) -> tuple[str, Verdict]:
        """The model's short answer from the quoted sentence alone (as written), checked against it."""
        sentence = choice.kept[0][2]
        yes_no = choice.slot.kind == "yesno"
        prompt = (prompts.yes_no_prompt if yes_no else prompts.span_prompt)(question, sentence)
        raw = self.generator.generate(prompt, max_tokens=32, stop=prompts.SHORT_STOPS)
        if yes_no:
            return candidate(raw), check_yes_no(raw, sentence, question, choice.slot)
        return candidate(raw), check_span(raw, sentence, question, titles, choice.slot, choice.agreed)


def check_question(question: str) -> str:
    """The question with whitespace collapsed; BadInput when it is empty or too long."""
    question = " ".join(question.split())
    if not question:
        raise BadInput("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}")
    return question
