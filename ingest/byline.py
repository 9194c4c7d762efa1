"""Title and byline read off the front page's layout: rows of type, their sizes and their marks.

The title is the largest type near the top of page 1; the byline is the run of rows under it
whose pieces are person names once superscript marks, footnote symbols, commas and "and" split
them. Affiliation markers are what separate names, so they are read from the spans' sizes and
positions rather than guessed from digits in flattened text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.types import Line

SEP = "\u00a6"  # stands for a mark or a wide gap between names
_SPLIT = re.compile(rf"\s*(?:{SEP}|[,;·•&✉∗*†‡§¶#♠♢♡♣♦⋄□◦]|\band\b|\(\w{{1,2}}\)|\d+)+\s*")
_PARTICLES = {"de", "van", "von", "der", "den", "da", "del", "di", "la", "le", "du", "dos", "bin", "ten"}
_NOT_NAMES = re.compile(
    r"\b(universit\w*|institut\w*|department|dept|college|school|cent(er|re)|hospital|faculty|"
    r"laborator\w*|research|abstract|introduction|received|accepted|published|article|review|"
    r"journal|vol|volume|issue|copyright|open|access|correspondence|keywords|email|e-mail|"
    r"preprint|citation|summary|highlights|authors?|check|updates|proceedings|conference|the|"
    r"departamento|universidad|universit[àäé]|instituto|centro|dipartimento|école|google|"
    r"microsoft|inc|ltd|gmbh|corporation|foundation|academy|clinic|"
    r"of|for|in|on|with|by|to|from|is|are|we|our|this|a|an)\b",
    re.I,
)
_FAMILY_FIRST = re.compile(r"^([A-Z][\w'’-]+),\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})$")
_BANNER = re.compile(
    r"^(article|research article|original article|letter|review|review article|preprint|report|"
    r"open access|open|check for updates|articles|brief communication|research|resource)$",
    re.I,
)


@dataclass(frozen=True)
class Row:
    """Lines of page 1 that share a baseline, read left to right."""

    y0: float
    y1: float
    size: float  # the largest type that is not a mark
    text: str  # marks and wide gaps replaced by SEP
    plain: str  # marks dropped, gaps as spaces
    full: str  # every span, marks kept in place ("KIR+CD8+ T cells")
    x0: float = 0.0
    x1: float = 0.0


def rows(lines: tuple[Line, ...], width: float) -> list[Row]:
    """Page 1's unrotated lines grouped into rows, top to bottom (margin line numbers left out)."""
    kept = [ln for ln in lines if not ln.rotated and ln.page == 1 and not _line_number(ln, width)]
    kept.sort(key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2)
    groups: list[list[Line]] = []
    for line in kept:
        last = groups[-1] if groups else None
        if last is not None:
            y0, y1 = min(x.bbox[1] for x in last), max(x.bbox[3] for x in last)
            height = min(line.bbox[3] - line.bbox[1], y1 - y0)
            big, small = sorted((max(x.size for x in last), line.size), reverse=True)
            # Type of another size beside a line is another column, unless it is only a mark.
            alike = small >= 0.7 * big or len(line.text) <= 8
            if alike and min(y1, line.bbox[3]) - max(y0, line.bbox[1]) > 0.5 * height:
                last.append(line)
                continue
        groups.append([line])
    return [_row(g) for g in groups]


def _line_number(line: Line, width: float) -> bool:
    """True for a bare number in the outer tenth of the page (review copies number their lines)."""
    outer = line.bbox[2] < 0.12 * width or line.bbox[0] > 0.88 * width
    return outer and line.text.isdigit()


def _row(lines: list[Line]) -> Row:
    """One row from its lines: spans in x order, marks and wide gaps turned into separators."""
    spans = sorted((s for ln in lines for s in ln.spans if s.text.strip()), key=lambda s: s.x0)
    size = max((s.size for s in spans if not s.superscript), default=0.0)
    text, plain, full, last_x = "", "", "", None
    for span in spans:
        gap = last_x is not None and span.x0 - last_x > 1.5 * size
        space = last_x is not None and span.x0 - last_x > 0.25 * size
        if span.superscript or gap:
            text += f" {SEP} "
        full += (" " if space else "") + span.text
        if not span.superscript:
            text += (" " if space else "") + span.text
            plain += (" " if space else "") + span.text
        last_x = span.x1
    y0 = min(ln.bbox[1] for ln in lines)
    y1 = max(ln.bbox[3] for ln in lines)
    x0, x1 = min(ln.bbox[0] for ln in lines), max(ln.bbox[2] for ln in lines)
    return Row(y0, y1, size, " ".join(text.split()), " ".join(plain.split()), " ".join(full.split()), x0, x1)


