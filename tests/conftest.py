"""Shared fixtures: an isolated library home for every test, no network, and the real models once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.build import Assistant, build_assistant
from assistant.settings import load_settings
from tests.arxiv_server import ArxivReplay, replay_server
from tests.fakes import HashingEmbedder

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    """Refuse any connection that leaves this machine: tests never touch the network."""
    host = address[0] if isinstance(address, tuple) else address
    if self.family == socket.AF_UNIX or str(host) in ("127.0.0.1", "::1", "localhost"):
        return _real_connect(self, address)  # type: ignore[arg-type]
    raise OSError(f"test tried to reach the network: {address!r}")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the library home and config at tmp_path, and block non-loopback sockets."""
    home = tmp_path / "home"
    monkeypatch.setenv("PAPERLAMP_HOME", str(home))
    monkeypatch.setenv("PAPERLAMP_CONFIG", str(tmp_path / "no-config.toml"))
    for name in (
        "PAPERLAMP_LLM_URL",
        "PAPERLAMP_CHROMA_URL",
        "PAPERLAMP_LLM_MODEL",
        "PAPERLAMP_EMBEDDING_MODEL",
        "PAPERLAMP_ARXIV_API_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    return home


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The bundled all-MiniLM-L6-v2, loaded once for the session."""
    from models.embedder import (
        BUNDLED_EMBEDDING_NAME,
        SentenceTransformerEmbedder,
        bundled_embedding_model_path,
    )

    return SentenceTransformerEmbedder(bundled_embedding_model_path(), name=BUNDLED_EMBEDDING_NAME)


@pytest.fixture(scope="session")
def real_generator(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The bundled Gemma 3 270M GGUF, assembled and loaded once for the session."""
    from models.generator import LlamaCppGenerator, bundled_gguf_path

    cache = tmp_path_factory.mktemp("gguf")
    return LlamaCppGenerator(bundled_gguf_path(cache), context_tokens=4096)


@pytest.fixture
def assistant(isolated_home: Path) -> Iterator[Assistant]:
    """An assistant on a fresh library with the fast hashing embedder (for tests not about models)."""
    built = build_assistant(load_settings(), embedder=HashingEmbedder())
    yield built
    built.close()


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivReplay]:
    """A loopback arXiv the settings point at, with no pauses and one retry."""
    for server in replay_server():
        monkeypatch.setenv("PAPERLAMP_ARXIV_API_URL", server.api_url)
        monkeypatch.setenv("PAPERLAMP_ARXIV__DELAY_SECONDS", "0")
        monkeypatch.setenv("PAPERLAMP_ARXIV__RETRIES", "1")
        monkeypatch.setenv("PAPERLAMP_ARXIV__TIMEOUT_SECONDS", "5")
        yield server


@pytest.fixture
def fast_cli_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the CLI's assistant with the hashing embedder and a scripted generator."""
    import ui.cli.console
    from tests.fakes import ScriptedGenerator

    def build(settings):  # type: ignore[no-untyped-def]
        built = build_assistant(
            settings,
            embedder=HashingEmbedder(),
            generator=ScriptedGenerator("Each LoomNet node stays alive for 19 months on two AA cells [1]."),
        )
        built.asker.min_evidence = 0.1
        return built

    monkeypatch.setattr(ui.cli.console, "build_assistant", build)
