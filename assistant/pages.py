"""Showing passages: page images with the quoted span highlighted, passage text with query terms marked."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.build import Assistant
from assistant.errors import BadInput, NotFound
from ingest.errors import UnreadableInput
from ingest.pdf import Rect, find_text_rects, render_page_png

_WINDOW = 6  # words per search window when a quote is not found whole (line breaks, hyphens)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# Words too common to be worth marking in a passage.
_COMMON = frozenset(
    "a an and are as at be by can did do does for from has have how in into is it its of on or "
    "that the their this to was were what when where which who why with".split()
)


def page_image(assistant: Assistant, paper_id: str, page: int, quote: str = "", zoom: float = 1.5) -> bytes:
    """A paper's 1-based page as PNG bytes, with `quote` (when given and found) highlighted."""
    paper = assistant.library.get(paper_id)
    path = assistant.library.file_of(paper)
    if path is None:
        raise NotFound(f"the PDF of {paper.title!r} is not in the library folder")
    if not 1 <= page <= max(paper.pages, 1):
        raise BadInput(f"{paper.title!r} has {paper.pages} pages; there is no page {page}")
    try:
        rects = quote_rects(path, page, quote) if quote.strip() else []
        return render_page_png(path, page, zoom, highlights=rects)
    except UnreadableInput as exc:
        raise BadInput(str(exc)) from exc


def quote_rects(path: Path, page: int, quote: str) -> list[Rect]:
    """Rectangles of `quote` on the page: each sentence whole, else the word windows of it that are found.

    A passage's text is cleaned (hyphens joined, headers dropped), so a sentence may not match the
    page's text exactly; its windows still mark most of it.
    """
    rects: list[Rect] = []
    for sentence in _SENTENCE_END.split(" ".join(quote.split())):
        found = find_text_rects(path, page, [sentence]) or find_text_rects(path, page, word_windows(sentence))
        rects.extend(r for r in found if r not in rects)
    return rects


def word_windows(text: str, size: int = _WINDOW) -> list[str]:
    """The text cut into runs of `size` words; a short tail joins the run before it."""
    words = text.split()
    runs = [words[i : i + size] for i in range(0, len(words), size)]
    if len(runs) > 1 and len(runs[-1]) < size // 2:
        tail = runs.pop()
        runs[-1] += tail
    return [" ".join(run) for run in runs]


def query_terms(query: str) -> list[str]:
    """The words of a query worth marking in results, lowercase, longest first."""
    words = {w.lower() for w in _WORD.findall(query)}
    kept = (w for w in words if w not in _COMMON and (len(w) > 2 or w.isdigit()))
    return sorted(kept, key=len, reverse=True)


def marked_segments(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_query_term) segments; a term matches a word's start ("enzymes")."""
    terms = query_terms(query)
    if not terms:
        return [(text, False)] if text else []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")[^\W_]*", re.IGNORECASE)
    segments: list[tuple[str, bool]] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            segments.append((text[last : match.start()], False))
        segments.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        segments.append((text[last:], False))
    return segments
