"""Pick the evidence floor from data: relevance of the best passage, QASPER answerable vs unanswerable.

For each question (searched within its own paper) it prints the relevance the Asker's floor would
see under three measures, and for a range of floors the share of unanswerable questions that would
abstain and of answerable ones that would wrongly abstain.

    .venv/bin/python bench/abstention.py [--home DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluation.data import load_litqa2, load_qasper  # noqa: E402
from assistant.evaluation.retrieval import add_eval_docs  # noqa: E402
from assistant.retrieval.rerank import rerank  # noqa: E402
from assistant.retrieval.search import SearchFilter  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"


def main() -> None:
    """Print the relevance distributions and the abstention trade-off per floor."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=ROOT / "bench" / "results" / "qasper")
    args = parser.parse_args()
    assistant = build_assistant(load_settings(home=args.home))
    docs, questions = load_qasper(EVAL / "qasper")
    add_eval_docs(assistant.library, docs)
    embedder = assistant.library.embedder
    measures: dict[str, list[tuple[bool, float]]] = {"sentence": [], "window": [], "chunk": []}
    for q in questions:
        hits = assistant.searcher.search(q.question, 20, SearchFilter(paper_ids=(q.paper_id,)))
        scored = rerank(q.question, hits, embedder)
        query = embedder.embed([q.question])[0]
        chunk = embedder.embed([h.text for h in hits]) @ query if hits else np.zeros(1)
        measures["sentence"].append((q.answerable, max((s.relevance for s in scored), default=0.0)))
        measures["window"].append((q.answerable, max((h.dense for h in hits), default=0.0)))
        measures["chunk"].append((q.answerable, float(np.max(chunk))))
    # Questions about other papers (LitQA2's biomedical ones) have no evidence in this library at all.
    off_topic = [q.question for q in load_litqa2(EVAL / "litqa2")]
    for question in off_topic:
        hits = assistant.searcher.search(question, 20)
        scored = rerank(question, hits, embedder)
        query = embedder.embed([question])[0]
        chunk = embedder.embed([h.text for h in hits]) @ query
        measures["sentence"].append((False, max(s.relevance for s in scored)))
        measures["window"].append((False, max(h.dense for h in hits)))
        measures["chunk"].append((False, float(np.max(chunk))))
    answerable = sum(q.answerable for q in questions)
    print(
        f"{len(questions)} QASPER questions ({len(questions) - answerable} unanswerable) "
        f"and {len(off_topic)} off-topic LitQA2 questions, counted as unanswerable"
    )
    for name, values in measures.items():
        yes = np.array([v for a, v in values if a])
        no = np.array([v for a, v in values if not a])
        print(f"\n{name}: answerable mean {yes.mean():.3f}, unanswerable mean {no.mean():.3f}")
        print("| floor | unanswerable abstained | answerable abstained |\n|---:|---:|---:|")
        for floor in np.arange(0.2, 0.75, 0.05):
            print(f"| {floor:.2f} | {(no < floor).mean():.2f} | {(yes < floor).mean():.2f} |")


if __name__ == "__main__":
    main()
