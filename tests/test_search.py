"""Hybrid search: both retrievers, fusion, filters and the documented hit fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import Assistant
from assistant.errors import BadInput
from assistant.retrieval.fusion import fuse
from assistant.retrieval.search import SearchFilter
from tests.papers import ENZYME_FACT, enzyme_paper, sensor_paper


@pytest.fixture
def library(assistant: Assistant, tmp_path: Path) -> Assistant:
    """The assistant with the two test papers added."""
    list(assistant.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    return assistant


def test_hit_carries_paper_page_section_and_text(library: Assistant) -> None:
    [hit] = library.searcher.search("enzyme most active temperature", k=1)
    assert hit.title == "A Thermostable Enzyme that Degrades PET Plastic"
    assert hit.doi == "10.5555/petx.2023.001"
    assert hit.source == "enzyme.pdf"
    assert (hit.page, hit.section) == (1, "2 Results")
    assert ENZYME_FACT in hit.text
    assert hit.dense > 0 and hit.lexical > 0
    assert set(hit.to_json()) >= {"paper_id", "title", "doi", "source", "page", "section", "text", "score"}


@pytest.mark.parametrize("fusion", ["dense", "lexical", "weighted", "rrf"])
def test_every_method_finds_the_passage(library: Assistant, fusion: str) -> None:
    hits = library.searcher.search("LoomNet sensor node battery months", k=3, fusion=fusion)  # type: ignore[arg-type]
    assert hits[0].source == "sensor.pdf"
    assert "19 months" in hits[0].text


def test_filters_by_paper_and_year(library: Assistant) -> None:
    enzyme = next(p for p in library.library.papers() if p.year == 2023)
    hits = library.searcher.search("sensor battery", k=5, where=SearchFilter(paper_ids=(enzyme.id,)))
    assert hits and {h.paper_id for h in hits} == {enzyme.id}
    assert {h.year for h in library.searcher.search("protocol", 10, SearchFilter(year_from=2022))} == {2023}
    assert {h.year for h in library.searcher.search("protocol", 10, SearchFilter(year_to=2022))} == {2021}
    assert library.searcher.search("protocol", 10, SearchFilter(year_from=2030)) == []


def test_bad_queries_are_refused(library: Assistant) -> None:
    with pytest.raises(BadInput, match="empty"):
        library.searcher.search("   ")
    with pytest.raises(BadInput, match="limit"):
        library.searcher.search("x" * 5000)


def test_empty_library_returns_nothing(assistant: Assistant) -> None:
    assert assistant.searcher.search("anything at all") == []


def test_weighted_fusion_rewards_agreement() -> None:
    dense = {"a": 0.9, "b": 0.5, "c": 0.1}
    lexical = {"b": 10.0, "c": 2.0, "d": 1.0}
    assert [k for k, _ in fuse(dense, lexical, "weighted", 0.5)] == ["b", "a", "c", "d"]
    assert next(k for k, _ in fuse(dense, lexical, "rrf", 0.5)) == "b"
    assert fuse(dense, {}, "weighted", 0.5)[0] == ("a", 0.5)


def test_rerank_reorders_the_fused_head_by_its_closest_sentence(library: Assistant) -> None:
    from assistant.retrieval.rerank import rerank

    query = "How long does a LoomNet node run on two AA cells?"
    fused = library.searcher.search(query, k=50, rerank=False)
    reranked = library.searcher.search(query, k=50, rerank=True)
    assert {h.chunk_id for h in reranked} == {h.chunk_id for h in fused}  # the same passages
    expected = [s.hit.chunk_id for s in rerank(query, fused, library.library.embedder)]
    assert [h.chunk_id for h in reranked] == expected
    assert [h.score for h in reranked] == sorted((h.score for h in reranked), reverse=True)
    assert "19 months" in reranked[0].text
    assert len(library.searcher.search(query, k=2, rerank=True)) == 2
    library.searcher.rerank_depth = 1  # only the head is reordered; the rest keeps the fused order
    assert library.searcher.search(query, k=50, rerank=True)[1:] == fused[1:]
