"""Text outside the body: running headers and footers, page numbers, margin stamps."""

from __future__ import annotations

import re
from collections import Counter

from ingest.headings import is_heading_text
from ingest.layout import RawBlock, Rect

_PAGE_NUMBER = re.compile(r"^(page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(\s*(of|/)\s*\d{1,4})?$", re.I)


# Lines that say who published or owns the paper, or when it was received: never body text.
_NOTICE = re.compile(
    r"^(©|\(c\)|c⃝|copyright\b|manuscript received|(?:received|accepted):? (?:[a-z]+ )?\d|published online|"
    r"permission to make digital|this article is licensed|preprint submitted to|preprint\.? under review|"
    r"[A-Z][\w&.]*(?: [A-Z&][\w&.]*)* volume \d+,? (?:number|issue|no\.?) \d+)",
    re.I,
)
_ARXIV_STAMP = re.compile(r"^arxiv:\s*\S+\s*\[[^\]]+\]", re.I)


# A page number before or after a running line: "1764 Cell 187, ..." on left pages, "... 2024 1765" on
# right ones, "e2" on the pages of an online supplement.
# One side only: "... May 3, 2024" ends in its year.
_LEADING_MARK = re.compile(r"^[a-z]?\d{1,5}\s+", re.I)
_TRAILING_MARK = re.compile(r"\s+[a-z]?\d{1,5}$", re.I)
# A copyright line anywhere in a text at the edge: "1060 Cancer Cell 40, ... ª 2022 The Authors."
_COPYRIGHT = re.compile(r"(?:©|ª|\(c\))\s*(?:19|20)\d\d\b", re.I)
# A licence the copyright line runs into is longer than any other notice: "Received: March 13, 2023.
# ... © The Author(s) 2024. Published by ... This is an Open Access article distributed under ..."
_LICENCE = re.compile(r"©[^.]{0,40}(?:19|20)\d\d\b")


def _edge_key(raw: RawBlock, height: float) -> str | None:
    """A page-independent key for text at the page's top/bottom edge or in a rotated margin: its
    page number, on whichever side, and every other digit do not count."""
    y0, y1 = raw.bbox[1], raw.bbox[3]
    if not (raw.rotated or y1 < 0.1 * height or y0 > 0.9 * height):
        return None
    text, leading = _LEADING_MARK.subn("", raw.text.strip().lower())
    text = text if leading else _TRAILING_MARK.sub("", text)
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _margin_digits(raw: RawBlock, width: float) -> bool:
    """True for a bare number in the outer eighth of the page."""
    x0, _, x1, _ = raw.bbox
    flat = not raw.rotated
    return flat and (x1 < 0.08 * width or x0 > 0.92 * width) and bool(re.fullmatch(r"[\d\s]+", raw.text))


def _outside_body(raw: RawBlock, width: float, height: float, numbered: bool) -> bool:
    """True for text that is never part of a sentence, wherever it repeats or not."""
    y0, y1 = raw.bbox[1], raw.bbox[3]
    if raw.rotated or _ARXIV_STAMP.match(raw.text):  # side stamps and rotated margin notes
        return True
    if numbered and _margin_digits(raw, width):  # line numbers of a review copy
        return True
    near_edge = y1 < 0.12 * height or y0 > 0.85 * height
    notice = bool(_NOTICE.match(raw.text)) or (near_edge and bool(_COPYRIGHT.search(raw.text)))
    if near_edge and notice and _LICENCE.search(raw.text):
        return len(raw.text) < 1200
    return len(raw.text) < 300 and notice and (near_edge or len(raw.text) < 120)


def drop_running_text(
    pages: list[list[RawBlock]], sizes: list[tuple[float, float]]
) -> tuple[list[list[RawBlock]], tuple[str, ...]]:
    """Remove running headers/footers (repeated edge text), page numbers, stamps and notices."""
    counts: Counter[str] = Counter()
    for page, (_, height) in zip(pages, sizes, strict=True):
        keys = {_edge_key(r, height) for r in page}
        counts.update(k for k in keys if k)
    threshold = max(2, round(0.25 * len(pages)))
    out = []
    removed: dict[str, None] = {}
    for page, (width, height) in zip(pages, sizes, strict=True):
        kept = []
        # A review copy numbers every line; one bare number in the margin is a section number.
        numbered = sum(_margin_digits(r, width) for r in page) >= 5
        for raw in page:
            key = _edge_key(raw, height)
            repeated = key is not None and (counts[key] >= threshold or _PAGE_NUMBER.match(raw.text))
            if repeated or _outside_body(raw, width, height, numbered):
                removed[raw.text] = None
                continue
            kept.append(raw)
        out.append(kept)
    return out, tuple(removed)


def figure_noise(raw: RawBlock, rects: list[Rect], body: float) -> bool:
    """True for blocks that carry nothing: empty ones and tiny labels inside a picture."""
    text = raw.text
    if not any(ch.isalnum() for ch in text):
        return True
    if len(text) > 30 or len(text.split()) > 4 or is_heading_text(text):
        return False
    x0, y0, x1, y1 = raw.bbox
    pad = 12.0 if raw.size <= body else 4.0
    return any(x0 < r[2] + pad and x1 > r[0] - pad and y0 < r[3] + pad and y1 > r[1] - pad for r in rects)
