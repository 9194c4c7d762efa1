"""Generation speed of a GGUF model (default: the bundled Gemma 3 270M Q4_K_M), per llama.cpp build.

Reads a ~1,500-token prompt of evidence and writes up to 128 tokens, three times, and reports
prompt reading and generation speed in tokens per second, with 1 and 2 threads. `--python` runs
the same measurement under other interpreters (other virtualenvs with another llama-cpp-python
version or build) in the same run, one after the other, so the rows compare like with like.
The last table compares generation in the calling process with the supervised model process
(llm.isolation): start-up, a token count round trip, and a whole answer.

    .venv/bin/python bench/generation.py [--model PATH.gguf] [--python OTHER/bin/python ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.generator import LlamaCppGenerator, Prompt, bundled_gguf_path, llama_system_info  # noqa: E402

PASSAGE = (
    "We measured the activity of the hydrolase across temperatures from 20 to 70 degrees Celsius "
    "and found a sharp optimum at 42 degrees, with half of the peak activity remaining at 55 degrees. "
)
PROMPT = Prompt(
    instruction="Question: At what temperature is the enzyme most active? Answer in one sentence.",
    material="\n\n".join(f"[{i}] {PASSAGE * 3}" for i in range(1, 9)),
    cue="Answer:",
)


def speeds(model: Path, threads: int) -> tuple[float, float]:
    """(prompt tokens/s, generated tokens/s), medians of three runs."""
    generator = LlamaCppGenerator(model, context_tokens=4096, threads=threads)
    prompt_tokens = generator.count_tokens(PROMPT.as_text())
    reading, writing = [], []
    for _ in range(3):
        stamps: list[float] = []
        started = time.perf_counter()
        generator._llm.reset()  # no prompt cache between runs: measure reading every time
        generator.generate(
            PROMPT, max_tokens=128, on_token=lambda _t, s=stamps: s.append(time.perf_counter())
        )
        if len(stamps) < 2:
            continue
        reading.append(prompt_tokens / (stamps[0] - started))
        writing.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    return statistics.median(reading), statistics.median(writing)


def child_rows(model: Path) -> list[dict[str, object]]:
    """This interpreter's rows: its llama-cpp-python version and build, 1 and 2 threads."""
    import importlib.metadata

    version = importlib.metadata.version("llama-cpp-python")
    info = llama_system_info()
    build = "AMX kernels ON" if "AMX_INT8 = 1" in info else "no AMX kernels"
    rows = []
    for threads in (1, 2):
        reading, writing = speeds(model, threads)
        rows.append(
            {"version": version, "build": build, "threads": threads, "read": reading, "write": writing}
        )
    return rows


def isolation_rows(model: Path) -> list[tuple[str, float, float, float]]:
    """(how, start-up s, token count ms, answer s) for inline and for the supervised model process."""
    from models.isolated import ChildProcessGenerator, ModelSpec

    rows = []
    for how in ("inline", "process"):
        started = time.perf_counter()
        if how == "inline":
            generator: LlamaCppGenerator | ChildProcessGenerator = LlamaCppGenerator(
                model, context_tokens=4096
            )
        else:
            generator = ChildProcessGenerator(ModelSpec(str(model), context_tokens=4096))
            generator.count_tokens("start")
        start = time.perf_counter() - started
        counted = time.perf_counter()
        for _ in range(200):
            generator.count_tokens(PASSAGE)
        count_ms = (time.perf_counter() - counted) / 200 * 1000
        answers = []
        for _ in range(3):
            began = time.perf_counter()
            generator.generate(PROMPT, max_tokens=64)
            answers.append(time.perf_counter() - began)
        rows.append((how, start, count_ms, statistics.median(answers)))
        if isinstance(generator, ChildProcessGenerator):
            generator.close()
    return rows


def main() -> None:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the bundled model)")
    parser.add_argument("--python", action="append", default=[], help="another interpreter to measure")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = args.model or bundled_gguf_path(Path(tempfile.gettempdir()) / "paperlamp-bench")
    if args.child:
        print(json.dumps(child_rows(model)))
        return
    rows = child_rows(model)
    for python in args.python:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [python, __file__, "--child", "--model", str(model)], capture_output=True, text=True, env=env
        )
        if done.returncode != 0:
            print(f"{python} failed ({done.returncode}): {done.stderr.strip()[-300:]}", file=sys.stderr)
            continue
        rows += json.loads(done.stdout.strip().splitlines()[-1])
    print(f"| {model.name}: llama-cpp-python | build | threads | prompt tok/s | generated tok/s |")
    print("|---|---|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['version']} | {row['build']} | {row['threads']} "
            f"| {row['read']:.0f} | {row['write']:.1f} |"
        )
    print()
    print("| generation runs | start-up s | token count ms | 64-token answer s |")
    print("|---|---:|---:|---:|")
    for how, start, count_ms, answer in isolation_rows(model):
        print(f"| {how} | {start:.2f} | {count_ms:.3f} | {answer:.2f} |")


if __name__ == "__main__":
    main()
