"""Clean-up of text as PDFs set it: ligatures, invisible characters, old TeX accents, hyphenation."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# Ligatures are expanded by MuPDF unless TEXT_PRESERVE_LIGATURES is set; some fonts still map
# them to the presentation-form code points, so those are spelled out here too.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "\u00a0": " "}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
# Invisible format characters publishers sprinkle into words and URLs (zero-width spaces and
# joiners, word joiners, byte-order marks); left in, they split "KATP" into tokens nobody types.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff]")
_HYPHENS = ("-", "\u00ad", "\u2010")
# Prefixes that TeX only ever breaks at an explicit hyphen, so "self-\nattention" keeps its hyphen.
_HYPHEN_PREFIXES = {"self", "non", "well", "cross", "semi", "state", "zero", "few", "fine", "end"}
_ACCENT = re.compile(r"([´`¨ˆ˜])\s?([A-Za-zı])")
_COMBINING = {"´": "\u0301", "`": "\u0300", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303"}


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


BREAK = "\u00ad"  # marks a hyphen at a line end whose fate the whole document decides


def join_lines(lines: Iterable[str], *, mark: bool = False) -> str:
    """Join a block's lines with spaces, repairing words hyphenated across line ends.

    With mark=True a line-end hyphen is left as BREAK for resolve_breaks to decide, from how the
    rest of the document spells the word ("Cite-|Seer" where the paper says "CiteSeer" elsewhere).
    """
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
            if mark and line[0].isalpha():
                out = out[:-1] + BREAK + line
            elif _broken_word(word, line):
                out = out[:-1] + line  # a word broken by hyphenation: "trans-" + "former"
            else:
                out = out[:-1] + "-" + line  # a real hyphen: "state-of-" + "the-art"
        else:
            out = f"{out} {line}"
    return re.sub(r"\s+", " ", out).strip()


def _broken_word(head: str, tail: str) -> bool:
    """True if a line-end hyphen between head and tail was put there by hyphenation."""
    return tail[:1].islower() and "-" not in head and head.lower() not in _HYPHEN_PREFIXES


_MARKED = re.compile(rf"([\w-]*\w){BREAK}(\w[\w-]*)")


def resolve_breaks(texts: list[str]) -> list[str]:
    """Texts with each marked line-end hyphen kept or dropped as the document spells the word."""
    if not any(BREAK in t for t in texts):
        return texts
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.lower() for w in re.findall(r"[\w-]+", text) if BREAK not in w)

    def decide(match: re.Match[str]) -> str:
        head, tail = match[1], match[2]
        joined, hyphened = counts[(head + tail).lower()], counts[f"{head}-{tail}".lower()]
        if joined != hyphened:
            return head + tail if joined > hyphened else f"{head}-{tail}"
        return head + tail if _broken_word(head, tail) else f"{head}-{tail}"

    return [_MARKED.sub(decide, t).replace(BREAK, "-") for t in texts]
