"""Generation in a supervised child process, so a model that crashes cannot take its caller down.

llama.cpp aborts the whole process on some GGUF files (a failed GGML_ASSERT, a truncated file) and
on some CPUs (an illegal instruction), and a Streamlit app is one process serving every tab and
every background job. So by default the GGUF model runs in a child process of its own, spoken to
over a pipe in JSON lines. When the child dies, the caller gets a BackendError saying how (the
signal by name, what usually causes it, and the setting that avoids it); the next request starts a
fresh child. The embedder stays in the parent, so torch and llama.cpp never share a process.

    python -m models.isolated    the child's side (started by ChildProcessGenerator, never by hand)
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from models.errors import BackendError
from models.generator import Prompt, TokenCallback

# What usually kills a llama.cpp process, by signal, and what to do about it.
_CAUSES = {
    "SIGILL": (
        "the CPU met an instruction it does not have: a llama.cpp build for another CPU, or (on "
        "CPUs with AMX) llama.cpp's AMX kernels next to torch's bf16 kernels in one process",
        "rerun ./setup.sh, which builds llama-cpp-python without AMX kernels for this CPU, or set "
        "PAPERLAMP_EMBEDDING__PRECISION=float32",
    ),
    "SIGABRT": (
        "llama.cpp stopped on a failed check (GGML_ASSERT), usually a GGUF file it cannot run: "
        "truncated, corrupt, or of an architecture this llama.cpp does not know",
        "check the file with `paperlamp doctor`, or point PAPERLAMP_LLM_MODEL at another GGUF file",
    ),
    "SIGSEGV": (
        "llama.cpp read memory it should not: a corrupt GGUF file or a llama.cpp bug",
        "try another GGUF file (PAPERLAMP_LLM_MODEL), or a smaller llm.context_tokens",
    ),
    "SIGBUS": (
        "the GGUF file changed or shrank while it was mapped",
        "do not modify the model file while paperlamp uses it",
    ),
    "SIGKILL": (
        "the process was killed, most often by the kernel for running out of memory",
        "lower llm.context_tokens or use a smaller GGUF model",
    ),
}


def signal_name(returncode: int) -> str:
    """The signal that ended a process by name ("SIGILL" for returncode -4), else "exit status N"."""
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"exit status {returncode}"


def describe_death(returncode: int, doing: str, stderr_tail: str = "") -> str:
    """One sentence: how the model process died while `doing` something, the likely cause, the fix."""
    name = signal_name(returncode)
    how = name
    if returncode < 0:
        with_reason = signal.strsignal(-returncode)
        how = f"{name} ({with_reason.lower()})" if with_reason else name
    message = f"the model process died of {how} while {doing}"
    cause, fix = _CAUSES.get(name, ("", ""))
    if cause:
        message += f"; likely cause: {cause}; to avoid it: {fix}"
    if stderr_tail:
        message += f" (llama.cpp said: {stderr_tail})"
    return message


@dataclass(frozen=True)
class ModelSpec:
    """How to load a GGUF model: everything the child needs, and nothing that cannot be JSON."""

    path: str
    context_tokens: int = 8192
    threads: int = 0
    temperature: float = 0.0
    seed: int = 0


class ChildProcessGenerator:
    """A GGUF model run by llama.cpp in a child process that is restarted when it dies.

    It implements the Generator protocol; callers cannot tell it from LlamaCppGenerator, except that
    a crash of the model becomes a BackendError here instead of the end of the process.
    """

    def __init__(self, spec: ModelSpec, *, python: str = sys.executable) -> None:
        if not Path(spec.path).is_file():
            raise BackendError(f"GGUF model file not found: {spec.path}")
        self.spec = spec
        self.name = Path(spec.path).name
        self._python = python
        self._child: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._reader: _LineReader | None = None
        self._info: dict[str, Any] = {}
        self._lock = threading.RLock()
        self.restarts = 0  # children started after the first one died

    # --- the Generator protocol --------------------------------------------------------------
    @property
    def context_tokens(self) -> int:
        """The context window llama.cpp gave the model (starts the child if it is not running)."""
        return int(self._ready()["context_tokens"])

    @property
    def has_chat_template(self) -> bool:
        """Whether the GGUF file carries a chat template (so prompts go as chat messages)."""
        return bool(self._ready()["has_chat_template"])

    @property
    def system_info(self) -> str:
        """llama.cpp's own list of the CPU features it was built with and uses."""
        return str(self._ready().get("system_info", ""))

    def count_tokens(self, text: str) -> int:
        """How many model tokens `text` uses."""
        return self.count_tokens_many([text])[0]

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """Token counts of several texts in one round trip."""
        with self._lock:
            reply = self._request({"op": "count", "texts": list(texts)}, "counting tokens")
            return [int(n) for n in reply["counts"]]

    def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        on_token: TokenCallback | None = None,
    ) -> str:
        """The model's continuation, streamed to `on_token` as the child writes it.

        When `on_token` raises (a caller that has seen enough), the child is told to stop, its
        answer is drained so the pipe stays in step, and the exception goes on to the caller.
        """
        with self._lock:
            self._ready()
            message = {
                "op": "generate",
                "prompt": asdict(prompt),
                "max_tokens": max_tokens,
                "stop": list(stop),
            }
            self._send(message, "generating")
            stopped: BaseException | None = None
            while True:
                reply = self._receive("generating")
                if "token" in reply:
                    if on_token is not None and stopped is None:
                        try:
                            on_token(reply["token"])
                        except BaseException as exc:
                            stopped = exc
                            self._send({"op": "cancel"}, "generating")
                    continue
                if stopped is not None:
                    raise stopped
                if "error" in reply:
                    raise BackendError(f"{self.name}: {reply['error']}")
                return str(reply["done"])

    def close(self) -> None:
        """Stop the child (it is started again on the next request)."""
        with self._lock:
            child, self._child = self._child, None
            if child is None:
                return
            try:
                if child.stdin:
                    child.stdin.close()
                child.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                child.kill()
                child.wait()
            self._close_pipes()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: nothing left to report to
            self.close()

    # --- the child ---------------------------------------------------------------------------
    def _ready(self) -> dict[str, Any]:
        with self._lock:
            if self._child is None or self._child.poll() is not None:
                self._start()
            return self._info

    def _start(self) -> None:
        if self._child is not None:  # it died: what it left is gone with it
            self._close_pipes()
            self.restarts += 1
        # llama.cpp's last words, for the error message; closed with the pipes
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._child = subprocess.Popen(
            [self._python, "-m", "models.isolated"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the parent, which stops the child itself
        )
        assert self._child.stdout is not None
        self._reader = _LineReader(self._child.stdout.fileno())
        self._send({"op": "load", "spec": asdict(self.spec)}, "loading the model")
        reply = self._receive("loading the model")
        if "error" in reply:
            self.close()
            raise BackendError(str(reply["error"]))
        self._info = dict(reply["ready"])

    def _request(self, message: dict[str, Any], doing: str) -> dict[str, Any]:
        self._ready()
        self._send(message, doing)
        reply = self._receive(doing)
        if "error" in reply:
            raise BackendError(f"{self.name}: {reply['error']}")
        return reply

    def _send(self, message: dict[str, Any], doing: str) -> None:
        child = self._child
        if child is None or child.stdin is None:
            raise BackendError(f"{self.name}: the model process is not running")
        try:
            child.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            child.stdin.flush()
        except (BrokenPipeError, OSError):
            self._died(doing)

    def _receive(self, doing: str) -> dict[str, Any]:
        line = self._reader.readline() if self._reader is not None else b""
        if not line:
            self._died(doing)
        return dict(json.loads(line))

    def _died(self, doing: str) -> None:
        """Turn the child's death into a BackendError; the next request starts a new child."""
        child = self._child
        code = child.wait() if child is not None else 1
        tail = self._stderr_tail()
        self._child = None
        self._close_pipes()
        self.restarts += 1
        raise BackendError(describe_death(code, doing, tail))

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        lines = [ln.strip() for ln in self._stderr.read().decode("utf-8", "replace").splitlines()]
        telling = [ln for ln in lines if "GGML_ASSERT" in ln or "error" in ln.lower()]
        return (telling or [ln for ln in lines if ln] or [""])[-1][:300]

    def _close_pipes(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._reader = None


class _LineReader:
    """Whole lines from a raw file descriptor, with its own buffer (so `select` never lies)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = b""

    def ready(self) -> bool:
        """Whether a whole line can be read without waiting."""
        if b"\n" in self._buffer:
            return True
        if not select.select([self.fd], [], [], 0)[0]:
            return False
        return self._fill()

    def readline(self) -> bytes:
        """The next line (with its newline), or b"" at the end of the stream."""
        while b"\n" not in self._buffer:
            if not self._fill():
                return b""
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def _fill(self) -> bool:
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        self._buffer += chunk
        return bool(chunk)


# --- the child's side ------------------------------------------------------------------------
def _serve() -> None:
    """Load the model the parent names, then answer its requests until stdin closes."""
    # The protocol owns the real stdout; anything C code prints goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = _LineReader(0)

    def send(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")

    from models.generator import LlamaCppGenerator

    generator: LlamaCppGenerator | None = None
    while line := requests.readline():
        request = json.loads(line)
        op = request.get("op")
        try:
            if op == "load":
                spec = ModelSpec(**request["spec"])
                generator = LlamaCppGenerator(
                    Path(spec.path),
                    context_tokens=spec.context_tokens,
                    threads=spec.threads,
                    temperature=spec.temperature,
                    seed=spec.seed,
                )
                send({"ready": generator.info()})
            elif generator is None:
                send({"error": "no model loaded"})
            elif op == "count":
                send({"counts": [generator.count_tokens(t) for t in request["texts"]]})
            elif op == "generate":
                send({"done": _generate(generator, request, requests, send)})
            elif op == "cancel":
                continue  # a cancel that arrived after its answer was done
            else:
                send({"error": f"unknown request {op!r}"})
        except BackendError as exc:
            send({"error": str(exc)})


class _Cancelled(Exception):
    """The parent asked the child to stop writing."""


def _generate(generator: Any, request: dict[str, Any], requests: _LineReader, send: Any) -> str:
    """Stream tokens to the parent until done or until the parent sends a cancel."""
    pieces: list[str] = []

    def on_token(text: str) -> None:
        pieces.append(text)
        send({"token": text})
        if requests.ready():
            raise _Cancelled

    try:
        generator.generate(
            Prompt(**request["prompt"]),
            max_tokens=int(request["max_tokens"]),
            stop=tuple(request["stop"]),
            on_token=on_token,
        )
    except _Cancelled:
        requests.readline()  # the cancel itself
    return "".join(pieces)


if __name__ == "__main__":
    _serve()
