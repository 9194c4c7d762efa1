"""MuPDF's text dict of a page turned into text blocks and front-page lines (plain values only).

Kept apart from pdf.py, which alone calls PyMuPDF: this module only reads the dicts it returns.
"""

from __future__ import annotations

import re

from ingest import glyphs
from ingest.cleanup import clean_text, join_lines
from ingest.layout import RawBlock, Rect
from ingest.types import Line, Span

GlyphTable = dict[tuple[str, str], str]
# A line as _split_block sees it: text, size, bold, rotated, bbox, and its leading styled text.
_LineInfo = tuple[str, float, bool, bool, Rect, str]
_FOOTNOTE = re.compile(r"^(\d{1,2}|[*∗†‡§¶])\s?\S")
_ITALIC_FONT = re.compile(r"italic|oblique|-it$|ti$|-i$", re.I)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|cmbx|\bbx|-b$|\.b$", re.I)


def raw_blocks(data: dict, number: int, table: GlyphTable) -> list[RawBlock]:
    """A page's text blocks from MuPDF's text dict, private-use glyphs replaced."""
    raws: list[RawBlock] = []
    # A review copy numbers every line; a lone number in the margin is a section number, and the
    # digits of a rotated side stamp are no line numbers either.
    body = _body_edges(data)
    rows = {
        round(s["bbox"][1])
        for b in data["blocks"]
        for ln in b.get("lines", ())
        if abs(ln["dir"][1]) < 0.5
        for s in ln["spans"]
        if _margin_number(s, body)
    }
    numbered = len(rows) >= 5
    for block in data["blocks"]:
        if block["type"] == 0:
            raws.extend(_split_block(block, number, table, body if numbered else None))
    return raws


def _body_edges(data: dict) -> tuple[float, float] | None:
    """Where the page's lines of text start and end (most of them), by their spans with letters (a
    line number may share a MuPDF line with the text it numbers)."""
    lefts, rights = [], []
    for block in data["blocks"]:
        for line in block.get("lines", ()):
            worded = [s["bbox"] for s in line["spans"] if sum(c.isalpha() for c in s["text"]) >= 3]
            if abs(line["dir"][1]) < 0.5 and worded:
                lefts.append(min(b[0] for b in worded))
                rights.append(max(b[2] for b in worded))
    if len(lefts) < 5:
        return None
    lefts.sort()
    rights.sort()
    return lefts[len(lefts) // 10], rights[-1 - len(rights) // 10]


def _margin_number(span: dict, body: tuple[float, float] | None) -> bool:
    """True for a bare number outside the page's text, left or right of it: a line number, not text
    (a review copy's far out, a preprint's close to the text; a subscript in a line is within it)."""
    x0, _, x1, _ = span["bbox"]
    outside = body is not None and (x1 < body[0] - 2 or x0 > body[1] + 2)
    return outside and span["text"].strip().isdigit()


def _line_text(line: dict, table: GlyphTable) -> str:
    """A MuPDF line's text with its private-use glyphs replaced."""
    return "".join(glyphs.apply(s["text"], s["font"], table) for s in line["spans"])


def page_lines(data: dict, number: int, table: GlyphTable) -> tuple[Line, ...]:
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


def _split_block(
    block: dict, page: int, table: GlyphTable, body: tuple[float, float] | None
) -> list[RawBlock]:
    """Turn a MuPDF block into RawBlock blocks, splitting a leading heading line off its paragraph."""
    lines: list[_LineInfo] = []
    for line in block["lines"]:
        # A review copy's line numbers sit in the outer margin, often on the same MuPDF line.
        line = {**line, "spans": [s for s in line["spans"] if not _margin_number(s, body)]}
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
