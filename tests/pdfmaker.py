"""Make small, realistic test PDFs (one or two columns, headers, figures, broken files) with PyMuPDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf

PAGE_W, PAGE_H = 612.0, 792.0
MARGIN, GUTTER = 54.0, 18.0
TOP, BOTTOM = 72.0, 730.0
BODY, LEADING = 10.0, 12.5


@dataclass(frozen=True)
class FigureSpec:
    """A figure to draw: on which page, where (top y), how tall, full width or in a column."""

    caption: str  # e.g. "Figure 1: The model."
    page: int = 1  # 1-based
    top: float = 300.0
    height: float = 120.0
    full_width: bool = False
    column: int = 0  # 0 = left, 1 = right (two-column papers, column figures only)
    raster: bool = False  # an embedded image instead of vector drawings
    labels: Sequence[str] = ("0.5", "x-axis")  # tiny text drawn inside the figure


@dataclass
class _Cursor:
    """Where the next line of body text goes."""

    page: int
    frame: int
    y: float


def make_paper_pdf(
    path: Path,
    *,
    title: str = "A Study of Things",
    authors: Sequence[str] = ("Ada Lovelace", "Alan Turing"),
    affiliations: Sequence[str] = ("University of Somewhere",),
    abstract: str = "",
    sections: Sequence[tuple[str, Sequence[str]]] = (),
    two_column: bool = False,
    header: str | None = None,
    footer_page_numbers: bool = True,
    hyphenate_words: Sequence[str] = (),
    figures: Sequence[FigureSpec] = (),
    doi: str | None = None,
    arxiv_id: str | None = None,
    keywords: Sequence[str] = (),
    info_title: str | None = None,
    min_pages: int = 1,
) -> Path:
    """Write a paper-like PDF; hyphenate_words entries like "trans|former" force that line break."""
    pdf = pymupdf.open()
    breaks = {w.replace("|", ""): w.split("|", 1) for w in hyphenate_words}
    page = _new_page(pdf, header, arxiv_id)
    y = _front_matter(page, title, authors, affiliations, doi)
    if abstract:
        y = _abstract(page, y, abstract, keywords)
    frames = _frames(two_column, figures, page_no=1, first_top=y + 10)
    cur = _Cursor(1, 0, frames[0][1])
    for heading, paragraphs in sections:
        cur, frames = _write(pdf, cur, frames, [(heading, "hebo", 12.0)], two_column, figures, header)
        for para in paragraphs:
            lines = [(ln, "helv", BODY) for ln in _wrap(para, _frame_width(frames[0]), breaks)]
            cur, frames = _write(pdf, cur, frames, lines, two_column, figures, header)
            cur.y += 6.0  # paragraph spacing, so MuPDF sees separate blocks
    while pdf.page_count < min_pages:
        _new_page(pdf, header, None)
    for spec in figures:
        while pdf.page_count < spec.page:
            _new_page(pdf, header, None)
        _draw_figure(pdf[spec.page - 1], spec, two_column)
    if footer_page_numbers:
        for i, pg in enumerate(pdf, start=1):
            pg.insert_text((PAGE_W / 2 - 4, PAGE_H - 36), str(i), fontname="helv", fontsize=9)
    pdf.set_metadata({"title": info_title or "", "author": ", ".join(authors)})
    pdf.save(path)
    pdf.close()
    return Path(path)


def _new_page(pdf: pymupdf.Document, header: str | None, arxiv_id: str | None) -> pymupdf.Page:
    """Add a page with the running header and (page 1 only) an arXiv margin stamp."""
    page = pdf.new_page(width=PAGE_W, height=PAGE_H)
    if header:
        page.insert_text((MARGIN, 40), header, fontname="helv", fontsize=8)
    if arxiv_id:
        stamp = f"arXiv:{arxiv_id} [cs.CL] 14 Feb 2023"
        page.insert_text((30, 560), stamp, fontname="tiro", fontsize=18, rotate=90)
    return page


def _front_matter(page: pymupdf.Page, title, authors, affiliations, doi) -> float:
    """Title, authors and affiliations, centred across the page; returns the next free y."""
    y = TOP + 10
    for text, font, size, gap in [
        (title, "hebo", 16.0, 30.0),
        (", ".join(authors), "helv", 11.0, 18.0),
        *[(aff, "helv", 9.0, 13.0) for aff in affiliations],
        *([(f"https://doi.org/{doi}", "helv", 9.0, 13.0)] if doi else []),
    ]:
        width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
        page.insert_text(((PAGE_W - width) / 2, y), text, fontname=font, fontsize=size)
        y += gap
    return y + 10


def _abstract(page: pymupdf.Page, y: float, abstract: str, keywords) -> float:
    """A centred "Abstract" heading and a full-width abstract paragraph."""
    width = pymupdf.get_text_length("Abstract", fontname="hebo", fontsize=12)
    page.insert_text(((PAGE_W - width) / 2, y), "Abstract", fontname="hebo", fontsize=12)
    y += 20
    for line in _wrap(abstract, PAGE_W - 2 * MARGIN - 40, {}):
        page.insert_text((MARGIN + 20, y), line, fontname="helv", fontsize=BODY)
        y += LEADING
    if keywords:
        y += 8
        page.insert_text((MARGIN + 20, y), "Keywords: " + ", ".join(keywords), fontsize=BODY)
        y += LEADING
    return y + 10


def _frames(two_column: bool, figures, page_no: int, first_top: float = TOP) -> list[tuple]:
    """Text frames (x0, y0, x1, y1) of a page in reading order, leaving room for its figures."""
    top = first_top if page_no == 1 else TOP
    cols = (
        [(MARGIN, (PAGE_W - GUTTER) / 2), ((PAGE_W + GUTTER) / 2, PAGE_W - MARGIN)]
        if two_column
        else [(MARGIN, PAGE_W - MARGIN)]
    )
    wide = sorted((f for f in figures if f.page == page_no and (f.full_width or not two_column)),
                  key=lambda f: f.top)  # fmt: skip
    bands, y = [], top
    for fig in wide:
        bands.append((y, fig.top - 8))
        y = fig.top + fig.height + 30  # room for the caption
    bands.append((y, BOTTOM))
    frames = []
    for y0, y1 in bands:
        for i, (x0, x1) in enumerate(cols):
            narrow = [f for f in figures if f.page == page_no and two_column and not f.full_width
                      and f.column == i and y0 <= f.top < y1]  # fmt: skip
            for fig in narrow:
                frames.append((x0, y0, x1, fig.top - 8))
                y0 = fig.top + fig.height + 30
            frames.append((x0, y0, x1, y1))
    return [f for f in frames if f[3] - f[1] > LEADING]


def _frame_width(frame: tuple) -> float:
    """Width of a text frame."""
    return frame[2] - frame[0]


def _write(pdf, cur: _Cursor, frames, lines, two_column, figures, header):
    """Write lines at the cursor, moving to the next frame / page when one fills up."""
    for text, font, size in lines:
        if font == "hebo" and cur.y + 3 * LEADING > frames[cur.frame][3]:
            cur.y = frames[cur.frame][3] + 1  # keep a heading with its first lines
        while cur.y + LEADING > frames[cur.frame][3]:
            cur.frame += 1
            if cur.frame >= len(frames):
                cur.page += 1
                while pdf.page_count < cur.page:
                    _new_page(pdf, header, None)
                frames, cur.frame = _frames(two_column, figures, cur.page), 0
            cur.y = frames[cur.frame][1]
        x0 = frames[cur.frame][0]
        if font == "hebo":
            cur.y += 4
        pdf[cur.page - 1].insert_text((x0, cur.y + size), text, fontname=font, fontsize=size)
        cur.y += LEADING + (6 if font == "hebo" else 0)
    return cur, frames


def _wrap(text: str, width: float, breaks: dict[str, list[str]]) -> list[str]:
    """Greedy word wrap in Helvetica; words in `breaks` are split across lines with a hyphen."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if word.rstrip(".,;") in breaks:
            head, tail = breaks[word.rstrip(".,;")]
            first = head if head.endswith("-") else head + "-"
            lines.append(f"{line} {first}".strip())
            line = tail + word[len(word.rstrip(".,;")) :]
            continue
        trial = f"{line} {word}".strip()
        if line and pymupdf.get_text_length(trial, fontname="helv", fontsize=BODY) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def figure_rect(spec: FigureSpec, two_column: bool) -> tuple[float, float, float, float]:
    """The drawn figure's rectangle (without its caption)."""
    if spec.full_width or not two_column:
        x0, x1 = MARGIN + 40, PAGE_W - MARGIN - 40
    else:
        col = (PAGE_W - 2 * MARGIN - GUTTER) / 2
        x0 = MARGIN + spec.column * (col + GUTTER) + 10
        x1 = x0 + col - 20
    return (x0, spec.top, x1, spec.top + spec.height)


