"""Read a PDF paper into text blocks in reading order; the only module that touches PyMuPDF."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import pymupdf

from ingest.errors import UnreadableInput
from ingest.types import Block, Document

Rect = tuple[float, float, float, float]

# Ligatures are expanded by MuPDF unless TEXT_PRESERVE_LIGATURES is set; some fonts still map
# them to the presentation-form code points, so those are spelled out here too.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "\u00a0": " "}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
# Invisible format characters publishers sprinkle into words and URLs (zero-width spaces and
# joiners, word joiners, byte-order marks); left in, they split "KATP" into tokens nobody types.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff]")
_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_COLLECT_VECTORS
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|cmbx|\bbx|-b$|\.b$", re.I)
_HYPHENS = ("-", "\u00ad", "\u2010")
# Prefixes that TeX only ever breaks at an explicit hyphen, so "self-\nattention" keeps its hyphen.
_HYPHEN_PREFIXES = {"self", "non", "well", "cross", "semi", "state", "zero", "few", "fine", "end"}
_PAGE_NUMBER = re.compile(r"^(page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(\s*(of|/)\s*\d{1,4})?$", re.I)
_NUMBERED = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H]\.)\s+[A-Z(]")
_CAPTION = re.compile(r"^(fig\.?|figure|table|tab\.|algorithm|listing)\s*[A-Z]?\d", re.I)
_KNOWN_HEADINGS = {
    "abstract", "introduction", "background", "related work", "method", "methods", "methodology",
    "results", "discussion", "conclusion", "conclusions", "references", "bibliography",
    "acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment", "appendix",
    "materials and methods", "methods and materials", "experiments", "experimental setup",
    "evaluation", "limitations", "results and discussion", "summary", "online methods",
    "supplementary material", "data availability", "code availability", "author contributions",
    "competing interests", "ethics statement", "future work", "preliminaries", "main",
}  # fmt: skip
_MARKS = re.compile(r"[∗*†‡§¶♠♢♡♣♦@]")
_ACCENT = re.compile(r"([´`¨ˆ˜])\s?([A-Za-zı])")
_COMBINING = {"´": "\u0301", "`": "\u0300", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303"}
_RUN_IN = re.compile(r"^(abstract|summary|index terms|keywords)\s*[—–:.-]\s*(?=\S)", re.I)


@dataclass(frozen=True)
class _Raw:
    """A text block as read off the page, before ordering and clean-up."""

    page: int
    lines: tuple[str, ...]
    bbox: Rect
    size: float
    bold: bool
    rotated: bool = False
    text: str = ""  # the lines joined into one paragraph, computed once


@dataclass(frozen=True)
class PageGraphics:
    """Where a page draws pictures: raster image rects and vector-path rects, in PDF points."""

    page: int
    width: float
    height: float
    images: tuple[Rect, ...]
    paths: tuple[Rect, ...]


def read_pdf(path: Path, *, max_bytes: int = 200_000_000, max_pages: int = 2000) -> Document:
    """Read a PDF's text as blocks in reading order, with headings and sections marked."""
    path = Path(path)
    with _open(path, max_bytes=max_bytes, max_pages=max_pages) as pdf:
        raws: list[list[_Raw]] = []
        graphics: list[list[Rect]] = []
        sizes: list[float] = []
        for number in range(1, pdf.page_count + 1):
            page = pdf[number - 1]
            page_raws, page_graphics = _read_page(page, number)
            raws.append(page_raws)
            graphics.append(page_graphics)
            sizes.append(page.rect.height)
        info = {k: v for k, v in (pdf.metadata or {}).items() if v and isinstance(v, str)}
    chars = sum(len(r.text.strip()) for page in raws for r in page)
    if chars < 40 * len(raws):
        raise UnreadableInput(f"{path.name}: has no text layer (scanned?); OCR is not enabled.")
    raws = _drop_running_text(raws, sizes)
    body = _body_size(raws)
    ordered: list[_Raw] = []
    two_column = 0
    for page_raws, rects in zip(raws, graphics, strict=True):
        kept = [r for r in page_raws if not _figure_noise(r, rects, body)]
        page_order, is_two = _reading_order(kept, rects)
        two_column += is_two
        ordered.extend(page_order)
    blocks = _mark_headings(ordered, body)
    return Document(tuple(blocks), len(raws), info=info, two_column_pages=two_column)


