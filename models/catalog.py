"""The catalog: one SQLite file holding every paper's record, its chunks' text and a full-text index.

The catalog is the source of truth for what the library holds; the vector store only mirrors
chunk vectors. A paper is `pending` while its vectors are being written and `complete` after, so
an add that was killed halfway is found and finished (or rolled back) on the next run, and
searches never see half a paper. A paper is `removing` while its vectors are being deleted.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
);
"""

_LIST_FIELDS = ("authors", "affiliations", "keywords", "code_urls")

# Words too common in papers to say anything about relevance; dropping them keeps OR-queries fast.
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just me
    more most my no nor not now of off on once only or other our out over own same she should so
    some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    whose using used use based show shown shows""".split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Paper:
    """A paper in the library, as the catalog records it."""

    id: str
    sha256: str
    title: str = ""
    authors: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    year: int | None = None
    abstract: str = ""
    doi: str = ""
    arxiv_id: str = ""
    keywords: tuple[str, ...] = ()
    code_urls: tuple[str, ...] = ()
    pages: int = 0
    source: str = ""
    file: str = ""
    added_at: str = ""
    status: str = "complete"
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class StoredChunk:
    """A chunk's text and place, as the catalog records it."""

    id: str
    paper_id: str
    index: int
    section: str
    page_start: int
    page_end: int
    text: str


def chunk_id(paper_id: str, index: int) -> str:
    """The canonical id of a paper's index-th chunk."""
    return f"{paper_id}#{index}"


def fts_query(text: str) -> str:
    """An FTS5 OR-query of the meaningful words of `text` (empty when there are none).

    An adverb also asks for its adjective: the Porter stemmer keeps them apart ("linearly" stems to
    "linearli", "linear" to "linear"), so "scales linearly" would miss "a linear relationship".
    """
    words = [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in _STOPWORDS]
    unique = list(dict.fromkeys(w for w in words if len(w) > 1 or w.isdigit()))
    unique += [a for w in unique for a in _adjectives(w) if a not in unique and a not in _STOPWORDS]
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(unique))


def _adjectives(word: str) -> list[str]:
    """The adjectives an -ly adverb may come from: rapidly -> rapid, heavily -> heavy, basically -> basic."""
    if len(word) < 6 or not word.endswith("ly") or not word.isalpha():
        return []
    if word.endswith("ily"):
        return [word[:-3] + "y"]
    if word.endswith("ally"):
        return [word[:-2], word[:-4]]  # typically -> typical, basically -> basic
    return [word[:-2]]