def _draw_figure(page: pymupdf.Page, spec: FigureSpec, two_column: bool) -> None:
    """Draw a figure (bars or an image), tiny labels inside it, and its caption below."""
    x0, y0, x1, y1 = figure_rect(spec, two_column)
    if spec.raster:
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 32), False)
        pix.set_rect(pix.irect, (40, 120, 200))
        page.insert_image(pymupdf.Rect(x0, y0, x1, y1), pixmap=pix)
    else:
        page.draw_rect(pymupdf.Rect(x0, y0, x1, y1), color=(0, 0, 0), width=0.8)
        step = (x1 - x0) / 6
        for i in range(5):
            bar = pymupdf.Rect(x0 + step * (i + 0.5), y1 - 15 - 15 * i, x0 + step * (i + 1.2), y1)
            page.draw_rect(bar, color=None, fill=(0.2, 0.4, 0.8))
    for i, label in enumerate(spec.labels):
        page.insert_text((x0 + 4 + 60 * i, y0 + 12), label, fontname="helv", fontsize=6)
    caption_box = pymupdf.Rect(x0, y1 + 6, x1, y1 + 40)
    page.insert_textbox(caption_box, spec.caption, fontname="helv", fontsize=9)


def make_encrypted_pdf(path: Path, text: str = "Secret results.") -> Path:
    """A one-page PDF that needs a user password to open."""
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), text)
    pdf.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")
    pdf.close()
    return Path(path)


