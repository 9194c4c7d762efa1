"""Bibliographic metadata read from a paper's own text and PDF info; nothing is guessed or invented."""

from __future__ import annotations

import re

from ingest.byline import byline, rows, title_rows
from ingest.identifiers import decode, find_arxiv, find_doi, find_year, xmp_fields
from ingest.types import Block, Document, PaperMeta

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(v\d+)?\b")
_CODE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/[^\s\"'<>)\]},;]+"
)
_EMAIL = re.compile(r"\{[^}]*\}\s*@\S+|\S+@\S+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_AFFIL = re.compile(
    r"\b(universit\w*|institut\w*|lab\w*|department|dept\.|inc\.?|college|school|cent(er|re)|"
    r"hospital|faculty|academy|laborator\w*|research|corporation|ltd\.?|gmbh|foundation|"
    r"google|microsoft|meta|ai2|ibm|nvidia|clinic|polytechnic|departamento|universidad|"
    r"universit[àäé]|instituto|centro|dipartimento|école)\b",
    re.I,
)
# Footnote marks, affiliation letters and superscript digits that separate names in author lines.
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;&]|\band\b|[∗*†‡§¶♠♢♡♣♦⋄□◦#]|[α-ω]|\d+)+\s*")
_PARTICLES = {"de", "van", "von", "der", "den", "da", "del", "di", "la", "le", "du", "dos", "bin"}
_BANNERS = re.compile(
    r"^(article|research article|original article|letter|review|preprint|a preprint|"
    r"open access|check for updates|articles|report|brief communication)\b\s*",
    re.I,
)
_BAD_INFO_TITLE = re.compile(r"microsoft word|untitled|\.(pdf|docx?|tex|dvi|indd|qxd)\b|^[\w-]+$|^\W*$", re.I)
_YEAR_LINE = re.compile(
    r"(?:©|\(c\)|c⃝|copyright|published(?: online)?:?|accepted:?|received:?)\s*"
    r"(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2},?\s+)?((?:19|20)\d{2})",
    re.I,
)
_KEYWORDS = re.compile(r"^(key\s*words|index terms)\s*[—–:.-]?\s*", re.I)


def extract_metadata(doc: Document) -> PaperMeta:
    """Title, authors, affiliations, year, abstract, DOI, arXiv id, keywords and code URLs."""
    first = [b for b in doc.blocks if b.page == 1]
    xmp = xmp_fields(doc.xmp)
    info_title = decode(" ".join(xmp.get("title", [])[:1]) or doc.info.get("title", ""))
    if doc.front:
        title, authors, affiliations = _front_page(doc, first, info_title, xmp)
    else:  # a Document built by hand, without the page's layout
        title, title_end = _title(info_title, first)
        authors, affiliations = _people(first[title_end:], decode(doc.info.get("author", "")))
    arxiv = find_arxiv(doc)
    return PaperMeta(
        title=title,
        authors=authors,
        affiliations=affiliations,
        year=find_year(doc, arxiv),
        abstract=_abstract(doc.blocks, first),
        doi=find_doi(doc, xmp),
        arxiv_id=arxiv,
        keywords=_keywords(first, doc.info.get("keywords", "")),
        code_urls=_code_urls(doc.blocks),
    )


def _front_page(
    doc: Document, first: list[Block], info_title: str, xmp: dict[str, list[str]]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Title and authors from page 1's layout, checked against the XMP and document info."""
    width, height = doc.page_size
    page_rows = rows(doc.front, width)
    shown = " ".join(r.plain for r in page_rows)
    title, end = title_rows(page_rows, height)
    squashed, info_squashed = _letters(title), _letters(info_title)
    truncated = bool(info_squashed) and squashed.startswith(info_squashed) and squashed != info_squashed
    if _good_info_title(info_title, shown) and not truncated:
        if info_squashed != squashed:  # the byline starts after the rows the info title covers
            end = max(
                (i + 1 for i, r in enumerate(page_rows) if _letters(r.plain) in info_squashed), default=end
            )
        title = info_title
    names = byline(page_rows[end:], height)
    declared = [_given_first(n) for n in xmp.get("creators", [])]
    shown_words = {_letters(w) for w in shown.split()}
    full = len(declared) >= 2 and len(declared) >= 0.6 * len(names)  # not just the corresponding author
    if (full or not names) and declared and _letters(declared[0].split()[-1]) in shown_words:
        names = declared  # the XMP lists the byline in order, spelled without kerning gaps
    if not names:
        info_names = _info_names(decode(doc.info.get("author", "")))
        names = [n for n in info_names if _letters(n.split()[-1]) in _letters(shown)]
    _, affiliations = _people(first[1:], "")
    return title or _title(info_title, first)[0], tuple(dict.fromkeys(names)), affiliations


def _letters(text: str) -> str:
    """Lower-case letters and digits only, for comparing what two sources spell."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _given_first(name: str) -> str:
    """ "Family, Given" as "Given Family"."""
    family, comma, given = name.partition(",")
    return f"{given.strip()} {family.strip()}" if comma and given.strip() else name.strip()


def _title(info: str, first: list[Block]) -> tuple[str, int]:
    """The title from page 1's blocks (no layout kept), and the index of the block after it."""
    candidates = [
        (i, b)
        for i, b in enumerate(first[:25])
        if 8 <= len(b.text) <= 300
        and b.bbox[3] - b.bbox[1] < 2.5 * (b.bbox[2] - b.bbox[0])  # not a rotated margin stamp
        and not b.text.lower().startswith(("arxiv", "preprint", "provided proper"))
        and not b.is_heading
        and not _BANNERS.fullmatch(b.text.strip())
    ]
    if not candidates:
        return (info if _good_info_title(info, "") else ""), 0
    start, top = max(candidates, key=lambda c: (c[1].font_size, -c[0]))
    while start > 0 and _same_style(first[start - 1], top) and len(first[start - 1].text) < 300:
        start -= 1  # the title's first line may be set a hair smaller than its largest line
    top = first[start]
    parts, end = [_BANNERS.sub("", _URL.sub("", top.text)).strip()], start + 1
    while end < len(first) and _same_style(first[end], top):
        if first[end].is_heading or len(first[end].text) > 300:
            break
        parts.append(first[end].text)
        end += 1
    page_title = " ".join(" ".join(parts).split())
    page_text = " ".join(b.text for b in first)
    if _good_info_title(info, page_text):
        return info, end
    return page_title, end


def _same_style(a: Block, b: Block) -> bool:
    """True if two blocks are set in the same face and (nearly) the same size."""
    return a.bold == b.bold and abs(a.font_size - b.font_size) <= 0.05 * b.font_size + 0.1


def _good_info_title(title: str, page_text: str) -> bool:
    """True if the PDF info title is a real title that the first page actually shows."""
    if len(title) < 8 or len(title.split()) < 2 or _BAD_INFO_TITLE.search(title):
        return False
    if not page_text:
        return True
    words = re.findall(r"\w+", title.lower())
    shown = set(re.findall(r"\w+", page_text.lower()))
    return sum(w in shown for w in words) >= 0.7 * len(words)


def _people(blocks: list[Block], info_author: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Authors and affiliations from the blocks between the title and the abstract."""
    names: list[str] = []
    affiliations: list[str] = []
    for block in blocks[:20]:
        text = block.text
        if block.is_heading or len(text) > 400 or text.lower().startswith(("abstract", "we ")):
            break
        if text.lower().startswith(("received", "accepted", "published", "demo", "preprint")):
            continue
        before_email = re.sub(r"\([^)]*\)", " ", _EMAIL.split(text)[0])
        cleaned = _URL.sub(" ", _EMAIL.sub(" ", text))
        if _AFFIL.search(before_email) or not before_email.strip():
            affiliations.extend(_affiliations(cleaned))
            continue
        names.extend(_names(before_email))
        if _EMAIL.search(text):
            affiliations.extend(_affiliations(_URL.sub(" ", _EMAIL.split(text)[-1])))
    info_names = _info_names(info_author)
    if info_names and len(info_names) >= len(names):
        names = info_names
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(affiliations))


def _names(text: str) -> list[str]:
    """Person names in an author line, without footnote marks, digits or emails."""
    out: list[str] = []
    for piece in _NAME_SEPARATORS.split(text):
        words = piece.strip(" .,").split()
        if len(words) >= 4 and len(words) % 2 == 0 and not any(_initial(w) for w in words):
            out.extend(" ".join(words[i : i + 2]) for i in range(0, len(words), 2))
        elif 2 <= len(words) <= 5 and all(_name_word(w) for w in words):
            out.append(" ".join(words))
    return [n for n in out if all(_name_word(w) for w in n.split())]


def _name_word(word: str) -> bool:
    """True for a word that can be part of a person's name."""
    if word in _PARTICLES or _initial(word):
        return True
    # Each part of "Mensah-Doyle" / "O'Brien" / "McDonald" is capitalised; all-caps words are not names.
    parts = [p for p in re.split(r"[-'’]", word) if p]
    return bool(parts) and all(
        p[:1].isupper() and p.isalpha() and (len(p) == 1 or not p.isupper()) for p in parts
    )


def _initial(word: str) -> bool:
    """True for an initial such as "X." or "J.-P."."""
    return bool(re.fullmatch(r"([A-Z]\.-?)+", word))


def _affiliations(text: str) -> list[str]:
    """Affiliation phrases in a block, split on footnote marks and cleaned of stray symbols."""
    out = []
    for piece in re.split(r"[∗*†‡§¶♠♢♡♣♦⋄□]|(?:^|\s)[α-ω](?=[A-Z])|(?<![\w-])\d{1,2}(?=[A-Z])", text):
        piece = " ".join(piece.split()).strip(" ,;.")
        if _AFFIL.search(piece) and 4 < len(piece) < 200:
            out.append(piece)
    return out


def _info_names(author: str) -> list[str]:
    """Names from the PDF info author field ("A B; C D" or BibTeX-style "B, A and D, C")."""
    if not author or not re.search(r";| and ", author):
        return []
    names = []
    for part in re.split(r"\s*;\s*|\s+and\s+", author.strip()):
        if "," in part:
            last, _, first = part.partition(",")
            part = f"{first.strip()} {last.strip()}"
        words = part.split()
        if 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words):
            names.append(" ".join(words))
    return names


def _abstract(blocks: tuple[Block, ...], first: list[Block]) -> str:
    """The text under an "Abstract" heading, or else the first long paragraph on page 1."""
    for i, block in enumerate(blocks):
        if block.is_heading and block.text.strip(" .:").lower() in ("abstract", "summary"):
            parts = []
            for nxt in blocks[i + 1 :]:
                if nxt.is_heading or nxt.page > block.page + 1 or _KEYWORDS.match(nxt.text):
                    break
                parts.append(nxt.text)
            if parts:
                return " ".join(parts)
    for block in first:
        low = block.text.lower()
        if len(block.text) >= 400 and not any(
            s in low for s in ("permission to make", "©", "copyright", "provided proper")
        ):
            return block.text
    return ""


def _keywords(first: list[Block], info_keywords: str) -> tuple[str, ...]:
    """Keywords from a "Keywords:" / "Index Terms—" line (or a KEYWORDS heading) on page 1."""
    for i, block in enumerate(first):
        text = block.text
        if block.is_heading and _KEYWORDS.fullmatch(text.strip()) and i + 1 < len(first):
            text = first[i + 1].text
        elif not _KEYWORDS.match(text):
            continue
        else:
            text = _KEYWORDS.sub("", text)
        return _split_keywords(text)
    return _split_keywords(info_keywords)


def _split_keywords(text: str) -> tuple[str, ...]:
    """Split a keyword line on commas, semicolons and bullets."""
    words = (w.strip(" .") for w in re.split(r"[,;·•]", text))
    return tuple(dict.fromkeys(w for w in words if w and len(w) < 80))


def _code_urls(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """Code repository URLs mentioned outside the reference list, deduplicated."""
    urls = []
    for block in blocks:
        if block.section.strip(" .:").lower().lstrip("0123456789. ") in ("references", "bibliography"):
            continue
        for match in _CODE_URL.finditer(block.text):
            url = match[0].rstrip(".,:;'")
            if not url.startswith("http"):
                url = "https://" + url
            urls.append(url)
    return tuple(dict.fromkeys(urls))
