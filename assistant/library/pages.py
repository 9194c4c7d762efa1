"""A library paper's pages as images, with a quoted span highlighted where it is found."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import BadInput, NotFound
from assistant.library.library import Library
from ingest.pdf import Rect, find_text_rects, render_page_png
from ingest.text import split_sentences

_WINDOW = 6  # words per search window when a quote is not found whole (line breaks, hyphens)


class Pages:
    """Renders the pages of the library's papers."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def image(self, paper_id: str, page: int, quote: str = "", zoom: float = 1.5) -> bytes:
        """A paper's 1-based page as PNG bytes, with `quote` (when given and found) highlighted."""
        paper = self.library.get(paper_id)
        path = self.library.file_of(paper)
        if path is None:
            raise NotFound(f"the PDF of {paper.title!r} is not in the library folder")
        if not 1 <= page <= max(paper.pages, 1):
            raise BadInput(f"{paper.title!r} has {paper.pages} pages; there is no page {page}")
        rects = quote_rects(path, page, quote) if quote.strip() else []
        return render_page_png(path, page, zoom, highlights=rects)


def quote_rects(path: Path, page: int, quote: str) -> list[Rect]:
    """Rectangles of `quote` on the page: each sentence whole, else the word windows of it that are found.

    The quote is cut into the sentences the chunker made of the page's text. A passage's text is
    cleaned (hyphens joined, headers dropped), so a sentence may not match the page's text
    exactly; its windows still mark most of it.
    """
    rects: list[Rect] = []
    for sentence in split_sentences(" ".join(quote.split())):
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
