"""`paperlamp doctor`: where things live, which models and stores are in use, and whether they work."""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass

from assistant.build import Assistant, embedding_model_path, gguf_model_path
from assistant.errors import PaperlampError


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
        Check(
            "vector store",
            settings.store.chroma_url or f"embedded Chroma at {assistant.home.chroma}",
        ),
        Check("generation", settings.llm.url or "in-process llama.cpp"),
        Check("arXiv API", settings.arxiv.api_url),
    ]
    checks += _model_checks(assistant, load_models)
    return checks


def _model_checks(assistant: Assistant, load: bool) -> list[Check]:
    checks: list[Check] = []
    try:
        path = embedding_model_path(assistant.settings)
        checks.append(Check("embedding model", str(path), path.is_dir()))
        if load:
            embedder = assistant.library.embedder
            checks.append(Check("embedder loads", f"{embedder.name}, reads {embedder.max_tokens} tokens"))
            store = assistant.library.store
            checks.append(Check("vectors", f"{store.count()} in {store.collection}"))
            report = assistant.library.repair()
            checks.append(
                Check(
                    "consistency",
                    ", ".join(f"{k}={v}" for k, v in report.items()),
                    report["pending_papers"] == 0,
                )
            )
    except PaperlampError as exc:
        checks.append(Check("embedder loads", str(exc), False))
    try:
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
