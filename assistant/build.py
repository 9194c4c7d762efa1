"""The composition root: the one place that builds paperlamp's object graph from settings.

`build_assistant()` makes every use case and hands each its collaborators; the CLI and the app
call it and construct none themselves, and no use case imports this module. Models load lazily,
in one place (`Models`): listing papers never loads the embedder, searching never loads the
generator, and each is loaded at most once per assistant, so every command starts in well under
a second and pays only for what it uses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from assistant.answers.ask import Asker
from assistant.answers.compare import Comparer
from assistant.answers.history import History
from assistant.digests.digest import Digester
from assistant.digests.ranking import LibraryRanker
from assistant.digests.selection import Selector
from assistant.doctor import Doctor
from assistant.evaluation.answers import Evaluator
from assistant.library.arxiv import ArxivFetcher
from assistant.library.bibliography import Bibliography
from assistant.library.figures import Figures
from assistant.library.imports import Importer
from assistant.library.library import Library
from assistant.library.migrate import StoreMigration
from assistant.library.pages import Pages
from assistant.retrieval.search import Searcher
from assistant.settings import Settings
from assistant.summaries.kept import KeptSummaries
from assistant.summaries.summarize import Summarizer
from ingest.arxiv_client import ArxivClient
from models.catalog import Catalog
from models.embedder import (
    BUNDLED_EMBEDDING_NAME,
    Embedder,
    SentenceTransformerEmbedder,
    bundled_embedding_model_path,
    cpu_has_amx,
)
from models.generator import Generator, LlamaCppGenerator, bundled_gguf_name, bundled_gguf_path
from models.home import LibraryHome
from models.isolated import ChildProcessGenerator, ModelSpec
from models.openai_api import OpenAIEmbedder, OpenAIGenerator
from models.store import ChromaStore, VectorStore, collection_name, server_collection

T = TypeVar("T")


@dataclass
class Assistant:
    """Every use case the front ends use, built from one Settings object."""

    settings: Settings
    home: LibraryHome
    library: Library
    searcher: Searcher
    asker: Asker
    comparer: Comparer
    summarizer: Summarizer
    summaries: KeptSummaries
    fetcher: ArxivFetcher
    digester: Digester
    history: History
    figures: Figures
    pages: Pages
    doctor: Doctor
    migration: StoreMigration
    evaluator: Evaluator
    importer: Importer
    bibliography: Bibliography

    def close(self) -> None:
        """Release the store (so other processes may open it) and the catalog connection."""
        self.library.close()


class _Once(Generic[T]):
    """A value built on first use and kept; threads asking at once build it once. A failed build
    is tried again on the next use (a server that was down may be up by then)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The value, built now if it was not yet."""
        with self._lock:
            if self._value is None:
                self._value = self._make()
            return self._value


class Models:
    """The configured embedder, generator and arXiv client: each built on first use, then kept."""

    def __init__(
        self,
        settings: Settings,
        home: LibraryHome,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.home = home
        self._embedder: _Once[Embedder] = _Once(lambda: embedder or make_embedder(settings))
        self._generator: _Once[Generator] = _Once(lambda: generator or make_generator(settings, home))
        self._arxiv: _Once[ArxivClient] = _Once(lambda: make_arxiv_client(settings))

    def embedder(self) -> Embedder:
        """The embedder (loaded on first use: seconds)."""
        return self._embedder.get()

    def generator(self) -> Generator:
        """The generator (loaded on first use: seconds)."""
        return self._generator.get()

    def arxiv(self) -> ArxivClient:
        """The arXiv client (built on first use; it opens no connection until asked)."""
        return self._arxiv.get()

    def store(self) -> VectorStore:
        """A newly opened vector store for the embedder (the library keeps it, and lets it go)."""
        return open_store(self.settings, self.home, self.embedder())


def build_assistant(
    settings: Settings, *, embedder: Embedder | None = None, generator: Generator | None = None
) -> Assistant:
    """Wire catalog, store, models and every use case together from settings.

    `embedder` and `generator` replace the configured models (evaluation runs, tests).
    """
    home = LibraryHome(settings.home).create()
    models = Models(settings, home, embedder, generator)
    retrieval = settings.retrieval
    library = Library(
        home,
        Catalog(home.catalog),
        models.store,
        models.embedder,
        chunk_tokens=retrieval.chunk_tokens,
        window_tokens=retrieval.window_tokens,
        max_pdf_bytes=settings.max_pdf_mb * 1_000_000,
        ocr=settings.pdf.ocr,
        tables=settings.pdf.tables,
    )
    searcher = Searcher(
        library,
        candidates=retrieval.candidates,
        dense_weight=retrieval.dense_weight,
        rerank=retrieval.rerank_search,
        rerank_depth=retrieval.rerank_depth,
    )
    asker = Asker(
        searcher,
        models.generator,
        min_evidence=retrieval.min_evidence_score,
        max_answer_tokens=settings.llm.max_answer_tokens,
    )
    summarizer = Summarizer(library, models.generator)
    fetcher = ArxivFetcher(library, home, models.arxiv)
    return Assistant(
        settings=settings,
        home=home,
        library=library,
        searcher=searcher,
        asker=asker,
        comparer=Comparer(searcher, models.generator),
        summarizer=summarizer,
        summaries=KeptSummaries(home, summarizer, configured_model_name(settings)),
        fetcher=fetcher,
        digester=Digester(
            fetcher,
            summarizer,
            home,
            Selector(library, LibraryRanker(settings.digest.top_k, settings.digest.recency_half_life_days)),
            max_candidates=settings.digest.max_candidates,
            figure_links=settings.digest.figure_links,
            post_url=settings.digest.post_url,
        ),
        history=History(home, library, asker),
        figures=Figures(library, home),
        pages=Pages(library),
        doctor=Doctor(
            settings,
            home,
            library,
            models.generator,
            lambda: embedding_model_path(settings),
            lambda: gguf_model_path(settings, home),
        ),
        migration=StoreMigration(home, lambda: namespace(settings, home)),
        evaluator=Evaluator(library, asker),
        importer=Importer(library, Path(settings.zotero.base_dir) if settings.zotero.base_dir else None),
        bibliography=Bibliography(library),
    )


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


def namespace(settings: Settings, home: LibraryHome) -> str:
    """This library's prefix for its collections on a Chroma server."""
    return settings.store.namespace or "lib-" + home.library_id()


