"""CSL-JSON in (what Zotero, Mendeley, Pandoc and citation.js export): a list of items.

CSL-JSON has no standard field for a file; an item's PDF is taken from a `file` string (in the
BibTeX `file` dialects, relative to the JSON file) when an exporter writes one. Items without a
file can still match a paper already in the library by DOI or arXiv id (see the import use case).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.bibtex import pdf_files
from ingest.errors import UnreadableInput
from ingest.references import BadItem, Reference, Snapshot, arxiv_id_in, year_of


def read_csl(path: Path) -> Snapshot:
    """The items of a CSL-JSON file as References (a BadItem per item that is not an object with an id)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableInput(f"{path}: not readable CSL-JSON ({exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise UnreadableInput(f"{path}: CSL-JSON is a list of items; this file holds a {type(data).__name__}")
    out: list[Reference | BadItem] = []
    for n, item in enumerate(data, start=1):
        key = str(item.get("id", "")).strip() if isinstance(item, dict) else ""
        if not key:
            out.append(BadItem(f"item {n}", f"{path.name} item {n}", "not a CSL item with an id"))
            continue
        out.append(_reference(item, key, n, path))
    keys = frozenset(r.key for r in out if isinstance(r, Reference))
    return Snapshot("csl", str(path.resolve()), tuple(out), keys)


def _reference(item: dict[str, Any], key: str, n: int, path: Path) -> Reference:
    def text(name: str) -> str:
        value = item.get(name, "")
        return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""

    issued = item.get("issued", {})
    parts = issued.get("date-parts", [[]]) if isinstance(issued, dict) else [[]]
    year = parts[0][0] if parts and parts[0] and str(parts[0][0]).isdigit() else None
    year = int(year) if year else year_of(str(issued.get("raw", "")) if isinstance(issued, dict) else "")
    return Reference(
        key=key,
        where=f"{key} ({path.name} item {n})",
        title=text("title"),
        authors=tuple(_name(a) for a in item.get("author", []) if isinstance(a, dict) and _name(a)),
        year=year,
        doi=text("DOI"),
        arxiv_id=arxiv_id_in(text("archive_location"), text("URL"), text("DOI"), text("number")),
        abstract=text("abstract"),
        url=text("URL"),
        venue=text("container-title"),
        item_type=text("type"),
        pages=text("page"),
        volume=text("volume"),
        issue=text("issue"),
        publisher=text("publisher"),
        citekey=text("citation-key") or key,
        tags=tuple(t.strip() for t in text("keyword").replace(";", ",").split(",") if t.strip()),
        files=tuple(pdf_files(text("file"), path.parent)),
    )


def _name(author: dict[str, Any]) -> str:
    if author.get("literal"):
        return str(author["literal"]).strip()
    parts = (author.get("given"), author.get("non-dropping-particle"), author.get("family"))
    return " ".join(str(p).strip() for p in parts if p)
