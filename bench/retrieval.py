"""Retrieval benchmark on ../shared/eval: LitQA2 hit@k, SciFact nDCG@10/recall@100, QASPER recall@k.

Each corpus is indexed once into its own library folder under bench/results/ (kept between runs;
--fresh rebuilds), then every retrieval method is scored: dense only, lexical (BM25) only, and
the fused ranking paperlamp uses.

    .venv/bin/python bench/retrieval.py [--only litqa2,scifact,qasper] [--fusions dense,weighted] [--fresh]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import Assistant, build_assistant  # noqa: E402
from assistant.evaluation.data import litqa2_pdfs, load_litqa2, load_qasper, load_scifact  # noqa: E402
from assistant.evaluation.retrieval import (  # noqa: E402
    FUSIONS,
    Table,
    add_eval_docs,
    litqa2_retrieval,
    qasper_retrieval,
    scifact_retrieval,
)
from assistant.settings import load_settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"


def open_library(name: str, fresh: bool, variant: str = "") -> Assistant:
    """A library folder for one corpus (and one variant of the settings, when comparing them)."""
    home = RESULTS / (f"{name}-{variant}" if variant else name)
    if fresh and home.exists():
        shutil.rmtree(home)
    return build_assistant(load_settings(home=home))


def latency(assistant: Assistant, queries: Sequence[str], label: str) -> str:
    """Search latency, end to end (query embedding, dense and BM25 lookups, fusion), as a table row."""
    assistant.searcher.search(queries[0], k=10)  # models loaded and caches warm, as in a session
    times = []
    for query in queries:
        started = time.perf_counter()
        assistant.searcher.search(query, k=10)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    chunks = assistant.library.store.count()
    return f"| {label} | {chunks} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} |"


def show(table: Table) -> Table:
    """Print a table as soon as it is scored (a long run cut short keeps what it measured)."""
    print(table.markdown() + "\n", flush=True)
    return table


def main() -> None:
    """Index what is missing, score every method, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="litqa2,scifact,qasper")
    parser.add_argument("--fresh", action="store_true", help="rebuild the libraries")
    parser.add_argument(
        "--variant",
        default="",
        help="keep the libraries in <corpus>-VARIANT folders (to compare settings given as PAPERLAMP_*)",
    )
    parser.add_argument(
        "--fusions",
        default=",".join(FUSIONS),
        help="methods to score, comma-separated (weighted+rerank takes ~1.5 s a query)",
    )
    args = parser.parse_args()
    fusions = args.fusions.split(",")
    wanted = set(args.only.split(","))
    tables = []
    speeds = ["| search latency | vectors | queries | p50 ms | p95 ms |", "|---|---:|---:|---:|---:|"]
    if "litqa2" in wanted:
        assistant = open_library("litqa2", args.fresh, args.variant)
        list(assistant.library.add(litqa2_pdfs(EVAL / "litqa2")))
        questions = load_litqa2(EVAL / "litqa2")
        tables.append(show(litqa2_retrieval(assistant.searcher, questions, fusions=fusions)))
        speeds.append(latency(assistant, [q.question for q in questions], "LitQA2 (40 papers)"))
    if "scifact" in wanted:
        assistant = open_library("scifact", args.fresh, args.variant)
        docs, queries, qrels = load_scifact(EVAL / "scifact")
        started = time.perf_counter()
        add_eval_docs(assistant.library, docs)
        print(f"scifact indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        tables.append(show(scifact_retrieval(assistant.searcher, queries, qrels, fusions)))
        speeds.append(latency(assistant, list(queries.values())[:100], f"SciFact ({len(docs)} abstracts)"))
    if "qasper" in wanted:
        assistant = open_library("qasper", args.fresh, args.variant)
        docs, questions = load_qasper(EVAL / "qasper")
        add_eval_docs(assistant.library, docs)
        tables.append(show(qasper_retrieval(assistant.searcher, questions, fusions=fusions)))
        tables.append(show(qasper_retrieval(assistant.searcher, questions, fusions=fusions, pooled=True)))
    print(f"--- all {len(tables)} tables again ---\n")
    for table in tables:
        print(table.markdown() + "\n")
    print("\n".join(speeds))


if __name__ == "__main__":
    main()