def title_rows(page_rows: list[Row], height: float) -> tuple[str, int]:
    """The title (largest type in the top 60% of page 1) and the index of the row after it."""

    def paired(i: int) -> bool:  # a title of one or two words still shares its size with a row
        return any(
            0 <= j < len(page_rows) and abs(page_rows[j].size - page_rows[i].size) < 0.3
            for j in (i - 1, i + 1)
        )

    candidates = [
        i
        for i, r in enumerate(page_rows)
        if r.y1 < 0.6 * height
        and sum(ch.isalpha() for ch in r.plain) >= 4
        and (len(r.plain.split()) >= 3 or paired(i))
        and not _BANNER.match(r.plain.strip(" .:"))
        and not r.plain.lower().startswith(("arxiv", "preprint", "doi", "http"))
    ]
    if not candidates:
        return "", 0
    top = max(r.size for i, r in enumerate(page_rows) if i in candidates)
    start = next(i for i in candidates if page_rows[i].size >= top - 0.05 * top)
    parts, end, prev = [page_rows[start]], start + 1, page_rows[start]
    while end < len(page_rows):
        r = page_rows[end]
        if r.x1 < prev.x0 or r.x0 > prev.x1:  # a column beside the title, not its next line
            end += 1
            continue
        if abs(r.size - top) > 0.05 * top or r.y0 - prev.y1 > 1.2 * top:
            break
        parts.append(r)
        prev, end = r, end + 1
    return " ".join(r.full for r in parts), end


def byline(page_rows: list[Row], height: float) -> list[str]:
    """Person names of the byline: the name-like rows right under the title."""
    names: list[str] = []
    carry = ""
    misses = 0
    for row in page_rows:
        if row.y0 > 0.7 * height or len(row.plain) > 400:
            break
        found, complete = _row_names(carry + row.text)
        carry = ""
        if found:
            names.extend(found)
            misses = 0
            if not complete:  # the row ended inside a name ("... and Andrew" / "D. White")
                carry = names.pop() + " "
        elif names:
            misses += 1
            if misses > 1 or len(row.plain) > 120:
                break
    if carry.strip() and _is_name(carry.split()):
        names.append(carry.strip())
    return names


def _row_names(text: str) -> tuple[list[str], bool]:
    """The names a row starts with, and False if its last name may go on in the next row."""
    flip = _FAMILY_FIRST.match(text.strip(f" {SEP}"))
    if flip:
        return [f"{flip[2]} {flip[1]}"], True
    text = re.sub(r"\([^)]{2,30}\)", " ", text)  # a nickname: "Joseph (Yossi) Gil"
    pieces = [p for p in _SPLIT.split(text) if p.strip(" .")]
    names: list[str] = []
    for n, piece in enumerate(pieces):
        words = piece.strip(" .").split()
        if not _is_name(words) or (len(words) == 1 and n < len(pieces) - 1):
            break
        names.append(_case(words))
    if not names:
        return [], True
    ends_open = len(names) == len(pieces) and not re.search(rf"[{SEP},;&∗*†‡\d]\s*$", text)
    return names, not (ends_open and len(names[-1].split()) == 1)


def _is_name(words: list[str]) -> bool:
    """True for 1-5 words that read as a person's name (at least two unless a lone given name)."""
    if not 1 <= len(words) <= 5 or _NOT_NAMES.search(" ".join(words)):
        return False
    if len(words) == 1:
        return bool(re.fullmatch(r"[A-Z][a-z]{2,}", words[0]))
    return all(_name_word(w) for w in words) and not all(_initial(w) for w in words)


def _name_word(word: str) -> bool:
    """True for a word that can be part of a person's name."""
    if word.lower() in _PARTICLES or _initial(word):
        return True
    parts = [p for p in re.split(r"[-'’]", word) if p]
    return bool(parts) and all(p[:1].isupper() and p.isalpha() for p in parts)


def _initial(word: str) -> bool:
    """True for an initial such as "X.", "X" or "J.-P."."""
    return bool(re.fullmatch(r"([A-Z]\.-?)+|[A-Z]", word))


def _case(words: list[str]) -> str:
    """A name in normal case (bylines set in capitals read "TAL AUGUST")."""
    if all(w.isupper() for w in words if len(w) > 2):
        words = [w if _initial(w) else w.capitalize() for w in words]
    return " ".join(words)
