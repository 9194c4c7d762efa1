"""The one place that builds paperlamp's object graph from settings; the CLI and the app call it.

Models load lazily: listing papers never loads the embedder, and searching never loads the
generator, so every command starts in well under a second and pays only for what it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from assistant.ask import Asker
from assistant.errors import BackendUnavailable
from assistant.library import Library
from assistant.search import Searcher
from assistant.settings import Settings
from models.catalog import Catalog
from models.embedder import (
    BUNDLED_EMBEDDING_NAME,
    Embedder,
    SentenceTransformerEmbedder,
    bundled_embedding_model_path,
)
from models.errors import BackendError
from models.generator import Generator, LlamaCppGenerator, bundled_gguf_path
from models.home import LibraryHome
from models.store import ChromaStore, collection_name


@dataclass
class Assistant:
    """Everything the front ends use, built from one Settings object."""

    settings: Settings
    home: LibraryHome
    library: Library
    searcher: Searcher
    asker: Asker

    def close(self) -> None:
        """Release the catalog connection."""
        self.library.catalog.close()


def embedding_model_path(settings: Settings) -> Path:
    """The sentence-transformers folder the settings name."""
    if settings.embedding.model == "bundled":
        return bundled_embedding_model_path()
    return Path(settings.embedding.model).expanduser()


def gguf_model_path(settings: Settings, home: LibraryHome) -> Path:
    """The GGUF file the settings name (the bundled one is assembled into the cache once)."""
    if settings.llm.model == "bundled":
        return bundled_gguf_path(home.cache)
    return Path(settings.llm.model).expanduser()


def build_assistant(
    settings: Settings, *, embedder: Embedder | None = None, generator: Generator | None = None
) -> Assistant:
    """Wire catalog, store, embedder, generator and use cases together from settings.

    `embedder` and `generator` replace the configured models (evaluation runs, tests).
    """
    home = LibraryHome(settings.home).create()
    catalog = Catalog(home.catalog)
    cached: dict[str, object] = {"embedder": embedder} if embedder else {}
    given_generator = generator

    def make_embedder() -> Embedder:
        if "embedder" not in cached:
            cached["embedder"] = _guard(
                lambda: SentenceTransformerEmbedder(
                    embedding_model_path(settings),
                    name=BUNDLED_EMBEDDING_NAME if settings.embedding.model == "bundled" else "",
                    batch_size=settings.embedding.batch_size,
                    precision=settings.embedding.precision,
                )
            )
        return cached["embedder"]  # type: ignore[return-value]

    def store() -> ChromaStore:
        model = make_embedder()
        name = collection_name(model.name, int(getattr(model, "dimension", 0)))
        return _guard(
            lambda: ChromaStore(
                name,
                path=home.chroma,
                url=settings.store.chroma_url,
                token=settings.store.chroma_token,
            )
        )

    def make_generator() -> Generator:
        if given_generator is not None:
            return given_generator
        return _guard(
            lambda: LlamaCppGenerator(
                gguf_model_path(settings, home),
                context_tokens=settings.llm.context_tokens,
                threads=settings.llm.threads,
                temperature=settings.llm.temperature,
            )
        )

    library = Library(
        home,
        catalog,
        store,
        make_embedder,
        chunk_tokens=settings.retrieval.chunk_tokens,
        window_tokens=settings.retrieval.window_tokens,
        max_pdf_bytes=settings.max_pdf_mb * 1_000_000,
    )
    searcher = Searcher(
        library,
        candidates=settings.retrieval.candidates,
        dense_weight=settings.retrieval.dense_weight,
    )
    asker = Asker(
        searcher,
        make_generator,
        min_evidence=settings.retrieval.min_evidence_score,
        max_answer_tokens=settings.llm.max_answer_tokens,
    )
    return Assistant(settings, home, library, searcher, asker)


T = TypeVar("T")


def _guard(make: Callable[[], T]) -> T:
    """Build a backend, turning its failure into a message for people."""
    try:
        return make()
    except BackendError as exc:
        raise BackendUnavailable(str(exc)) from exc
