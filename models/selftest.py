"""A crash-proof self-test of the models: embed and generate in a child process, and say how it ended.

On some machines the two native libraries cannot share a process (llama.cpp's AMX kernels beside
torch's bf16 kernels die of SIGILL), and some GGUF files abort llama.cpp outright. Both kill the
process that tries, so the test runs in a child: it embeds, reads a prompt of a few hundred tokens
(long enough for llama.cpp's batched matrix path), generates, and does it again, `rounds` times.
The parent reports the child's end as a sentence naming the signal and the step it died in.

    python -m models.selftest --gguf FILE [--embedder DIR] [--precision auto] [--rounds 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from models.isolated import describe_death, signal_name

_PASSAGE = (
    "We measured the activity of the hydrolase across temperatures from 20 to 70 degrees Celsius "
    "and found a sharp optimum at 42 degrees, with half of the peak activity left at 55 degrees. "
)


@dataclass(frozen=True)
class SelfTest:
    """How the self-test child ended: the steps it finished, and a sentence for people."""

    ok: bool
    message: str
    steps: tuple[str, ...]
    returncode: int
    seconds: float

    @property
    def signal(self) -> str:
        """The signal that killed the child by name ("SIGILL"), or "" when none did."""
        return signal_name(self.returncode) if self.returncode < 0 else ""


def run_self_test(
    gguf: Path,
    *,
    embedder: Path | None = None,
    precision: str = "auto",
    rounds: int = 1,
    context_tokens: int = 2048,
    threads: int = 0,
    timeout: float = 600.0,
    python: str = sys.executable,
) -> SelfTest:
    """Run the self-test in a child process (embedding too when `embedder` is given)."""
    command = [python, "-m", "models.selftest", "--gguf", str(gguf), "--rounds", str(rounds)]
    command += ["--context", str(context_tokens), "--threads", str(threads)]
    if embedder is not None:
        command += ["--embedder", str(embedder), "--precision", precision]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return SelfTest(False, f"the model self-test did not finish in {timeout:.0f} s", (), 1, timeout)
    seconds = time.perf_counter() - started
    steps = tuple(ln.split(" ", 1)[1] for ln in done.stdout.splitlines() if ln.startswith("step "))
    if done.returncode == 0 and "ok" in done.stdout.split():
        what = "embedded and generated" if embedder is not None else "generated"
        return SelfTest(True, f"{what} in one process, {rounds} round(s), {seconds:.1f} s", steps, 0, seconds)
    failed = [ln[6:] for ln in done.stdout.splitlines() if ln.startswith("error ")]
    if done.returncode > 0 and failed:
        return SelfTest(False, failed[-1], steps, done.returncode, seconds)
    doing = _doing(steps, embedder is not None)
    tail = next((ln for ln in reversed(done.stderr.splitlines()) if "GGML_ASSERT" in ln), "")
    return SelfTest(
        False, describe_death(done.returncode, doing, tail.strip()[:300]), steps, done.returncode, seconds
    )


def _doing(steps: tuple[str, ...], embeds: bool) -> str:
    """The step the child died in: the one after the last it reported finished."""
    if not steps:
        return "loading the models"
    last = steps[-1].split()[0]
    following = "generating" if last == "embed" or not embeds else "embedding"
    return f"{following} (after: {', '.join(steps[-3:])})"


def _child(args: argparse.Namespace) -> int:
    """The child's side: load, then embed and generate `rounds` times, printing each step done."""
    from models.errors import BackendError
    from models.generator import LlamaCppGenerator, Prompt

    def step(text: str) -> None:
        print(f"step {text}", flush=True)

    try:
        embedder = None
        if args.embedder:
            from models.embedder import SentenceTransformerEmbedder

            embedder = SentenceTransformerEmbedder(Path(args.embedder), precision=args.precision)
        generator = LlamaCppGenerator(Path(args.gguf), context_tokens=args.context, threads=args.threads)
        step("load")
        prompt = Prompt(
            instruction="Question: At what temperature is the enzyme most active? Answer in one sentence.",
            material="\n\n".join(f"[{i}] {_PASSAGE}" for i in range(1, 7)),
            cue="Answer:",
        )
        for n in range(1, args.rounds + 1):
            if embedder is not None:
                embedder.embed([_PASSAGE, prompt.instruction, f"round {n}"])
                step(f"embed {n}")
            generator.generate(prompt, max_tokens=12)
            step(f"generate {n}")
    except BackendError as exc:
        print(f"error {exc}", flush=True)
        return 2
    print("ok", flush=True)
    return 0


def main() -> None:
    """Entry point of the child."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gguf", required=True)
    parser.add_argument("--embedder")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--context", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=0)
    sys.exit(_child(parser.parse_args()))


if __name__ == "__main__":
    main()
