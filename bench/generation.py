"""Generation speed of the configured GGUF model (default: the bundled Gemma 3 270M Q4_K_M).

Reads a ~1,500-token prompt of evidence and writes up to 128 tokens, three times, and reports
prompt reading and generation speed in tokens per second, with 1 and 2 threads.

    .venv/bin/python bench/generation.py [--model PATH.gguf]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.generator import LlamaCppGenerator, Prompt, bundled_gguf_path  # noqa: E402

PASSAGE = (
    "We measured the activity of the hydrolase across temperatures from 20 to 70 degrees Celsius "
    "and found a sharp optimum at 42 degrees, with half of the peak activity remaining at 55 degrees. "
)


def run(model: Path, threads: int) -> tuple[float, float]:
    """(prompt tokens/s, generated tokens/s), medians of three runs."""
    generator = LlamaCppGenerator(model, context_tokens=4096, threads=threads)
    prompt = Prompt(
        instruction="Question: At what temperature is the enzyme most active? Answer in one sentence.",
        material="\n\n".join(f"[{i}] {PASSAGE * 3}" for i in range(1, 9)),
        cue="Answer:",
    )
    prompt_tokens = generator.count_tokens(prompt.as_text())
    reading, writing = [], []
    for _ in range(3):
        stamps: list[float] = []
        started = time.perf_counter()
        generator._llm.reset()  # no prompt cache between runs: measure reading every time
        generator.generate(
            prompt, max_tokens=128, on_token=lambda _t, s=stamps: s.append(time.perf_counter())
        )
        if len(stamps) < 2:
            continue
        reading.append(prompt_tokens / (stamps[0] - started))
        writing.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    return statistics.median(reading), statistics.median(writing)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the bundled model)")
    args = parser.parse_args()
    model = args.model or bundled_gguf_path(Path(tempfile.gettempdir()) / "paperlamp-bench")
    print(f"| {model.name} | prompt tok/s | generated tok/s |")
    print("|---|---:|---:|")
    for threads in (1, 2):
        reading, writing = run(model, threads)
        print(f"| {threads} thread{'s' if threads > 1 else ''} | {reading:.0f} | {writing:.1f} |")


if __name__ == "__main__":
    main()
