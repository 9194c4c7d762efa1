"""Chunking along a paper's structure: whole sentences, packed inside one section at a time.

Chunks are the unit of retrieval and citation: they never cross a section heading and never cut
a sentence, and neighbouring chunks share one sentence, so a passage that straddles a boundary is
still whole in one of them. They are larger than the embedding model's window (all-MiniLM-L6-v2
reads 256 tokens and silently drops the rest), so each chunk is embedded as `windows`: runs of
whole sentences that fit the model, every word seen by it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.tables import Table
from ingest.text import split_sentences
from ingest.types import Block, Chunk, Document

TokenCounter = Callable[[Sequence[str]], list[int]]

# Sections whose text answers no question about the paper's content and floods lexical search.
_SKIPPED_SECTIONS = re.compile(
    r"^\s*(?:[0-9IVX]+\.?\s*)?(references|bibliography|literature cited|works cited)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Sentence:
    text: str
    page: int
    paragraph: int  # index of the block it came from; a change marks a paragraph break


def chunk_document(
    doc: Document,
    count_tokens: TokenCounter,
    *,
    max_tokens: int = 450,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    """Chunks of whole sentences within each section, each at most `max_tokens` tokens."""
    chunks: list[Chunk] = []
    for section, blocks in _sections(doc.blocks):
        if _SKIPPED_SECTIONS.match(section):
            continue
        sentences = [_Sentence(s, b.page, n) for n, b in enumerate(blocks) for s in split_sentences(b.text)]
        if not sentences:
            continue
        sizes = count_tokens([s.text for s in sentences])
        for group in _pack(sentences, sizes, max_tokens, overlap_sentences, count_tokens):
            chunks.append(
                Chunk(
                    index=len(chunks),
                    text=" ".join(s.text for s in group),
                    section=section,
                    page_start=min(s.page for s in group),
                    page_end=max(s.page for s in group),
                    page_starts=_page_starts(group),
                )
            )
    for table in doc.tables:
        for text in table_texts(table, count_tokens, max_tokens):
            section = _section_at(doc.blocks, table.page)
            chunks.append(Chunk(len(chunks), text, section, table.page, table.page, kind="table"))
    return chunks


def table_texts(table: Table, count_tokens: TokenCounter, max_tokens: int) -> list[str]:
    """A table as one passage, or, when it is too long for one, as runs of whole rows that each
    repeat its caption and header (a row is never cut, nor read without its column names)."""
    head, rows = _table_parts(table.markdown())
    return [head + "\n" + "\n".join(group) for group in _row_groups(head, rows, count_tokens, max_tokens)]


def table_rows(text: str) -> list[str]:
    """A table passage's rows as quotes: "Transformer (big) | BLEU EN-DE 28.4", verbatim in it."""
    return [line[2:-2] for line in _table_parts(text)[1] if line.startswith("| ") and line.endswith(" |")]


def table_head(text: str) -> tuple[str, list[str]]:
    """A table passage's caption and its column names, as Table.markdown() wrote them ("" for none)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text, []
    return lines[0], [h.strip() for h in lines[1].strip().strip("|").split(" | ")]


def _table_parts(text: str) -> tuple[str, list[str]]:
    """A table passage's caption and header lines, and its row lines."""
    lines = text.split("\n")
    return "\n".join(lines[:3]), lines[3:]


def _row_groups(head: str, rows: list[str], count_tokens: TokenCounter, max_tokens: int) -> list[list[str]]:
    """Rows packed greedily under the budget left after the caption and header."""
    if not rows:
        return [[]]
    budget = max(max_tokens - count_tokens([head])[0], 16)
    groups: list[list[str]] = [[]]
    used = 0
    for row, size in zip(rows, count_tokens(rows), strict=True):
        if groups[-1] and used + size > budget:
            groups.append([])
            used = 0
        groups[-1].append(row)
        used += size
    return groups


def _section_at(blocks: Sequence[Block], page: int) -> str:
    """The section the body text is in on a page (its last block's), for a table on that page."""
    sections = [b.section for b in blocks if b.page <= page and not b.is_heading]
    return sections[-1] if sections else ""


