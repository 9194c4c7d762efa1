"""Does reranking help? LitQA2 key-passage hit@k for the fused order, the reranked order and MMR.

Reuses the LitQA2 library bench/retrieval.py builds (bench/results/litqa2); a weight grid can be
given to compare settings of the reranker.

    .venv/bin/python bench/rerank.py [--depth 20] [--grid] [--home DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluation.data import load_litqa2  # noqa: E402
from assistant.evaluation.retrieval import share_in  # noqa: E402
from assistant.retrieval.rerank import Weights, mmr, rerank  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from ingest.text import ascii_tokens  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
KS = (1, 3, 5, 10)


def first_hit(order, q) -> int | None:  # type: ignore[no-untyped-def]
    """Rank of the first chunk holding the key passage, from the right paper."""
    key = ascii_tokens(q.key_passage)
    for rank, h in enumerate(order):
        if h.source == q.pdf.name and share_in(key, set(ascii_tokens(h.text))) >= 0.7:
            return rank
    return None


def main() -> None:
    """Print hit@k per ordering."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--home", type=Path, default=ROOT / "bench" / "results" / "litqa2")
    args = parser.parse_args()
    assistant = build_assistant(load_settings(home=args.home))
    if not assistant.library.papers():
        sys.exit("build the LitQA2 library first: .venv/bin/python bench/retrieval.py --only litqa2")
    questions = [q for q in load_litqa2(EVAL / "litqa2") if q.pdf and q.key_passage]
    embedder = assistant.library.embedder
    candidates = {q.id: assistant.searcher.search(q.question, args.depth) for q in questions}
    grid = [Weights()]
    if args.grid:
        grid += [
            Weights(f, s, o)
            for f, s, o in [(1, 0, 0), (0, 1, 0), (0, 0, 1), (0.5, 0.5, 0), (0.2, 0.6, 0.2), (0.4, 0.4, 0.2)]
        ]
    rows = {"fused": [first_hit(candidates[q.id], q) for q in questions]}
    for w in grid:
        ranked = {q.id: rerank(q.question, candidates[q.id], embedder, w) for q in questions}
        label = f"rerank {w.fused}/{w.sentence}/{w.overlap}"
        rows[label] = [first_hit([s.hit for s in ranked[q.id]], q) for q in questions]
        rows[label + " +mmr"] = [first_hit([s.hit for s in mmr(ranked[q.id], 10)], q) for q in questions]
    print(f"| LitQA2 (n={len(questions)}, depth {args.depth}) | " + " | ".join(f"hit@{k}" for k in KS) + " |")
    print("|---|" + "---:|" * len(KS))
    for name, firsts in rows.items():
        cells = [sum(f is not None and f < k for f in firsts) / len(firsts) for k in KS]
        print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