def make_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages are only images, as a scanner without OCR makes."""
    pdf = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 200, 260), False)
    pix.set_rect(pix.irect, (230,))
    for _ in range(pages):
        pdf.new_page().insert_image(pymupdf.Rect(36, 36, 576, 756), pixmap=pix)
    pdf.save(path)
    pdf.close()
    return Path(path)


def make_truncated_pdf(path: Path, keep: float = 0.3) -> Path:
    """A real paper PDF cut off after a fraction of its bytes, as an interrupted download is."""
    make_paper_pdf(path, sections=[("1 Introduction", ["Some text. " * 80])])
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: max(16, int(len(data) * keep))])
    return Path(path)


def make_lines_pdf(path: Path, pages: Sequence[Sequence[tuple]], **extras) -> Path:
    """A PDF of text placed line by line: per page, (x, y, text, size[, font]) tuples; extras add margins.

    extras: header / footer (text on every page, "{n}" for the page number), stamp (rotated text
    in the left margin of page 1), line_numbers (number every body line in the left margin).
    """
    pdf = pymupdf.open()
    for n, lines in enumerate(pages, start=1):
        page = pdf.new_page(width=PAGE_W, height=PAGE_H)
        if extras.get("header"):
            page.insert_text((MARGIN, 40), extras["header"].format(n=n), fontname="helv", fontsize=8)
        if extras.get("footer"):
            page.insert_text((PAGE_W / 2 - 20, PAGE_H - 30), extras["footer"].format(n=n), fontsize=9)
        if extras.get("stamp") and n == 1:
            page.insert_text((30, 560), extras["stamp"], fontname="tiro", fontsize=18, rotate=90)
        for i, (x, y, text, size, *font) in enumerate(lines, start=1):
            page.insert_text((x, y), text, fontname=font[0] if font else "helv", fontsize=size)
            if extras.get("line_numbers"):  # True: a review copy's; a number: a preprint's, from that x
                at, size = (22, 7) if extras["line_numbers"] is True else (extras["line_numbers"], 10)
                page.insert_text((at, y), str(i + 100 * (n - 1)), fontname="helv", fontsize=size)
    pdf.save(path)
    pdf.close()
    return Path(path)


def make_private_glyph_pdf(path: Path, text: str, private: dict[str, int]) -> Path:
    """One line set in an embedded Nimbus Sans whose ToUnicode CMap maps `private` chars to PUA.

    This is how 1706.03762's text layer reads: the font program still names the glyph ("period"),
    but the CMap sends it to a private-use code point such as U+E004.
    """
    pdf = pymupdf.open()
    page = pdf.new_page(width=PAGE_W, height=PAGE_H)
    font = pymupdf.Font("helv")
    page.insert_font(fontname="nimbus", fontbuffer=font.buffer)
    page.insert_text((MARGIN, 100), text, fontname="nimbus", fontsize=11)
    xref = page.get_fonts()[0][0]
    cmap_xref = int(pdf.xref_get_key(xref, "ToUnicode")[1].split()[0])
    chars = sorted(set(text))
    entries = "".join(f"<{font.has_glyph(ord(c)):04X}> <{private.get(c, ord(c)):04X}>\n" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo <</Registry(Adobe)/Ordering(UCS)/Supplement 0>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{entries}endbfchar\nendcmap\n"
        "CMapName currentdict /CMapType get pop\nend\nend\n"
    )
    pdf.update_stream(cmap_xref, cmap.encode())
    pdf.save(path)
    pdf.close()
    return Path(path)


def make_image_only_pdf(source: Path, path: Path, *, dpi: int = 150, header: str | None = None) -> Path:
    """`source` with every page rendered to one picture, as a scanner makes it; `header` adds a
    thin text layer (one line at the top) over the picture, as some scanning software does."""
    with pymupdf.open(source) as src, pymupdf.open() as out:
        for page in src:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            scan = out.new_page(width=page.rect.width, height=page.rect.height)
            scan.insert_image(scan.rect, pixmap=pix)
            if header is not None:
                scan.insert_text((72, 24), header, fontname="helv", fontsize=8)
        out.save(path)
    return Path(path)


@dataclass(frozen=True)
class TableSpec:
    """A booktabs-style table: rules above, under the header and below; a spanning header over
    two columns with a partial rule under it, as LaTeX's \\cmidrule draws; the caption above."""

    caption: str
    span: str  # the spanning header, over every column but the first
    header: Sequence[str]  # the column names under it (the first names the row labels)
    rows: Sequence[Sequence[str]]
    top: float = 420.0
    columns: Sequence[float] = (72.0, 250.0, 340.0)  # each column's left edge


