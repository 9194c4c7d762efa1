"""Read a PDF paper into text blocks in reading order; the only module that touches PyMuPDF."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
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
from ingest.ocr import OcrMode, PageLayer, column_blocks, image_cover, missing_text_reason, needs_ocr
from ingest.tables import CAPTION, Table, find_tables, in_table, join_continued, with_glyphs
from ingest.textdict import GlyphTable, page_lines, raw_blocks
from ingest.types import Block, Document

__all__ = ["PageGraphics", "Rect", "clean_text", "join_lines", "read_pdf"]

_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_COLLECT_VECTORS


@dataclass(frozen=True)
class PageGraphics:
    """Where a page draws pictures: raster image rects and vector-path rects, in PDF points."""

    page: int
    width: float
    height: float
    images: tuple[Rect, ...]
    paths: tuple[Rect, ...]


def read_pdf(
    path: Path,
    *,
    max_bytes: int = 200_000_000,
    max_pages: int = 2000,
    ocr: OcrMode = "auto",
    tables: bool = True,
) -> Document:
    """Read a PDF's text as blocks in reading order, with headings and sections marked.

    Pages without a usable text layer are read by Tesseract OCR (`ocr`: see ingest/ocr.py).
    With `tables`, captioned tables are read as rows (ingest/tables.py) and left out of the body.
    """
    path = Path(path)
    with _open(path, max_bytes=max_bytes, max_pages=max_pages) as pdf:
        read = [_read_page(pdf[n - 1], n, ocr) for n in range(1, pdf.page_count + 1)]
        pages = [(data, rects) for data, rects, _ in read]
        table = _glyph_table(pdf, [data for data, _ in pages])
        found = join_continued(
            [
                with_glyphs(t, {char: value for (_, char), value in table.items()})
                for n, (data, _) in enumerate(pages, start=1)
                for t in (_page_tables(pdf[n - 1], n, data) if tables else [])
            ]
        )
        sizes = [(pdf[n].rect.width, pdf[n].rect.height) for n in range(pdf.page_count)]
        first = (pdf[0].rect.width, pdf[0].rect.height)
        info = {k: v for k, v in (pdf.metadata or {}).items() if v and isinstance(v, str)}
        xmp = pdf.get_xml_metadata() or ""
    raws = [join_numbers(raw_blocks(data, n, table)) for n, (data, _) in enumerate(pages, start=1)]
    graphics = [rects for _, rects in pages]
    chars = sum(len(r.text.strip()) for page in raws for r in page)
    unread = sum(state == "unread" for _, _, state in read)
    if chars < 40 * len(raws) or unread > len(raws) / 2:
        scanned = unread > 0 or any(state == "ocr" for _, _, state in read)
        if chars and not scanned:  # a text layer, but a line or two: not a scan, and nothing to OCR
            raise UnreadableInput(f"{path.name}: has only {chars} characters of text on {len(raws)} page(s).")
        raise UnreadableInput(missing_text_reason(path.name, ocr, tessdata() is not None))
    raws, margins = drop_running_text(raws, sizes)
    body = body_size(raws)
    ordered: list[RawBlock] = []
    two_column = 0
    for page_raws, rects in zip(raws, graphics, strict=True):
        # A table's cells are read as its rows (Document.tables), not again as scrambled body text.
        kept = [
            r for r in page_raws if not figure_noise(r, rects, body) and not in_table(r.page, r.bbox, found)
        ]
        page_order, is_two = reading_order(kept, rects)
        two_column += is_two
        ordered.extend(page_order)
    blocks = _resolve_breaks(join_sentences(mark_headings(ordered, body)))
    front = page_lines(pages[0][0], 1, table)
    return Document(
        tuple(blocks),
        len(raws),
        info=info,
        two_column_pages=two_column,
        front=front,
        margins=margins,
        xmp=xmp,
        page_size=first,
        tables=tuple(found),
        ocr_pages=tuple(n for n, (_, _, state) in enumerate(read, start=1) if state == "ocr"),
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


def _read_page(page: pymupdf.Page, number: int, ocr: OcrMode) -> tuple[dict, list[Rect], str]:
    """The page's text as MuPDF's dict, the rects of its pictures, and how its text was read.

    The state is "text" (its text layer), "ocr" (Tesseract read the rendered page) or "unread"
    (it needed OCR, which is off or not installed).
    """
    try:
        data = page.get_text("dict", flags=_FLAGS)
    except Exception as exc:
        raise UnreadableInput(f"page {number} cannot be read ({exc}).") from exc
    area = page.rect.width * page.rect.height
    # get_image_info() builds a second text page, so only pay for it when the page has images.
    images = [info["bbox"] for info in page.get_image_info()] if page.get_images() else []
    state = "text"
    # With OCR off a page auto would OCR is still told apart, as "unread", for the reason given.
    if needs_ocr(_layer(data, images, page.rect), "auto" if ocr == "off" else ocr):
        ocr_data = _ocr_page(page) if ocr != "off" else None
        state = "unread" if ocr_data is None else "ocr"
        data = ocr_data or data
    rects: list[Rect] = []
    for block in data["blocks"]:
        if block["type"] == 3:
            x0, y0, x1, y1 = block["bbox"]
            # Thin rules (table lines, footnote bars) are not pictures; huge fills are backgrounds.
            if x1 - x0 > 2 and y1 - y0 > 2 and (x1 - x0) * (y1 - y0) < 0.5 * area:
                rects.append(block["bbox"])
    for x0, y0, x1, y1 in images:
        if (x1 - x0) * (y1 - y0) < 0.8 * area:
            rects.append((x0, y0, x1, y1))
    return data, rects, state


def _layer(data: dict, images: list[Rect], box: pymupdf.Rect) -> PageLayer:
    """How much text a page's text dict holds, and how much of the page its images cover."""
    text = "".join(s["text"] for b in data["blocks"] for ln in b.get("lines", ()) for s in ln["spans"])
    chars = sum(not ch.isspace() for ch in text)
    cover = image_cover(images, (box.x0, box.y0, box.x1, box.y1))
    return PageLayer(chars, text.count("\ufffd"), cover)


