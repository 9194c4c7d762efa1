"""Render the demo papers that ship with paperlamp (assistant/demo/*.pdf) from scripts/demo_papers/.

The papers are original and fictional, written for paperlamp so that `paperlamp demo` can build a
library, search it and answer cited questions offline. Each paper has two sources:

  <name>.html  the text: front matter (title, authors, abstract, keywords), a `<!-- body -->` line,
               then the numbered sections. A figure is `<p class="fig" id="fig-..."
               style="line-height:Npt">&#160;</p>`, one blank line N points tall that reserves
               room for the drawing, followed by its caption. (Not an empty div with a height:
               MuPDF's Story stops early when such a div meets a column break.)
  <name>.toml  the layout ("one-column" or "two-column"), the PDF metadata (left out: empty info),
               an optional arXiv-style margin stamp, an optional running header with page numbers,
               and the data of each figure, drawn here with vector shapes.

The PDFs exercise the reader on purpose: one is two-column, one carries a running header and
page numbers that must be dropped, one has no metadata so its title must come from page 1.
Output is byte-for-byte reproducible for a given PyMuPDF version: fixed dates, no random file id,
subset fonts.

Usage: .venv/bin/python scripts/make_demo_papers.py [--check] [--draft]
  --check  render into memory and fail if a committed PDF differs (no files written).
  --draft  write the PDFs even with layout problems (a heading at the foot of a column, a
           table or figure split across columns), to look at them while editing a source.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "demo_papers"
OUT = ROOT / "assistant" / "demo"

PAGE = pymupdf.paper_rect("a4")  # 595 x 842 pt
BODY_MARKER = "<!-- body -->"
MAX_PAGES = 4
MAX_BYTES = 150_000
DRAFT = False  # --draft: report layout problems instead of failing on them

CSS = """
body { margin: 0; padding: 0; font-family: Times; font-size: 10pt; line-height: 1.22; text-align: justify; }
p { margin: 0 0 5pt 0; }
h1.title { font-size: 17pt; font-weight: bold; text-align: center; line-height: 1.15;
           margin: 0 0 9pt 0; }
p.kind { font-size: 9pt; text-transform: uppercase; text-align: left; color: #555555;
         margin: 0 0 6pt 0; }
