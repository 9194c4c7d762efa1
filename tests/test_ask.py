"""Cited answers: citation checking, verbatim quotes, extractive fallback and abstention."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import Assistant, build_assistant
from assistant.errors import BadInput
from assistant.search import SearchFilter
from assistant.settings import load_settings
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.papers import ENZYME_FACT, SENSOR_FACT, enzyme_paper, sensor_paper


def _assistant(tmp_path: Path, reply: str) -> tuple[Assistant, ScriptedGenerator]:
    generator = ScriptedGenerator(reply)
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    built.asker.min_evidence = 0.1  # the hashing embedder's similarities are low
    list(built.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    return built, generator


def test_supported_sentence_keeps_its_citation_with_a_verbatim_quote(tmp_path: Path) -> None:
    assistant, generator = _assistant(tmp_path, " PetX is most active at 42 degrees Celsius [1].")
    answer = assistant.asker.ask("At what temperature is the enzyme PetX most active?")
    assert not answer.abstained
    assert answer.answer == "PetX is most active at 42 degrees Celsius. [1]"
    [citation] = answer.citations
    assert citation.n == 1
    assert citation.quote == ENZYME_FACT
    assert citation.source == "enzyme.pdf"
    assert citation.page == 1
    chunk = assistant.library.catalog.chunks_by_id([citation.chunk_id])[citation.chunk_id]
    assert citation.quote in chunk.text
    # The model saw numbered evidence that includes the fact.
    assert ENZYME_FACT in generator.prompts[0].material
    assert generator.prompts[0].cue == "Answer:"


def test_wrong_marker_moves_to_the_supporting_passage_and_invention_is_dropped(tmp_path: Path) -> None:
    reply = (
        "LoomNet keeps each sensor node alive for 19 months on two AA cells [7]. "
        "The moon is made of green cheese according to NASA [1]."
    )
    assistant, _ = _assistant(tmp_path, reply)
    answer = assistant.asker.ask("How long does a LoomNet sensor node last on batteries?")
    assert "cheese" not in answer.answer
    assert [c.quote for c in answer.citations] == [SENSOR_FACT]
    assert answer.answer.endswith("[1]")


def test_unsupported_output_falls_back_to_quoting_the_evidence(tmp_path: Path) -> None:
    assistant, _ = _assistant(tmp_path, "I do not know anything about this topic, sorry friend.")
    answer = assistant.asker.ask("How long does a LoomNet sensor node last on two AA cells?")
    assert answer.model == "extractive"
    assert answer.citations
    assert answer.citations[0].quote == SENSOR_FACT
    for citation in answer.citations:
        assert citation.quote in answer.answer


def test_question_with_no_evidence_abstains(tmp_path: Path) -> None:
    assistant, generator = _assistant(tmp_path, "Paris [1].")
    answer = assistant.asker.ask("Which opera did Verdi compose for Cairo?")
    assert answer.abstained
    assert answer.citations == ()
    assert "no evidence" in answer.answer
    assert generator.prompts == []  # the model is not even asked
    data = answer.to_json()
    assert data["abstained"] is True and data["citations"] == []


def test_restricting_to_one_paper(tmp_path: Path) -> None:
    assistant, _ = _assistant(tmp_path, "It lasts 19 months [1].")
    enzyme = next(p for p in assistant.library.papers() if "Enzyme" in p.title)
    answer = assistant.asker.ask(
        "How long does a LoomNet sensor node last?", SearchFilter(paper_ids=(enzyme.id,))
    )
    assert all(c.paper_id == enzyme.id for c in answer.citations)


def test_empty_and_overlong_questions_are_refused(tmp_path: Path) -> None:
    assistant, _ = _assistant(tmp_path, "x")
    with pytest.raises(BadInput, match="empty"):
        assistant.asker.ask(" ")
    with pytest.raises(BadInput, match="limit"):
        assistant.asker.ask("why " * 1000)


def test_json_shape(tmp_path: Path) -> None:
    assistant, _ = _assistant(tmp_path, "PetX works best at 42 degrees Celsius [1].")
    data = assistant.asker.ask("When is the enzyme PetX most active?", qid="q1").to_json()
    assert list(data) == ["id", "question", "answer", "citations", "abstained"]
    assert list(data["citations"][0]) == [
        "n",
        "paper_id",
        "title",
        "doi",
        "source",
        "page",
        "quote",
        "chunk_id",
    ]


def test_a_claim_with_a_number_its_source_lacks_is_dropped(tmp_path: Path) -> None:
    assistant, _ = _assistant(tmp_path, "PetX is most active at 37 degrees Celsius and pH 8.5 [1].")
    answer = assistant.asker.ask("At what temperature is the enzyme PetX most active?")
    assert "37" not in answer.answer
    assert answer.model == "extractive"  # nothing the model wrote survived; the source is quoted
    assert answer.citations[0].quote == ENZYME_FACT


def test_the_same_quote_is_not_cited_twice(tmp_path: Path) -> None:
    reply = (
        "PetX is most active at 42 degrees Celsius [1]. The enzyme PetX works best at 42 degrees Celsius [1]."
    )
    assistant, _ = _assistant(tmp_path, reply)
    answer = assistant.asker.ask("At what temperature is the enzyme PetX most active?")
    assert answer.answer == "PetX is most active at 42 degrees Celsius. [1]"
