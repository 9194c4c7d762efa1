"""End to end on the real bundled models: all-MiniLM-L6-v2 embeddings and the Gemma 3 270M GGUF.

Also the proof that adding, searching and asking open no network connection at all: every
socket connect and name lookup is recorded while the real models load and work.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from assistant.build import Assistant, build_assistant
from assistant.settings import load_settings
from tests.papers import ENZYME_FACT, SENSOR_FACT, enzyme_paper, sensor_paper

pytestmark = pytest.mark.slow


@pytest.fixture
def real(tmp_path: Path, real_embedder, real_generator) -> Assistant:  # type: ignore[no-untyped-def]
    """An assistant on the real bundled models, with the two test papers added."""
    built = build_assistant(load_settings(), embedder=real_embedder, generator=real_generator)
    results = list(built.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    assert [r.status for r in results] == ["added", "added"]
    return built


def test_dense_search_finds_the_paper_by_meaning(real: Assistant) -> None:
    # No shared keywords with the passage: only the embedding can connect them.
    hits = real.searcher.search(
        "how many months do field devices run before batteries die", 3, fusion="dense"
    )
    assert [h.source for h in hits[:2]] == ["sensor.pdf", "sensor.pdf"]
    assert any(SENSOR_FACT in h.text for h in hits[:2])
    assert hits[0].dense > 0.3


def test_ask_with_the_real_gguf_model_cites_verbatim_spans(real: Assistant) -> None:
    answer = real.asker.ask("At what temperature is the PetX enzyme most active?")
    assert not answer.abstained
    assert answer.citations
    for citation in answer.citations:
        chunk = real.library.catalog.chunks_by_id([citation.chunk_id])[citation.chunk_id]
        assert citation.quote in chunk.text
        assert citation.page == 1
    assert any(c.quote == ENZYME_FACT for c in answer.citations)
    assert "[1]" in answer.answer


def test_real_embedder_abstains_on_an_unrelated_question(real: Assistant) -> None:
    answer = real.asker.ask("Who painted the ceiling of the Sistine Chapel?")
    assert answer.abstained
    assert answer.closest  # the nearest passages are still shown


def test_no_embedded_window_is_cut_by_the_real_tokenizer(real: Assistant, real_embedder) -> None:  # type: ignore[no-untyped-def]
    chunks = [c for p in real.library.papers() for c in real.library.chunks(p.id)]
    windows = real.library.windows(chunks)
    lengths = real_embedder.count_tokens([w.text for w in windows])
    assert max(lengths) + 2 <= real_embedder.max_tokens  # +2: [CLS] and [SEP]
    # Every sentence of every chunk is read by the embedder in some window.
    for chunk in chunks:
        embedded = " ".join(w.text for w in windows if w.chunk.id == chunk.id)
        assert all(word in embedded for word in chunk.text.split())


def test_add_search_and_ask_open_no_network_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def record_connect(self: socket.socket, address: object) -> object:
        if self.family != socket.AF_UNIX:
            attempts.append(f"connect {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def record_lookup(host: object, *args: object, **kwargs: object) -> list:
        attempts.append(f"lookup {host!r}")
        raise OSError("no name lookups in this test")

    monkeypatch.setattr(socket.socket, "connect", record_connect)
    monkeypatch.setattr(socket, "getaddrinfo", record_lookup)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: attempts.append(f"create {a!r}"))
    # The default settings: bundled models loaded from their packages, embedded Chroma.
    assistant = build_assistant(load_settings())
    results = list(assistant.library.add([sensor_paper(tmp_path)]))
    hits = assistant.searcher.search("sensor battery lifetime", 3)
    answer = assistant.asker.ask("How long does a LoomNet sensor node last on two AA cells?")
    assert results[0].status == "added"
    assert hits[0].source == "sensor.pdf"
    assert answer.citations
    assert attempts == []
