"""The catalog: one SQLite file holding every paper's record, its chunks' text and a full-text index.

The catalog is the source of truth for what the library holds; the vector store only mirrors
chunk vectors. A paper is `pending` while its vectors are being written and `complete` after, so
an add that was killed halfway is found and finished (or rolled back) on the next run, and
searches never see half a paper. A paper is `removing` while its vectors are being deleted.

Opening a catalog brings its schema up to date (models/migrations.py). Each thread uses its own
connection to it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

from models.migrations import MIGRATIONS, Migration, migrate

_LIST_FIELDS = ("authors", "affiliations", "keywords", "code_urls")


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

    @property
    def ocr_pages(self) -> tuple[int, ...]:
        """The pages whose text Tesseract read off the rendered page (kept in `extra`)."""
        pages = self.extra.get("ocr_pages", ())
        return tuple(int(p) for p in pages) if isinstance(pages, list | tuple) else ()


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
    # Where each page's part of `text` begins, as (offset, page), when the chunk spans pages (and
    # was stored since the catalog keeps them); () otherwise.
    page_starts: tuple[tuple[int, int], ...] = ()
    kind: str = "text"  # "table": a table's caption and rows, each row naming its columns


@dataclass(frozen=True)
class SourceLink:
    """A paper's record in a foreign library (a Zotero item, a .bib or CSL entry), as last imported.

    `origin` names the library (a Zotero data folder and library id, a .bib file); `key` the item
    in it (Zotero key, citekey); `fingerprint` what was imported, so a rerun sees what changed.
    """

    kind: str
    origin: str
    key: str
    paper_id: str
    role: str  # "added", "metadata" or "file" (see models/migrations.py)
    fingerprint: str = ""
    citekey: str = ""
    collections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    link: str = ""
    file: str = ""


def fts_query(terms: Sequence[str]) -> str:
    """An FTS5 OR-query of search terms (empty when there are none); each is quoted, so it is
    matched as a word and never read as FTS5 syntax."""
    return " OR ".join(f'"{term}"' for term in terms)


class Catalog:
    """The SQLite catalog of papers and chunks, with BM25 full-text search over chunks."""

    def __init__(self, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._generation = 0  # bumped by close(): every thread then opens a fresh connection
        migrate(self._db, migrations)

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first use.

        Each thread gets its own connection, as sqlite3 wants (a connection must not be used by a
        thread that did not create it): the app serves pages and background jobs from several
        threads. SQLite itself serialises their writes: every write is one short transaction, and
        a writer waits up to 30 s for another to finish (WAL lets readers go on meanwhile).
        """
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == self._generation:
            return held[1]
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        self._local.held = (self._generation, db)
        return db

    def close(self) -> None:
        """Close this thread's connection. Other threads' connections are let go when they next
        use the catalog or end (sqlite3 lets only its own thread close a connection, and an idle
        one holds no lock). Using the catalog again opens a fresh connection."""
        self._generation += 1
        held, self._local.held = getattr(self._local, "held", None), None
        if held is not None:
            held[1].close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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
                    "INSERT INTO chunks (id, paper_id, idx, section, page_start, page_end, text,"
                    " page_starts, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        chunk.id,
                        chunk.paper_id,
                        chunk.index,
                        chunk.section,
                        chunk.page_start,
                        chunk.page_end,
                        chunk.text,
                        json.dumps(chunk.page_starts) if chunk.page_starts else "",
                        chunk.kind,
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

    def update_metadata(self, paper: Paper) -> None:
        """Replace a paper's metadata (not its chunks or vectors); the title in the keyword index
        follows, since a paper's first chunk is indexed under it."""
        row = _paper_row(paper)
        names = ("title", "authors", "year", "abstract", "doi", "arxiv_id", "keywords", "extra")
        with self._transaction() as db:
            sets = ", ".join(f"{n} = ?" for n in names)
            db.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*(row[n] for n in names), paper.id])
            first = db.execute(
                "SELECT rowid, section, text FROM chunks WHERE paper_id = ? AND idx = 0", (paper.id,)
            ).fetchone()
            if first is not None:
                body = f"{first['section']}\n{first['text']}" if first["section"] else first["text"]
                db.execute("DELETE FROM chunks_fts WHERE rowid = ?", (first["rowid"],))
                db.execute(
                    "INSERT INTO chunks_fts (rowid, text) VALUES (?, ?)",
                    (first["rowid"], f"{paper.title}\n{body}"),
                )

    # --- sources, collections, tags, citekeys ---------------------------------------------------
    def links(self, kind: str, origin: str) -> dict[str, SourceLink]:
        """The links from one foreign library, by item key."""
        rows = self._db.execute("SELECT * FROM sources WHERE kind = ? AND origin = ?", (kind, origin))
        return {row["key"]: _link_from_row(row) for row in rows}

    def links_of(self, paper_id: str) -> list[SourceLink]:
        """A paper's links, oldest first (the first that is not another file owns its metadata)."""
        rows = self._db.execute("SELECT * FROM sources WHERE paper_id = ? ORDER BY rowid", (paper_id,))
        return [_link_from_row(row) for row in rows]

    def put_link(self, link: SourceLink) -> None:
        """Record or replace a link (its place among the paper's links is kept on replace)."""
        values = {f.name: getattr(link, f.name) for f in fields(SourceLink)}
        values["collections"] = json.dumps(list(link.collections))
        values["tags"] = json.dumps(list(link.tags))
        columns = ", ".join(values)
        updates = ", ".join(f"{n} = excluded.{n}" for n in values if n not in ("kind", "origin", "key"))
        self._db.execute(
            f"INSERT INTO sources ({columns}) VALUES ({', '.join('?' * len(values))})"
            f" ON CONFLICT (kind, origin, key) DO UPDATE SET {updates}",
            list(values.values()),
        )

    def delete_link(self, kind: str, origin: str, key: str) -> None:
        """Forget one link (the paper stays)."""
        self._db.execute("DELETE FROM sources WHERE kind = ? AND origin = ? AND key = ?", (kind, origin, key))

    def labelled(self, collections: Sequence[str] = (), tags: Sequence[str] = ()) -> set[str]:
        """Ids of the papers in any of these collections (or below one) and with any of these tags
        (either kind left empty lets every paper through). A collection is a path ("Thesis/Chapter
        2"); tags match ignoring case. The same rule selects what `import zotero` takes."""
        found = {p.id for p in self.papers()}
        if collections:
            clauses = " OR ".join("c.value = ? OR substr(c.value, 1, ?) = ?" for _ in collections)
            params = [
                v
                for path in collections
                for v in (path.strip("/"), len(path.strip("/")) + 1, path.strip("/") + "/")
            ]
            rows = self._db.execute(
                f"SELECT DISTINCT s.paper_id FROM sources s, json_each(s.collections) c WHERE {clauses}",
                params,
            )
            found &= {r[0] for r in rows}
        if tags:
            marks = ",".join("?" * len(tags))
            rows = self._db.execute(
                "SELECT DISTINCT s.paper_id FROM sources s, json_each(s.tags) t"
                f" WHERE lower(t.value) IN ({marks})",
                [t.lower() for t in tags],
            )
            found &= {r[0] for r in rows}
        return found

    def label_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Every collection path and every tag, with how many papers carry it."""
        counts: list[dict[str, int]] = []
        for column in ("collections", "tags"):
            rows = self._db.execute(
                f"SELECT j.value AS v, count(DISTINCT s.paper_id) AS n FROM sources s,"
                f" json_each(s.{column}) j GROUP BY j.value ORDER BY j.value"
            )
            counts.append({r["v"]: r["n"] for r in rows})
        return counts[0], counts[1]

    def citekeys(self) -> dict[str, str]:
        """Every citekey given so far, by paper id."""
        return {r[0]: r[1] for r in self._db.execute("SELECT paper_id, citekey FROM citekeys")}

    def claim_citekey(self, paper_id: str, citekey: str) -> bool:
        """Give a paper this citekey for good; False (nothing changed) when another paper has it."""
        try:
            self._db.execute(
                "INSERT INTO citekeys (paper_id, citekey) VALUES (?, ?)"
                " ON CONFLICT (paper_id) DO UPDATE SET citekey = excluded.citekey",
                (paper_id, citekey),
            )
        except sqlite3.IntegrityError:
            return False
        return True

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
        self, terms: Sequence[str], k: int, paper_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Chunk ids with BM25 scores (higher is better) for any of the search terms, best first."""
        match = fts_query(terms)
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
    values = {name: row[name] for name in _PAPER_FIELDS}  # a later schema may add columns
    for name in _LIST_FIELDS:
        values[name] = tuple(json.loads(values[name]))
    values["extra"] = json.loads(values["extra"])
    return Paper(**values)


_PAPER_FIELDS = tuple(f.name for f in fields(Paper))


def _link_from_row(row: sqlite3.Row) -> SourceLink:
    values = {f.name: row[f.name] for f in fields(SourceLink)}
    values["collections"] = tuple(json.loads(row["collections"]))
    values["tags"] = tuple(json.loads(row["tags"]))
    return SourceLink(**values)


def _chunk_from_row(row: sqlite3.Row) -> StoredChunk:
    return StoredChunk(
        id=row["id"],
        paper_id=row["paper_id"],
        index=row["idx"],
        section=row["section"],
        page_start=row["page_start"],
        page_end=row["page_end"],
        text=row["text"],
        page_starts=tuple((int(o), int(p)) for o, p in json.loads(row["page_starts"] or "[]")),
        kind=row["kind"],
    )