class _open:
    """Open a PDF for reading, turning every way it can be unreadable into UnreadableInput."""

    def __init__(self, path: Path, *, max_bytes: int = 200_000_000, max_pages: int = 2000):
        name = path.name
        if not path.is_file():
            raise UnreadableInput(f"{name}: file not found.")
        size = path.stat().st_size
        if size == 0:
            raise UnreadableInput(f"{name}: file is empty (0 bytes).")
        if size > max_bytes:
            raise UnreadableInput(f"{name}: file is too large ({size} bytes > {max_bytes}).")
        with path.open("rb") as fh:
            head = fh.read(1024)
        if b"%PDF" not in head:
            raise UnreadableInput(f"{name}: not a PDF file (no %PDF header).")
        try:
            self.pdf = pymupdf.open(path, filetype="pdf")
        except Exception as exc:  # MuPDF raises several types for broken files
            raise UnreadableInput(f"{name}: corrupt or truncated PDF ({exc}).") from exc
        if self.pdf.needs_pass or self.pdf.is_encrypted:
            self.pdf.close()
            raise UnreadableInput(f"{name}: PDF is encrypted (password-protected).")
        if self.pdf.page_count == 0:
            self.pdf.close()
            raise UnreadableInput(f"{name}: corrupt or truncated PDF (no readable pages).")
        if self.pdf.page_count > max_pages:
            count = self.pdf.page_count
            self.pdf.close()
            raise UnreadableInput(f"{name}: too many pages ({count} > {max_pages}).")

    def __enter__(self) -> pymupdf.Document:
        return self.pdf

    def __exit__(self, *exc: object) -> None:
        self.pdf.close()


def _read_page(page: pymupdf.Page, number: int) -> tuple[list[_Raw], list[Rect]]:
    """The page's text blocks and the rects of its pictures (images and non-rule vector paths)."""
    try:
        data = page.get_text("dict", flags=_FLAGS)
    except Exception as exc:
        raise UnreadableInput(f"page {number} cannot be read ({exc}).") from exc
    area = page.rect.width * page.rect.height
    raws: list[_Raw] = []
    rects: list[Rect] = []
    for block in data["blocks"]:
        if block["type"] == 0:
            raws.extend(_split_block(block, number))
        elif block["type"] == 3:
            x0, y0, x1, y1 = block["bbox"]
            # Thin rules (table lines, footnote bars) are not pictures; huge fills are backgrounds.
            if x1 - x0 > 2 and y1 - y0 > 2 and (x1 - x0) * (y1 - y0) < 0.5 * area:
                rects.append(block["bbox"])
    # get_image_info() builds a second text page, so only pay for it when the page has images.
    for info in page.get_image_info() if page.get_images() else ():
        x0, y0, x1, y1 = info["bbox"]
        if (x1 - x0) * (y1 - y0) < 0.8 * area:
            rects.append(info["bbox"])
    return raws, rects


def _split_block(block: dict, page: int) -> list[_Raw]:
    """Turn a MuPDF block into _Raw blocks, splitting a leading heading line off its paragraph."""
    lines: list[tuple[str, float, bool, bool, Rect]] = []
    for line in block["lines"]:
        spans = [s for s in line["spans"] if s["text"].strip()]
        if not spans:
            continue
        text = clean_text("".join(s["text"] for s in line["spans"]))
        weights = [len(s["text"].strip()) for s in spans]
        total = sum(weights)
        size = sum(s["size"] * w for s, w in zip(spans, weights, strict=True)) / total
        bold_chars = sum(w for s, w in zip(spans, weights, strict=True) if _is_bold(s))
        rotated = abs(line["dir"][1]) > 0.5
        lines.append((text, size, bold_chars >= 0.8 * total, rotated, line["bbox"]))
    if not lines:
        return []
    groups = [lines]
    first, rest = lines[0], lines[1:]
    stands_out = rest and len(first[0]) < 90 and (first[2] or first[1] > rest[0][1] + 0.8)
    if stands_out and not any(r[2] for r in rest) and all(first[1] >= r[1] - 0.2 for r in rest):
        groups = [[first], rest]
    return [_make_raw(g, page) for g in groups]