def _page_starts(group: Sequence[_Sentence]) -> tuple[tuple[int, int], ...]:
    """Where in the chunk's text each of its pages begins, as (offset, page); () on one page."""
    starts: list[tuple[int, int]] = []
    offset = 0
    for sentence in group:
        if not starts or starts[-1][1] != sentence.page:
            starts.append((offset, sentence.page))
        offset += len(sentence.text) + 1  # the text joins sentences with one space
    return tuple(starts) if len(starts) > 1 else ()


def windows(text: str, count_tokens: TokenCounter, max_tokens: int, kind: str = "text") -> list[str]:
    """A chunk's text as runs of whole sentences of at most `max_tokens` tokens (one shared);
    a table's as runs of whole rows, each under its caption and header."""
    if kind == "table":
        # Rows name their columns, so a window needs only the caption's first sentence above them.
        head, rows = _table_parts(text)
        lead = (split_sentences(head.split("\n")[0]) or [""])[0]
        return [lead + "\n" + "\n".join(g) for g in _row_groups(lead, rows, count_tokens, max_tokens)]
    sentences = [_Sentence(t, 0, 0) for t in split_sentences(text)] or [_Sentence(text, 0, 0)]
    sizes = count_tokens([s.text for s in sentences])
    if sum(sizes) <= max_tokens:
        return [text]
    groups = _pack(sentences, sizes, max_tokens, 1, count_tokens)
    return [" ".join(s.text for s in group) for group in groups]


def _sections(blocks: Sequence[Block]) -> list[tuple[str, list[Block]]]:
    """Consecutive body blocks grouped by the section they fall under (headings left out)."""
    groups: list[tuple[str, list[Block]]] = []
    for block in blocks:
        if block.is_heading or not block.text.strip():
            continue
        if not groups or groups[-1][0] != block.section:
            groups.append((block.section, []))
        groups[-1][1].append(block)
    return groups


def _pack(
    sentences: list[_Sentence],
    sizes: list[int],
    max_tokens: int,
    overlap: int,
    count_tokens: TokenCounter,
) -> list[list[_Sentence]]:
    """Greedy packing of sentences into groups under the budget, preferring paragraph breaks."""
    sentences, sizes = _split_long(sentences, sizes, max_tokens, count_tokens)
    groups: list[list[_Sentence]] = []
    start = 0
    while start < len(sentences):
        end, used = start, 0
        while end < len(sentences) and used + sizes[end] <= max_tokens:
            used += sizes[end]
            end += 1
        end = max(end, start + 1)
        # Prefer to end at a paragraph break when one falls in the last 40% of the chunk.
        if end < len(sentences):
            for cut in range(end, start + 1, -1):
                if sentences[cut].paragraph != sentences[cut - 1].paragraph:
                    if sum(sizes[start:cut]) >= 0.6 * max_tokens:
                        end = cut
                    break
        groups.append(sentences[start:end])
        if end >= len(sentences):
            break
        # Overlap: the next chunk repeats the last sentence(s), unless that would not advance.
        start = max(end - overlap, start + 1) if end - start > overlap else end
    return groups


def _split_long(
    sentences: list[_Sentence], sizes: list[int], max_tokens: int, count_tokens: TokenCounter
) -> tuple[list[_Sentence], list[int]]:
    """Cut any sentence longer than the budget into word runs that fit."""
    if all(size <= max_tokens for size in sizes):
        return sentences, sizes
    out: list[_Sentence] = []
    out_sizes: list[int] = []
    for sentence, size in zip(sentences, sizes, strict=True):
        if size <= max_tokens:
            out.append(sentence)
            out_sizes.append(size)
            continue
        words = sentence.text.split()
        per_piece = max(1, int(len(words) * max_tokens / size * 0.9))
        pieces = [" ".join(words[i : i + per_piece]) for i in range(0, len(words), per_piece)]
        for piece, piece_size in zip(pieces, count_tokens(pieces), strict=True):
            out.append(_Sentence(piece, sentence.page, sentence.paragraph))
            out_sizes.append(min(piece_size, max_tokens))
    return out, out_sizes
