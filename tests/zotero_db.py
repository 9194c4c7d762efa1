"""A Zotero-shaped data directory for tests: Zotero 7's tables (userdata.sql and system.sql, the
columns paperlamp reads and their neighbours), its `storage/<key>/` layout, and real PDFs.

Field, type and creator-type ids are deliberately not Zotero's own numbers, so a reader that
hard-coded an id instead of looking the name up in `fields` would read the wrong field.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

SCHEMA = """
CREATE TABLE version (schema TEXT PRIMARY KEY, version INT NOT NULL);
CREATE TABLE settings (setting TEXT, key TEXT, value, PRIMARY KEY (setting, key));
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT,
    display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
    filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
    lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE groups (groupID INTEGER PRIMARY KEY, libraryID INT NOT NULL UNIQUE, name TEXT NOT NULL,
    description TEXT NOT NULL, version INT NOT NULL);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL,
    key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
    UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT,
    contentType TEXT, charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT,
    storageHash TEXT, lastProcessedModificationTime INT, lastRead INT);
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL,
    PRIMARY KEY (itemID, tagID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
    UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL,
    creatorTypeID INT NOT NULL DEFAULT 1, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex), UNIQUE (itemID, orderIndex));
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
    parentCollectionID INT DEFAULT NULL,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL,
    key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
    UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (collectionID, itemID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
CREATE TABLE deletedCollections (collectionID INTEGER PRIMARY KEY,
    dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""
ITEM_TYPES = ("annotation", "attachment", "note", "journalArticle", "conferencePaper", "preprint", "book")
FIELDS = (
    "url", "extra", "DOI", "archiveID", "pages", "volume", "issue", "publisher", "abstractNote",
    "publicationTitle", "proceedingsTitle", "date", "title", "citationKey",
)  # fmt: skip
CREATOR_TYPES = ("editor", "contributor", "author")
IMPORTED_FILE, LINKED_FILE = 0, 2


class ZoteroLibrary:
    """A Zotero data directory being written by a test, as Zotero itself would lay it out."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir
        (data_dir / "storage").mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "zotero.sqlite"
        db = sqlite3.connect(self.path)
        db.executescript(SCHEMA)
        # Ids offset from Zotero's own, so only names can be trusted.
        db.executemany(
            "INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", [(40 + i, n) for i, n in enumerate(ITEM_TYPES)]
        )
        db.executemany("INSERT INTO fields VALUES (?, ?, NULL)", [(100 + i, n) for i, n in enumerate(FIELDS)])
        db.executemany(
            "INSERT INTO creatorTypes VALUES (?, ?)", [(7 + i, n) for i, n in enumerate(CREATOR_TYPES)]
        )
        db.execute(
            "INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)"
        )
        db.execute("INSERT INTO version VALUES ('userdata', 121)")
        db.commit()
        db.close()
        self._clock = 0

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, isolation_level=None)

    def _added(self) -> str:
        self._clock += 1
        return f"2024-01-01 00:00:{self._clock:02d}"

    def item(
        self,
        key: str,
        item_type: str = "journalArticle",
        *,
        fields: dict[str, str] | None = None,
        authors: Sequence[tuple[str, str]] = (),
        collections: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> int:
        """Add a regular item: its fields by name, authors as (first, last), collection paths, tags."""
        db = self._db()
        type_id = db.execute("SELECT itemTypeID FROM itemTypes WHERE typeName = ?", (item_type,)).fetchone()[
            0
        ]
        cursor = db.execute(
            "INSERT INTO items (itemTypeID, dateAdded, libraryID, key) VALUES (?, ?, 1, ?)",
            (type_id, self._added(), key),
        )
        item_id = int(cursor.lastrowid or 0)
        db.close()
        for name, value in (fields or {}).items():
            self.set_field(item_id, name, value)
        self.set_authors(item_id, authors)
        for path in collections:
            self.add_to_collection(item_id, path)
        for tag in tags:
            self.tag(item_id, tag)
        return item_id

    def set_field(self, item_id: int, name: str, value: str) -> None:
        """Set one field, as Zotero stores it (values shared in itemDataValues)."""
        db = self._db()
        field_id = db.execute("SELECT fieldID FROM fields WHERE fieldName = ?", (name,)).fetchone()[0]
        db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        value_id = db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()[0]
        db.execute("INSERT OR REPLACE INTO itemData VALUES (?, ?, ?)", (item_id, field_id, value_id))
        db.close()

    def set_authors(self, item_id: int, authors: Sequence[tuple[str, str]]) -> None:
        """Replace the item's creators with these authors, in order."""
        db = self._db()
        author = db.execute("SELECT creatorTypeID FROM creatorTypes WHERE creatorType = 'author'").fetchone()[
            0
        ]
        db.execute("DELETE FROM itemCreators WHERE itemID = ?", (item_id,))
        for n, (first, last) in enumerate(authors):
            mode = 1 if not first else 0
            db.execute(
                "INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                (first, last, mode),
            )
            creator = db.execute(
                "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ? AND fieldMode = ?",
                (first, last, mode),
            ).fetchone()[0]
            db.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)", (item_id, creator, author, n))
        db.close()

    def collection(self, path: str) -> int:
        """The collection at this path ("Thesis/Chapter 2"), made with its parents if need be."""
        db = self._db()
        parent = None
        for n, name in enumerate(path.split("/")):
            row = db.execute(
                "SELECT collectionID FROM collections WHERE collectionName = ? AND parentCollectionID IS ?",
                (name, parent),
            ).fetchone()
            if row is None:
                key = f"C{abs(hash((path, n))) % 10**7:07d}"
                row = (
                    db.execute(
                        "INSERT INTO collections (collectionName, parentCollectionID, libraryID, key)"
                        " VALUES (?, ?, 1, ?)",
                        (name, parent, key),
                    ).lastrowid,
                )
            parent = row[0]
        db.close()
        return int(parent or 0)

    def add_to_collection(self, item_id: int, path: str) -> None:
        """Put an item into a collection."""
        collection = self.collection(path)
        db = self._db()
        db.execute(
            "INSERT OR IGNORE INTO collectionItems (collectionID, itemID) VALUES (?, ?)",
            (collection, item_id),
        )
        db.close()

    def tag(self, item_id: int, name: str) -> None:
        """Tag an item."""
        db = self._db()
        db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
        tag_id = db.execute("SELECT tagID FROM tags WHERE name = ?", (name,)).fetchone()[0]
        db.execute("INSERT OR IGNORE INTO itemTags VALUES (?, ?, 0)", (item_id, tag_id))
        db.close()

    def attach(
        self,
        parent: int,
        key: str,
        pdf: Path | None = None,
        *,
        linked: str | None = None,
        content_type: str = "application/pdf",
        name: str | None = None,
    ) -> int:
        """Attach a file: a copy of `pdf` in storage/<key>/ (an imported file), or a `linked` path
        as Zotero writes it (absolute, or "attachments:relative/path.pdf")."""
        if linked is None:
            filename = name or (pdf.name if pdf else "missing.pdf")
            if pdf is not None:
                (self.dir / "storage" / key).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(pdf, self.dir / "storage" / key / filename)
            mode, path = IMPORTED_FILE, f"storage:{filename}"
        else:
            mode, path = LINKED_FILE, linked
        db = self._db()
        type_id = db.execute("SELECT itemTypeID FROM itemTypes WHERE typeName = 'attachment'").fetchone()[0]
        item_id = db.execute(
            "INSERT INTO items (itemTypeID, dateAdded, libraryID, key) VALUES (?, ?, 1, ?)",
            (type_id, self._added(), key),
        ).lastrowid
        db.execute(
            "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path)"
            " VALUES (?, ?, ?, ?, ?)",
            (item_id, parent, mode, content_type, path),
        )
        db.close()
        return int(item_id or 0)

    def trash(self, item_id: int) -> None:
        """Move an item to Zotero's trash."""
        db = self._db()
        db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))
        db.close()

    def delete(self, item_id: int) -> None:
        """Delete an item for good (emptied from the trash)."""
        db = self._db()
        for table in ("itemData", "itemCreators", "collectionItems", "itemTags", "deletedItems"):
            db.execute(f"DELETE FROM {table} WHERE itemID = ?", (item_id,))
        db.execute("DELETE FROM items WHERE itemID = ?", (item_id,))
        db.close()
