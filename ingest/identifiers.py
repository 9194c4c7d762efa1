"""DOI, arXiv id and year of a paper, read from what the PDF prints and checked against it.

Sources, best first: the arXiv side stamp (the version's date), the PDF's own citation line
("Diabetologia (2024) 67:940", "eLife 2023;12:RP91357"), a "Published"/"posted" date, the
copyright year, and only then the id or the file's creation date. Received, revised and accepted
dates are never a paper's year. A DOI from the XMP or document info counts only when the pages
print it; a printed DOI broken at a line end ("10.1073/pnas." / "2322520121") is joined again.
"""

from __future__ import annotations

import html
import re

from ingest.types import Document

DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(v\d+)?\b")
_YEAR = r"((?:19|20)\d{2})"
_STAMP = re.compile(rf"arxiv:\s*\S+\s*\[[^\]]+\]\s*(?:\d{{1,2}}\s+[A-Za-z]{{3,9}}\.?,?\s+)?{_YEAR}", re.I)
_CITATION = re.compile(
    rf"(?:\(|\b){_YEAR}\)?\s*[,;.]?\s*(?:vol\.?\s*)?\d{{1,4}}\s*(?:\(\s*[\d-]+\s*\))?\s*[:,]\s*[A-Za-z]{{0,4}}\d+"
)
_NOT_PUBLICATION = re.compile(r"received|revised|accepted|submitted|\bcite\b|cited", re.I)
_PUBLISHED = re.compile(
    r"(?:published(?:\s+online)?|publication date|version of record|version posted|"
    r"first posted|available online|issue date|date of publication)\s*:?\s*(?:on\s+)?"
    rf"(?:[A-Za-z]+\.?,?\s+|\d{{1,2}}(?:st|nd|rd|th)?,?\s+){{0,3}}{_YEAR}(?![\d/])",
    re.I,
)
_COPYRIGHT = re.compile(rf"(?:©|\(c\)|c⃝|copyright)\s*(?:the\s+authors?\(?s?\)?,?\s*)?{_YEAR}", re.I)


def decode(text: str) -> str:
    """A document-info or XMP string with HTML entities decoded and whitespace collapsed."""
    for _ in range(2):  # "&amp;rsquo;" is entity-encoded twice
        text = html.unescape(text)
    return " ".join(text.split())


def xmp_fields(xmp: str) -> dict[str, list[str]]:
    """Title, creators, DOI and identifier from an XMP packet (each as a list, in order)."""
    out: dict[str, list[str]] = {}
    for key, tag in (("title", "dc:title"), ("creators", "dc:creator")):
        block = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", xmp, re.S)
        if block:
            out[key] = [decode(li) for li in re.findall(r"<rdf:li\b[^>]*>(.*?)</rdf:li>", block[1], re.S)]
    for key, tag in (("doi", "prism:doi"), ("identifier", "dc:identifier")):
        values = re.findall(rf'{tag}="([^"]*)"|<{tag}>([^<]*)</{tag}>', xmp)
        out[key] = [decode(a or b) for a, b in values if (a or b).strip()]
    return out


def _squash(text: str) -> str:
    """Lower-case text without whitespace, to check that a string is printed somewhere."""
    return re.sub(r"\s+", "", text).lower()


def _printed_lines(doc: Document) -> list[str]:
    """Page 1's lines (stamps and headers included), then the text removed as margins."""
    if not doc.front:  # a Document built by hand: its page-1 blocks are all there is
        return [b.text for b in doc.blocks if b.page == 1]
    return [ln.text for ln in doc.front] + list(doc.margins)


def find_doi(doc: Document, xmp: dict[str, list[str]]) -> str:
    """The paper's DOI: a declared one the pages print, else the first printed on page 1."""
    printed = _squash(" ".join(_printed_lines(doc)) + " " + doc.text)
    declared = [*xmp.get("doi", []), *xmp.get("identifier", [])]
    declared += [decode(doc.info.get(k, "")) for k in ("doi", "subject", "keywords")]
    for value in declared:
        match = DOI.search(value)
        doi = _clean_doi(match[0]) if match else ""
        if doi and _squash(doi) in printed:
            return doi
    for doi in dois_in_lines([ln.text for ln in doc.front]) + dois_in_lines(list(doc.margins)):
        return doi
    page1 = " \n".join(b.text for b in doc.blocks if b.page == 1)
    match = DOI.search(page1)
    return _clean_doi(match[0]) if match else ""


def dois_in_lines(lines: list[str]) -> list[str]:
    """DOIs printed in lines, each joined across a line break that cut it."""
    out = []
    for i, line in enumerate(lines):
        for match in DOI.finditer(line):
            doi = match[0]
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            cut = line.rstrip().endswith(doi) and doi[-1] in "./-_"
            if cut and re.match(r"[\w.()/-]+", nxt):
                doi += re.match(r"[\w.()/-]+", nxt)[0]  # type: ignore[index]
            out.append(_clean_doi(doi))
    return [d for d in out if "/" in d and len(d.split("/", 1)[1]) > 1]


def _clean_doi(doi: str) -> str:
    """A DOI without trailing punctuation or an unbalanced closing bracket."""
    doi = doi.rstrip(".,;:'\"\u200b")
    while (
        doi and doi[-1] in ")]}" and doi.count(doi[-1]) > doi.count({")": "(", "]": "[", "}": "{"}[doi[-1]])
    ):
        doi = doi[:-1].rstrip(".,;:")
    return doi


def find_arxiv(doc: Document) -> str:
    """An arXiv identifier from page 1 (the side stamp or an "arXiv:" mention)."""
    texts = [ln.text for ln in doc.front] + [b.text for b in doc.blocks if b.page == 1]
    for text in texts:
        if "arxiv" not in text.lower():
            continue
        match = _ARXIV_NEW.search(text) or _ARXIV_OLD.search(text)
        if match:
            return match[1] + (match[2] or "")
    return ""


def find_year(doc: Document, arxiv: str) -> int | None:
    """The year of publication (or of the arXiv version) the PDF prints."""
    lines = _printed_lines(doc)
    subject = decode(doc.info.get("subject", ""))
    for pattern, sources in (
        (_STAMP, lines),
        (_CITATION, [*lines, subject]),
        (_PUBLISHED, [f"{a} {b}" for a, b in zip(lines, [*lines[1:], ""], strict=False)]),
        (_COPYRIGHT, lines),
    ):
        for text in sources:
            match = _year_in(pattern, text)
            if match:
                return match
    if re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", arxiv):
        return 2000 + int(arxiv[:2])
    old = re.search(r"/(\d{2})\d{5}", arxiv)
    if old:
        return (1900 if int(old[1]) > 90 else 2000) + int(old[1])
    created = re.match(r"D:((?:19|20)\d{2})", doc.info.get("creationDate", ""))
    return int(created[1]) if created else None


def _year_in(pattern: re.Pattern[str], text: str) -> int | None:
    """The year the pattern finds in a text, skipping matches inside received/accepted dates."""
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 25) : match.start()]
        if pattern is _CITATION and _NOT_PUBLICATION.search(before + match[0]):
            continue
        return int(match[1])
    return None
