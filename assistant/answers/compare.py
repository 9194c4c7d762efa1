"""Side-by-side comparison: a matrix of aspects by papers, each cell from that paper's own sentences.

Extract first, write second. Each cell retrieves only its own paper's passages for the aspect and
picks the paper's sentences that state it (prose, not a table row or a caption). The model may then
shorten or join those sentences; its text is kept only when those very sentences support it (its
content words and numbers come from them, it adds no negation, it says more than the title).
Otherwise the cell is the sentences themselves, quoted and marked as the paper's words. Every cell
cites paper, page and the verbatim quote either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.answers import prompts
from assistant.answers.choose import supported_by
from assistant.answers.grounding import SupportChecker, parse_claims, render
from assistant.domain import Citation, Paper, Progress, no_progress
from assistant.errors import BadInput
from assistant.retrieval.search import Searcher, SearchFilter
from ingest.result_rows import headline_row
from models.generator import Generator

DEFAULT_ASPECTS = ("problem", "method", "data", "results", "limitations")
# Retrieval queries for the default aspects: the aspect name alone finds too little.
ASPECT_QUERIES = {
    "problem": "the problem this paper addresses, its motivation and research question",
    "method": "the proposed method, approach or model and how it works",
    "data": "the datasets, data collection, samples and experimental setup used",
    "results": "the main results, findings, evaluation and performance compared with baselines",
    "limitations": "limitations, weaknesses, caveats and future work",
}
NOT_FOUND = "Not found in this paper."
MAX_ASPECTS = 12


@dataclass(frozen=True)
class Cell:
    """What one paper says on one aspect, with the citations that back it."""

    text: str
    citations: tuple[Citation, ...]
    quoted: bool = True  # the paper's own words (True) or the model's, checked against them (False)

    def to_json(self) -> dict[str, Any]:
        """The cell in the documented JSON shape."""
        return {
            "text": self.text,
            "quoted": self.quoted,
            "citations": [{"paper_id": c.paper_id, "page": c.page, "quote": c.quote} for c in self.citations],
        }


@dataclass(frozen=True)
class Comparison:
    """A matrix of aspects by papers."""

    papers: tuple[Paper, ...]
    aspects: tuple[str, ...]
    cells: dict[str, dict[str, Cell]]  # aspect -> paper id -> cell

    def to_json(self) -> dict[str, Any]:
        """The comparison in the documented JSON shape."""
        return {
            "papers": [{"paper_id": p.id, "title": p.title} for p in self.papers],
            "aspects": list(self.aspects),
            "cells": {a: {pid: cell.to_json() for pid, cell in row.items()} for a, row in self.cells.items()},
        }


class Comparer:
    """Writes comparison matrices from the library with checked, cited cells."""

    def __init__(
        self,
        searcher: Searcher,
        generator: Callable[[], Generator],
        *,
        passages: int = 4,
        sentences: int = 1,
        max_tokens: int = 90,
    ) -> None:
        self.searcher = searcher
        self._generator = generator
        self.passages = passages
        self.sentences = sentences
        self.max_tokens = max_tokens

    def compare(
        self, refs: Sequence[str], aspects: Sequence[str] = DEFAULT_ASPECTS, progress: Progress = no_progress
    ) -> Comparison:
        """Compare the papers `refs` name (at least two) on `aspects`."""
        papers = self._papers(refs)
        aspects = parse_aspects(aspects)
        cells: dict[str, dict[str, Cell]] = {a: {} for a in aspects}
        total, done = len(aspects) * len(papers), 0
        for aspect in aspects:
            for paper in papers:
                cells[aspect][paper.id] = self.cell(aspect, paper)
                done += 1
                progress(f"{aspect}: {paper.title}", done, total)
        return Comparison(tuple(papers), aspects, cells)

    def cell(self, aspect: str, paper: Paper) -> Cell:
        """One paper's statement on one aspect: its own sentences, or the model's text they support."""
        query = ASPECT_QUERIES.get(aspect, aspect)
        hits = self.searcher.search(query, self.passages, SearchFilter(paper_ids=(paper.id,)))
        hits = [h for h in hits if h.paper_id == paper.id]  # the filter's promise, kept explicit
        if not hits:
            return Cell(NOT_FOUND, ())
        checker = SupportChecker(self.searcher.library.embedder, hits)
        chosen = checker.extract(query, -1.0, count=self.sentences)
        if not chosen:
            return Cell(NOT_FOUND, ())
        quote_text, citations = render(chosen, hits, quoted=True)
        sources = [quote for _, _, quote in chosen]
        raw = self._generator().generate(
            prompts.aspect_prompt(aspect, paper.title, sources),
            max_tokens=self.max_tokens,
            stop=prompts.ANSWER_STOPS,
        )
        written = " ".join(c.text.rstrip(".") + "." for c in parse_claims(raw))
        if written and supported_by(written, sources, paper.title):
            marks = ", ".join(str(c.n) for c in citations)
            cell = Cell(f"{written} [{marks}]", citations, quoted=False)
        else:
            cell = Cell(quote_text, citations, quoted=True)
        return self._with_result_row(cell, paper, sources) if aspect == "results" else cell

    def _with_result_row(self, cell: Cell, paper: Paper, sources: Sequence[str]) -> Cell:
        """A results cell with the paper's own row of its results table beside its sentences, when
        a row states what they state (ingest/result_rows.py), cited as a whole row."""
        tables = [c for c in self.searcher.library.chunks(paper.id) if c.kind == "table"]
        # The abstract too: it states the headline numbers the cell's sentence may only allude to.
        row = headline_row([(c.text, c.page_start) for c in tables], (), [*sources, paper.abstract])
        if row is None:
            return cell
        chunk = next(c for c in tables if c.page_start == row.page and row.line in c.text)
        n = len(cell.citations) + 1
        ocr = row.page in paper.ocr_pages
        cited = Citation(n, paper.id, paper.title, paper.doi, paper.source, row.page, row.line, chunk.id, ocr)
        return replace(cell, text=f"{cell.text} {row.text} [{n}]", citations=(*cell.citations, cited))

    def _papers(self, refs: Sequence[str]) -> list[Paper]:
        library = self.searcher.library
        if not library.papers():
            raise BadInput("the library is empty; add papers with: paperlamp add FILE.pdf")
        papers = list({p.id: p for p in (library.get(r) for r in refs)}.values())
        if len(papers) < 2:
            raise BadInput(f"a comparison needs at least two different papers; got {len(papers)}")
        return papers


def parse_aspects(aspects: Sequence[str]) -> tuple[str, ...]:
    """Clean aspect names: trimmed, lowercase, unique, in order; BadInput when none or too many."""
    cleaned = tuple(dict.fromkeys(a.strip().lower() for a in aspects if a.strip()))
    if not cleaned:
        raise BadInput("give at least one aspect, e.g. --aspects method,results")
    if len(cleaned) > MAX_ASPECTS:
        raise BadInput(f"{len(cleaned)} aspects given; the limit is {MAX_ASPECTS}")
    return cleaned


def to_markdown(comparison: Comparison) -> str:
    """The matrix as a Markdown table, with each cell's quotes listed under the table."""
    head = "| aspect | " + " | ".join(_cell_text(p.title) for p in comparison.papers) + " |"
    rule = "|---|" + "---|" * len(comparison.papers)
    rows = []
    notes = []
    for aspect in comparison.aspects:
        cells = [comparison.cells[aspect][p.id] for p in comparison.papers]
        rows.append(f"| {aspect} | " + " | ".join(_cell_text(c.text) for c in cells) + " |")
        for paper, cell in zip(comparison.papers, cells, strict=True):
            for c in cell.citations:
                notes.append(f'- {aspect}, {paper.title} [{c.n}] p. {c.page}: "{c.quote}"')
    return "\n".join([head, rule, *rows, "", "Quotes:", "", *notes]) + "\n"


def to_csv(comparison: Comparison) -> str:
    """The matrix as CSV: one row per aspect, one column per paper (headed by its id)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["aspect", *(p.id for p in comparison.papers)])
    for aspect in comparison.aspects:
        writer.writerow([aspect, *(comparison.cells[aspect][p.id].text for p in comparison.papers)])
    return buffer.getvalue()


def _cell_text(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
