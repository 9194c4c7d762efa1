"""Reading a local Zotero data directory (`zotero.sqlite` + `storage/`), never Zotero's web API.

The database is opened read-only as an immutable snapshot (SQLite's `immutable=1`): SQLite then
takes no lock and ignores Zotero's, so an import works while Zotero runs and holds its database
locked, and nothing is ever written to it. The schema is Zotero's own: field names come from its
`fields` table and item types from `itemTypes` (no field id is hard-coded), creators from
`creators` + `itemCreators` + `creatorTypes`, collections from `collections` + `collectionItems`,
tags from `tags` + `itemTags`, the trash from `deletedItems`, files from `itemAttachments`.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from ingest.errors import UnreadableInput
from ingest.references import BadItem, Reference, Snapshot, arxiv_id_in, year_of

# The tables and columns read here; a database without them is from a Zotero this does not know.
_NEEDED = {
    "items": ("itemID", "itemTypeID", "libraryID", "key", "dateAdded"),
    "itemTypes": ("itemTypeID", "typeName"),
    "fields": ("fieldID", "fieldName"),
    "itemData": ("itemID", "fieldID", "valueID"),
    "itemDataValues": ("valueID", "value"),
    "creators": ("creatorID", "firstName", "lastName", "fieldMode"),
    "itemCreators": ("itemID", "creatorID", "creatorTypeID", "orderIndex"),
    "creatorTypes": ("creatorTypeID", "creatorType"),
    "collections": ("collectionID", "collectionName", "parentCollectionID"),
    "collectionItems": ("collectionID", "itemID"),
    "tags": ("tagID", "name"),
    "itemTags": ("itemID", "tagID"),
    "deletedItems": ("itemID",),
    "itemAttachments": ("itemID", "parentItemID", "linkMode", "contentType", "path"),
}
_NOT_PAPERS = {"attachment", "note", "annotation"}
_VENUE_FIELDS = ("publicationTitle", "proceedingsTitle", "bookTitle", "conferenceName", "repository")
_LINKED_URL = 3  # itemAttachments.linkMode: a web link, no file


def read_zotero(
    data_dir: Path,
    *,
    collections: Sequence[str] = (),
    tags: Sequence[str] = (),
    base_dir: Path | None = None,
) -> Snapshot:
    """The regular items of a Zotero data directory, with their PDFs, collections and tags.

    `collections` and `tags` select items (in any of those collections or below, with any of
    those tags); `base_dir` is Zotero's linked-attachment base directory, which Zotero keeps in
    its preferences, not its database. UnreadableInput when the folder or database cannot be read.
    """
    db = _open(data_dir)
    try:
        return _Reader(db, data_dir, base_dir).snapshot(collections, tags)
    except sqlite3.DatabaseError as exc:
        raise UnreadableInput(f"{data_dir / 'zotero.sqlite'} could not be read ({exc}); corrupt?") from exc
    finally:
        db.close()


def _open(data_dir: Path) -> sqlite3.Connection:
    path = data_dir.expanduser() / "zotero.sqlite"
    if not path.is_file():
        raise UnreadableInput(
            f"{data_dir} has no zotero.sqlite: give Zotero's data directory (Zotero: Settings > "
            "Advanced > Files and Folders)"
        )
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    db = sqlite3.connect(uri, uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        for table, columns in _NEEDED.items():
            if table not in tables:
                raise UnreadableInput(f"{path} has no table {table}: not a Zotero 5-7 database")
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            missing = [c for c in columns if c not in have]
            if missing:
                raise UnreadableInput(
                    f"{path}: table {table} lacks {', '.join(missing)}: a Zotero version this cannot read"
                )
    except sqlite3.DatabaseError as exc:
        db.close()
        raise UnreadableInput(
            f"{path} is not a readable SQLite database ({exc}); corrupt or truncated?"
        ) from exc
    except UnreadableInput:
        db.close()
        raise
    return db


class _Reader:
    """One pass over an open Zotero database: a few whole-table queries, joined in memory."""

    def __init__(self, db: sqlite3.Connection, data_dir: Path, base_dir: Path | None) -> None:
        self.db = db
        self.data_dir = data_dir.expanduser()
        self.base_dir = base_dir

    def snapshot(self, collections: Sequence[str], tags: Sequence[str]) -> Snapshot:
        """Every regular item not in the trash, as a Reference (or a BadItem), and what is present."""
        types = dict(self.db.execute("SELECT itemTypeID, typeName FROM itemTypes").fetchall())
        items = [
            (item_id, key, types.get(type_id, ""), library)
            for item_id, type_id, key, library in self.db.execute(
                "SELECT itemID, itemTypeID, key, libraryID FROM items ORDER BY dateAdded, itemID"
            )
            if types.get(type_id, "") not in _NOT_PAPERS
        ]
        trashed_ids = {r[0] for r in self.db.execute("SELECT itemID FROM deletedItems")}
        data = self._fields()
        creators = self._creators()
        paths = self._collection_paths()
        tags_of = self._tags()
        files = self._files(trashed_ids)
        groups = self._groups()
        wanted_tags = {t.lower() for t in tags}
        out: list[Reference | BadItem] = []
        present, trashed = set(), set()
        for item_id, key, type_name, library in items:
            if item_id in trashed_ids:
                trashed.add(key)
                continue
            present.add(key)
            in_paths = paths.get(item_id, ())
            if not _selected(in_paths, tags_of.get(item_id, ()), collections, wanted_tags):
                continue
            fields = data.get(item_id, {})
            pdfs, bad = files.get(item_id, ([], []))
            if bad and not pdfs:
                out.append(BadItem(key, f"item {key}", bad[0]))
                continue
            reference = _reference(key, type_name, fields, creators.get(item_id, []), in_paths)
            out.append(
                replace(
                    reference,
                    tags=tags_of.get(item_id, ()),
                    files=tuple(pdfs),
                    link=_link(key, library, groups),
                    library_id=library,
                    problems=tuple(bad),
                )
            )
        return Snapshot(
            "zotero", str(self.data_dir.resolve()), tuple(out), frozenset(present), frozenset(trashed)
        )

    def _fields(self) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = defaultdict(dict)
        for item_id, name, value in self.db.execute(
            "SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN fields f ON f.fieldID = d.fieldID"
            " JOIN itemDataValues v ON v.valueID = d.valueID"
        ):
            out[item_id][name] = str(value)
        return out

    def _creators(self) -> dict[int, list[tuple[str, str]]]:
        out: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for item_id, first, last, mode, role in self.db.execute(
            "SELECT ic.itemID, c.firstName, c.lastName, c.fieldMode, t.creatorType FROM itemCreators ic"
            " JOIN creators c ON c.creatorID = ic.creatorID"
            " JOIN creatorTypes t ON t.creatorTypeID = ic.creatorTypeID ORDER BY ic.itemID, ic.orderIndex"
        ):
            name = (last or "") if mode == 1 else " ".join(p for p in (first, last) if p)
            out[item_id].append((role, name.strip()))
        return out

    def _collection_paths(self) -> dict[int, tuple[str, ...]]:
        rows = self.db.execute("SELECT collectionID, collectionName, parentCollectionID FROM collections")
        nodes = {cid: (name, parent) for cid, name, parent in rows}

        def path(cid: int, seen: frozenset[int] = frozenset()) -> str:
            name, parent = nodes[cid]
            if parent in nodes and parent not in seen:
                return f"{path(parent, seen | {cid})}/{name}"
            return str(name)

        out: dict[int, list[str]] = defaultdict(list)
        for cid, item_id in self.db.execute("SELECT collectionID, itemID FROM collectionItems"):
            if cid in nodes:
                out[item_id].append(path(cid))
        return {item: tuple(sorted(set(ps))) for item, ps in out.items()}

    def _tags(self) -> dict[int, tuple[str, ...]]:
        out: dict[int, list[str]] = defaultdict(list)
        for item_id, name in self.db.execute(
            "SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID"
        ):
            out[item_id].append(str(name))
        return {item: tuple(sorted(set(ts), key=str.lower)) for item, ts in out.items()}

    def _files(self, trashed: set[int]) -> dict[int, tuple[list[Path], list[str]]]:
        """Each parent item's PDF files, oldest attachment first, and reasons for those unusable."""
        out: dict[int, tuple[list[Path], list[str]]] = defaultdict(lambda: ([], []))
        for item_id, parent, mode, content_type, path, key in self.db.execute(
            "SELECT a.itemID, a.parentItemID, a.linkMode, a.contentType, a.path, i.key"
            " FROM itemAttachments a JOIN items i ON i.itemID = a.itemID"
            " WHERE a.parentItemID IS NOT NULL ORDER BY i.dateAdded, a.itemID"
        ):
            if item_id in trashed or mode == _LINKED_URL or not path:
                continue
            is_pdf = content_type == "application/pdf" or str(path).lower().endswith(".pdf")
            if not is_pdf:
                continue
            resolved = self._resolve(str(path), key)
            if isinstance(resolved, Path):
                out[parent][0].append(resolved)
            else:
                out[parent][1].append(resolved)
        return out

    def _resolve(self, path: str, attachment_key: str) -> Path | str:
        """The file an attachment path names, or why it cannot be found."""
        if path.startswith("storage:"):
            return self.data_dir / "storage" / attachment_key / path[len("storage:") :]
        if path.startswith("attachments:"):
            relative = path[len("attachments:") :]
            if self.base_dir is None:
                return (
                    f"linked file {relative!r} is relative to Zotero's linked attachment base directory;"
                    " give it with --base-dir (Zotero: Settings > Advanced > Files and Folders)"
                )
            return self.base_dir.expanduser() / relative
        return Path(path)

    def _groups(self) -> dict[int, int]:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "groups" not in tables:
            return {}
        return dict(self.db.execute("SELECT libraryID, groupID FROM groups").fetchall())


