"""The catalog's schema, as numbered migrations: a library made by an older paperlamp opens in a newer one.

Each migration is a function of one SQLite connection, applied once, in order, inside one write
transaction with the record that it was applied. The version a catalog is at is the one stored
in its `meta` table (`schema_version`, written since the first release); the `migrations` table
lists what was applied and when. `migrate` runs when a catalog is opened: it applies what the
stored version lacks, and refuses a catalog written by a newer paperlamp than this one.

To change the schema, append a function and its number to MIGRATIONS; never edit one that has
shipped, since libraries out there have already run it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence

from models.errors import BackendError

Migration = tuple[int, str, Callable[[sqlite3.Connection], None]]


def _initial(db: sqlite3.Connection) -> None:
    """Papers with their state, chunks in reading order, and the BM25 index over chunk text."""
    # One statement at a time: executescript() would commit the migration's transaction first.
    for statement in """
        CREATE TABLE IF NOT EXISTS papers (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL CHECK (status IN ('pending', 'complete', 'removing')),
            title TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',
            affiliations TEXT NOT NULL DEFAULT '[]',
            year INTEGER,
            abstract TEXT NOT NULL DEFAULT '',
            doi TEXT NOT NULL DEFAULT '',
            arxiv_id TEXT NOT NULL DEFAULT '',
            keywords TEXT NOT NULL DEFAULT '[]',
            code_urls TEXT NOT NULL DEFAULT '[]',
            pages INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '',
            file TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE IF NOT EXISTS chunks (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            section TEXT NOT NULL DEFAULT '',
            page_start INTEGER NOT NULL,
            page_end INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS chunks_paper ON chunks(paper_id, idx);
        CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
            text, tokenize='porter unicode61 remove_diacritics 2'
        )
        """.split(";"):
        db.execute(statement)


def _page_starts(db: sqlite3.Connection) -> None:
    """Where each page of a multi-page chunk begins in its text, so a quote cites its own page.

    Chunks stored before this know only their page span ('' here): their quotes keep citing the
    chunk's first page until the paper is added again.
    """
    db.execute("ALTER TABLE chunks ADD COLUMN page_starts TEXT NOT NULL DEFAULT ''")


def _arxiv_id_in_extra(db: sqlite3.Connection) -> None:
    """The arXiv facts kept with a paper name its arXiv id `arxiv_id`, as every JSON output does."""
    rows = db.execute("SELECT id, extra FROM papers WHERE extra LIKE '%\"arxiv\"%'").fetchall()
    for paper_id, extra in rows:
        data = json.loads(extra)
        arxiv = data.get("arxiv")
        if isinstance(arxiv, dict) and "id" in arxiv:
            data["arxiv"] = {"arxiv_id": arxiv.pop("id"), **arxiv}
            db.execute("UPDATE papers SET extra = ? WHERE id = ?", (json.dumps(data), paper_id))


def _sources_and_citekeys(db: sqlite3.Connection) -> None:
    """Where papers came from (a Zotero item, a .bib entry) with their collections and tags, and
    each paper's citekey, kept once given so exported citations never change name.

    `role` says what the source did: `added` the paper (an import brought it), `metadata` (it
    matched a paper already in the library) or `file` (another file of a work already in it,
    recorded but not indexed). Rows go with their paper.
    """
    for statement in """
        CREATE TABLE sources (
            kind TEXT NOT NULL,
            origin TEXT NOT NULL,
            key TEXT NOT NULL,
            paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('added', 'metadata', 'file')),
            fingerprint TEXT NOT NULL DEFAULT '',
            citekey TEXT NOT NULL DEFAULT '',
            collections TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            link TEXT NOT NULL DEFAULT '',
            file TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (kind, origin, key)
        );
        CREATE INDEX sources_paper ON sources(paper_id);
        CREATE TABLE citekeys (
            paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            citekey TEXT NOT NULL UNIQUE
        )
        """.split(";"):
        db.execute(statement)


def _chunk_kinds(db: sqlite3.Connection) -> None:
    """What a chunk is: "text" (sentences of a section) or "table" (a table's caption and rows).

    Chunks stored before this are all text: tables were read as body text then.
    """
    db.execute("ALTER TABLE chunks ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'")


MIGRATIONS: tuple[Migration, ...] = (
    (1, "initial schema", _initial),
    (2, "page starts of chunks", _page_starts),
    (3, "arxiv_id in the kept arXiv facts", _arxiv_id_in_extra),
    (4, "sources, collections, tags and citekeys", _sources_and_citekeys),
    (5, "kinds of chunks: text or table", _chunk_kinds),
)


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Bring a catalog up to the newest schema; the versions applied now (none when it was current).

    The version is read and every migration applied inside one write transaction, so two processes
    opening one library at once cannot both apply it.
    """
    newest = max(number for number, _, _ in migrations)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
        )
        stored = stored_version(db)
        if stored > newest:
            raise BackendError(
                f"the library's catalog was written by a newer paperlamp (schema {stored}; this one "
                f"knows up to {newest}); upgrade paperlamp to open it"
            )
        # Libraries made before the migrations table existed ran their versions without a record.
        for number, name, _ in migrations:
            if number <= stored:
                db.execute(
                    "INSERT OR IGNORE INTO migrations(version, name, applied_at) VALUES (?, ?, '')",
                    (number, name),
                )
        applied = []
        for number, name, step in migrations:
            if number > stored:
                step(db)
                db.execute("INSERT INTO migrations(version, name) VALUES (?, ?)", (number, name))
                applied.append(number)
        db.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(max(stored, newest)),),
        )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return applied


def stored_version(db: sqlite3.Connection) -> int:
    """The schema version a catalog records (0 for a new, empty file)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0
