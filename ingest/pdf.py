"""Read a PDF paper into text blocks in reading order; the only module that touches PyMuPDF."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pymupdf

from ingest import glyphs
from ingest.cleanup import clean_text, join_lines, resolve_breaks
from ingest.errors import UnreadableInput
from ingest.flow import join_sentences
from ingest.fonts import GlyphInfo, glyph_infos
from ingest.headings import join_numbers, mark_headings
from ingest.layout import RawBlock, Rect, body_size, reading_order
from ingest.margins import drop_running_text, figure_noise
from ingest.types import Block, Document, Line, Span

GlyphTable = dict[tuple[str, str], str]
# A line as _split_block sees it: text, size, bold, rotated, bbox, and its leading bold text.
_LineInfo = tuple[str, float, bool, bool, Rect, str]

__all__ = ["PageGraphics", "Rect", "clean_text", "join_lines", "read_pdf"]

_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_COLLECT_VECTORS
_FOOTNOTE = re.compile(r"^(\d{1,2}|[*∗†‡§¶])\s?\S")
_ITALIC_FONT = re.compile(r"italic|oblique|-it$|ti$|-i$", re.I)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|cmbx|\bbx|-b$|\.b$", re.I)


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
        pages = [_read_page(pdf[n - 1], n) for n in range(1, pdf.page_count + 1)]
        table = _glyph_table(pdf, [data for data, _ in pages])
        sizes = [(pdf[n].rect.width, pdf[n].rect.height) for n in range(pdf.page_count)]
        first = (pdf[0].rect.width, pdf[0].rect.height)
        info = {k: v for k, v in (pdf.metadata or {}).items() if v and isinstance(v, str)}
        xmp = pdf.get_xml_metadata() or ""
    raws = [join_numbers(_raw_blocks(data, n, table)) for n, (data, _) in enumerate(pages, start=1)]
    graphics = [rects for _, rects in pages]
    chars = sum(len(r.text.strip()) for page in raws for r in page)
    if chars < 40 * len(raws):
        raise UnreadableInput(f"{path.name}: has no text layer (scanned?); OCR is not enabled.")
    raws, margins = drop_running_text(raws, sizes)
    body = body_size(raws)
    ordered: list[RawBlock] = []
    two_column = 0
    for page_raws, rects in zip(raws, graphics, strict=True):
        kept = [r for r in page_raws if not figure_noise(r, rects, body)]
        page_order, is_two = reading_order(kept, rects)
        two_column += is_two
        ordered.extend(page_order)
    blocks = _resolve_breaks(join_sentences(mark_headings(ordered, body)))
    front = _lines(pages[0][0], 1, table)
    return Document(
        tuple(blocks),
        len(raws),
        info=info,
        two_column_pages=two_column,
        front=front,
        margins=margins,
        xmp=xmp,
        page_size=first,
    )


def _resolve_breaks(blocks: list[Block]) -> list[Block]:
    """Blocks with their line-end hyphens kept or dropped as the whole document spells each word."""
    n = len(blocks)
    texts = resolve_breaks([b.text for b in blocks] + [b.section for b in blocks])
    return [replace(b, text=texts[i], section=texts[n + i]) for i, b in enumerate(blocks)]


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


def _read_page(page: pymupdf.Page, number: int) -> tuple[dict, list[Rect]]:
    """The page's text as MuPDF's dict and the rects of its pictures (images and vector paths)."""
    try:
        data = page.get_text("dict", flags=_FLAGS)
    except Exception as exc:
        raise UnreadableInput(f"page {number} cannot be read ({exc}).") from exc
    area = page.rect.width * page.rect.height
    rects: list[Rect] = []
    for block in data["blocks"]:
        if block["type"] == 3:
            x0, y0, x1, y1 = block["bbox"]
            # Thin rules (table lines, footnote bars) are not pictures; huge fills are backgrounds.
            if x1 - x0 > 2 and y1 - y0 > 2 and (x1 - x0) * (y1 - y0) < 0.5 * area:
                rects.append(block["bbox"])
    # get_image_info() builds a second text page, so only pay for it when the page has images.
    for info in page.get_image_info() if page.get_images() else ():
        x0, y0, x1, y1 = info["bbox"]
        if (x1 - x0) * (y1 - y0) < 0.8 * area:
            rects.append(info["bbox"])
    return data, rects


def _raw_blocks(data: dict, number: int, table: GlyphTable) -> list[RawBlock]:
    """The page's text blocks, private-use glyphs replaced."""
    raws: list[RawBlock] = []
    # A review copy numbers every line; a lone number in the margin is a section number, and the
    # digits of a rotated side stamp are no line numbers either.
    rows = {
        round(s["bbox"][1])
        for b in data["blocks"]
        for ln in b.get("lines", ())
        if abs(ln["dir"][1]) < 0.5
        for s in ln["spans"]
        if _margin_number(s, data["width"])
    }
    numbered = len(rows) >= 5
    for block in data["blocks"]:
        if block["type"] == 0:
            raws.extend(_split_block(block, number, table, data["width"] if numbered else 0.0))
    return raws


