"""Private-use glyphs turned back into the characters printed: from the font, else from context.

A PDF may map a glyph to a private-use code point (U+E004 for ".", U+E000 for "fi"). One decision
is made per (font, code point) over all its occurrences in the document, so a single odd context
cannot flip it: the glyph's name in the embedded font wins; without one, a glyph seen between
digits or shaped as a baseline dot is a period (a comma when it dips below the baseline), one
inside words the dictionary knows with "fi"/"fl"/"ff"/"ffi"/"ffl" is that ligature, a raised mark
is a quote, a thin glyph from descender to ascender is a slash, a thin bar a minus or hyphen;
anything else is dropped. The
outline box, when the font gives one, is trusted over the digits around the glyph ("1/2").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spellchecker import SpellChecker

from ingest.fonts import GlyphInfo, text_for_name

PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
QUOTE = "\u201c\u201d"  # a decision "quote": opening or closing is chosen per occurrence
_LIGATURES = ("fi", "fl", "ff", "ffi", "ffl")


@dataclass(frozen=True)
class Site:
    """One occurrence of a private-use glyph: its font and code point, and the text around it."""

    font: str
    char: str
    left: str
    right: str


@lru_cache(maxsize=1)
def _dictionary() -> SpellChecker:
    """The English word list (loaded once, on the first ligature to decide)."""
    return SpellChecker(language="en", distance=1)


def resolve(sites: Iterable[Site], infos: dict[tuple[str, str], GlyphInfo]) -> dict[tuple[str, str], str]:
    """The replacement text for each (font, private-use character) seen in the document."""
    by_key: dict[tuple[str, str], list[Site]] = {}
    for site in sites:
        by_key.setdefault((site.font, site.char), []).append(site)
    return {key: _decide(found, infos.get(key)) for key, found in by_key.items()}


def _decide(sites: list[Site], info: GlyphInfo | None) -> str:
    """One replacement for all occurrences of a glyph."""
    if info is not None and info.name:
        named = text_for_name(info.name)
        if named:
            return named
    char = sites[0].char
    box = info.box if info else None
    if box is not None and _is_slash(box):
        return "/"
    between_digits = sum(_digit_end(s.left, char) and _digit_start(s.right, char) for s in sites)
    if _is_dot(box) or (box is None and between_digits):
        return "," if box is not None and box[1] < -0.08 else "."
    ligature = _best_ligature(sites)
    if ligature:
        return ligature
    if box is not None and box[1] > 0.3:
        return QUOTE
    if box is not None and box[3] - box[1] < 0.08 and box[2] - box[0] > 0.25:
        return "\u2212" if box[2] - box[0] > 0.4 else "-"  # a bar on the math axis: minus or hyphen
    return ""


def _digit_end(text: str, char: str) -> bool:
    """True if the text ends with a digit (runs of the same glyph, as in "1...", are skipped)."""
    text = text.rstrip(char)
    return bool(text) and text[-1].isdigit()


def _digit_start(text: str, char: str) -> bool:
    """True if the text starts with a digit, past runs of the same glyph."""
    text = text.lstrip(char)
    return bool(text) and text[0].isdigit()


def _is_dot(box: tuple[float, float, float, float] | None) -> bool:
    """True for a small mark sitting on the baseline: a period (or a comma's head)."""
    if box is None:
        return False
    x0, y0, x1, y1 = box
    return y1 < 0.2 and x1 - x0 < 0.2 and y0 > -0.25 and y1 > 0.02


def _is_slash(box: tuple[float, float, float, float]) -> bool:
    """True for a thin glyph reaching from below the baseline to the ascender."""
    x0, y0, x1, y1 = box
    height = y1 - y0
    return y0 < -0.1 and y1 > 0.55 and height < 1.15 and 0.25 <= (x1 - x0) / height <= 0.6


def _best_ligature(sites: list[Site]) -> str:
    """The ligature that makes the most dictionary words of the glyph's contexts, or ""."""
    words = [(_word_end(s.left), _word_start(s.right)) for s in sites]
    words = [(a, b) for a, b in words if (a or b) and PRIVATE.search(a + b) is None]
    if not words:
        return ""
    known = _dictionary()
    # Words made, then how common they are: one "?at" reads "flat" rather than "fiat".
    scores = {
        lig: (
            sum((a + lig + b).lower() in known for a, b in words),
            sum(known.word_usage_frequency((a + lig + b).lower()) for a, b in words),
        )
        for lig in _LIGATURES
    }
    best = max(_LIGATURES, key=lambda lig: scores[lig])
    return best if scores[best][0] > 0 and scores[best][0] >= 0.5 * len(words) else ""


def _word_end(text: str) -> str:
    """The letters the text ends with."""
    match = re.search(r"[^\W\d_]*$", text)
    return match[0] if match else ""


def _word_start(text: str) -> str:
    """The letters the text starts with."""
    match = re.match(r"[^\W\d_]*", text)
    return match[0] if match else ""


def apply(text: str, font: str, table: dict[tuple[str, str], str]) -> str:
    """The text with its private-use glyphs replaced by the decided characters."""
    if not PRIVATE.search(text):
        return text
    out = []
    for i, ch in enumerate(text):
        if not PRIVATE.match(ch):
            out.append(ch)
            continue
        value = table.get((font, ch), "")
        if value == QUOTE:  # opening before a word, closing after one
            before = text[i - 1] if i else " "
            value = QUOTE[1] if before.isalnum() or before in ".,;:!?)" else QUOTE[0]
            if value == QUOTE[1] and text[i + 1 : i + 2].isalpha():
                value += " "  # the PDF set the gap after a closing quote as a kern, not a space
        out.append(value)
    return "".join(out)
