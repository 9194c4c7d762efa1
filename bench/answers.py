"""Answer quality per half of the dev data: QASPER answer F1 / abstention, LitQA2 multiple choice.

Questions are split by paper (the paper id's sha256, even or odd), so half A and half B share no
paper: tune on A, report B, and both. Each QASPER half gets two rows: the configured model, and the
extractive baseline (the same pipeline with a model that writes nothing, so every answer is the
evidence sentences quoted). LitQA2 rows are those of `paperlamp eval litqa2`.

    nice -n 10 .venv/bin/python bench/answers.py qasper [--home DIR] [--model GGUF]
    nice -n 10 .venv/bin/python bench/answers.py litqa2 [--home DIR] [--model GGUF]

`--log FILE` writes one JSON line per question and row (the answer, its score, and every candidate
answer the checks turned down with why), to find what the checks reject and why. `--cache FILE`
keeps the model's replies across runs, so a change to the checks is re-scored without generating.
`--unseen 20` takes only the questions that `--per-half 20` (the runs reported until 2026-12-02)
left out, so a half already reported once can be reported again on questions no one tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answers.ask import Asker  # noqa: E402
from assistant.build import build_assistant  # noqa: E402
from assistant.evaluation.answers import litqa2_answers, qasper_answers  # noqa: E402
from assistant.evaluation.data import litqa2_pdfs, load_litqa2, load_qasper  # noqa: E402
from assistant.evaluation.retrieval import add_eval_docs  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from models.generator import Generator, Prompt  # noqa: E402

T = TypeVar("T")
EVAL = ROOT.parent / "shared" / "eval"


class Silent:
    """A generator that writes nothing: the answer pipeline then quotes its evidence (the baseline)."""

    name = "extractive (no model)"
    context_tokens = 8192
    has_chat_template = False

    def generate(
        self, prompt: Prompt, *, max_tokens: int = 256, stop: Sequence[str] = (), on_token=None
    ) -> str:  # type: ignore[no-untyped-def]
        """Nothing."""
        return ""

    def count_tokens(self, text: str) -> int:
        """A rough count (never used for truncation here)."""
        return len(text.split())


class Cached:
    """The configured generator, remembering each reply: the "both" rows then reuse the halves', and
    with a `path` later runs reuse this one's (keyed by model, prompt and limits)."""

    def __init__(self, inner: Generator, path: Path | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.context_tokens = inner.context_tokens
        self.has_chat_template = inner.has_chat_template
        self.path = path
        self._seen: dict[str, str] = json.loads(path.read_text()) if path and path.exists() else {}

    def generate(
        self, prompt: Prompt, *, max_tokens: int = 256, stop: Sequence[str] = (), on_token=None
    ) -> str:  # type: ignore[no-untyped-def]
        """The inner model's reply, generated once per prompt."""
        parts = [self.name, prompt.as_text(), prompt.as_messages(), max_tokens, list(stop)]
        key = json.dumps([*parts, prompt.span_of] if prompt.span_of else parts)  # older keys still hit
        if key not in self._seen:
            self._seen[key] = self.inner.generate(prompt, max_tokens=max_tokens, stop=stop)
            if self.path:
                self.path.write_text(json.dumps(self._seen))
        return self._seen[key]

    def count_tokens(self, text: str) -> int:
        """The inner model's count."""
        return self.inner.count_tokens(text)


def _progress(label: str, done: int, total: int) -> None:
    print(f"{done}/{total} {label}", file=sys.stderr, flush=True)


def _recorder(log: IO[str] | None, row: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    """Writes each question's record, with its half and row, as a JSON line to `log` (if any)."""

    def record(data: dict[str, Any]) -> None:
        if log:
            log.write(json.dumps(row | data) + "\n")
            log.flush()

    return record


def _spread(items: list[T], n: int | None) -> list[T]:
    """`n` items taken evenly through `items` (so across its papers), or all of them."""
    if n is None or n >= len(items):
        return items
    return items[:: len(items) // n][:n]


def _left_out(items: list[T], n: int) -> list[T]:
    """The items `_spread(items, n)` does not take."""
    taken = {id(item) for item in _spread(items, n)}
    return [item for item in items if id(item) not in taken]


def half_of(paper_key: str) -> str:
    """'A' or 'B', fixed per paper."""
    return "A" if hashlib.sha256(paper_key.encode()).digest()[0] % 2 == 0 else "B"


def main() -> None:
    """Print the answer tables for half A, half B and both."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("benchmark", choices=("qasper", "litqa2"))
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--model", default=None, help="a GGUF file instead of the configured model")
    parser.add_argument("--halves", default="A,B,both")
    parser.add_argument("--per-half", type=int, default=None, help="only the first N questions of each half")
    parser.add_argument(
        "--unseen",
        type=int,
        default=None,
        help="only the questions of each half that --per-half N leaves out (those no earlier run saw)",
    )
    parser.add_argument("--data", type=Path, default=EVAL, help="the evaluation data folder")
    parser.add_argument("--log", type=Path, default=None, help="one JSON line per question and row")
    parser.add_argument("--cache", type=Path, default=None, help="keep the model's replies in this file")
    args = parser.parse_args()
    log = args.log.open("w") if args.log else None
    home = args.home or ROOT / "bench" / "results" / args.benchmark
    settings = load_settings(home=home)
    if args.model:
        settings.llm.model = args.model
    assistant = build_assistant(settings)
    built = assistant.asker
    cached = Cached(built.generator, args.cache)
    asker = Asker(
        built.searcher,
        lambda: cached,
        min_evidence=built.min_evidence,
        max_answer_tokens=built.max_answer_tokens,
    )
    silent = Asker(built.searcher, Silent, min_evidence=built.min_evidence)
    if args.benchmark == "qasper":
        docs, questions = load_qasper(args.data / "qasper")
        add_eval_docs(assistant.library, docs)
        groups = {h: _spread([q for q in questions if half_of(q.paper_id) == h], args.per_half) for h in "AB"}
        if args.unseen is not None:
            groups = {h: _left_out(g, args.unseen) for h, g in groups.items()}
        groups["both"] = groups["A"] + groups["B"]
        for name in args.halves.split(","):
            for each in (asker, silent):
                row = {"half": name, "row": each.generator.name}
                table = qasper_answers(each, groups[name], _progress, _recorder(log, row))
                print(f"half {name}\n" + table.markdown() + "\n", flush=True)
    else:
        lit = load_litqa2(args.data / "litqa2")
        list(assistant.library.add(litqa2_pdfs(args.data / "litqa2")))
        groups_l = {
            "A": [q for q in lit if half_of(q.id) == "A"],
            "B": [q for q in lit if half_of(q.id) == "B"],
        }
        groups_l["both"] = list(lit)
        for name in args.halves.split(","):
            row = {"half": name, "row": asker.generator.name}
            table = litqa2_answers(asker, groups_l[name], _progress, _recorder(log, row))
            print(f"half {name}\n" + table.markdown() + "\n", flush=True)
    assistant.close()


if __name__ == "__main__":
    main()