def _make_raw(lines: list[tuple[str, float, bool, bool, Rect]], page: int) -> _Raw:
    """Build a _Raw block from (text, size, bold, rotated, bbox) lines."""
    chars = [max(len(t), 1) for t, *_ in lines]
    total = sum(chars)
    size = sum(ln[1] * c for ln, c in zip(lines, chars, strict=True)) / total
    bold = sum(c for ln, c in zip(lines, chars, strict=True) if ln[2]) >= 0.8 * total
    rotated = sum(c for ln, c in zip(lines, chars, strict=True) if ln[3]) > 0.5 * total
    boxes = [ln[4] for ln in lines]
    bbox = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    texts = tuple(ln[0] for ln in lines)
    return _Raw(page, texts, bbox, round(size, 1), bold, rotated, join_lines(texts))


def _is_bold(span: dict) -> bool:
    """True if the span is set in a bold face (by flag or by font name)."""
    return bool(span["flags"] & 16) or bool(_BOLD_FONT.search(span["font"]))


def clean_text(text: str) -> str:
    """Expand ligatures and drop control and invisible characters MuPDF passes through."""
    text = _INVISIBLE.sub("", _CONTROL.sub("", text.translate(_LIGATURES))).rstrip()
    if text.endswith("\xad"):  # a soft hyphen ending a line marks a word broken there
        text = text[:-1] if text[-2:-1] == "-" else text[:-1] + "-"
    text = text.replace("\xad", "")
    if _ACCENT.search(text):  # old TeX fonts set accents as separate glyphs: "F´ısica"
        text = _ACCENT.sub(lambda m: m[2].replace("ı", "i") + _COMBINING[m[1]], text)
        text = unicodedata.normalize("NFC", text)
    return text


def join_lines(lines: Iterable[str]) -> str:
    """Join a block's lines with spaces, repairing words hyphenated across line ends."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith(_HYPHENS) and len(out) > 1 and out[-2].isalpha():
            word = re.split(r"\s", out)[-1][:-1]
            if line[0].islower() and "-" not in word and word.lower() not in _HYPHEN_PREFIXES:
                out = out[:-1] + line  # a word broken by hyphenation: "trans-" + "former"
            else:
                out = out[:-1] + "-" + line  # a real hyphen: "state-of-" + "the-art"
        else:
            out = f"{out} {line}"
    return re.sub(r"\s+", " ", out).strip()


def _edge_key(raw: _Raw, height: float) -> str | None:
    """A page-independent key for text at the page's top/bottom edge or in a rotated margin."""
    y0, y1 = raw.bbox[1], raw.bbox[3]
    if not (raw.rotated or y1 < 0.1 * height or y0 > 0.9 * height):
        return None
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", raw.text.lower()))


def _drop_running_text(pages: list[list[_Raw]], heights: list[float]) -> list[list[_Raw]]:
    """Remove running headers/footers (repeating edge text, modulo digits) and page numbers."""
    counts: Counter[str] = Counter()
    for page, height in zip(pages, heights, strict=True):
        keys = {_edge_key(r, height) for r in page}
        counts.update(k for k in keys if k)
    threshold = max(2, round(0.25 * len(pages)))
    out = []
    for page, height in zip(pages, heights, strict=True):
        kept = []
        for raw in page:
            key = _edge_key(raw, height)
            if key is not None and (counts[key] >= threshold or _PAGE_NUMBER.match(raw.text)):
                continue
            kept.append(raw)
        out.append(kept)
    return out


