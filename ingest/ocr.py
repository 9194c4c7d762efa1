"""When a page needs OCR: the decision, from what its text layer and its images cover (plain values only).

Kept apart from pdf.py, which alone calls PyMuPDF (and, through it, Tesseract). A page is read by
OCR when its text layer is not usable: nothing at all over an image (a scan), or a line or two
(a running header, a stamp) over an image that covers most of the page, or text made mostly of
glyphs no font maps to a character. A digital page with figures keeps its text layer: its text
is more than a header line, whatever its pictures cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

OcrMode = Literal["auto", "always", "off"]
OCR_MODES: tuple[OcrMode, ...] = ("auto", "always", "off")

# Fewer characters than this over a page image is a header, a stamp or a page number, not a page.
_THIN_TEXT = 200
# An image covering this much of the page is the page itself (a scan), not a figure on it.
_PAGE_IMAGE = 0.5
# With no text at all, a smaller image is enough: a scan cropped to its text area.
_ANY_IMAGE = 0.1


@dataclass(frozen=True)
class PageLayer:
    """What one page's text layer holds and how much of the page its images cover."""

    chars: int  # non-space characters of text
    unmapped: int  # of which glyphs no font maps to a character (U+FFFD)
    image_cover: float  # fraction of the page area covered by raster images (0..1)


def needs_ocr(layer: PageLayer, mode: OcrMode) -> bool:
    """Whether a page is read by OCR under `mode` ("auto" only when its text layer is not usable)."""
    if mode != "auto":
        return mode == "always"
    readable = layer.chars - layer.unmapped
    if layer.chars >= 40 and readable < 0.5 * layer.chars:
        return True  # a text layer of glyphs no font maps reads as nothing: render and read it
    if layer.image_cover < _ANY_IMAGE:
        return False  # a blank or vector-only page has nothing for OCR to read
    return readable < 40 or (readable < _THIN_TEXT and layer.image_cover >= _PAGE_IMAGE)


def image_cover(
    images: list[tuple[float, float, float, float]], page: tuple[float, float, float, float]
) -> float:
    """The fraction of the page its images cover, overlaps counted once."""
    x0, y0, x1, y1 = page
    area = max((x1 - x0) * (y1 - y0), 1.0)
    clipped = [(max(a, x0), max(b, y0), min(c, x1), min(d, y1)) for a, b, c, d in images if c > a and d > b]
    clipped = [r for r in clipped if r[2] > r[0] and r[3] > r[1]]
    if len(clipped) > 40:  # hundreds of tiles: their summed area is close enough, and fast
        return min(1.0, sum((c - a) * (d - b) for a, b, c, d in clipped) / area)
    xs = sorted({v for r in clipped for v in (r[0], r[2])})
    ys = sorted({v for r in clipped for v in (r[1], r[3])})
    covered = 0.0
    for xa, xb in pairwise(xs):
        for ya, yb in pairwise(ys):
            if any(a <= xa and xb <= c and b <= ya and yb <= d for a, b, c, d in clipped):
                covered += (xb - xa) * (yb - ya)
    return covered / area


def missing_text_reason(name: str, mode: OcrMode, tesseract: bool) -> str:
    """The one line for a PDF whose pages have no text layer and will not be read by OCR."""
    if mode == "off":
        return f'{name}: has no text layer (scanned?); OCR is off (pdf.ocr = "off").'
    if not tesseract:
        return f"{name}: has no text layer (scanned?); install tesseract-ocr to read it."
    return f"{name}: has no text layer, and OCR found no text on its pages."