class Catalog:
    """The SQLite catalog of papers and chunks, with BM25 full-text search over chunks."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # check_same_thread=False: Streamlit calls from worker threads; writes are serialised
        # by SQLite itself and every write is one short transaction.
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A stored library-wide value, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        """Store a library-wide value."""
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- papers -------------------------------------------------------------------------------
    def begin_paper(self, paper: Paper, chunks: Sequence[StoredChunk]) -> None:
        """Record a paper as pending, with its chunks, in one transaction (replacing a stale one)."""
        with self._transaction() as db:
            self._delete_rows(db, paper.id)
            values = _paper_row(paper) | {"status": "pending"}
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            db.execute(f"INSERT INTO papers ({columns}) VALUES ({marks})", list(values.values()))
            for chunk in chunks:
                cursor = db.execute(
                    "INSERT INTO chunks (id, paper_id, idx, section, page_start, page_end, text)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        chunk.id,
                        chunk.paper_id,
                        chunk.index,
                        chunk.section,
                        chunk.page_start,
                        chunk.page_end,
                        chunk.text,
                    ),
                )
                searchable = f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text
                db.execute(
                    "INSERT INTO chunks_fts (rowid, text) VALUES (?, ?)",
                    (
                        cursor.lastrowid,
                        f"{paper.title}\n{searchable}" if chunk.index == 0 else searchable,
                    ),
                )

    def set_status(self, paper_id: str, status: str) -> None:
        """Mark a paper pending, complete or removing."""
        self._db.execute("UPDATE papers SET status = ? WHERE id = ?", (status, paper_id))

    def update_extra(self, paper_id: str, extra: dict[str, object]) -> None:
        """Merge `extra` into a paper's free-form record (digest state, arXiv fields...)."""
        with self._transaction() as db:
            row = db.execute("SELECT extra FROM papers WHERE id = ?", (paper_id,)).fetchone()
            if row is None:
                return
            merged = json.loads(row["extra"]) | extra
            db.execute("UPDATE papers SET extra = ? WHERE id = ?", (json.dumps(merged), paper_id))

    def delete_paper(self, paper_id: str) -> None:
        """Remove a paper, its chunks and their full-text rows."""
        with self._transaction() as db:
            self._delete_rows(db, paper_id)

    @staticmethod
    def _delete_rows(db: sqlite3.Connection, paper_id: str) -> None:
        db.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE paper_id = ?)",
            (paper_id,),
        )
        db.execute("DELETE FROM chunks WHERE paper_id = ?", (paper_id,))
        db.execute("DELETE FROM papers WHERE id = ?", (paper_id,))

    def paper(self, paper_id: str) -> Paper | None:
        """The paper with this exact id, whatever its status."""
        row = self._db.execute("SELECT * FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return None if row is None else _paper_from_row(row)

    def paper_by_sha256(self, sha256: str) -> Paper | None:
        """The paper whose file has this content hash."""
        row = self._db.execute("SELECT * FROM papers WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else _paper_from_row(row)

    def papers(self, status: str | None = "complete") -> list[Paper]:
        """Papers with this status (all when None), oldest first."""
        if status is None:
            rows = self._db.execute("SELECT * FROM papers ORDER BY added_at, id")
        else:
            rows = self._db.execute("SELECT * FROM papers WHERE status = ? ORDER BY added_at, id", (status,))
        return [_paper_from_row(r) for r in rows]

    def complete_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        """The complete papers among `ids`, by id (looked up by key, whatever the library's size)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Paper] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT * FROM papers WHERE status = 'complete' AND id IN ({marks})", part
            )
            found.update((row["id"], _paper_from_row(row)) for row in rows)
        return found

    def has_papers(self) -> bool:
        """Whether any paper is complete (searchable)."""
        return (
            self._db.execute("SELECT 1 FROM papers WHERE status = 'complete' LIMIT 1").fetchone() is not None
        )

    def find_papers(self, prefix: str) -> list[Paper]:
        """Papers whose id starts with `prefix`, or whose arXiv id (any version) or DOI equals it."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._db.execute(
            "SELECT * FROM papers WHERE id LIKE ? ESCAPE '\\' OR sha256 LIKE ? ESCAPE '\\'"
            " OR (arxiv_id != '' AND (arxiv_id = ? OR arxiv_id LIKE ? ESCAPE '\\'))"
            " OR (doi != '' AND lower(doi) = lower(?))",
            (escaped + "%", escaped + "%", prefix, escaped + "v%", prefix),
        )
        return [_paper_from_row(r) for r in rows]

    # --- chunks -------------------------------------------------------------------------------
    def chunks(self, paper_id: str) -> list[StoredChunk]:
        """A paper's chunks in reading order."""
        rows = self._db.execute("SELECT * FROM chunks WHERE paper_id = ? ORDER BY idx", (paper_id,))
        return [_chunk_from_row(r) for r in rows]

    def chunks_by_id(self, ids: Iterable[str]) -> dict[str, StoredChunk]:
        """Chunks by id; unknown ids are left out."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, StoredChunk] = {}
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            marks = ",".join("?" for _ in batch)
            for row in self._db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", batch):
                found[row["id"]] = _chunk_from_row(row)
        return found

    def chunk_count(self, paper_id: str | None = None) -> int:
        """How many chunks the catalog holds (for one paper, or for all)."""
        if paper_id is None:
            row = self._db.execute("SELECT count(*) AS n FROM chunks").fetchone()
        else:
            row = self._db.execute(
                "SELECT count(*) AS n FROM chunks WHERE paper_id = ?", (paper_id,)
            ).fetchone()
        return int(row["n"])

    def search_text(
        self, query: str, k: int, paper_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Chunk ids with BM25 scores (higher is better) for the words of `query`, best first."""
        match = fts_query(query)
        if not match:
            return []
        sql = (
            "SELECT c.id AS id, -bm25(chunks_fts) AS score FROM chunks_fts"
            " JOIN chunks c ON c.rowid = chunks_fts.rowid"
            " JOIN papers p ON p.id = c.paper_id"
            " WHERE chunks_fts MATCH ? AND p.status = 'complete'"
        )
        params: list[object] = [match]
        if paper_ids is not None:
            sql += f" AND c.paper_id IN ({','.join('?' for _ in paper_ids)})"
            params.extend(paper_ids)
        sql += " ORDER BY bm25(chunks_fts) LIMIT ?"
        params.append(k)
        return [(r["id"], float(r["score"])) for r in self._db.execute(sql, params)]


def _paper_row(paper: Paper) -> dict[str, object]:
    return {
        "id": paper.id,
        "sha256": paper.sha256,
        "title": paper.title,
        "authors": json.dumps(list(paper.authors)),
        "affiliations": json.dumps(list(paper.affiliations)),
        "year": paper.year,
        "abstract": paper.abstract,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "keywords": json.dumps(list(paper.keywords)),
        "code_urls": json.dumps(list(paper.code_urls)),
        "pages": paper.pages,
        "source": paper.source,
        "file": paper.file,
        "extra": json.dumps(paper.extra),
    }


def _paper_from_row(row: sqlite3.Row) -> Paper:
    values = dict(row)
    for name in _LIST_FIELDS:
        values[name] = tuple(json.loads(values[name]))
    values["extra"] = json.loads(values["extra"])
    return Paper(**values)


def _chunk_from_row(row: sqlite3.Row) -> StoredChunk:
    return StoredChunk(
        id=row["id"],
        paper_id=row["paper_id"],
        index=row["idx"],
        section=row["section"],
        page_start=row["page_start"],
        page_end=row["page_end"],
        text=row["text"],
    )
