"""`paperlamp doctor`: where things live, which models and stores are in use, and whether they work."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import REPORTED, BadInput, message
from assistant.library.library import Library
from assistant.settings import Settings
from ingest.pdf import tessdata
from models.embedder import cpu_has_amx
from models.generator import Generator
from models.home import LibraryHome
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


class Doctor:
    """Diagnoses this installation and library: what is where, and whether the models and stores work."""

    def __init__(
        self,
        settings: Settings,
        home: LibraryHome,
        library: Library,
        generator: Callable[[], Generator],
        embedding_path: Callable[[], Path],
        gguf_path: Callable[[], Path],
    ) -> None:
        self.settings = settings
        self.home = home
        self.library = library
        self._generator = generator
        self.embedding_path = embedding_path  # the configured sentence-transformers folder
        self._gguf_path = gguf_path  # the configured GGUF file (the bundled one is assembled on first call)

    def diagnose(self, *, load_models: bool = True) -> list[Check]:
        """Facts about this installation and library; with `load_models`, the models are loaded too."""
        settings = self.settings
        checks = [
            Check("python", platform.python_version()),
            *(Check(name, _version(name)) for name in _PACKAGES),
            Check("library home", str(self.home.root)),
            Check("catalog", str(self.home.catalog)),
            Check("papers", str(len(self.library.papers()))),
            Check("chunks", str(self.library.catalog.chunk_count())),
            Check("arXiv API", settings.arxiv.api_url),
            _ocr_check(settings.pdf.ocr),
        ]
        checks += self.backend_checks()
        checks += self._model_checks(load_models)
        return checks

    def backend_checks(self) -> list[Check]:
        """Which store and model backends are in use; servers are asked whether they answer."""
        store, llm, embedding = self.settings.store, self.settings.llm, self.settings.embedding
        checks = [Check("vector store", store.chroma_url or f"embedded Chroma at {self.home.chroma}")]
        if store.chroma_url:
            checks.append(
                _ping(
                    "chroma server",
                    lambda: f"answers (Chroma {chroma_heartbeat(store.chroma_url, store.chroma_token)})",
                )
            )
        generation = f"{llm.url} ({llm.server_api})" if llm.url else "in-process llama.cpp"
        checks.append(Check("generation", generation))
        if llm.url:
            checks.append(_ping("model server", lambda: _serves(llm.url, llm.api_key, llm.server_model)))
        checks.append(Check("embedding", embedding.url or "in-process sentence-transformers"))
        if embedding.url:
            checks.append(
                _ping(
                    "embedding server",
                    lambda: _serves(embedding.url, embedding.api_key, embedding.server_model),
                )
            )
        return checks

    def _model_checks(self, load: bool) -> list[Check]:
        checks: list[Check] = []
        step = "embedder loads"  # the check a failure is reported under
        try:
            if not self.settings.embedding.url:
                path = self.embedding_path()
                checks.append(Check("embedding model", str(path), path.is_dir()))
            if load:
                embedder = self.library.embedder
                checks.append(Check(step, f"{embedder.name}, reads {embedder.max_tokens} tokens"))
                step = "vectors"
                store = self.library.store
                checks.append(Check(step, f"{store.count()} in {store.collection}"))
                step = "consistency"
                report = self.library.repair()
                checks.append(
                    Check(
                        step,
                        ", ".join(f"{k}={v}" for k, v in report.items()),
                        report["pending_papers"] == 0,
                    )
                )
        except REPORTED as exc:
            checks.append(Check(step, message(exc), False))
        try:
            if not self.settings.llm.url:
                gguf = self._gguf_path()
                checks.append(Check("GGUF model", str(gguf), gguf.is_file()))
            if load:
                generator = self._generator()
                checks.append(
                    Check("generator loads", f"{generator.name}, {generator.context_tokens}-token context")
                )
                checks.append(Check("prompt form", prompt_form(generator.has_chat_template)))
        except REPORTED as exc:
            checks.append(Check("generator loads", message(exc), False))
        if load and not self.settings.llm.url:
            checks += self._runtime_checks()
        return checks

    def _runtime_checks(self) -> list[Check]:
        """How llama.cpp was built, where it runs, and a self-test of both models in one child process.

        The self-test always puts the embedder and the generator in one process, the hardest case:
        on an AMX CPU with an AMX build of llama.cpp that process dies of SIGILL. With generation
        in its own process (llm.isolation = "process") such a death cannot reach paperlamp, so it
        is reported as a fact, not a failure.
        """
        settings = self.settings
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
            gguf = self._gguf_path()
            embedder = None if settings.embedding.url else self.embedding_path()
        except REPORTED as exc:
            return [*checks, Check("model self-test", message(exc), False)]
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


def _ping(name: str, ask: Callable[[], str]) -> Check:
    try:
        return Check(name, ask())
    except REPORTED as exc:
        return Check(name, message(exc), False)


def _serves(url: str, api_key: str, wanted: str) -> str:
    names = served_models(url, api_key=api_key)
    if wanted and wanted not in names:
        raise BadInput(
            f"the server at {url} has no model {wanted}; it serves: {', '.join(names) or 'nothing'}"
        )
    return f"answers, serves: {', '.join(names) or 'nothing'}"


def prompt_form(has_chat_template: bool) -> str:
    """How prompts reach the model: its chat template, or plain text ending in a cue."""
    if has_chat_template:
        return "chat template (the model's own, via create_chat_completion)"
    return "plain text ending in a cue (a base model without a chat template)"


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


def _ocr_check(mode: str) -> Check:
    """Whether scanned pages can be read: Tesseract's language data, or what to install."""
    if mode == "off":
        return Check("OCR (Tesseract)", 'off (pdf.ocr = "off")')
    folder = tessdata()
    if folder is None:
        return Check("OCR (Tesseract)", "not installed: scanned PDFs are refused; install tesseract-ocr")
    return Check("OCR (Tesseract)", f"{mode}, language data in {folder}")