def _margin_number(span: dict, width: float) -> bool:
    """True for a bare number in the outer tenth of the page: a line number, not text."""
    x0, _, x1, _ = span["bbox"]
    return width > 0 and span["text"].strip().isdigit() and (x1 < 0.08 * width or x0 > 0.92 * width)


def _line_text(line: dict, table: GlyphTable) -> str:
    """A MuPDF line's text with its private-use glyphs replaced."""
    return "".join(glyphs.apply(s["text"], s["font"], table) for s in line["spans"])


def _lines(data: dict, number: int, table: GlyphTable) -> tuple[Line, ...]:
    """A page's lines with their spans (sizes, weights, superscripts), in page order."""
    out = []
    for block in data["blocks"]:
        for line in block.get("lines", ()):
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            top = max(s["size"] for s in spans)
            base = max(s["origin"][1] for s in spans if s["size"] >= top - 0.1)
            out.append(
                Line(
                    number,
                    tuple(line["bbox"]),
                    tuple(
                        Span(
                            _span_text(s, table),
                            round(s["size"], 1),
                            _is_bold(s),
                            # set smaller and raised above the line's baseline: a mark, not a word
                            bool(s["flags"] & 1)
                            or (s["size"] < 0.86 * top and s["origin"][1] < base - 0.12 * top),
                            s["bbox"][0],
                            s["bbox"][2],
                        )
                        for s in line["spans"]
                    ),
                    abs(line["dir"][1]) > 0.5,
                )
            )
    return tuple(out)


def _span_text(span: dict, table: GlyphTable) -> str:
    """A span's cleaned text, keeping the spaces at its ends that separate it from its neighbours."""
    raw = glyphs.apply(span["text"], span["font"], table)
    text = clean_text(raw).strip()
    return (" " if raw[:1].isspace() else "") + text + (" " if raw[-1:].isspace() else "")


def _glyph_table(pdf: pymupdf.Document, pages: list[dict]) -> GlyphTable:
    """What each private-use glyph in the document stands for, decided from its font and contexts."""
    sites: list[glyphs.Site] = []
    first_page: dict[tuple[str, str], int] = {}
    for number, data in enumerate(pages):
        for block in data["blocks"]:
            for line in block.get("lines", ()):
                text = "".join(s["text"] for s in line["spans"])
                if not glyphs.PRIVATE.search(text):
                    continue
                at = 0
                for span in line["spans"]:
                    for m in glyphs.PRIVATE.finditer(span["text"]):
                        k = at + m.start()
                        sites.append(
                            glyphs.Site(span["font"], m[0], text[max(0, k - 30) : k], text[k + 1 : k + 31])
                        )
                        first_page.setdefault((span["font"], m[0]), number)
                    at += len(span["text"])
    if not sites:
        return {}
    infos: dict[tuple[str, str], GlyphInfo] = {}
    for number in sorted(set(first_page.values())):
        wanted = {k for k, n in first_page.items() if n == number}
        infos.update(_glyph_infos(pdf, pdf[number], wanted))
    return glyphs.resolve(sites, infos)


