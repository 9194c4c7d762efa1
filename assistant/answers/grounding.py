"""Evidence sentences, model claims and citations: what answers and comparison cells are checked with.

A small local model will sometimes write things its passages do not say, or follow instructions
planted in a paper. The `SupportChecker` splits the evidence passages into sentences and scores
them against a text (embedding similarity and shared content words); the checks that decide what
is kept live in assistant/answers/choose.py. Quotes are always verbatim sentences of a passage,
never model text, and a passage sentence that addresses the model ("ignore previous
instructions") is never usable as evidence, so a planted instruction cannot become a cited answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.domain import Citation, Hit
from ingest.chunking import table_rows
from ingest.text import content_words, split_sentences
from models.embedder import Embedder

_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# Text in a paper that addresses the model rather than the reader: never evidence for anything.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,60}\b(?:instructions?|prompts?|rules|above)\b"
    r"|\byou are (?:now )?(?:an? |the )?(?:ai|assistant|language model|chatbot)\b"
    r"|\b(?:system prompt|new instructions?)\b",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"(?:Fig(?:ure)?\.?|Table|Tab\.)\s*\d+\s*[:.|]")
Kept = tuple[str, int, str]  # (sentence, passage index, quote)


@dataclass(frozen=True)
class Claim:
    """A sentence the model wrote, and the passages it cites."""

    text: str  # the sentence without markers
    cited: tuple[int, ...]  # passage numbers (1-based) it cites


def parse_claims(raw: str, min_words: int = 2) -> list[Claim]:
    """Split model output into sentences with the passage numbers each cites.

    `min_words` content words make a claim: a short answer ("SQuAD [2]") may be one word.
    """
    text = raw.strip().split("\n")[0] if raw.strip() else ""  # the answer's line; then it rambles
    claims: list[Claim] = []
    for sentence in split_sentences(" ".join(text.split())):
        cited = tuple(int(n) for m in _MARKER.finditer(sentence) for n in m.group(1).split(","))
        bare = _MARKER.sub("", sentence).strip()
        if len(content_words(bare)) >= min_words:
            claims.append(Claim(bare, cited))
    return claims


class SupportChecker:
    """The evidence passages as sentences: scored against a text, and quoted verbatim."""

    def __init__(self, embedder: Embedder, evidence: Sequence[Hit]) -> None:
        self.embedder = embedder
        self.evidence = evidence
        self.sentences = [passage_units(h) for h in evidence]
        flat = [s for group in self.sentences for s in group]
        rows = {r for h in evidence if h.kind == "table" for r in table_rows(h.text)}
        self.is_row = [s in rows for s in flat]  # which units are table rows
        self._vectors = embedder.embed(flat)
        self.owner = [i for i, group in enumerate(self.sentences) for _ in group]  # passage of each sentence
        self.flat = flat  # every evidence sentence, in passage order
        # A sentence addressing the model is never evidence, nor is the paper's title block.
        titles = [evidence[i].title for i in self.owner]
        self.usable = np.array(
            [not _INJECTION.search(s) and not (t and t in s) for s, t in zip(flat, titles, strict=True)],
            dtype=bool,
        )

    def scores(self, text: str) -> np.ndarray:
        """Support of `text` by every evidence sentence: mean of cosine and word recall."""
        vector = self.embedder.embed([text])[0]
        cosine = self._vectors @ vector
        words = content_words(text)
        recall = np.array([len(words & content_words(s)) / max(len(words), 1) for s in self.flat])
        return np.where(self.usable, 0.5 * cosine + 0.5 * recall, -1.0)

    def extract(self, question: str, floor: float, count: int = 2) -> list[Kept]:
        """The evidence sentences that best answer `question` (scoring at least `floor`), verbatim."""
        scores = self.scores(question)
        chosen: list[Kept] = []
        used: set[int] = set()
        for j in np.argsort(-scores):
            if scores[j] < floor:
                break
            owner = self.owner[int(j)]
            sentence = self.flat[int(j)]
            # A table row is a unit of its own (its cells named by their columns); other text must be prose.
            if owner in used or not self.usable[j] or not (self.is_row[int(j)] or prose(sentence)):
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


def prose(sentence: str) -> bool:
    """Whether a sentence is prose worth quoting: not a table row, a caption or a fragment."""
    tokens = sentence.split()
    figures = sum(any(c.isdigit() for c in t) for t in tokens)
    return len(content_words(sentence)) >= 4 and figures <= 0.3 * len(tokens) and not _CAPTION.match(sentence)


def render(
    kept: Sequence[Kept], evidence: Sequence[Hit], *, quoted: bool = False
) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with [n] markers numbered by first use, and the matching citations.

    `quoted` sentences are the paper's own words and are shown in quotation marks.
    """
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
        sentence = sentence.strip()
        if quoted:
            sentence = f"“{sentence}”"
        elif not sentence.endswith((".", "!", "?")):
            sentence += "."
        parts.append(f"{sentence} [{marks[key]}]")
    return " ".join(parts), tuple(citations)
