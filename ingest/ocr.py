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


# Tesseract's blocks on a two-column page often run across both columns, and one printed line can
# come back as two fragments (a wide word space); the page's reading order is built from blocks,
# so an OCR'd page is re-blocked first: fragments of one row rejoined, lines grouped by column.
_GUTTER_FROM, _GUTTER_TO = 0.3, 0.7  # where a two-column page's gutter can be, as page-width shares
_CROSSING = 0.3  # at most this share of a two-column page's lines run across its gutter


def column_blocks(data: dict) -> dict:
    """An OCR'd page's text dict re-blocked: noise dropped, row fragments joined, lines grouped by
    column and paragraph gap, so a block never holds text of both columns."""
    texts = [b for b in data["blocks"] if b["type"] == 0]
    kept = {id(ln) for ln in _in_body([ln for b in texts for ln in b["lines"] if _legible(ln)])}
    gutter = _gutter([ln for b in texts for ln in b["lines"] if id(ln) in kept], data["width"])
    blocks: list[dict] = []
    # Tesseract's own block breaks stay (a heading is its own block); a block is only split further.
    for block in texts:
        sides: dict[str, list[dict]] = {}
        for line in (ln for ln in block["lines"] if id(ln) in kept):
            sides.setdefault(_side(line["bbox"], gutter), []).append(line)
        blocks += [_block(run) for side in sides.values() for run in _paragraphs(_rows(side))]
    return {**data, "blocks": blocks + [b for b in data["blocks"] if b["type"] != 0]}


def _side(box: tuple, gutter: float | None) -> str:
    """Which side of the gutter a line is on: "left", "right", "across" it, or "page" (one column)."""
    if gutter is None:
        return "page"
    return "left" if box[2] <= gutter + 2 else "right" if box[0] >= gutter - 2 else "across"


def _legible(line: dict) -> bool:
    """False for what Tesseract reads from specks and rules: a line with no letter or digit."""
    return any(ch.isalnum() for s in line["spans"] for ch in s["text"])


def _in_body(lines: list[dict]) -> list[dict]:
    """The lines within the body's left and right edges (those of its long lines): a scanned side
    stamp comes back as a stack of single letters out in the margin."""
    long = [ln["bbox"] for ln in lines if sum(len(s["text"].strip()) for s in ln["spans"]) >= 20]
    if not long:
        return lines
    left, right = min(b[0] for b in long) - 2, max(b[2] for b in long) + 2
    return [ln for ln in lines if ln["bbox"][2] > left and ln["bbox"][0] < right]


def _gutter(lines: list[dict], width: float) -> float | None:
    """The x of a two-column page's gutter: the place near the middle fewest lines cross, when
    enough lines sit wholly on each side of it."""
    best: tuple[int, float] | None = None
    for step in range(int(_GUTTER_FROM * width), int(_GUTTER_TO * width), 2):
        x = float(step)
        crossing = sum(ln["bbox"][0] < x - 2 and ln["bbox"][2] > x + 2 for ln in lines)
        if best is None or crossing < best[0]:
            best = (crossing, x)
    if best is None:
        return None
    crossing, x = best
    left = sum(ln["bbox"][2] <= x + 2 for ln in lines)
    right = sum(ln["bbox"][0] >= x - 2 for ln in lines)
    two = min(left, right) >= 5 and crossing <= _CROSSING * len(lines)
    return x if two else None


def _rows(lines: list[dict]) -> list[dict]:
    """Lines sorted top to bottom, fragments of one printed row (same height, side by side) joined."""
    out: list[dict] = []
    for line in sorted(lines, key=lambda ln: (ln["bbox"][1], ln["bbox"][0])):
        prev = out[-1] if out else None
        if (
            prev is not None
            and _same_row(prev["bbox"], line["bbox"])
            and _side_by_side(prev["bbox"], line["bbox"])
        ):
            first, second = sorted((prev, line), key=lambda ln: ln["bbox"][0])
            spans = [*first["spans"][:-1], {**first["spans"][-1], "text": first["spans"][-1]["text"] + " "}]
            x0, y0, x1, y1 = zip(first["bbox"], second["bbox"], strict=True)
            out[-1] = {
                **first,
                "spans": spans + second["spans"],
                "bbox": (min(x0), min(y0), max(x1), max(y1)),
            }
        else:
            out.append(line)
    return out


def _same_row(a: tuple, b: tuple) -> bool:
    """Two line boxes on one printed row: their middles within a third of a line's height."""
    height = min(a[3] - a[1], b[3] - b[1])
    return abs((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2) < height / 3


def _side_by_side(a: tuple, b: tuple) -> bool:
    """Two boxes of one row close enough to be one line: a word space, not a column gap, apart."""
    height = min(a[3] - a[1], b[3] - b[1])
    return max(a[0], b[0]) - min(a[2], b[2]) < 2 * height


def _paragraphs(rows: list[dict]) -> list[list[dict]]:
    """Consecutive rows split where the gap above a row is over a line's height (a new paragraph)."""
    runs: list[list[dict]] = []
    for row in rows:
        prev = runs[-1][-1] if runs else None
        height = (
            (row["bbox"][3] - row["bbox"][1])
            if prev is None
            else min(row["bbox"][3] - row["bbox"][1], prev["bbox"][3] - prev["bbox"][1])
        )
        if prev is not None and row["bbox"][1] - prev["bbox"][3] <= height:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _block(lines: list[dict]) -> dict:
    """A text block of these lines, its box around them."""
    x0, y0, x1, y1 = zip(*(ln["bbox"] for ln in lines), strict=True)
    return {"type": 0, "bbox": (min(x0), min(y0), max(x1), max(y1)), "lines": lines}
