"""The SQLite catalog: paper states, chunk storage, id lookup and BM25 search."""

from __future__ import annotations

from pathlib import Path

from models.catalog import Catalog, Paper, StoredChunk, chunk_id, fts_query


def _paper(pid: str, title: str = "A paper", **kw: object) -> Paper:
    return Paper(id=pid, sha256=pid.split(":")[-1], title=title, **kw)  # type: ignore[arg-type]


def _chunks(pid: str, *texts: str) -> list[StoredChunk]:
    return [StoredChunk(chunk_id(pid, i), pid, i, "Intro", 1, 1, t) for i, t in enumerate(texts)]


def test_fts_query_drops_stopwords_and_quotes_words() -> None:
    assert fts_query("What is the effect of dropout on ResNet-50?") == (
        '"effect" OR "dropout" OR "resnet" OR "50"'
    )
    assert fts_query("the of and") == ""


def test_an_adverb_in_a_query_also_finds_its_adjective(tmp_path: Path) -> None:
    assert fts_query("scales log-linearly") == '"scales" OR "log" OR "linearly" OR "linear"'
    assert fts_query("heavily, typically") == '"heavily" OR "typically" OR "heavy" OR "typical" OR "typic"'
    assert fts_query("only early fly") == '"early" OR "fly"'  # short words are left alone
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "a linear relationship of volumes"))
    catalog.set_status("sha256:aa", "complete")
    assert [i for i, _ in catalog.search_text("it scales linearly", 5)] == ["sha256:aa#0"]


def test_pending_papers_are_invisible_to_text_search_until_complete(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "dropout regularises networks"))
    assert catalog.search_text("dropout", 5) == []
    assert [p.id for p in catalog.papers("pending")] == ["sha256:aa"]
    catalog.set_status("sha256:aa", "complete")
    hits = catalog.search_text("dropout", 5)
    assert [h[0] for h in hits] == ["sha256:aa#0"]
    assert hits[0][1] > 0


def test_bm25_ranks_the_more_specific_chunk_first_and_filters_by_paper(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.begin_paper(_paper("sha256:aa"), _chunks("sha256:aa", "cats and dogs", "cats cats kittens"))
    catalog.begin_paper(_paper("sha256:bb"), _chunks("sha256:bb", "kittens are young cats"))
    for pid in ("sha256:aa", "sha256:bb"):
        catalog.set_status(pid, "complete")
    assert next(i for i, _ in catalog.search_text("kittens", 5)) in {"sha256:aa#1", "sha256:bb#0"}
    assert [i for i, _ in catalog.search_text("kittens", 5, ["sha256:bb"])] == ["sha256:bb#0"]
    # Porter stemming: "kitten" finds "kittens".
    assert {i for i, _ in catalog.search_text("kitten", 5)} == {"sha256:aa#1", "sha256:bb#0"}


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
    assert catalog.search_text("zebra", 5) == []


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
    paper = _paper("sha256:aa", authors=("Ada Lovelace", "Alan Turing"), year=2024, keywords=("x",))
    first.begin_paper(paper, _chunks("sha256:aa", "text"))
    first.set_status("sha256:aa", "complete")
    first.update_extra("sha256:aa", {"digested": ["vision"]})
    first.close()
    again = Catalog(path).paper("sha256:aa")
    assert again is not None
    assert again.authors == ("Ada Lovelace", "Alan Turing")
    assert again.year == 2024
    assert again.extra == {"digested": ["vision"]}
