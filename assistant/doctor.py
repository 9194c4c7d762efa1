"""`paperlamp doctor`: where things live, which models and stores are in use, and whether they work."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from dataclasses import dataclass

from assistant.build import Assistant, embedding_model_path, gguf_model_path
from assistant.errors import BadInput, PaperlampError
from models.embedder import cpu_has_amx
from models.errors import BackendError
from models.openai_api import served_models
from models.selftest import run_self_test
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
            checks.append(Check("prompt form", prompt_form(generator.has_chat_template)))
    except PaperlampError as exc:
        checks.append(Check("generator loads", str(exc), False))
    if load and not assistant.settings.llm.url:
        checks += _runtime_checks(assistant)
    return checks


def prompt_form(has_chat_template: bool) -> str:
    """How prompts reach the model: its chat template, or plain text ending in a cue."""
    if has_chat_template:
        return "chat template (the model's own, via create_chat_completion)"
    return "plain text ending in a cue (a base model without a chat template)"


def _runtime_checks(assistant: Assistant) -> list[Check]:
    """How llama.cpp was built, where it runs, and a self-test of both models in one child process.

    The self-test always puts the embedder and the generator in one process, the hardest case: on
    an AMX CPU with an AMX build of llama.cpp that process dies of SIGILL. With generation in its
    own process (llm.isolation = "process") such a death cannot reach paperlamp, so it is reported
    as a fact, not a failure.
    """
    settings = assistant.settings
    isolation = settings.llm.isolation
    checks = [
        Check("llama.cpp build", llama_build()),
        Check(
            "generation runs",
            "in its own supervised process (llm.isolation = process)"
            if isolation == "process"
            else "inside each paperlamp process (llm.isolation = inline)",
        ),
    ]
    try:
        gguf = gguf_model_path(settings, assistant.home)
        embedder = None if settings.embedding.url else embedding_model_path(settings)
    except PaperlampError as exc:
        return [*checks, Check("model self-test", str(exc), False)]
    result = run_self_test(
        gguf,
        embedder=embedder,
        precision=settings.embedding.precision,
        threads=settings.llm.threads,
    )
    if result.ok or result.returncode >= 0 or isolation == "inline":
        return [*checks, Check("model self-test", result.message, result.ok)]
    note = "; paperlamp runs generation in its own process, so its commands are not affected"
    return [*checks, Check("model self-test", result.message + note, True)]


def llama_build() -> str:
    """llama-cpp-python's version and whether its AMX kernels are in (they crash beside torch)."""
    try:
        from models.generator import llama_uses_amx
    except ImportError:  # pragma: no cover - a broken install
        return "llama-cpp-python is not installed"
    amx = "AMX kernels ON" if llama_uses_amx() else "AMX kernels off"
    cpu = "this CPU has AMX" if cpu_has_amx() else "this CPU has no AMX"
    return f"llama-cpp-python {_version('llama-cpp-python')}, {amx} ({cpu})"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
