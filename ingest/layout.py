"""Reading order on a page: columns found per page, full-width bands, pictures cutting columns."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class RawBlock:
    """A text block as read off the page, before ordering and clean-up."""

    page: int
    lines: tuple[str, ...]
    bbox: Rect
    size: float
    bold: bool
    rotated: bool = False
    text: str = ""  # the lines joined into one paragraph, computed once
    lead_bold: str = ""  # the bold text the block starts with (a run-in heading, if numbered)


def body_size(pages: list[list[RawBlock]]) -> float:
    """The font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for raw in page:
            sizes[round(raw.size * 2) / 2] += len(raw.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def reading_order(raws: list[RawBlock], rects: list[Rect]) -> tuple[list[RawBlock], bool]:
    """Order a page's blocks: bands split by full-width blocks, each read column by column."""
    margin = [r for r in raws if r.rotated]
    flat = [r for r in raws if not r.rotated]
    gutter = _find_gutter(flat)
    if gutter is None:
        return sorted(flat, key=lambda r: (r.bbox[1], r.bbox[0])) + margin, False
    crossing = [r for r in flat if r.bbox[0] < gutter - 2 and r.bbox[2] > gutter + 2]
    columns = [r for r in flat if r not in crossing]
    # A full-width block cuts the page into bands only if nothing sits beside it; a crossing
    # block with neighbours on its row (a grid of author names) is read inside its band.
    cuts: list[tuple[float, RawBlock | None]] = [
        (_centre(r), r) for r in crossing if not _has_row_neighbour(r, columns)
    ]
    # A wide picture cuts the page too, even when its caption is short and sits in one column.
    x_min, x_max = min(r.bbox[0] for r in flat), max(r.bbox[2] for r in flat)
    for x0, y0, x1, y1 in _merge_rects(rects):
        if x0 < gutter - 20 and x1 > gutter + 20 and x1 - x0 > 0.5 * (x_max - x_min):
            cuts.append(((y0 + y1) / 2, None))
    cuts.sort(key=lambda c: c[0])
    inside = [r for r in crossing if all(r is not c for _, c in cuts)]
    bands: list[list[RawBlock]] = [[] for _ in range(len(cuts) + 1)]
    for raw in columns + inside:
        bands[sum(y < _centre(raw) for y, _ in cuts)].append(raw)
    out: list[RawBlock] = []
    for i, band in enumerate(bands):
        out.extend(_read_band(band, gutter))
        if i < len(cuts) and cuts[i][1] is not None:
            out.append(cuts[i][1])  # type: ignore[arg-type]
    return out + margin, True


def _merge_rects(rects: list[Rect], gap: float = 6.0) -> list[Rect]:
    """Union overlapping or nearly touching rects into clusters (one pass per merge)."""
    # Only sizeable shapes outline a figure; skipping specks keeps this quadratic pass cheap.
    merged = [tuple(r) for r in rects if r[2] - r[0] > 20 or r[3] - r[1] > 20][:300]
    changed = True
    while changed:
        changed = False
        out: list[tuple] = []
        for r in merged:
            for i, m in enumerate(out):
                near_x = r[0] <= m[2] + gap and r[2] >= m[0] - gap
                if near_x and r[1] <= m[3] + gap and r[3] >= m[1] - gap:
                    out[i] = (min(r[0], m[0]), min(r[1], m[1]), max(r[2], m[2]), max(r[3], m[3]))
                    changed = True
                    break
            else:
                out.append(r)
        merged = out
    return merged  # type: ignore[return-value]


def _centre(raw: RawBlock) -> float:
    """Vertical centre of a block."""
    return (raw.bbox[1] + raw.bbox[3]) / 2


def _has_row_neighbour(raw: RawBlock, others: list[RawBlock]) -> bool:
    """True if some other block overlaps this one's vertical extent by half its height."""
    y0, y1 = raw.bbox[1], raw.bbox[3]
    return any(min(y1, o.bbox[3]) - max(y0, o.bbox[1]) > 0.5 * (y1 - y0) for o in others)


def _read_band(band: list[RawBlock], gutter: float) -> list[RawBlock]:
    """Read one band: centred blocks on top (author grids) row by row, then left, then right."""
    left = sorted((r for r in band if r.bbox[2] <= gutter + 2), key=lambda r: r.bbox[1])
    right = sorted((r for r in band if r.bbox[0] >= gutter - 2), key=lambda r: r.bbox[1])
    middle = [r for r in band if r not in left and r not in right]
    width = gutter - min((r.bbox[0] for r in band), default=gutter)
    top_left, top_right = _centred_top(left, width), _centred_top(right, width)
    if not middle and not (top_left and top_right):
        return left + right
    head = middle + top_left + top_right
    head.sort(key=lambda r: (round(r.bbox[1] / 4), r.bbox[0]))
    return head + [r for r in left if r not in head] + [r for r in right if r not in head]


def _centred_top(column: list[RawBlock], width: float) -> list[RawBlock]:
    """Blocks above a column's first full paragraph that are not aligned to the column's edge."""
    wide = [r for r in column if r.bbox[2] - r.bbox[0] > 0.85 * width and len(r.lines) > 1]
    start = min((r.bbox[1] for r in wide), default=float("inf"))
    edge = min((r.bbox[0] for r in wide), default=float("-inf"))
    return [r for r in column if r.bbox[3] <= start + 1 and abs(r.bbox[0] - edge) > 8]


def _find_gutter(raws: list[RawBlock]) -> float | None:
    """The x of the gap between two text columns, or None for a single-column page."""
    if len(raws) < 3:
        return None
    x_min = min(r.bbox[0] for r in raws)
    x_max = max(r.bbox[2] for r in raws)
    width = x_max - x_min
    total = sum(len(r.text) for r in raws)
    if width < 100 or total == 0:
        return None
    # The gutter is the x that puts the most text wholly on both sides: maximise the lesser side.
    ends = sorted((r.bbox[2], len(r.text)) for r in raws)
    starts = sorted((r.bbox[0], len(r.text)) for r in raws)
    end_x = [e for e, _ in ends]
    start_x = [s for s, _ in starts]
    left_sum = list(accumulate(n for _, n in ends))
    right_sum = list(accumulate(n for _, n in reversed(starts)))[::-1]
    best, best_score = None, 0
    for x1 in end_x:
        gutter = x1 + 0.5
        if not x_min + 0.3 * width <= gutter <= x_min + 0.7 * width:
            continue
        i = bisect_right(end_x, gutter + 2)
        j = bisect_left(start_x, gutter - 2)
        score = min(left_sum[i - 1] if i else 0, right_sum[j] if j < len(start_x) else 0)
        if score > best_score:
            best, best_score = gutter, score
    if best is None or best_score < 0.15 * total:
        return None
    for side in (
        [r for r in raws if r.bbox[2] <= best + 2],
        [r for r in raws if r.bbox[0] >= best - 2],
    ):
        if not any(len(r.lines) > 1 for r in side):
            return None
    return best