def draw_table(page: pymupdf.Page, spec: TableSpec) -> None:
    """Draw a TableSpec on a page with text and horizontal rules only (no vertical lines)."""
    right = spec.columns[-1] + 70
    page.insert_text((spec.columns[0], spec.top - 14), spec.caption, fontname="helv", fontsize=9)
    y = spec.top
    page.draw_line((spec.columns[0], y), (right, y), width=0.8)
    page.insert_text((spec.columns[1] + 40, y + 12), spec.span, fontname="helv", fontsize=9)
    page.draw_line((spec.columns[1], y + 15), (right, y + 15), width=0.4)
    for x, name in zip(spec.columns, spec.header, strict=True):
        page.insert_text((x, y + 27), name, fontname="helv", fontsize=9)
    y += 31
    page.draw_line((spec.columns[0], y), (right, y), width=0.5)
    for row in spec.rows:
        y += 13
        for x, cell in zip(spec.columns, row, strict=True):
            page.insert_text((x, y), cell, fontname="helv", fontsize=9)
    page.draw_line((spec.columns[0], y + 5), (right, y + 5), width=0.8)


def _results_page(pdf: pymupdf.Document, body: str) -> pymupdf.Page:
    """A new page with a title and a results section of `body` text, room left for a table."""
    page = pdf.new_page(width=PAGE_W, height=PAGE_H)
    page.insert_text((MARGIN, 90), "Translation with Attention Only", fontname="hebo", fontsize=16)
    page.insert_text((MARGIN, 130), "4 Results", fontname="hebo", fontsize=11)
    page.insert_textbox(pymupdf.Rect(MARGIN, 140, PAGE_W - MARGIN, 380), body, fontname="helv", fontsize=BODY)
    return page


def make_table_pdf(path: Path, spec: TableSpec, body: str) -> Path:
    """A one-page paper: a title, a results section of `body` text above the table, the table."""
    pdf = pymupdf.open()
    draw_table(_results_page(pdf, body), spec)
    pdf.save(path)
    pdf.close()
    return Path(path)


def make_long_table_pdf(path: Path, first: TableSpec, rest: TableSpec, body: str) -> Path:
    """Two pages: a results section and the first part of a table, then the rest of the table
    under its "continued" caption at the top of the next page (LaTeX's longtable)."""
    pdf = pymupdf.open()
    draw_table(_results_page(pdf, body), first)
    draw_table(pdf.new_page(width=PAGE_W, height=PAGE_H), rest)
    pdf.save(path)
    pdf.close()
    return Path(path)
