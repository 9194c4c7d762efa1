"""The SQLite catalog: paper states, chunk storage, id lookup and BM25 search."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from ingest.text import search_terms
from models.catalog import Catalog, Paper, StoredChunk, fts_query
from models.errors import BackendError
from models.ids import chunk_id
from models.migrations import MIGRATIONS, stored_version


def _paper(pid: str, title: str = "A paper", **kw: object) -> Paper:
    return Paper(id=pid, sha256=pid.split(":")[-1], title=title, **kw)  # type: ignore[arg-type]


def _chunks(pid: str, *texts: str) -> list[StoredChunk]:
    return [StoredChunk(chunk_id(pid, i), pid, i, "Intro", 1, 1, t) for i, t in enumerate(texts)]


def test_fts_query_drops_stopwords_and_quotes_words() -> None:
    assert fts_query(search_terms("What is the effect of dropout on ResNet-50?")) == (
        '"effect" OR "dropout" OR "resnet" OR "50"'
    )
    assert fts_query(search_terms("the of and")) == ""


def test_an_adverb_in_a_query_also_finds_its_adjective(tmp_path: Path) -> None:
    assert fts_query(search_terms("scales log-linearly")) == '"scales" OR "log" OR "linearly" OR "linear"'
    assert (
        fts_query(search_terms("heavily, typically"))
        == '"heavily" OR "typically" OR "heavy" OR "typical" OR "typic"'
    )
    assert fts_query(search_terms("only early fly")) == '"early" OR "fly"'  # short words are left alone
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "a linear relationship of volumes"))
    catalog.set_status("sha256:aa", "complete")
    assert [i for i, _ in catalog.search_text(search_terms("it scales linearly"), 5)] == ["sha256:aa#0"]


def test_pending_papers_are_invisible_to_text_search_until_complete(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "dropout regularises networks"))
    assert catalog.search_text(search_terms("dropout"), 5) == []
    assert [p.id for p in catalog.papers("pending")] == ["sha256:aa"]
    catalog.set_status("sha256:aa", "complete")
    hits = catalog.search_text(search_terms("dropout"), 5)
    assert [h[0] for h in hits] == ["sha256:aa#0"]
    assert hits[0][1] > 0


def test_bm25_ranks_the_more_specific_chunk_first_and_filters_by_paper(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "cats and dogs", "cats cats kittens"))
    catalog.begin_paper(_paper("sha256:bb"), _chunks("sha256:bb", "kittens are young cats"))
    for pid in ("sha256:aa", "sha256:bb"):
        catalog.set_status(pid, "complete")
    assert next(i for i, _ in catalog.search_text(search_terms("kittens"), 5)) in {
        "sha256:aa#1",
        "sha256:bb#0",
    }
    assert [i for i, _ in catalog.search_text(search_terms("kittens"), 5, ["sha256:bb"])] == ["sha256:bb#0"]
    # Porter stemming: "kitten" finds "kittens".
    assert {i for i, _ in catalog.search_text(search_terms("kitten"), 5)} == {"sha256:aa#1", "sha256:bb#0"}


def test_begin_again_replaces_a_stale_pending_record(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "one", "two", "three"))
    catalog.begin_paper(_paper("sha256:aa", title="Again"), _chunks("sha256:aa", "only one"))
    assert catalog.chunk_count() == 1
    stored = catalog.paper("sha256:aa")
    assert stored is not None
    assert (stored.title, stored.status) == ("Again", "pending")
    assert stored.added_at.startswith("20")


def test_delete_removes_rows_chunks_and_text_index(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "unique zebra text"))
    catalog.set_status("sha256:aa", "complete")
    catalog.delete_paper("sha256:aa")
    assert catalog.paper("sha256:aa") is None
    assert catalog.chunk_count() == 0
    assert catalog.search_text(search_terms("zebra"), 5) == []


def test_find_papers_by_prefix_arxiv_id_and_doi(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(
        _paper("sha256:abc123", doi="10.1000/XYZ", arxiv_id="2401.01234v2"), _chunks("sha256:abc123", "x y")
    )
    assert [p.id for p in catalog.find_papers("sha256:abc")] == ["sha256:abc123"]
    assert [p.id for p in catalog.find_papers("10.1000/xyz")] == ["sha256:abc123"]
    assert [p.id for p in catalog.find_papers("2401.01234v2")] == ["sha256:abc123"]
    assert [p.id for p in catalog.find_papers("2401.01234")] == ["sha256:abc123"]  # any version
    assert catalog.find_papers("2401.0123") == []
    assert catalog.find_papers("sha256:abd") == []
    # LIKE wildcards in user input are taken literally.
    assert catalog.find_papers("sha256:%") == []


def test_records_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    first = Catalog(path)
    paper = _paper(
        "sha256:aa",
        authors=("Ada Lovelace", "Alan Turing"),
        year=2024,
        keywords=("x",),
        extra={"digested": ["vision"]},
    )
    first.begin_paper(paper, _chunks("sha256:aa", "text"))
    first.set_status("sha256:aa", "complete")
    first.close()
    again = Catalog(path).paper("sha256:aa")
    assert again is not None
    assert again.authors == ("Ada Lovelace", "Alan Turing")
    assert again.year == 2024
    assert again.extra == {"digested": ["vision"]}


# --- schema migrations and threads ---------------------------------------------------------------
def _release_one_library(path: Path) -> None:
    """A catalog as every paperlamp before migrations wrote it: schema 1, no record of migrations."""
    Catalog(path, migrations=MIGRATIONS[:1]).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE migrations")
    db.execute(
        "INSERT INTO papers (id, sha256, status, title, extra) VALUES (?, ?, 'complete', ?, ?)",
        (
            "arxiv:2401.00001v2",
            "aa",
            "An old paper",
            json.dumps({"arxiv": {"id": "2401.00001", "version": 2}}),
        ),
    )
    db.execute(
        "INSERT INTO chunks (id, paper_id, idx, section, page_start, page_end, text)"
        " VALUES ('arxiv:2401.00001v2#0', 'arxiv:2401.00001v2', 0, 'Intro', 1, 2, 'old text')"
    )
    db.commit()
    db.close()


def test_a_library_made_before_migrations_opens_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    _release_one_library(path)
    catalog = Catalog(path)
    paper = catalog.paper("arxiv:2401.00001v2")
    assert paper is not None and paper.extra == {"arxiv": {"arxiv_id": "2401.00001", "version": 2}}
    assert catalog.chunks(paper.id)[0].page_starts == ()  # written before chunks kept their page starts
    catalog.close()
    db = sqlite3.connect(path)
    applied = db.execute("SELECT version, name, applied_at != '' FROM migrations ORDER BY version").fetchall()
    assert applied == [(1, "initial schema", 0), *((n, name, 1) for n, name, _ in MIGRATIONS[1:])]
    assert stored_version(db) == MIGRATIONS[-1][0]


def test_the_current_schema_is_upgraded_by_a_next_one_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    current = Catalog(path)
    current.begin_paper(_paper("sha256:aa", title="Kept"), _chunks("sha256:aa", "kept text"))
    current.set_status("sha256:aa", "complete")
    current.close()
    runs: list[int] = []

    def add_notes(db: sqlite3.Connection) -> None:
        runs.append(1)
        db.execute("ALTER TABLE papers ADD COLUMN notes TEXT NOT NULL DEFAULT ''")

    upcoming = (*MIGRATIONS, (MIGRATIONS[-1][0] + 1, "paper notes", add_notes))
    upgraded = Catalog(path, migrations=upcoming)
    assert [p.title for p in upgraded.papers()] == ["Kept"]  # the next schema reads what this one wrote
    upgraded.close()
    Catalog(path, migrations=upcoming).close()
    assert runs == [1]
    db = sqlite3.connect(path)
    assert stored_version(db) == upcoming[-1][0]
    assert [c[1] for c in db.execute("PRAGMA table_info(papers)")][-1] == "notes"
    db.close()
    newest = MIGRATIONS[-1][0]
    with pytest.raises(
        BackendError,
        match=rf"written by a newer paperlamp \(schema {newest + 1}; this one knows up to {newest}\)",
    ):
        Catalog(path)


def test_a_catalog_used_from_several_threads_at_once(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            for i in range(5):
                pid = f"sha256:{n}{i}"
                catalog.begin_paper(_paper(pid), _chunks(pid, f"thread {n} paper {i}"))
                catalog.set_status(pid, "complete")
                assert catalog.paper(pid) is not None
        except BaseException as exc:  # sqlite3 refuses a connection shared across threads
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(catalog.papers()) == 20
    catalog.close()
    assert len(catalog.papers()) == 20  # closed, and opened again on use


def test_a_catalog_of_schema_3_opens_with_its_chunks_as_text(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    old = Catalog(path, migrations=MIGRATIONS[:3])
    old._db.execute(
        "INSERT INTO papers (id, sha256, status, title) VALUES ('sha256:aa', 'aa', 'complete', 'Kept')"
    )
    old._db.execute(
        "INSERT INTO chunks (id, paper_id, idx, page_start, page_end, text) "
        "VALUES ('sha256:aa#0', 'sha256:aa', 0, 1, 1, 'Old text.')"
    )
    old.close()
    [chunk] = Catalog(path).chunks("sha256:aa")
    assert (chunk.text, chunk.kind) == ("Old text.", "text")