def _body_size(pages: list[list[_Raw]]) -> float:
    """The font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for raw in page:
            sizes[round(raw.size * 2) / 2] += len(raw.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _figure_noise(raw: _Raw, rects: list[Rect], body: float) -> bool:
    """True for blocks that carry nothing: empty ones and tiny labels inside a picture."""
    text = raw.text
    if not any(ch.isalnum() for ch in text):
        return True
    if len(text) > 30 or len(text.split()) > 4 or _is_heading_text(text):
        return False
    x0, y0, x1, y1 = raw.bbox
    pad = 12.0 if raw.size <= body else 4.0
    return any(x0 < r[2] + pad and x1 > r[0] - pad and y0 < r[3] + pad and y1 > r[1] - pad for r in rects)


def _reading_order(raws: list[_Raw], rects: list[Rect]) -> tuple[list[_Raw], bool]:
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
    cuts: list[tuple[float, _Raw | None]] = [
        (_centre(r), r) for r in crossing if not _has_row_neighbour(r, columns)
    ]
    # A wide picture cuts the page too, even when its caption is short and sits in one column.
    x_min, x_max = min(r.bbox[0] for r in flat), max(r.bbox[2] for r in flat)
    for x0, y0, x1, y1 in _merge_rects(rects):
        if x0 < gutter - 20 and x1 > gutter + 20 and x1 - x0 > 0.5 * (x_max - x_min):
            cuts.append(((y0 + y1) / 2, None))
    cuts.sort(key=lambda c: c[0])
    inside = [r for r in crossing if all(r is not c for _, c in cuts)]
    bands: list[list[_Raw]] = [[] for _ in range(len(cuts) + 1)]
    for raw in columns + inside:
        bands[sum(y < _centre(raw) for y, _ in cuts)].append(raw)
    out: list[_Raw] = []
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


def _centre(raw: _Raw) -> float:
    """Vertical centre of a block."""
    return (raw.bbox[1] + raw.bbox[3]) / 2


def _has_row_neighbour(raw: _Raw, others: list[_Raw]) -> bool:
    """True if some other block overlaps this one's vertical extent by half its height."""
    y0, y1 = raw.bbox[1], raw.bbox[3]
    return any(min(y1, o.bbox[3]) - max(y0, o.bbox[1]) > 0.5 * (y1 - y0) for o in others)


def _read_band(band: list[_Raw], gutter: float) -> list[_Raw]:
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


def _centred_top(column: list[_Raw], width: float) -> list[_Raw]:
    """Blocks above a column's first full paragraph that are not aligned to the column's edge."""
    wide = [r for r in column if r.bbox[2] - r.bbox[0] > 0.85 * width and len(r.lines) > 1]
    start = min((r.bbox[1] for r in wide), default=float("inf"))
    edge = min((r.bbox[0] for r in wide), default=float("-inf"))
    return [r for r in column if r.bbox[3] <= start + 1 and r.bbox[0] > edge + 8]


def _find_gutter(raws: list[_Raw]) -> float | None:
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


def _is_heading_text(text: str) -> bool:
    """True for numbered section headings and the usual un-numbered section names."""
    if len(text) > 90 or len(text.split()) > 12 or _CAPTION.match(text):
        return False
    bare = re.sub(r"^(\d+(\.\d+)*\.?|[IVX]+\.|[A-H]\.)\s+", "", text).strip(" .:").lower()
    if bare in _KNOWN_HEADINGS:
        return True
    if not _NUMBERED.match(text) or text.rstrip().endswith((".", ",", ";")) or "=" in text:
        return False
    if _MARKS.search(text):  # footnote marks: an author line such as "D. White∗,‡"
        return False
    letters = sum(ch.isalpha() for ch in bare)
    return letters >= 3 and letters >= 0.6 * len(bare.replace(" ", ""))


def _is_style_heading(raw: _Raw, body: float) -> bool:
    """True for short single-line bold or larger-than-body lines that are not captions/equations."""
    text = raw.text
    if len(raw.lines) > 2 or len(text) > 80 or len(text.split()) > 10 or _CAPTION.match(text):
        return False
    if not (raw.bold or raw.size >= body + 1.5) or text.endswith((".", ",", ";", ":")):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return "=" not in text and letters >= 3 and letters >= 0.6 * len(text.replace(" ", ""))