p.authors { font-size: 11.5pt; text-align: center; margin: 0 0 3pt 0; }
p.affil { font-size: 9.5pt; font-style: italic; text-align: center; margin: 0 0 3pt 0; }
p.email { font-family: Courier; font-size: 8.5pt; text-align: center; margin: 0 0 3pt 0; }
p.dates { font-size: 8.5pt; text-align: center; color: #444444; margin: 0 0 3pt 0; }
p.abstract-head { font-weight: bold; font-size: 11pt; text-align: center; margin: 9pt 0 3pt 0; }
p.abstract { font-size: 9.5pt; margin: 0 24pt 6pt 24pt; }
p.keywords, p.code { font-size: 9.5pt; margin: 0 24pt 3pt 24pt; text-align: left; }
h2 { font-size: 12pt; font-weight: bold; margin: 10pt 0 4pt 0; text-align: left; }
h3 { font-size: 10.5pt; font-weight: bold; margin: 7pt 0 3pt 0; text-align: left; }
ul { margin: 0 0 5pt 14pt; padding: 0; }
li { margin: 0 0 2pt 0; }
div.figure { margin: 6pt 0 6pt 0; }
p.fig { margin: 0 0 4pt 0; }
p.caption { font-size: 9pt; text-align: left; }
div.tablebox { margin: 4pt 0 6pt 0; }
table { border-collapse: collapse; font-size: 9pt; margin: 4pt auto 4pt auto; }
th { font-weight: bold; border-top: 1pt solid black; border-bottom: 0.5pt solid black;
     padding: 1.5pt 5pt; text-align: right; white-space: nowrap; }
td { padding: 1pt 5pt; text-align: right; }
th.l, td.l { text-align: left; white-space: nowrap; }
tr:last-child td { border-bottom: 1pt solid black; }
p.ref { font-size: 9pt; text-align: left; margin: 0 0 3pt 0; }
"""

# Layouts: page margins, and for two columns the gutter between them.
MARGIN_X = {"one-column": 72.0, "two-column": 50.0}
MARGIN_TOP = 68.0
MARGIN_BOTTOM = 64.0
GUTTER = 20.0
FRONT_GAP = 10.0

INK = (0.15, 0.15, 0.15)
SERIES_FILL = [(0.27, 0.45, 0.70), (0.85, 0.52, 0.22), (0.45, 0.65, 0.40)]
BOX_FILL = (0.90, 0.93, 0.97)
GREY = (0.45, 0.45, 0.45)
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})
FONT = "helv"  # a standard PDF font: figure labels need no embedded font


@dataclass
class Placed:
    """Where the story put a figure placeholder: 0-based page and rectangle."""

    page: int
    rect: pymupdf.Rect


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if a committed PDF is out of date")
    parser.add_argument("--draft", action="store_true", help="write the PDFs despite layout problems")
    args = parser.parse_args()
    global DRAFT
    DRAFT = args.draft
    stale = []
    for spec_path in sorted(SOURCES.glob("*.toml")):
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        source = spec_path.with_suffix(".html").read_text(encoding="utf-8")
        data, pages = render(spec, source)
        target = OUT / spec["output"]
        if len(data) > MAX_BYTES:
            raise SystemExit(f"{target.name}: {len(data)} bytes, over the {MAX_BYTES} limit")
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(target.name)
            continue
        OUT.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"{target.relative_to(ROOT)}: {pages} pages, {len(data):,} bytes")
    if stale:
        print("out of date, rerun scripts/make_demo_papers.py: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def render(spec: dict, source: str) -> tuple[bytes, int]:
    """The finished PDF bytes and page count for one paper."""
    front, _, body = source.partition(BODY_MARKER)
    if not body.strip():
        raise SystemExit(f"{spec['output']}: the HTML has no '{BODY_MARKER}' line")
    layout = spec["layout"]
    buffer = io.BytesIO()
    placed = _lay_out(front, body, layout, buffer)
    doc = pymupdf.open("pdf", buffer.getvalue())
    figures = {fig["id"]: fig for fig in spec.get("figures", [])}
    if set(figures) != set(placed):
        raise SystemExit(f"{spec['output']}: figures {sorted(figures)} vs placeholders {sorted(placed)}")
    for fig_id, where in placed.items():
        _draw_figure(doc[where.page], where.rect, figures[fig_id])
    if "running" in spec:
        _running_header(doc, spec["running"])
    if "stamp" in spec:
        _margin_stamp(doc[0], spec["stamp"]["text"])
    _check_complete(doc, body, spec["output"])
    _set_metadata(doc, spec.get("metadata"))
    doc.subset_fonts()
    data = doc.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True)
    return data, doc.page_count


def _check_complete(doc: pymupdf.Document, body: str, name: str) -> None:
    """Fail unless the last paragraph of the source made it onto the last page."""
    last = re.findall(r"<p[^>]*>(.*?)</p>", body, flags=re.S)[-1]
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", "", last)).split())[:40]
    text = " ".join(doc[-1].get_text().translate(_LIGATURES).split())
    if words not in text:
        raise SystemExit(f"{name}: the text ends early, {words!r} is not on the last page")


def _columns(layout: str, top: float) -> list[pymupdf.Rect]:
    left, right = MARGIN_X[layout], PAGE.width - MARGIN_X[layout]
    bottom = PAGE.height - MARGIN_BOTTOM
    if layout == "one-column":
        return [pymupdf.Rect(left, top, right, bottom)]
    width = (right - left - GUTTER) / 2
    return [
        pymupdf.Rect(left, top, left + width, bottom),
        pymupdf.Rect(right - width, top, right, bottom),
    ]


def _lay_out(front: str, body: str, layout: str, out: io.BytesIO) -> dict[str, Placed]:
    """Write the text pages into `out`; return where each figure placeholder landed.

    The front matter always spans the full width of page 1; the body flows below it, through the
    columns of each page, adding pages until the story reports nothing more to place. Story has no
    keep-together rules, so this fails on what would look broken: a heading left at the foot of a
    column, or an element with an id (tables, figures with their captions) split across columns.
    """
    writer = pymupdf.DocumentWriter(out)
    front_story = pymupdf.Story(front, user_css=CSS)
    body_story = pymupdf.Story(body, user_css=CSS)
    placed: dict[str, Placed] = {}
    problems: list[str] = []

    def record(pos) -> None:  # type: ignore[no-untyped-def]
        if not pos.open_close & 1:
            return
        where = f"on page {pos.page_index + 1}"
        if pos.id and pos.id.startswith("fig-"):
            placed[pos.id] = Placed(pos.page_index, pymupdf.Rect(pos.rect))
        if pos.heading and pos.rect[3] > pos.bottom - 30:
            problems.append(f"heading {pos.text!r} at the foot of a column {where}")
        # An element the column cuts off is reported once, reaching down to the column's bottom.
        if pos.id and pos.rect[3] >= pos.bottom - 0.5:
            problems.append(f"{pos.id!r} split across columns or pages {where}")

    page = 0
    more = True
    while more:
        if page >= MAX_PAGES:
            raise SystemExit(f"the text does not fit into {MAX_PAGES} pages")
        device = writer.begin_page(PAGE)
        top = MARGIN_TOP
        if page == 0:
            full = pymupdf.Rect(
                MARGIN_X[layout], top, PAGE.width - MARGIN_X[layout], PAGE.height - MARGIN_BOTTOM
            )
            front_more, filled = front_story.place(full)
            if front_more:
                raise SystemExit("the front matter does not fit on page 1")
            front_story.draw(device)
            top = filled[3] + FRONT_GAP
        for column in _columns(layout, top):
            more, _ = body_story.place(column)
            body_story.element_positions(record, {"page_index": page, "bottom": column.y1})
            body_story.draw(device)
            if not more:
                break
        writer.end_page()
        page += 1
    writer.close()
    if problems:
        message = "layout: " + "; ".join(problems)
        if not DRAFT:
            raise SystemExit(message + " (rerun with --draft to look at it)")
        print(message, file=sys.stderr)
    return placed


# ---------------------------------------------------------------- page furniture


def _running_header(doc: pymupdf.Document, running: dict) -> None:
    """A journal line and rule at the top of every page, the page number centred at the bottom."""
    x0, x1 = MARGIN_X["one-column"], PAGE.width - MARGIN_X["one-column"]
    y = MARGIN_TOP - 24
    for index in range(doc.page_count):
        page = doc[index]
        number = running["first_page"] + index
        page.insert_text((x0, y), running["left"], fontname="tiit", fontsize=8.5, color=GREY)
        right = running["right"]
        width = pymupdf.get_text_length(right, fontname="tiit", fontsize=8.5)
        page.insert_text((x1 - width, y), right, fontname="tiit", fontsize=8.5, color=GREY)
        page.draw_line((x0, y + 4), (x1, y + 4), color=GREY, width=0.5)
        label = str(number)
        width = pymupdf.get_text_length(label, fontname="tiro", fontsize=9)
        page.insert_text(((PAGE.width - width) / 2, PAGE.height - 34), label, fontname="tiro", fontsize=9)


def _margin_stamp(page: pymupdf.Page, text: str) -> None:
    """An arXiv-style identifier running up the left margin, as on arXiv's own PDFs."""
    size = 16
    width = pymupdf.get_text_length(text, fontname="tiro", fontsize=size)
    y = (PAGE.height + width) / 2
    page.insert_text((32, y), text, fontname="tiro", fontsize=size, rotate=90, color=(0.55, 0.55, 0.55))


def _set_metadata(doc: pymupdf.Document, meta: dict | None) -> None:
    """Fixed metadata (and dates) for reproducible output; none at all when `meta` is None."""
    info = dict.fromkeys(("title", "author", "subject", "keywords", "creator", "producer"), "")
    info.update(creationDate="", modDate="")
    if meta:
        info.update({k: meta[k] for k in ("title", "author", "subject", "keywords") if k in meta})
        info.update(creator="paperlamp make_demo_papers.py", creationDate=meta["date"], modDate=meta["date"])
    doc.set_metadata(info)
    doc.del_xml_metadata()


# ---------------------------------------------------------------- figures


def _draw_figure(page: pymupdf.Page, rect: pymupdf.Rect, fig: dict) -> None:
    kinds = {"bars": _draw_bars, "flow": _draw_flow, "timing": _draw_timing}
    kinds[fig["kind"]](page, rect, fig)


def _text_centred(page: pymupdf.Page, centre: tuple[float, float], text: str, size: float, **kw) -> None:
    width = pymupdf.get_text_length(text, fontname=FONT, fontsize=size)
    page.insert_text(
        (centre[0] - width / 2, centre[1] + size * 0.35), text, fontname=FONT, fontsize=size, **kw
    )


def _draw_bars(page: pymupdf.Page, rect: pymupdf.Rect, fig: dict) -> None:
    """A (grouped) bar chart with a y axis, tick labels, value labels and a legend for >1 series."""
    width = min(rect.width, 330.0)
    area = pymupdf.Rect(
        rect.x0 + (rect.width - width) / 2, rect.y0, rect.x0 + (rect.width + width) / 2, rect.y1
    )
    has_x_label = "x_label" in fig
    plot = pymupdf.Rect(area.x0 + 42, area.y0 + 14, area.x1 - 6, area.y1 - (30 if has_x_label else 16))
    lo, hi, step = fig["y_min"], fig["y_max"], fig["y_step"]
    fmt = fig.get("value_format", "{:g}")

    def y_of(value: float) -> float:
        return plot.y1 - (value - lo) / (hi - lo) * plot.height

    tick = lo
    while tick <= hi + 1e-9:
        y = y_of(tick)
        page.draw_line((plot.x0 - 3, y), (plot.x1, y), color=(0.85, 0.85, 0.85), width=0.4)
        label = f"{tick:g}"
        w = pymupdf.get_text_length(label, fontname=FONT, fontsize=7)
        page.insert_text((plot.x0 - 5 - w, y + 2.5), label, fontname=FONT, fontsize=7, color=INK)
        tick += step
    page.draw_line((plot.x0, plot.y0), (plot.x0, plot.y1), color=INK, width=0.7)
    page.draw_line((plot.x0, plot.y1), (plot.x1, plot.y1), color=INK, width=0.7)
    page.insert_text(
        (area.x0 + 9, (plot.y0 + plot.y1) / 2 + pymupdf.get_text_length(fig["y_label"], FONT, 7.5) / 2),
        fig["y_label"],
        fontname=FONT,
        fontsize=7.5,
        rotate=90,
        color=INK,
    )

    series = fig["series"]
    slot = plot.width / len(fig["categories"])
    bar = slot * 0.7 / len(series)
    for i, category in enumerate(fig["categories"]):
        left = plot.x0 + i * slot + slot * 0.15
        for j, s in enumerate(series):
            value = s["values"][i]
            x = left + j * bar
            page.draw_rect(
                pymupdf.Rect(x, y_of(value), x + bar - 1, plot.y1),
                color=None,
                fill=SERIES_FILL[j % len(SERIES_FILL)],
            )
            if len(series) == 1:
                _text_centred(page, (x + bar / 2, y_of(value) - 6), fmt.format(value), 7, color=INK)
        _text_centred(page, (plot.x0 + (i + 0.5) * slot, plot.y1 + 8), category, 7, color=INK)
    if has_x_label:
        _text_centred(page, ((plot.x0 + plot.x1) / 2, plot.y1 + 21), fig["x_label"], 7.5, color=INK)
    if len(series) > 1:
        x = plot.x0 + 8
        for j, s in enumerate(series):
            page.draw_rect(pymupdf.Rect(x, area.y0 + 2, x + 8, area.y0 + 10), color=None, fill=SERIES_FILL[j])
            page.insert_text((x + 11, area.y0 + 9), s["name"], fontname=FONT, fontsize=7, color=INK)
            x += 18 + pymupdf.get_text_length(s["name"], FONT, 7)


def _draw_flow(page: pymupdf.Page, rect: pymupdf.Rect, fig: dict) -> None:
    """Labelled boxes at fractional positions of the figure area, joined by arrows."""
    boxes = {}
    for box in fig["boxes"]:
        r = pymupdf.Rect(
            rect.x0 + box["x"] * rect.width,
            rect.y0 + box["y"] * rect.height,
            rect.x0 + (box["x"] + box["w"]) * rect.width,
            rect.y0 + (box["y"] + box["h"]) * rect.height,
        )
        boxes[box["id"]] = r
        page.draw_rect(r, color=INK, fill=BOX_FILL, width=0.7, radius=0.08)
        lines = box["label"].split("\n")
        size = 7.5
        first = (r.y0 + r.y1) / 2 - (len(lines) - 1) * size * 0.6
        for n, line in enumerate(lines):
            _text_centred(page, ((r.x0 + r.x1) / 2, first + n * size * 1.2), line, size, color=INK)
    for start, end in fig["arrows"]:
        a, b = boxes[start], boxes[end]
        if b.x0 >= a.x1:  # left to right: leave from the right edge, enter at the left edge
            p, q = pymupdf.Point(a.x1, (a.y0 + a.y1) / 2), pymupdf.Point(b.x0, (b.y0 + b.y1) / 2)
            if b.y0 < p.y < b.y1:
                q.y = p.y
        else:  # same column: vertical arrow
            x = (max(a.x0, b.x0) + min(a.x1, b.x1)) / 2
            p, q = (
                (pymupdf.Point(x, a.y1), pymupdf.Point(x, b.y0))
                if b.y0 > a.y0
                else (
                    pymupdf.Point(x, a.y0),
                    pymupdf.Point(x, b.y1),
                )
            )
        _arrow(page, p, q)


def _arrow(page: pymupdf.Page, p: pymupdf.Point, q: pymupdf.Point, both: bool = False) -> None:
    page.draw_line(p, q, color=INK, width=0.7)
    for tip, tail in [(q, p), (p, q)] if both else [(q, p)]:
        d = tip - tail
        d = d / abs(d)
        n = pymupdf.Point(-d.y, d.x)
        page.draw_polyline(
            [tip - d * 5 + n * 2.2, tip, tip - d * 5 - n * 2.2], color=INK, fill=INK, width=0.5
        )


def _draw_timing(page: pymupdf.Page, rect: pymupdf.Rect, fig: dict) -> None:
    """Rows of activity spans on a shared time line, with dimension arrows and marked instants."""
    left, right = rect.x0 + 52, rect.x1 - 8
    rows = fig["rows"]
    top = rect.y0 + 30
    row_h = (rect.y1 - 16 - top) / len(rows)

    def x_of(t: float) -> float:
        return left + t / 100 * (right - left)

    for i, row in enumerate(rows):
        base = top + (i + 1) * row_h - 6
        page.insert_text((rect.x0, base - 3), row["name"], fontname=FONT, fontsize=7.5, color=INK)
        page.draw_line((left, base), (right, base), color=GREY, width=0.5)
        for t0, t1, label in row["spans"]:
            r = pymupdf.Rect(x_of(t0), base - 14, x_of(t1), base)
            page.draw_rect(r, color=INK, fill=BOX_FILL if label != "guard" else (0.96, 0.88, 0.75), width=0.6)
            _text_centred(page, ((r.x0 + r.x1) / 2, base - 7), label, 6.5, color=INK)
    for t0, t1, label in fig.get("dimensions", []):
        y = rect.y0 + 14
        _arrow(page, pymupdf.Point(x_of(t0), y), pymupdf.Point(x_of(t1), y), both=True)
        _text_centred(page, ((x_of(t0) + x_of(t1)) / 2, y - 7), label, 7, color=INK)
    for t, label in fig.get("marks", []):
        page.draw_line(
            (x_of(t), rect.y0 + 20), (x_of(t), rect.y1 - 14), color=GREY, width=0.5, dashes="[2 2] 0"
        )
        _text_centred(page, (x_of(t), rect.y1 - 8), label, 6.5, color=GREY)
    _arrow(page, pymupdf.Point(left, rect.y1 - 2), pymupdf.Point(left + 40, rect.y1 - 2))
    page.insert_text(
        (left + 44, rect.y1), fig.get("x_label", "time"), fontname=FONT, fontsize=6.5, color=GREY
    )


if __name__ == "__main__":
    raise SystemExit(main())
