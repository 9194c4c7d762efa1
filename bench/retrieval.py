"""Retrieval benchmark on ../shared/eval: LitQA2 hit@k, SciFact nDCG@10/recall@100, QASPER recall@k.

Each corpus is indexed once into its own library folder under bench/results/ (kept between runs;
--fresh rebuilds), then every retrieval method is scored: dense only, lexical (BM25) only, and
the fused ranking paperlamp uses.

    .venv/bin/python bench/retrieval.py [--only litqa2,scifact,qasper] [--fresh]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import Assistant, build_assistant  # noqa: E402
from assistant.eval_data import litqa2_pdfs, load_litqa2, load_qasper, load_scifact  # noqa: E402
from assistant.evaluation import (  # noqa: E402
    add_eval_docs,
    litqa2_retrieval,
    qasper_retrieval,
    scifact_retrieval,
)
from assistant.settings import load_settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"


def open_library(name: str, fresh: bool) -> Assistant:
    """A library folder for one corpus."""
    home = RESULTS / name
    if fresh and home.exists():
        shutil.rmtree(home)
    return build_assistant(load_settings(home=home))


def main() -> None:
    """Index what is missing, score every method, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="litqa2,scifact,qasper")
    parser.add_argument("--fresh", action="store_true", help="rebuild the libraries")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    tables = []
    if "litqa2" in wanted:
        assistant = open_library("litqa2", args.fresh)
        list(assistant.library.add(litqa2_pdfs(EVAL / "litqa2")))
        tables.append(litqa2_retrieval(assistant, load_litqa2(EVAL / "litqa2")))
    if "scifact" in wanted:
        assistant = open_library("scifact", args.fresh)
        docs, queries, qrels = load_scifact(EVAL / "scifact")
        started = time.perf_counter()
        add_eval_docs(assistant, docs)
        print(f"scifact indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        tables.append(scifact_retrieval(assistant, queries, qrels))
    if "qasper" in wanted:
        assistant = open_library("qasper", args.fresh)
        docs, questions = load_qasper(EVAL / "qasper")
        add_eval_docs(assistant, docs)
        tables.append(qasper_retrieval(assistant, questions))
        tables.append(qasper_retrieval(assistant, questions, pooled=True))
    for table in tables:
        print(table.markdown() + "\n")


if __name__ == "__main__":
    main()
