"""Text outside the body: running headers and footers, page numbers, margin stamps."""

from __future__ import annotations

import re
from collections import Counter

from ingest.headings import is_heading_text
from ingest.layout import RawBlock, Rect

_PAGE_NUMBER = re.compile(r"^(page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(\s*(of|/)\s*\d{1,4})?$", re.I)


def _edge_key(raw: RawBlock, height: float) -> str | None:
    """A page-independent key for text at the page's top/bottom edge or in a rotated margin."""
    y0, y1 = raw.bbox[1], raw.bbox[3]
    if not (raw.rotated or y1 < 0.1 * height or y0 > 0.9 * height):
        return None
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", raw.text.lower()))


def drop_running_text(
    pages: list[list[RawBlock]], heights: list[float]
) -> tuple[list[list[RawBlock]], tuple[str, ...]]:
    """Remove running headers/footers (repeating edge text, modulo digits) and page numbers."""
    counts: Counter[str] = Counter()
    for page, height in zip(pages, heights, strict=True):
        keys = {_edge_key(r, height) for r in page}
        counts.update(k for k in keys if k)
    threshold = max(2, round(0.25 * len(pages)))
    out = []
    removed: dict[str, None] = {}
    for page, height in zip(pages, heights, strict=True):
        kept = []
        for raw in page:
            key = _edge_key(raw, height)
            if key is not None and (counts[key] >= threshold or _PAGE_NUMBER.match(raw.text)):
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
