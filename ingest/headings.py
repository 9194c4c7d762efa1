"""Headings: numbered and named section headings, and styled ones once a real heading was seen."""

from __future__ import annotations

import re

from ingest.layout import RawBlock
from ingest.types import Block

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
_RUN_IN = re.compile(r"^(abstract|summary|index terms|keywords)\s*[—–:.-]\s*(?=\S)", re.I)


def is_heading_text(text: str) -> bool:
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


def _is_style_heading(raw: RawBlock, body: float) -> bool:
    """True for short single-line bold or larger-than-body lines that are not captions/equations."""
    text = raw.text
    if len(raw.lines) > 2 or len(text) > 80 or len(text.split()) > 10 or _CAPTION.match(text):
        return False
    if not (raw.bold or raw.size >= body + 1.5) or text.endswith((".", ",", ";", ":")):
        return False
    letters = sum(ch.isalpha() for ch in text)
    if len(text.split()) == 1 and len(text) <= 4:  # "MAE", "BLEU": a table's header cell
        return False
    return "=" not in text and letters >= 3 and letters >= 0.6 * len(text.replace(" ", ""))


def mark_headings(raws: list[RawBlock], body: float) -> list[Block]:
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
        strong = is_heading_text(text) and not _beside_other(raw, raws, i)
        # Cells of a table row stand far apart; a styled heading has nothing on its row at all.
        styled = seen_strong and _is_style_heading(raw, body) and not _beside_other(raw, raws, i, gap=200)
        is_heading = strong and (raw.bold or raw.size > body + 0.4 or len(raw.lines) == 1)
        if is_heading or styled:
            section, seen_strong = text, True
        blocks.append(_block(raw, text, heading=is_heading or styled, section=section))
    return blocks


def _block(raw: RawBlock, text: str, *, heading: bool, section: str) -> Block:
    """A public Block from a raw one."""
    return Block(raw.page, text, raw.bbox, raw.size, raw.bold, heading, section)


def _beside_other(raw: RawBlock, raws: list[RawBlock], index: int, gap: float = 40) -> bool:
    """True if another block sits on the same text row (a table cell, not a heading)."""
    x0, y0, x1, y1 = raw.bbox
    for j in range(max(0, index - 8), min(len(raws), index + 9)):
        other = raws[j]
        if j == index or other.page != raw.page:
            continue
        ox0, oy0, ox1, oy1 = other.bbox
        overlap = min(y1, oy1) - max(y0, oy0)
        if overlap > 0.5 * (y1 - y0) and (ox0 >= x1 - 1 or ox1 <= x0 + 1) and abs(ox0 - x1) < gap:
            return True
    return False
