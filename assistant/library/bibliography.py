"""Citations out: stable citekeys, BibTeX of library papers, and Pandoc-style `[@key, p. N]` text.

A paper's citekey is the one it was imported with (a .bib entry's, Zotero's Citation Key), else
author-year-title (`vaswani2017attention`), made unique within the library with a letter
(`vaswani2017attentiona`). Once given, a citekey is kept in the catalog for good, so a manuscript
citing it keeps working whatever is added or removed later.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from assistant.domain import Answer, Citation, Paper
from assistant.errors import NotFound
from assistant.library.library import Library
from ingest.bibtex import BibEntry, write_bib
from ingest.references import bare_arxiv

# Entry types by the source's own item type (Zotero, CSL, BibTeX): BibTeX's standard types only.
_ENTRY_TYPES = {
    "journalarticle": "article",
    "article-journal": "article",
    "article": "article",
    "conferencepaper": "inproceedings",
    "paper-conference": "inproceedings",
    "inproceedings": "inproceedings",
    "conference": "inproceedings",
    "book": "book",
    "booksection": "incollection",
    "chapter": "incollection",
    "incollection": "incollection",
    "thesis": "phdthesis",
    "phdthesis": "phdthesis",
    "mastersthesis": "mastersthesis",
    "report": "techreport",
    "techreport": "techreport",
    "manuscript": "unpublished",
    "unpublished": "unpublished",
}
_VENUE_FIELD = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}
_PAGE_NOTE = re.compile(r"\(p\. (\d+(?:, \d+)*)\)")
_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "towards", "toward"}
# Particles that belong to a family name written after the given names ("Camillo De Lellis",
# "Ludwig van Beethoven"): the citekey keeps them, as Zotero and BibTeX's "von" part do.
_PARTICLES = {
    "de",
    "del",
    "della",
    "der",
    "den",
    "di",
    "da",
    "das",
    "dos",
    "du",
    "la",
    "le",
    "van",
    "von",
    "ter",
    "ten",
}


@dataclass(frozen=True)
class Selection:
    """Which papers to export: ids, and/or collections and tags (all papers when everything is empty)."""

    refs: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class Bibliography:
    """Gives papers their citekeys and writes them as BibTeX."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.catalog = library.catalog

    def select(self, selection: Selection) -> list[Paper]:
        """The papers a selection names, oldest first; NotFound when it names none."""
        papers = [self.library.get(ref) for ref in selection.refs]
        if selection.collections or selection.tags or not selection.refs:
            papers += self.library.papers_in(selection.collections, selection.tags)
        chosen = list({p.id: p for p in papers}.values())
        if not chosen:
            raise NotFound("no papers match (see `paperlamp list` and `paperlamp import`)")
        return chosen

    def citekeys(self, papers: Iterable[Paper]) -> dict[str, str]:
        """Each paper's citekey, given now (and kept) to those that have none yet."""
        known = self.catalog.citekeys()
        taken = set(known.values())
        for paper in papers:
            if paper.id in known:
                continue
            base = suggested_citekey(paper)
            for suffix in ("", *_suffixes()):
                key = base + suffix
                if key not in taken and self.catalog.claim_citekey(paper.id, key):
                    known[paper.id] = key
                    taken.add(key)
                    break
        return known

    def bibtex(self, papers: Sequence[Paper]) -> str:
        """BibTeX for these papers, under their citekeys."""
        keys = self.citekeys(papers)
        return write_bib([entry_of(p, keys[p.id]) for p in papers])

    def cited(self, citations: Iterable[Citation]) -> tuple[list[Paper], dict[str, str]]:
        """The library papers these citations name (in order of first citation), with citekeys."""
        ids = list(dict.fromkeys(c.paper_id for c in citations))
        found = self.catalog.complete_papers(ids)
        papers = [found[i] for i in ids if i in found]
        return papers, self.citekeys(papers)

    def answer_markdown(self, answer: Answer) -> str:
        """An answer as Markdown a Pandoc/Quarto manuscript takes as is: `[@key, p. N]` citations
        and the quoted evidence under it."""
        _, keys = self.cited(answer.citations)
        lines = [pandoc_text(answer.answer, answer.citations, keys), ""]
        if answer.citations:
            lines += ["Evidence:", ""]
            lines += [f'- [@{keys[c.paper_id]}, p. {c.page}]: "{c.quote}"' for c in answer.citations]
            lines.append("")
        return "\n".join(lines)