def _mark_headings(raws: list[_Raw], body: float) -> list[Block]:
    """Turn ordered raw blocks into Blocks, marking headings and carrying the current section."""
    blocks: list[Block] = []
    section = ""
    seen_strong = False
    for i, raw in enumerate(raws):
        text = raw.text
        run_in = _RUN_IN.match(text)
        if run_in and len(text) > 200:  # "Abstract—We propose..." becomes a heading + paragraph
            name = text[: run_in.end()].strip(" —–:.-")
            blocks.append(_block(raw, name, heading=True, section=name))
            section, seen_strong = name, True
            text = text[run_in.end() :]
        strong = _is_heading_text(text) and not _beside_other(raw, raws, i)
        styled = seen_strong and _is_style_heading(raw, body) and not _beside_other(raw, raws, i)
        is_heading = strong and (raw.bold or raw.size > body + 0.4 or len(raw.lines) == 1)
        if is_heading or styled:
            section, seen_strong = text, True
        blocks.append(_block(raw, text, heading=is_heading or styled, section=section))
    return blocks


def _block(raw: _Raw, text: str, *, heading: bool, section: str) -> Block:
    """A public Block from a raw one."""
    return Block(raw.page, text, raw.bbox, raw.size, raw.bold, heading, section)


def _beside_other(raw: _Raw, raws: list[_Raw], index: int) -> bool:
    """True if another block sits on the same text row (a table cell, not a heading)."""
    x0, y0, x1, y1 = raw.bbox
    for j in range(max(0, index - 8), min(len(raws), index + 9)):
        other = raws[j]
        if j == index or other.page != raw.page:
            continue
        ox0, oy0, ox1, oy1 = other.bbox
        overlap = min(y1, oy1) - max(y0, oy0)
        if overlap > 0.5 * (y1 - y0) and (ox0 >= x1 - 1 or ox1 <= x0 + 1) and abs(ox0 - x1) < 40:
            return True
    return False


def read_graphics(path: Path, pages: Iterable[int] | None = None) -> list[PageGraphics]:
    """Image rects and vector-path rects for the given 1-based pages (all pages by default)."""
    path = Path(path)
    with _open(path) as pdf:
        wanted = sorted(set(pages)) if pages is not None else range(1, pdf.page_count + 1)
        out = []
        for number in wanted:
            if not 1 <= number <= pdf.page_count:
                continue
            page = pdf[number - 1]
            log = page.get_bboxlog()
            images = tuple(tuple(r) for kind, r in log if kind.startswith("fill-im"))
            paths = tuple(tuple(r) for kind, r in log if kind in ("fill-path", "stroke-path", "fill-shade"))
            out.append(
                PageGraphics(number, page.rect.width, page.rect.height, images, paths)  # type: ignore[arg-type]
            )
    return out


def render_page_png(path: Path, page: int, zoom: float = 1.5, highlights: Sequence[Rect] = ()) -> bytes:
    """A 1-based page rendered to PNG bytes, with `highlights` (PDF points) painted translucent yellow."""
    path = Path(path)
    with _open(path) as pdf:
        if not 1 <= page <= pdf.page_count:
            raise UnreadableInput(f"{path.name}: has no page {page}.")
        pg = pdf[page - 1]
        for rect in highlights:  # drawn on the in-memory copy only; the file is never saved
            pg.draw_rect(pymupdf.Rect(rect), color=None, fill=(1.0, 0.85, 0.0), fill_opacity=0.4)
        return pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom)).tobytes("png")


def find_text_rects(path: Path, page: int, needles: Sequence[str]) -> list[Rect]:
    """Where each of `needles` occurs on a 1-based page (case-insensitive, one rect per line)."""
    path = Path(path)
    with _open(path) as pdf:
        if not 1 <= page <= pdf.page_count:
            raise UnreadableInput(f"{path.name}: has no page {page}.")
        pg = pdf[page - 1]
        found: list[Rect] = []
        for needle in needles:
            found.extend(tuple(r) for r in pg.search_for(needle) if tuple(r) not in found)  # type: ignore[misc]
        return found


def render_clip_png(path: Path, page: int, bbox: Rect, zoom: float = 2.0) -> bytes:
    """A rectangle of a 1-based page (PDF points) rendered to PNG bytes."""
    path = Path(path)
    with _open(path) as pdf:
        if not 1 <= page <= pdf.page_count:
            raise UnreadableInput(f"{path.name}: has no page {page}.")
        pg = pdf[page - 1]
        clip = pymupdf.Rect(bbox) & pg.rect
        if clip.is_empty:
            raise UnreadableInput(f"{path.name}: clip {bbox} is outside page {page}.")
        return pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip).tobytes("png")