def _reference(
    key: str,
    type_name: str,
    fields: dict[str, str],
    creators: list[tuple[str, str]],
    paths: tuple[str, ...],
) -> Reference:
    """A Reference from one item's fields, as Zotero names them."""
    authors = [name for role, name in creators if role == "author" and name]
    if not authors:  # an edited volume, a thesis with only its contributors: keep who is named
        authors = [name for _, name in creators if name]
    extra = fields.get("extra", "")
    doi = fields.get("DOI", "") or _extra_line(extra, "DOI")
    return Reference(
        key=key,
        where=f"item {key}",
        title=fields.get("title", "").strip(),
        authors=tuple(authors),
        year=year_of(fields.get("date", "")),
        doi=doi.strip(),
        arxiv_id=arxiv_id_in(fields.get("archiveID", ""), _arxiv_line(extra), fields.get("url", ""), doi),
        abstract=fields.get("abstractNote", "").strip(),
        url=fields.get("url", ""),
        venue=next((fields[f] for f in _VENUE_FIELDS if fields.get(f)), ""),
        item_type=type_name,
        pages=fields.get("pages", ""),
        volume=fields.get("volume", ""),
        issue=fields.get("issue", ""),
        publisher=fields.get("publisher", "")
        or fields.get("university", "")
        or fields.get("institution", ""),
        citekey=fields.get("citationKey", "") or _extra_line(extra, "Citation Key"),
        collections=paths,
    )


def _extra_line(extra: str, name: str) -> str:
    """A `Name: value` line of Zotero's Extra field (where Zotero and Better BibTeX keep facts)."""
    for line in extra.splitlines():
        head, sep, value = line.partition(":")
        if sep and head.strip().lower() == name.lower():
            return value.strip()
    return ""


def _arxiv_line(extra: str) -> str:
    value = _extra_line(extra, "arXiv")
    return f"arXiv:{value}" if value else ""


def _selected(
    paths: Sequence[str], tags: Sequence[str], collections: Sequence[str], wanted_tags: set[str]
) -> bool:
    """Whether an item is in any of the collections asked for (or below one) and has any of the tags."""
    if collections and not any(_under(p, c) for p in paths for c in collections):
        return False
    return not wanted_tags or bool(wanted_tags & {t.lower() for t in tags})


def _under(path: str, wanted: str) -> bool:
    wanted = wanted.strip("/")
    return path == wanted or path.startswith(wanted + "/")


def _link(key: str, library: int | None, groups: dict[int, int]) -> str:
    """The zotero:// address that selects the item in Zotero."""
    if library in groups:
        return f"zotero://select/groups/{groups[library]}/items/{key}"
    return f"zotero://select/library/items/{key}"
