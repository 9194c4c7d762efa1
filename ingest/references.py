"""Bibliographic records read from a researcher's own library (Zotero, BibTeX, CSL-JSON).

Each reader (ingest/zotero.py, ingest/bibtex.py, ingest/csl.py) turns its format into the same
values: a `Reference` per item, a `BadItem` for an item that cannot be read (the rest go on), and
a `Snapshot` of the whole source, so the import use case treats every source alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ARXIV = re.compile(
    r"(?:arxiv(?:\.org)?[:./ ]*(?:abs/|pdf/)?)(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.I
)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})", re.I)


@dataclass(frozen=True)
class Reference:
    """One item of a foreign library: its metadata, where it sits, and its PDF files (in order).

    `key` identifies the item in its source (Zotero key, citekey); `where` names it for a person
    ("item ABCD2345", "refs.bib line 12"). `files` are the PDFs the item points to, whether or not
    they exist: the importer checks them and says which is missing.
    """

    key: str
    where: str
    title: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str = ""
    arxiv_id: str = ""
    abstract: str = ""
    url: str = ""
    venue: str = ""
    item_type: str = ""  # the source's own type name: journalArticle, inproceedings, article-journal
    pages: str = ""
    volume: str = ""
    issue: str = ""
    publisher: str = ""
    citekey: str = ""
    collections: tuple[str, ...] = ()  # paths, parents first: "Thesis/Chapter 2"
    tags: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    link: str = ""  # zotero://select/... for Zotero items
    library_id: int | None = None
    problems: tuple[str, ...] = ()  # why some of its files could not be located (the rest may do)

    def bib_fields(self) -> dict[str, str]:
        """The bibliographic facts kept beside the paper's own columns (for export and display)."""
        values = {
            "item_type": self.item_type,
            "venue": self.venue,
            "url": self.url,
            "pages": self.pages,
            "volume": self.volume,
            "issue": self.issue,
            "publisher": self.publisher,
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class BadItem:
    """An item that could not be read, and why (one sentence naming it)."""

    key: str
    where: str
    reason: str


@dataclass(frozen=True)
class Snapshot:
    """What a source holds at the moment it was read.

    `items` are the items asked for (after any collection/tag selection), good or bad; `present`
    every key the source still holds (whatever the selection), and `trashed` those in its trash,
    so the importer can tell an item deleted there from one merely not selected.
    """

    kind: str  # "zotero", "bib", "csl"
    origin: str  # which library: a Zotero data folder (and library), a .bib file
    items: tuple[Reference | BadItem, ...]
    present: frozenset[str]
    trashed: frozenset[str] = frozenset()


def year_of(text: str) -> int | None:
    """The first plausible year in a date as sources write it ("2017-06-12", "June 2017")."""
    match = _YEAR.search(text or "")
    return int(match[1]) if match else None


def arxiv_id_in(*texts: str) -> str:
    """An arXiv id (with its version, if given) named in any of these texts (a URL, an eprint
    field, Zotero's "arXiv:" line in Extra, an arXiv DOI), else ""."""
    for text in texts:
        if not text:
            continue
        doi = _ARXIV_DOI.search(text)
        if doi:
            return doi[1]
        match = _ARXIV.search(text)
        if match:
            return match[1] + (match[2] or "")
    return ""


def bare_arxiv(arxiv_id: str) -> str:
    """An arXiv id without its version: the work, whichever version a file is."""
    head, sep, tail = arxiv_id.rpartition("v")
    return head if sep and tail.isdigit() and head else arxiv_id


def plain_doi(doi: str) -> str:
    """A DOI without its resolver prefix, lower-cased (DOIs ignore case)."""
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
    return doi.strip().lower()
