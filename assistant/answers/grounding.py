"""The grounding check every cited answer passes: each sentence a model wrote, held against its passages.

A small local model will sometimes write things its passages do not say, or follow instructions
planted in a paper. Every sentence it writes is checked against the passages (shared content
words and embedding similarity, sentence by sentence); a marker the passage does not support
moves to the passage that does, or is removed, and a sentence no passage supports is dropped (not
flagged: a reader skims, and a flagged invention still reads as an answer). Quotes are always
verbatim sentences of a passage, never model text, and a passage sentence that addresses the
model ("ignore previous instructions") never counts as support. Answers and comparison cells
both go through it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answers import prompts
from assistant.domain import Citation, Hit
from ingest.chunking import table_rows
from ingest.text import content_words, numbers, split_sentences
from models.embedder import Embedder

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

    def __init__(self, embedder: Embedder, evidence: Sequence[Hit]) -> None:
        self.embedder = embedder
        self.evidence = evidence
        self.sentences = [passage_units(h) for h in evidence]
        flat = [s for group in self.sentences for s in group]
        rows = {r for h in evidence if h.kind == "table" for r in table_rows(h.text)}
        self._is_row = [s in rows for s in flat]
        self._vectors = embedder.embed(flat)
        self._owner = [i for i, group in enumerate(self.sentences) for _ in group]
        self._flat = flat
        self._usable = np.array([not _INJECTION.search(s) for s in flat], dtype=bool)

    def _scores(self, text: str) -> np.ndarray:
        """Support of `text` by every evidence sentence: mean of cosine and word recall."""
        vector = self.embedder.embed([text])[0]
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
        stated = numbers(text)
        scores = np.where([stated <= numbers(s) for s in self._flat], self._scores(text), -1.0)
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
            if owner in used or (len(content_words(sentence)) < 4 and not self._is_row[int(j)]):
                continue
            chosen.append((sentence, owner, sentence))
            used.add(owner)
            if len(chosen) == count:
                break
        return chosen


def passage_units(hit: Hit) -> list[str]:
    """What a passage is quoted by: its sentences; a table's whole rows.

    A table row names its columns ("Transformer (big) | BLEU EN-DE 28.4"), so a figure is never
    quoted cut off from its row and column; and since a claim's numbers must all be in the one
    unit that supports it, a number is accepted only when the cited row holds it. The caption is
    no unit: it shares a question's words but holds none of the table's figures.
    """
    if hit.kind != "table":
        return split_sentences(hit.text) or [hit.text]
    return table_rows(hit.text) or [hit.text]


def render(kept: Sequence[Kept], evidence: Sequence[Hit]) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with [n] markers numbered by first use, and the matching citations."""
    marks: dict[tuple[int, str], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence, index, quote in kept:
        key = (index, quote)
        if key not in marks:
            marks[key] = len(marks) + 1
            hit = evidence[index]
            citations.append(
                Citation(
                    marks[key],
                    hit.paper_id,
                    hit.title,
                    hit.doi,
                    hit.source,
                    hit.page_of(quote),
                    quote,
                    hit.chunk_id,
                    ocr=hit.page_of(quote) in hit.ocr_pages,
                )
            )
        sentence = sentence.rstrip()
        if not sentence.endswith((".", "!", "?")):
            sentence += "."
        parts.append(f"{sentence} [{marks[key]}]")
    return " ".join(parts), tuple(citations)
