"""Sweep the fusion weight on the benchmark libraries that bench/retrieval.py built.

Prints, for each dense weight, LitQA2 hit@10, SciFact nDCG@10 and QASPER recall@10 (own paper),
so a default is chosen on all three corpora at once, not on one question set.

    .venv/bin/python bench/tune_fusion.py [--weights 0.3,0.4,0.5,0.6,0.7]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluation.data import load_litqa2, load_qasper, load_scifact  # noqa: E402
from assistant.evaluation.retrieval import litqa2_retrieval, qasper_retrieval, scifact_retrieval  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"


def main() -> None:
    """Print one row per weight."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", default="0.3,0.4,0.5,0.6,0.7")
    parser.add_argument("--fusions", default="weighted,rrf")
    args = parser.parse_args()
    libraries = {
        name: build_assistant(load_settings(home=RESULTS / name))
        for name in ("litqa2", "scifact", "qasper")
        if (RESULTS / name / "catalog.sqlite").is_file()
    }
    litqa = load_litqa2(EVAL / "litqa2")
    _, queries, qrels = load_scifact(EVAL / "scifact")
    _, questions = load_qasper(EVAL / "qasper")
    print("| method | LitQA2 hit@10 | SciFact nDCG@10 | QASPER recall@10 |")
    print("|---|---:|---:|---:|")
    for fusion in args.fusions.split(","):
        weights = [float(w) for w in args.weights.split(",")] if fusion == "weighted" else [0.0]
        for weight in weights:
            row = []
            for name, lib in libraries.items():
                lib.searcher.dense_weight = weight
                if name == "litqa2":
                    row.append(
                        litqa2_retrieval(lib.searcher, litqa, ks=(10,), fusions=(fusion,)).rows[0][1][0]
                    )
                elif name == "scifact":
                    row.append(
                        scifact_retrieval(lib.searcher, queries, qrels, fusions=(fusion,)).rows[0][1][0]
                    )
                else:
                    row.append(
                        qasper_retrieval(lib.searcher, questions, ks=(10,), fusions=(fusion,)).rows[0][1][0]
                    )
            label = f"{fusion} {weight:.2f}" if fusion == "weighted" else fusion
            print(f"| {label} | " + " | ".join(f"{v:.3f}" for v in row) + " |", flush=True)


if __name__ == "__main__":
    main()