def _page_tables(page: pymupdf.Page, number: int, data: dict) -> list[Table]:
    """The captioned tables of a page; its rules and words are only read when it has a caption."""
    captions = [
        (tuple(b["bbox"]), " ".join(s["text"] for ln in b["lines"] for s in ln["spans"]))
        for b in data["blocks"]
        if b["type"] == 0 and b["lines"]
    ]
    captions = [(rect, text) for rect, text in captions if CAPTION.match(text)]
    if not captions:
        return []
    rules: list[Rect] = []
    try:
        for drawing in page.get_drawings():
            for item in drawing["items"]:
                if item[0] == "l" and abs(item[1].y - item[2].y) < 1:
                    x0, x1 = sorted((item[1].x, item[2].x))
                    rules.append((x0, item[1].y - 0.5, x1, item[1].y + 0.5))
                elif item[0] == "re" and item[1].height <= 2.5:
                    rules.append(tuple(item[1]))  # type: ignore[arg-type]
        words = [tuple(w[:5]) for w in page.get_text("words")]
    except Exception:  # a page whose drawings cannot be read keeps its table as body text
        return []
    rules = [r for r in rules if r[2] - r[0] > 30]
    return find_tables(number, words, rules, captions)  # type: ignore[arg-type]


@cache
def tessdata() -> str | None:
    """Tesseract's language data folder, or None when Tesseract is not installed."""
    try:
        return pymupdf.get_tessdata()
    except Exception:  # PyMuPDF raises when it finds no Tesseract installation
        return None


def _ocr_page(page: pymupdf.Page) -> dict | None:
    """The page read by Tesseract (rendered at 300 dpi), as MuPDF's text dict; None without it."""
    folder = tessdata()
    if folder is None:
        return None
    try:
        textpage = page.get_textpage_ocr(flags=_FLAGS, language="eng", dpi=300, full=True, tessdata=folder)
        return column_blocks(page.get_text("dict", textpage=textpage))
    except Exception:  # a page Tesseract fails on is left as its text layer had it
        return None


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
