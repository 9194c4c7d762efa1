"""Search and ask latency, embedded vs servers, on the 40-paper LitQA2 library.

A copy of bench/results/litqa2 (its catalog, vectors embedded again) is migrated to a
`chroma run` server on loopback, and the bundled Gemma 3 270M is served by llama.cpp's
OpenAI-compatible server (same threads and context as the in-process model). Both setups share
one in-process embedder, so the rows differ only in the
store and the generator.

    .venv/bin/python bench/servers.py [--searches 30] [--asks 5] [--library bench/results/litqa2]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import Assistant, build_assistant  # noqa: E402
from assistant.evaluation.data import load_litqa2  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from models.embedder import (  # noqa: E402
    BUNDLED_EMBEDDING_NAME,
    SentenceTransformerEmbedder,
    bundled_embedding_model_path,
)
from models.generator import bundled_gguf_path  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
LIBRARY = ROOT / "bench" / "results" / "litqa2"
BIN = Path(sys.executable).parent
THREADS = os.cpu_count() or 1


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def die_with_parent() -> None:
    """Have Linux end the server when this script dies, even killed or crashed (PR_SET_PDEATHSIG)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def note(text: str) -> None:
    """Progress on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def serve(command: list[str], log: Path, ready_url: str) -> subprocess.Popen:
    """Start a server and wait (at most 120 s) until `ready_url` answers 200."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{command[0]} did not start:\n{log.read_text()[-2000:]}")


def timings(run: Callable[[str], object], inputs: list[str]) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    run(inputs[0])
    out = []
    for text in inputs:
        started = time.perf_counter()
        run(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(assistant: Assistant, questions: list[str], asks: int) -> tuple[list[float], list[float]]:
    """Search (k=10) and ask latencies."""
    search = timings(lambda q: assistant.searcher.search(q, 10), questions)
    ask = timings(lambda q: assistant.asker.ask(q), questions[:asks])
    return search, ask


def main() -> None:
    """Copy the library, start both servers, migrate, measure both setups, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--searches", type=int, default=30)
    parser.add_argument("--asks", type=int, default=5)
    parser.add_argument("--library", type=Path, default=LIBRARY, help="the 40-paper LitQA2 library folder")
    args = parser.parse_args()
    questions = [q.question for q in load_litqa2(EVAL / "litqa2")][: args.searches]
    work = Path(tempfile.mkdtemp(prefix="paperlamp-bench-servers-"))
    os.environ["PAPERLAMP_CONFIG"] = str(work / "config.toml")  # migrate records the server here
    home = work / "litqa2"
    home.mkdir()
    # The catalog is copied through SQLite's backup API (consistent while others write to it); the
    # vectors are embedded again from its chunks, since a Chroma folder copied mid-write can be torn.
    with (
        sqlite3.connect(args.library / "catalog.sqlite") as source,
        sqlite3.connect(home / "catalog.sqlite") as copy,
    ):
        source.backup(copy)
    gguf = bundled_gguf_path(Path(tempfile.mkdtemp(dir=work)))
    chroma_port, llm_port = free_port(), free_port()
    chroma_url, llm_url = f"http://127.0.0.1:{chroma_port}", f"http://127.0.0.1:{llm_port}"
    chroma_command = [str(BIN / "chroma"), "run", "--path", str(work / "server-db")]
    chroma = serve(
        [*chroma_command, "--host", "127.0.0.1", "--port", str(chroma_port)],
        work / "chroma.log",
        f"{chroma_url}/api/v2/heartbeat",
    )
    threads = ["--n_threads", str(THREADS), "--n_threads_batch", str(THREADS)]
    llm_command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--n_ctx", "4096"]
    llm = serve(
        [
            *llm_command,
            *threads,
            "--model_alias",
            "gemma-3-270m",
            "--host",
            "127.0.0.1",
            "--port",
            str(llm_port),
        ],
        work / "llama.log",
        f"{llm_url}/v1/models",
    )
    try:
        embedder = SentenceTransformerEmbedder(bundled_embedding_model_path(), name=BUNDLED_EMBEDDING_NAME)
        base = load_settings(home=home, llm={"context_tokens": 4096, "threads": THREADS})
        library = build_assistant(base, embedder=embedder).library
        note("embedding the copied catalog's chunks")
        library._embed_missing([(p, library.chunks(p.id)) for p in library.papers()], lambda f: None)
        note("migrating")
        started = time.perf_counter()
        moved = build_assistant(base).migration.to_server(chroma_url)
        migrate_s = time.perf_counter() - started
        vectors = sum(c.vectors for c in moved.collections)
        note("measuring embedded")
        embedded = build_assistant(base, embedder=embedder)
        rows = [("embedded Chroma + in-process llama.cpp", *measure(embedded, questions, args.asks))]
        embedded.close()
        served = load_settings(
            home=home,
            store={"chroma_url": chroma_url},
            llm={"url": llm_url, "server_api": "completions", "context_tokens": 4096},
        )
        note("measuring servers")
        server = build_assistant(served, embedder=embedder)
        rows.append(("Chroma server + llama.cpp server", *measure(server, questions, args.asks)))
        server.close()
    finally:
        for process in (chroma, llm):
            process.terminate()
            process.wait(timeout=15)
    print(f"migrated {vectors} vectors in {migrate_s:.1f} s; {len(questions)} searches, {args.asks} asks")
    print("| setup | search p50 ms | search p95 ms | ask p50 s | ask p95 s |")
    print("|---|---|---|---|---|")
    for name, search, ask in rows:
        print(
            f"| {name} | {p(search, 0.5):.0f} | {p(search, 0.95):.0f} | "
            f"{p(ask, 0.5) / 1000:.1f} | {p(ask, 0.95) / 1000:.1f} |"
        )
    print(f"(median of {statistics.median([len(q) for q in questions]):.0f}-character questions)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
