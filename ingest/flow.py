"""Sentences kept whole across column and page breaks, figures, tables and display equations.

A paragraph that stops mid-sentence at the foot of a column goes on in the next body block, even
when a caption, a table or a display equation is read in between. The continuation is joined to
it (its hyphenation repaired), the blocks in between follow it, and a display equation inside
the sentence stays in it, marked as EQUATION_OPEN ... EQUATION_CLOSE.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.cleanup import join_lines
from ingest.types import Block

EQUATION_OPEN, EQUATION_CLOSE = "⟦", "⟧"
# "Table 2: ..." is a caption; "Table 2 shows ..." is a sentence.
_CAPTION = re.compile(r"^(fig\.?|figure|table|tab\.|algorithm|listing)\s*[A-Z]?\d+[a-z]?\s*[.:|]", re.I)
_ENDS = re.compile(r"[.!?:;][\"'”’)\]]*$")
_OPEN_WORD = re.compile(r"\b(the|of|and|or|a|an|to|in|on|for|with|by|from|as|that|is|are|was|were|be)$", re.I)
_EQ_NUMBER = re.compile(r"\(\s*[A-Z]?\d{1,3}[a-z]?\s*\)$")
_MATH = re.compile(r"[=∑∏∫√≤≥≈∈∀∂∇±×·→←⊂⊆∪∩^_]")
_NUMBERED = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.?|[A-H](\.\d{1,2})*\.?)\s+\S")
_LOOKAHEAD = 80  # a table read cell by cell can sit between a sentence's halves


def is_equation(block: Block) -> bool:
    """True for a display equation: a short block of mostly symbols, or one ending "(3)"."""
    text = block.text.strip()
    if block.is_heading or not text or len(text) > 220 or _CAPTION.match(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    words = re.findall(r"[A-Za-z]{3,}", text)
    numbered = bool(_EQ_NUMBER.search(text)) and len(words) <= 8
    return numbered or (bool(_MATH.search(text)) and (letters < 0.55 * len(text) or len(words) <= 3))


def _open(block: Block) -> bool:
    """True if a body block stops in the middle of a sentence."""
    text = block.text.rstrip()
    if block.is_heading or _CAPTION.match(text) or len(text) < 40:
        return False
    return text.endswith(EQUATION_CLOSE) or not _ENDS.search(text)


def _continues(prev: Block, block: Block) -> bool:
    """True if a block reads as the rest of prev's sentence."""
    text = block.text.lstrip()
    if block.is_heading or _CAPTION.match(text) or not text:
        return False
    if block.section != prev.section and not text[0].islower():  # a table header taken for a heading
        return False
    if text.startswith("["):  # a reference
        return False
    # A sentence keeps its type size: a smaller block is a footnote, and a running head or a
    # caption set in another size never takes the rest of a body sentence.
    if not 0.92 * prev.font_size <= block.font_size <= 1.12 * prev.font_size:
        return False
    tail = prev.text.rstrip()
    if text[0].islower() or tail.endswith((",", "-", EQUATION_CLOSE)) or _OPEN_WORD.search(tail):
        return True
    # A paragraph of prose that stops without punctuation goes on in the next body paragraph of
    # its size, whatever its first letter ("... we used" / "Specter as one of ..."); figure and
    # table text in between was skipped before this is asked.
    prose = len(tail.split()) >= 8 and sum(w[:1].islower() for w in tail.split()) >= 0.5 * len(tail.split())
    same_size = abs(block.font_size - prev.font_size) <= 0.1 * prev.font_size
    return prose and same_size and block.section == prev.section and not _between(block, prev)


def join_sentences(blocks: list[Block]) -> list[Block]:
    """The blocks with each sentence that a break cut in two joined again."""
    out: list[Block] = []
    pending = list(blocks)
    i = 0
    while i < len(pending):
        block = pending[i]
        if not out or not _open(out[-1]):
            out.append(block)
            i += 1
            continue
        prev = out[-1]
        if is_equation(block):  # a display line inside the sentence: keep it there, marked
            out[-1] = replace(prev, text=f"{prev.text} {EQUATION_OPEN}{block.text.strip()}{EQUATION_CLOSE}")
            i += 1
            continue
        for j in range(i, min(i + _LOOKAHEAD, len(pending))):
            if _continues(prev, pending[j]):
                out[-1] = replace(prev, text=join_lines([prev.text, pending[j].text], mark=True))
                pending = pending[:j] + pending[j + 1 :]  # what sat between now follows
                break
            if not _between(pending[j], prev):
                out.append(block)
                i += 1
                break
        else:
            out.append(block)
            i += 1
    return out


def _between(block: Block, prev: Block) -> bool:
    """True for what may sit between a sentence's halves: captions, figure or table text, footnotes."""
    if block.is_heading:  # only an unnumbered one-liner, such as a table's column header
        return len(block.text) < 40 and not _NUMBERED.match(block.text)
    # Footnotes and table cells are set smaller, author blocks larger; a line of the body in the
    # body's own size is never skipped, or a paper set line by line would be read out of order.
    other_size = abs(block.font_size - prev.font_size) > 0.1 * prev.font_size
    words = block.text.split()
    numeric = sum(any(ch.isdigit() for ch in w) for w in words) >= 0.3 * len(words)  # a table row
    label = len(words) <= 3
    # A table cell or figure label is much narrower than the column the sentence runs in.
    narrow = block.bbox[2] - block.bbox[0] < 0.6 * (prev.bbox[2] - prev.bbox[0]) and len(block.text) < 200
    skippable = other_size or numeric or label or narrow
    return bool(_CAPTION.match(block.text)) or skippable or is_equation(block)
