"""`paperlamp doctor`: where things live, which models and stores are in use, and whether they work."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from dataclasses import dataclass

from assistant.build import Assistant, embedding_model_path, gguf_model_path
from assistant.errors import BadInput, PaperlampError
from models.errors import BackendError
from models.openai_api import served_models
from models.store import chroma_heartbeat


@dataclass(frozen=True)
class Check:
    """One fact or check shown by doctor."""

    name: str
    value: str
    ok: bool = True


_PACKAGES = (
    "paperlamp",
    "llama-cpp-python",
    "sentence-transformers",
    "torch",
    "chromadb",
    "pymupdf",
    "arxiv",
    "streamlit",
)


def diagnose(assistant: Assistant, *, load_models: bool = True) -> list[Check]:
    """Facts about this installation and library; with `load_models`, the models are loaded too."""
    settings = assistant.settings
    checks = [
        Check("python", platform.python_version()),
        *(Check(name, _version(name)) for name in _PACKAGES),
        Check("library home", str(assistant.home.root)),
        Check("catalog", str(assistant.home.catalog)),
        Check("papers", str(len(assistant.library.papers()))),
        Check("chunks", str(assistant.library.catalog.chunk_count())),
        Check("arXiv API", settings.arxiv.api_url),
    ]
    checks += backend_checks(assistant)
    checks += _model_checks(assistant, load_models)
    return checks


def backend_checks(assistant: Assistant) -> list[Check]:
    """Which store and model backends are in use; servers are asked whether they answer."""
    settings = assistant.settings
    store, llm, embedding = settings.store, settings.llm, settings.embedding
    checks = [Check("vector store", store.chroma_url or f"embedded Chroma at {assistant.home.chroma}")]
    if store.chroma_url:
        checks.append(
            _ping(
                "chroma server",
                lambda: f"answers (Chroma {chroma_heartbeat(store.chroma_url, store.chroma_token)})",
            )
        )
    checks.append(Check("generation", f"{llm.url} ({llm.server_api})" if llm.url else "in-process llama.cpp"))
    if llm.url:
        checks.append(_ping("model server", lambda: _serves(llm.url, llm.api_key, llm.server_model)))
    checks.append(Check("embedding", embedding.url or "in-process sentence-transformers"))
    if embedding.url:
        checks.append(
            _ping(
                "embedding server", lambda: _serves(embedding.url, embedding.api_key, embedding.server_model)
            )
        )
    return checks


def _ping(name: str, ask: Callable[[], str]) -> Check:
    try:
        return Check(name, ask())
    except (BackendError, PaperlampError) as exc:
        return Check(name, str(exc), False)


def _serves(url: str, api_key: str, wanted: str) -> str:
    names = served_models(url, api_key=api_key)
    if wanted and wanted not in names:
        raise BadInput(
            f"the server at {url} has no model {wanted}; it serves: {', '.join(names) or 'nothing'}"
        )
    return f"answers, serves: {', '.join(names) or 'nothing'}"


def _model_checks(assistant: Assistant, load: bool) -> list[Check]:
    checks: list[Check] = []
    step = "embedder loads"  # the check a failure is reported under
    try:
        if not assistant.settings.embedding.url:
            path = embedding_model_path(assistant.settings)
            checks.append(Check("embedding model", str(path), path.is_dir()))
        if load:
            embedder = assistant.library.embedder
            checks.append(Check(step, f"{embedder.name}, reads {embedder.max_tokens} tokens"))
            step = "vectors"
            store = assistant.library.store
            checks.append(Check(step, f"{store.count()} in {store.collection}"))
            step = "consistency"
            report = assistant.library.repair()
            checks.append(
                Check(
                    step,
                    ", ".join(f"{k}={v}" for k, v in report.items()),
                    report["pending_papers"] == 0,
                )
            )
    except PaperlampError as exc:
        checks.append(Check(step, str(exc), False))
    try:
        if not assistant.settings.llm.url:
            gguf = gguf_model_path(assistant.settings, assistant.home)
            checks.append(Check("GGUF model", str(gguf), gguf.is_file()))
        if load:
            generator = assistant.asker.generator
            checks.append(
                Check("generator loads", f"{generator.name}, {generator.context_tokens}-token context")
            )
    except PaperlampError as exc:
        checks.append(Check("generator loads", str(exc), False))
    return checks


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