def pandoc_text(text: str, citations: Sequence[Citation], keys: dict[str, str]) -> str:
    """Text whose `[n]` markers (after a sentence's stop) become Pandoc citations before it:
    "It works. [1]" -> "It works [@key, p. 3]."."""
    for c in sorted(citations, key=lambda c: -c.n):  # [12] before [1], so no marker eats another
        cite = f"[@{keys.get(c.paper_id, c.paper_id)}, p. {c.page}]"
        for stop in ".!?":
            text = text.replace(f"{stop} [{c.n}]", f" {cite}{stop}")
        text = text.replace(f"[{c.n}]", cite)
    return text


class _CitedText(Protocol):
    """Text with [n] markers and the citations they number (a comparison's cell)."""

    @property
    def text(self) -> str: ...

    @property
    def citations(self) -> tuple[Citation, ...]: ...


CellT = TypeVar("CellT", bound=_CitedText)


def pandoc_cells(cells: dict[str, dict[str, CellT]], keys: dict[str, str]) -> dict[str, dict[str, CellT]]:
    """A comparison's cells (aspect -> paper id -> cell) with their text cited the Pandoc way."""
    return {
        aspect: {
            pid: replace(cell, text=pandoc_text(cell.text, cell.citations, keys))  # type: ignore[type-var]
            for pid, cell in row.items()
        }
        for aspect, row in cells.items()
    }


def pandoc_pages(text: str, citekey: str) -> str:
    """Text whose page notes ("(p. 3)", "(p. 3, 5)", as summaries write them) become Pandoc
    citations of one paper ("[@key, p. 3]", "[@key, pp. 3, 5]")."""

    def cite(match: re.Match[str]) -> str:
        pages = match[1]
        return f"[@{citekey}, {'pp.' if ',' in pages else 'p.'} {pages}]"

    return _PAGE_NOTE.sub(cite, text)


def entry_of(paper: Paper, citekey: str) -> BibEntry:
    """A paper's BibTeX entry: its type from its source (arXiv preprints are @misc with eprint)."""
    bib = paper.extra.get("bib", {})
    bib = bib if isinstance(bib, dict) else {}
    arxiv = paper.extra.get("arxiv", {})
    arxiv = arxiv if isinstance(arxiv, dict) else {}
    kind = _ENTRY_TYPES.get(str(bib.get("item_type", "")).lower(), "")
    if not kind:
        kind = "misc" if paper.arxiv_id or not paper.doi else "article"
    if kind == "article" and not bib.get("venue") and paper.arxiv_id:
        kind = "misc"  # an arXiv preprint that names no journal
    fields: dict[str, str] = {
        "title": paper.title,
        "author": " and ".join(_bibtex_name(n) for n in paper.authors),
        "year": str(paper.year or ""),
        "doi": paper.doi,
    }
    venue = str(bib.get("venue", ""))
    if venue:
        fields[_VENUE_FIELD.get(kind, "howpublished")] = venue
    fields |= {
        "volume": str(bib.get("volume", "")),
        "number": str(bib.get("issue", "")),
        "pages": str(bib.get("pages", "")).replace("--", "-").replace("-", "--"),
        "publisher": str(bib.get("publisher", "")),
    }
    if paper.arxiv_id:
        fields |= {
            "eprint": bare_arxiv(paper.arxiv_id),
            "archiveprefix": "arXiv",
            "primaryclass": str(arxiv.get("primary_category", "")),
        }
    fields["url"] = str(bib.get("url", "")) or (
        f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else ""
    )
    return BibEntry(kind, citekey, fields)


def suggested_citekey(paper: Paper) -> str:
    """Author-year-title: the first author's family name, the year, the title's first real word."""
    family = _ascii(family_name(paper.authors[0])) if paper.authors else ""
    words = [_ascii(w) for w in paper.title.split()]
    word = next((w for w in words if w and w not in _SKIP_WORDS), "")
    key = f"{family or 'anon'}{paper.year or 'nd'}{word}"
    return key if family or word else f"paper{paper.sha256[:8]}"


def family_name(name: str) -> str:
    """The family name of a "Given Family" name, particles kept: "Camillo De Lellis" -> "De Lellis"."""
    words = name.split()
    if len(words) < 2:
        return name.strip()
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def _bibtex_name(name: str) -> str:
    """A name BibTeX splits right: "De Lellis, Camillo" (it would read "Camillo De Lellis" as given
    names "Camillo De"); names without particles stay as they are, organisations among them."""
    family = family_name(name)
    given = name.strip()[: -len(family)].strip()
    return f"{family}, {given}" if " " in family and given else name


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only (Müller -> muller), as citekeys should be."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _suffixes() -> Iterable[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    yield from (a + b for a in letters for b in letters)