def _font_key(name: str) -> str:
    """A font name without spaces, hyphens or case, for matching span fonts to embedded ones."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _glyph_infos(pdf: pymupdf.Document, page: pymupdf.Page, wanted: set[tuple[str, str]]) -> dict:
    """Names and outline boxes of the wanted (font, character) glyphs, read from the embedded fonts."""
    gids: dict[tuple[str, str], int] = {}
    try:
        for span in page.get_texttrace():
            for char in span["chars"]:
                key = (span["font"], chr(char[0]))
                if key in wanted and char[1] >= 0:
                    gids.setdefault(key, char[1])
        fonts = page.get_fonts()
    except Exception:  # an unreadable trace only means the glyphs are decided by context
        return {}
    out = {}
    for key, gid in gids.items():
        # Span font names drop the subset prefix ("ABCDEF+"), spaces and hyphens, and may be cut short.
        want = _font_key(key[0])
        for xref, ext, *_ in sorted(
            (f for f in fonts if _font_key(f[3].split("+", 1)[-1]).startswith(want)),
            key=lambda f: f[1] != "cid",
        ):
            try:
                _, kind, _, buffer = pdf.extract_font(xref)
            except Exception:
                continue
            found = glyph_infos(buffer, kind or ext, {gid}).get(gid)
            if found is not None:
                out[key] = found
                break
    return out


def _split_block(block: dict, page: int, table: GlyphTable, width: float) -> list[RawBlock]:
    """Turn a MuPDF block into RawBlock blocks, splitting a leading heading line off its paragraph."""
    lines: list[_LineInfo] = []
    for line in block["lines"]:
        # A review copy's line numbers sit in the outer margin, often on the same MuPDF line.
        line = {**line, "spans": [s for s in line["spans"] if not _margin_number(s, width)]}
        spans = [s for s in line["spans"] if s["text"].strip()]
        if not spans:
            continue
        line["bbox"] = (
            min(s["bbox"][0] for s in spans),
            min(s["bbox"][1] for s in spans),
            max(s["bbox"][2] for s in spans),
            max(s["bbox"][3] for s in spans),
        )
        text = clean_text(_line_text(line, table))
        weights = [len(s["text"].strip()) for s in spans]
        total = sum(weights)
        size = sum(s["size"] * w for s, w in zip(spans, weights, strict=True)) / total
        bold_chars = sum(w for s, w in zip(spans, weights, strict=True) if _is_bold(s))
        rotated = abs(line["dir"][1]) > 0.5
        lead = ""
        for span in line["spans"]:  # a run-in heading: the bold or italic text a paragraph starts with
            styled = _is_bold(span) or span["flags"] & 2 or _ITALIC_FONT.search(span["font"])
            if span["text"].strip() and not styled:
                break
            lead += span["text"]
        lines.append((text, size, bold_chars >= 0.8 * total, rotated, line["bbox"], clean_text(lead).strip()))
    if not lines:
        return []
    groups = [lines]
    first, rest = lines[0], lines[1:]
    stands_out = rest and len(first[0]) < 90 and (first[2] or first[1] > rest[0][1] + 0.8)
    if stands_out and not any(r[2] for r in rest) and all(first[1] >= r[1] - 0.2 for r in rest):
        groups = [[first], rest]
    # A heading MuPDF files as the last line(s) of the paragraph above it: bold, short, at the end.
    tail = 0
    while tail < min(2, len(lines) - 1) and lines[-1 - tail][2] and len(lines[-1 - tail][0]) < 90:
        tail += 1
    if tail and len(groups) == 1 and not any(ln[2] for ln in lines[:-tail]):
        groups = [lines[:-tail], lines[-tail:]]
    # Footnotes that MuPDF files under the paragraph above them are set smaller: split them off.
    out: list[list[_LineInfo]] = []
    for group in groups:
        out.append([group[0]])
        for ln in group[1:]:
            smaller = ln[1] < 0.88 * out[-1][-1][1] or (
                ln[1] < 0.95 * out[-1][-1][1] and _FOOTNOTE.match(ln[0])
            )
            if smaller and ln[4][1] > out[-1][-1][4][3] - 1:
                out.append([ln])
            else:
                out[-1].append(ln)
    return [_make_raw(g, page) for g in out]


def _make_raw(lines: list[_LineInfo], page: int) -> RawBlock:
    """Build a RawBlock block from (text, size, bold, rotated, bbox) lines."""
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
    lead = []
    for ln in lines:
        lead.append(ln[5])
        if ln[5] != ln[0].strip():
            break
    text = join_lines(texts, mark=True)
    return RawBlock(page, texts, bbox, round(size, 1), bold, rotated, text, join_lines(lead, mark=True))


def _is_bold(span: dict) -> bool:
    """True if the span is set in a bold face (by flag or by font name)."""
    return bool(span["flags"] & 16) or bool(_BOLD_FONT.search(span["font"]))


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
