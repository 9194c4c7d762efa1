"""The Summary field and Key Takeaways against the authors' own abstract, for the QASPER papers.

Each paper of ../shared/eval/qasper/dev.json is summarized from its full text with the abstract
hidden (QASPER keeps it apart from the sections), and two fields are scored against the abstract:
the one-line Summary and the Key Takeaways (items joined), by ROUGE-L F1 (longest common
subsequence of lower-case ASCII tokens) and content-word F1 (words other than function words).
Rows:
- extract-only: the sentences the summarizer picks for the fields, verbatim, no model;
- model-written: the full summarizer with the bundled model shortening or joining them (each
  field as shown: the model's text where its sentences support it, else the quotes);
- lead-3: the body's first sentence as the Summary and its first three as the Takeaways.
Papers split into halves by their order in the file (even positions tune, odd ones report).

    .venv/bin/python bench/summary_vs_abstract.py [--model-limit N] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import build_assistant  # noqa: E402
from assistant.domain import Paper, StoredChunk  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.summaries.extract import extract  # noqa: E402
from assistant.summaries.nearness import Embed  # noqa: E402
from assistant.summaries.summarize import Summarizer, paper_sentences  # noqa: E402
from assistant.summaries.text import in_order  # noqa: E402
from ingest.text import ascii_tokens, content_words, split_sentences  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "qasper" / "dev.json"


@dataclass(frozen=True)
class Body:
    """A QASPER paper's sections as library chunks (one per paragraph; QASPER has no pages)."""

    paper: Paper
    abstract: str
    paragraphs: tuple[StoredChunk, ...]

    def chunks(self, paper_id: str) -> list[StoredChunk]:
        """What the summarizer reads from its library: this paper's chunks."""
        return list(self.paragraphs)


def bodies(data: dict) -> list[Body]:  # type: ignore[type-arg]
    """Every paper with its abstract kept apart and its paragraphs as chunks."""
    out = []
    for paper_id, row in data.items():
        chunks = []
        for section in row["full_text"]:
            for text in section["paragraphs"]:
                if text.strip():
                    n = len(chunks)
                    name = section["section_name"] or ""
                    chunks.append(StoredChunk(f"{paper_id}:{n}", paper_id, n, name, 1, 1, text))
        paper = Paper(id=paper_id, sha256=paper_id, title=row["title"], abstract="")
        out.append(Body(paper, row["abstract"], tuple(chunks)))
    return out


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 over lower-case ASCII tokens."""
    a, b = ascii_tokens(candidate), ascii_tokens(reference)
    if not a or not b:
        return 0.0
    lcs = in_order(a, b)
    return 0.0 if not lcs else 2 * lcs / (len(a) + len(b))


def word_f1(candidate: str, reference: str) -> float:
    """F1 of the two texts' content-word sets."""
    a, b = content_words(candidate), content_words(reference)
    common = len(a & b)
    return 0.0 if not common else 2 * common / (len(a) + len(b))


def extracted(body: Body, embed: Embed | None = None) -> tuple[str, str]:
    """(Summary, Takeaways) as the extractor picks them, verbatim."""
    found = paper_sentences(body.paper.title, "", body.paragraphs, embed)
    chosen = extract(found, body.paper.title).fields
    return " ".join(s.text for s in chosen["one_line"]), " ".join(s.text for s in chosen["takeaways"])


def lead(body: Body) -> tuple[str, str]:
    """(first sentence, first three sentences) of the body."""
    found = [s for c in body.paragraphs for s in split_sentences(" ".join(c.text.split()))][:3]
    return (found[0] if found else ""), " ".join(found)


def written(summarizer: Summarizer, body: Body) -> tuple[str, str]:
    """(Summary, Takeaways) as the full summarizer shows them."""
    summarizer.library = body  # type: ignore[assignment]  # the summarizer reads `chunks` only
    summary = summarizer.summarize(body.paper)
    return summary.one_line.text, " ".join(summary.takeaways.items)


def main() -> None:
    """Score each method's two fields against the abstract and print a table per half."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--model-limit", type=int, default=0, help="model-written for the first N papers only"
    )
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--dump", type=Path, help="write every paper's fields as JSON lines here")
    args = parser.parse_args()
    papers = bodies(json.loads(args.data.read_text()))
    # The summarizer reads each paper from memory; its library is only a scratch folder.
    settings = load_settings(home=Path(tempfile.mkdtemp(prefix="paperlamp-bench-qasper-")))
    settings.llm.threads = args.threads
    built = build_assistant(settings)
    embed = built.library.embedder.embed
    methods: dict[str, Callable[[Body], tuple[str, str]]] = {
        "extract-only": lambda b: extracted(b, embed),
        "lead-3": lead,
    }
    summarizer = built.summarizer if args.model_limit else None
    scores: dict[tuple[str, str], list[list[float]]] = {}
    dump = args.dump.open("w") if args.dump else None
    for position, body in enumerate(papers):
        half = "tune" if position % 2 == 0 else "report"
        runs = dict(methods)
        if summarizer is not None and position < args.model_limit:
            runs["model-written"] = lambda b: written(summarizer, b)
        for name, run in runs.items():
            one, takeaways = run(body)
            row = [rouge_l(one, body.abstract), word_f1(one, body.abstract)]
            row += [rouge_l(takeaways, body.abstract), word_f1(takeaways, body.abstract)]
            for key in (half, "all"):
                scores.setdefault((key, name), []).append(row)
            if dump is not None:
                dump.write(json.dumps({"paper": body.paper.id, "method": name, "summary": one,
                                       "takeaways": takeaways}) + "\n")  # fmt: skip
                dump.flush()
        print(f"{body.paper.id} done", file=sys.stderr, flush=True)
    for half in ("tune", "report", "all"):
        print(
            f"\n| {half} | papers | Summary ROUGE-L | Summary word F1 | Takeaways ROUGE-L"
            " | Takeaways word F1 |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name in ("extract-only", "model-written", "lead-3"):
            rows = scores.get((half, name))
            if rows:
                means = [sum(r[i] for r in rows) / len(rows) for i in range(4)]
                print(f"| {name} | {len(rows)} | " + " | ".join(f"{m:.3f}" for m in means) + " |")


if __name__ == "__main__":
    main()
