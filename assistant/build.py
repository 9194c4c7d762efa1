"""The one place that builds paperlamp's object graph from settings; the CLI and the app call it.

Models load lazily: listing papers never loads the embedder, and searching never loads the
generator, so every command starts in well under a second and pays only for what it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

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
    cpu_has_amx,
)
from models.errors import BackendError
from models.generator import Generator, LlamaCppGenerator, bundled_gguf_name, bundled_gguf_path
from models.home import LibraryHome
from models.isolated import ChildProcessGenerator, ModelSpec
from models.openai_api import OpenAIEmbedder, OpenAIGenerator
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
        """Release the store (so other processes may open it) and the catalog connection."""
        self.library.close()


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


def configured_model_name(settings: Settings) -> str | None:
    """The name the configured generator will report, found without loading it (None: only the
    server knows, because no model is named and the server picks the one it serves)."""
    if settings.llm.url:
        return settings.llm.server_model or None
    if settings.llm.model == "bundled":
        return bundled_gguf_name()
    return Path(settings.llm.model).expanduser().name


def server_collection(settings: Settings, home: LibraryHome, name: str) -> str:
    """The collection `name` on a Chroma server: prefixed per library, so a shared server never
    mixes (or repairs away) another library's vectors."""
    return f"{settings.store.namespace or 'lib-' + home.library_id()}-{name}"


def open_store(settings: Settings, home: LibraryHome, embedder: Embedder) -> ChromaStore:
    """The vector store for this embedder: the server named in settings, else the embedded folder."""
    name = collection_name(embedder.name, int(getattr(embedder, "dimension", 0)))
    url = settings.store.chroma_url
    if url:
        name = server_collection(settings, home, name)
    return _guard(lambda: ChromaStore(name, path=home.chroma, url=url, token=settings.store.chroma_token))


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder: an OpenAI-compatible server, else sentence-transformers in-process."""
    embedding = settings.embedding
    if embedding.url:
        return _guard(
            lambda: OpenAIEmbedder(
                embedding.url,
                embedding.server_model,
                api_key=embedding.api_key,
                max_tokens=settings.retrieval.window_tokens,
                batch_size=embedding.batch_size,
                timeout=settings.llm.timeout_seconds,
                retries=settings.llm.retries,
            )
        )
    return _guard(
        lambda: SentenceTransformerEmbedder(
            embedding_model_path(settings),
            name=BUNDLED_EMBEDDING_NAME if embedding.model == "bundled" else "",
            batch_size=embedding.batch_size,
            precision=embedding_precision(settings),
        )
    )


def embedding_precision(settings: Settings) -> str:
    """The embedder's precision: "auto" becomes float32 where bf16 would share a process with AMX.

    torch's bf16 (oneDNN) kernels and llama.cpp's AMX kernels in one process die of SIGILL on AMX
    CPUs. setup.sh builds llama.cpp without AMX and generation runs in its own process by default,
    so this only matters for a llama.cpp built elsewhere and run inline.
    """
    precision = settings.embedding.precision
    llm = settings.llm
    if precision != "auto" or llm.url or llm.isolation != "inline" or not cpu_has_amx():
        return precision
    from models.generator import llama_uses_amx

    return "float32" if llama_uses_amx() else precision


def make_generator(settings: Settings, home: LibraryHome) -> Generator:
    """The configured generator: an OpenAI-compatible server, else llama.cpp in-process."""
    llm = settings.llm
    if llm.url:
        return _guard(
            lambda: OpenAIGenerator(
                llm.url,
                llm.server_model,
                api_key=llm.api_key,
                api=llm.server_api,
                context_tokens=llm.context_tokens,
                temperature=llm.temperature,
                timeout=llm.timeout_seconds,
                retries=llm.retries,
            )
        )
    path = gguf_model_path(settings, home)
    if llm.isolation == "process":
        spec = ModelSpec(str(path), llm.context_tokens, llm.threads, llm.temperature)
        return _guard(lambda: ChildProcessGenerator(spec))
    return _guard(
        lambda: LlamaCppGenerator(
            path, context_tokens=llm.context_tokens, threads=llm.threads, temperature=llm.temperature
        )
    )


def build_assistant(
    settings: Settings, *, embedder: Embedder | None = None, generator: Generator | None = None
) -> Assistant:
    """Wire catalog, store, embedder, generator and use cases together from settings.

    `embedder` and `generator` replace the configured models (evaluation runs, tests).
    """
    home = LibraryHome(settings.home).create()
    catalog = Catalog(home.catalog)
    cached: dict[str, Any] = {"embedder": embedder} if embedder else {}

    def embedder_once() -> Embedder:
        if "embedder" not in cached:
            cached["embedder"] = guarded(make_embedder(settings))
        return cast(Embedder, cached["embedder"])

    def store() -> ChromaStore:
        return guarded(open_store(settings, home, embedder_once()))

    def generator_once() -> Generator:
        return guarded(generator if generator is not None else make_generator(settings, home))

    library = Library(
        home,
        catalog,
        store,
        embedder_once,
        chunk_tokens=settings.retrieval.chunk_tokens,
        window_tokens=settings.retrieval.window_tokens,
        max_pdf_bytes=settings.max_pdf_mb * 1_000_000,
    )
    searcher = Searcher(
        library,
        candidates=settings.retrieval.candidates,
        dense_weight=settings.retrieval.dense_weight,
        rerank=settings.retrieval.rerank_search,
        rerank_depth=settings.retrieval.rerank_depth,
    )
    asker = Asker(
        searcher,
        generator_once,
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


class _Guarded:
    """A backend whose calls turn BackendError into BackendUnavailable (a server gone mid-session)."""

    def __init__(self, target: object) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return _guard(lambda: value(*args, **kwargs))

        return call


def guarded(backend: T) -> T:
    """`backend` with every method call guarded like its construction."""
    return cast(T, _Guarded(backend))
