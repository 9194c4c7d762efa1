"""Headings: numbered and named section headings, and styled ones once a real heading was seen."""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.layout import RawBlock
from ingest.types import Block

_NUMBERED = re.compile(
    r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H]\.|[A-H](\.\d{1,2}){1,3}\.?)\s+[A-Z(\[]"
)
# Appendix headings numbered by a bare letter ("E Training corpus sizes"): only when set bold.
_LETTERED = re.compile(r"^[A-H]\s+[A-Z]")
_RUN_IN_NUMBERED = re.compile(r"^\d{1,2}(\.\d{1,2}){1,3}\.?\s+\S.{1,150}[.:]$")
_BARE_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}|[A-H](\.\d{1,2}){0,3}|[IVX]{1,5})\.?$")
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
    numbered = bool(_NUMBERED.match(text))
    # Numbered headings may be long questions ("3.2 RQ2: Can we reduce annotator workload ...?").
    if len(text) > (150 if numbered else 90) or len(text.split()) > (20 if numbered else 12):
        return False
    if _CAPTION.match(text) or re.search(r"[a-z)]\. [A-Z]", text):  # a sentence ends inside
        return False
    bare = re.sub(r"^(\d+(\.\d+)*\.?|[IVX]+\.|[A-H](\.\d+)*\.?)\s+", "", text).strip(" .:").lower()
    if bare in _KNOWN_HEADINGS:
        return True
    if not (numbered or _LETTERED.match(text)) or text.rstrip().endswith((".", ",", ";")) or "=" in text:
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
    raws = _join_wrapped(raws)
    for i, raw in enumerate(raws):
        text = raw.text
        lead = raw.lead_bold.strip()
        if _RUN_IN_NUMBERED.match(lead) and text.startswith(lead):
            name = lead.rstrip(".:").strip()  # "3.0.1 Participants & recruiting. We wanted ..."
            blocks.append(_block(raw, name, heading=True, section=name))
            section, seen_strong = name, True
            text = text[len(lead) :].strip()
            if not text:
                continue
        run_in = _RUN_IN.match(text)
        if run_in and len(text) > 200:  # "Abstract—We propose..." becomes a heading + paragraph
            name = text[: run_in.end()].strip(" —–:.-")
            blocks.append(_block(raw, name, heading=True, section=name))
            section, seen_strong = name, True
            text = text[run_in.end() :]
        strong = is_heading_text(text) and not _beside_other(raw, raws, i)
        # Cells of a table row stand far apart; a styled heading has nothing on its row at all.
        styled = seen_strong and _is_style_heading(raw, body) and not _beside_other(raw, raws, i, gap=200)
        one_row = len(raw.lines) == 1 or raw.bbox[3] - raw.bbox[1] < 1.7 * raw.size
        is_heading = strong and (raw.bold or raw.size > body + 0.4 or one_row)
        if is_heading and _LETTERED.match(text) and not _NUMBERED.match(text):
            # "A Study of Things" is a title: a lettered heading only comes after real headings.
            is_heading = seen_strong and raw.bold and (one_row or raw.size > body + 0.4)
        if is_heading or styled:
            section, seen_strong = text, True
        blocks.append(_block(raw, text, heading=is_heading or styled, section=section))
    return blocks


def _join_wrapped(raws: list[RawBlock]) -> list[RawBlock]:
    """A numbered bold heading with its wrapped last line filed as a block of its own, joined."""
    out: list[RawBlock] = []
    for raw in raws:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.bold
            and raw.bold
            and prev.page == raw.page
            and _NUMBERED.match(prev.text)
            and not _NUMBERED.match(raw.text)
            and abs(prev.size - raw.size) < 0.3
            and 0 <= raw.bbox[1] - prev.bbox[3] < 0.8 * raw.size
            and not prev.text.rstrip().endswith((".", "?", ":"))
            and len(prev.text) + len(raw.text) < 150
        ):
            text = f"{prev.text} {raw.text}"
            bbox = (min(prev.bbox[0], raw.bbox[0]), prev.bbox[1], max(prev.bbox[2], raw.bbox[2]), raw.bbox[3])
            out[-1] = replace(prev, lines=(*prev.lines, *raw.lines), bbox=bbox, text=text)
            continue
        out.append(raw)
    return out


def join_numbers(page: list[RawBlock]) -> list[RawBlock]:
    """A page's blocks with each section number set apart from its title ("1" + "INTRODUCTION") joined."""
    numbers = [r for r in page if _BARE_NUMBER.match(r.text)]
    if not numbers:
        return page
    out = list(page)
    for num in numbers:
        beside = [
            r
            for r in out
            if r is not num
            and 0 <= r.bbox[0] - num.bbox[2] < 40
            and abs((num.bbox[1] + num.bbox[3]) / 2 - (r.bbox[1] + r.bbox[3]) / 2) < 0.5 * r.size
        ]
        if not beside or num not in out:
            continue
        title = min(beside, key=lambda r: r.bbox[0])
        text = f"{num.text} {title.text}"
        bbox = (num.bbox[0], min(num.bbox[1], title.bbox[1]), title.bbox[2], max(num.bbox[3], title.bbox[3]))
        joined = replace(title, lines=(text, *title.lines[1:]), bbox=bbox, text=text)
        out = [joined if r is title else r for r in out if r is not num]
    return out


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
        cell = oy1 - oy0 < 2.5 * (y1 - y0)  # a paragraph in the next column is no table cell
        if cell and overlap > 0.5 * (y1 - y0) and (ox0 >= x1 - 1 or ox1 <= x0 + 1) and abs(ox0 - x1) < gap:
            return True
    return False