def open_store(settings: Settings, home: LibraryHome, embedder: Embedder) -> ChromaStore:
    """The vector store for this embedder: the server named in settings, else the embedded folder."""
    name = collection_name(embedder.name, embedder.dimension)
    url = settings.store.chroma_url
    if url:
        name = server_collection(namespace(settings, home), name)
    return ChromaStore(name, path=home.chroma, url=url, token=settings.store.chroma_token)


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder: an OpenAI-compatible server, else sentence-transformers in-process."""
    embedding = settings.embedding
    if embedding.url:
        return OpenAIEmbedder(
            embedding.url,
            embedding.server_model,
            api_key=embedding.api_key,
            max_tokens=settings.retrieval.window_tokens,
            batch_size=embedding.batch_size,
            timeout=settings.llm.timeout_seconds,
            retries=settings.llm.retries,
        )
    return SentenceTransformerEmbedder(
        embedding_model_path(settings),
        name=BUNDLED_EMBEDDING_NAME if embedding.model == "bundled" else "",
        batch_size=embedding.batch_size,
        precision=embedding_precision(settings),
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
    """The configured generator: an OpenAI-compatible server, else llama.cpp (in its own process)."""
    llm = settings.llm
    if llm.url:
        return OpenAIGenerator(
            llm.url,
            llm.server_model,
            api_key=llm.api_key,
            api=llm.server_api,
            context_tokens=llm.context_tokens,
            temperature=llm.temperature,
            timeout=llm.timeout_seconds,
            retries=llm.retries,
        )
    path = gguf_model_path(settings, home)
    if llm.isolation == "process":
        return ChildProcessGenerator(ModelSpec(str(path), llm.context_tokens, llm.threads, llm.temperature))
    return LlamaCppGenerator(
        path, context_tokens=llm.context_tokens, threads=llm.threads, temperature=llm.temperature
    )


def make_arxiv_client(settings: Settings) -> ArxivClient:
    """The arXiv client at the configured address, with its etiquette and retries."""
    arxiv = settings.arxiv
    return ArxivClient(
        api_url=arxiv.api_url,
        pdf_url_template=arxiv.pdf_url_template or None,
        delay_seconds=arxiv.delay_seconds,
        num_retries=arxiv.retries,
        timeout=arxiv.timeout_seconds,
        page_size=arxiv.page_size,
    )
