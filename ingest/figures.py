"""Find figures by their captions and the pictures next to them, and crop them to PNG files."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.pdf import PageGraphics, read_graphics, read_pdf, render_clip_png
from ingest.types import Block, Document, Figure

Rect = tuple[float, float, float, float]

# A caption starts with its label followed by punctuation or a capitalised title, so running
# text such as "Figure 3 shows..." is not mistaken for one.
_CAPTION = re.compile(
    r"^((?:extended data |supplementary )?(?:fig\.?|figure))\s*(S?\d+[a-z]?)\s*(?:[:.|—–-]|\s+(?=[A-Z])|$)",
    re.I,
)
_MIN_SIDE = 20.0  # points; smaller regions are rules or specks, not figures


def find_figures(path: Path, doc: Document | None = None) -> list[Figure]:
    """Figures anchored on their captions, with the region of the picture each belongs to."""
    path = Path(path)
    doc = doc or read_pdf(path)
    captions = [(i, b) for i, b in enumerate(doc.blocks) if _CAPTION.match(b.text)]
    if not captions:
        return []
    graphics = {g.page: g for g in read_graphics(path, {b.page for _, b in captions})}
    found: dict[str, Figure] = {}
    real: set[str] = set()
    for _, block in captions:
        label = _label(block.text)
        if not label or label in real:
            continue
        page_blocks = [b for b in doc.blocks if b.page == block.page]
        bbox, from_graphics = _region(block, page_blocks, graphics.get(block.page))
        if bbox is None or (label in found and not from_graphics):
            continue
        found[label] = Figure(label, block.text, block.page, bbox)
        if from_graphics:
            real.add(label)
    return list(found.values())


def _label(text: str) -> str:
    """The canonical label of a caption: "Fig. 3." -> "Figure 3"."""
    match = _CAPTION.match(text)
    if match is None:
        return ""
    prefix = re.sub(r"(?i)figure|fig\.?", "Figure", match[1]).strip()
    return f"{prefix[:1].upper()}{prefix[1:]} {match[2]}"


def _band(caption: Block, graphics: PageGraphics | None) -> tuple[float, float]:
    """The x-range the figure may occupy: the caption's column, or the whole page width."""
    width = graphics.width if graphics else 612.0
    mid = width / 2
    x0, _, x1, _ = caption.bbox
    if x1 <= mid + 10:
        return 0.0, mid
    if x0 >= mid - 10:
        return mid, width
    return 0.0, width


def _region(
    caption: Block, page_blocks: list[Block], graphics: PageGraphics | None
) -> tuple[Rect | None, bool]:
    """The figure's rect above (else below) the caption, and whether pictures were found there."""
    bx0, bx1 = _band(caption, graphics)
    height = graphics.height if graphics else 792.0
    text = [b for b in page_blocks if b is not caption and _overlaps_x(b.bbox, bx0, bx1)]
    above = max((b.bbox[3] for b in text if _is_prose(b) and b.bbox[3] <= caption.bbox[1]),
                default=0.06 * height)  # fmt: skip
    below = min((b.bbox[1] for b in text if _is_prose(b) and b.bbox[1] >= caption.bbox[3]),
                default=0.94 * height)  # fmt: skip
    shapes = [*graphics.images, *graphics.paths] if graphics else []
    shapes = [r for r in shapes if _overlaps_x(r, bx0, bx1) and not _is_background(r, graphics)]
    for lo, hi in ((above - 2, caption.bbox[1] + 2), (caption.bbox[3] - 2, below + 2)):
        inside = [r for r in shapes if r[1] >= lo and r[3] <= hi]
        union = _union(inside)
        if union and union[2] - union[0] >= _MIN_SIDE and union[3] - union[1] >= _MIN_SIDE:
            return union, True
    if caption.bbox[1] - above >= _MIN_SIDE:  # fall back to the gap above the caption
        prose = [b.bbox for b in text if _is_prose(b)] or [caption.bbox]
        x0 = min(caption.bbox[0], *(r[0] for r in prose))
        x1 = max(caption.bbox[2], *(r[2] for r in prose))
        return (x0, above, x1, caption.bbox[1]), False
    return None, False


def _overlaps_x(rect: Rect, x0: float, x1: float) -> bool:
    """True if the rect overlaps the x-range by more than a sliver."""
    return min(rect[2], x1) - max(rect[0], x0) > 2


def _is_prose(block: Block) -> bool:
    """True for running text (long, multi-word) rather than labels inside a figure."""
    return len(block.text) > 120 and not _CAPTION.match(block.text)


def _is_background(rect: Rect, graphics: PageGraphics | None) -> bool:
    """True for page-sized fills and for thin rules at the page edges (header/footer lines)."""
    if graphics is None:
        return False
    w, h = rect[2] - rect[0], rect[3] - rect[1]
    if w * h > 0.6 * graphics.width * graphics.height:
        return True
    edge = rect[3] < 0.06 * graphics.height or rect[1] > 0.94 * graphics.height
    return edge and h < 3


def _union(rects: list[Rect]) -> Rect | None:
    """The bounding box of some rects."""
    if not rects:
        return None
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def save_figures(
    path: Path, figures: list[Figure], out_dir: Path, zoom: float = 2.0
) -> list[tuple[Figure, Path]]:
    """Crop each figure's region to out_dir/fig-<n>.png; degenerate regions are skipped."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[tuple[Figure, Path]] = []
    used: set[str] = set()
    for index, fig in enumerate(figures, start=1):
        x0, y0, x1, y1 = fig.bbox
        if x1 - x0 < _MIN_SIDE or y1 - y0 < _MIN_SIDE:
            continue
        number = fig.label.rsplit(" ", 1)[-1]
        name = f"fig-{number}.png" if f"fig-{number}.png" not in used else f"fig-{index}.png"
        used.add(name)
        target = out_dir / name
        target.write_bytes(render_clip_png(path, fig.page, fig.bbox, zoom=zoom))
        saved.append((fig, target))
    return saved
