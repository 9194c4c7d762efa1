"""Table questions on ../shared/eval/papers: key-row hit@5 and answer correctness, tables as rows or not.

bench/truth/table_questions.jsonl holds hand-written questions whose answer sits only in a table,
with the expected row: the tune set, which the rules of assistant/answers/cells.py were written
against. bench/truth/table_questions_heldout.jsonl holds more, on other tables, written after the
rules and not used to change them: the figures reported for unseen questions.

Each variant indexes the question papers into its own library under
bench/results/ (kept between runs; --fresh rebuilds): `rows` reads tables as passages of named
rows (pdf.tables = true, the default), `text` reads them as body text, as paperlamp did before.

- key-row hit@5: one of the first five passages holds the row: its label and the answer value,
  on the table's page;
- answer states it: the cited answer contains the expected value;
- cited row holds it: a citation's quote contains the value;
- best quote holds the row (no model): the passage unit the answer check would quote for the
  question (its extractive choice among those five passages) holds the row's label and value.

Also printed: how many of the questions' tables the reader finds with their row and answer
value, against PyMuPDF's find_tables() on the same pages.

    .venv/bin/python bench/tables.py [--variants rows,text] [--sets tune,heldout] [--no-answers]
        [--lexical] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answers.grounding import SupportChecker  # noqa: E402
from assistant.build import Assistant, build_assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from ingest.pdf import read_pdf  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"
SETS = {
    "tune": ROOT / "bench" / "truth" / "table_questions.jsonl",
    "heldout": ROOT / "bench" / "truth" / "table_questions_heldout.jsonl",
}


def squash(text: str) -> str:
    """Text without spaces, hyphen breaks or case, so a value matches however a reader spaced it."""
    return "".join(text.replace("-\n", "").split()).casefold()


def row_label(q: dict) -> str:
    """The first filled cell of a question's expected row (the model, dataset or file it is about)."""
    return next((c for c in q["row"] if c.strip()), "")


def holds_row(text: str, q: dict) -> bool:
    """Whether a passage holds the expected row: its label and the answer value."""
    flat = squash(text)
    return squash(row_label(q)) in flat and squash(q["answer"]) in flat


def open_library(variant: str, fresh: bool, files: list[Path], lexical: bool) -> Assistant:
    """The variant's library, with the question papers added (`lexical`: for BM25 only, so the
    vectors come from a bag-of-words hasher, in seconds, instead of the embedding model)."""
    home = RESULTS / (f"tables-{variant}-lexical" if lexical else f"tables-{variant}")
    if fresh and home.exists():
        shutil.rmtree(home)
    settings = load_settings(home=home, pdf={"ocr": "auto", "tables": variant == "rows"})
    if lexical:
        from tests.fakes import HashingEmbedder

        assistant = build_assistant(settings, embedder=HashingEmbedder())
    else:
        assistant = build_assistant(settings)
    for result in assistant.library.add(files):
        if not result.ok:
            print(f"  {result.path}: {result.reason}", file=sys.stderr)
    return assistant


def score(assistant: Assistant, questions: list[dict], answers: bool, lexical: bool) -> dict[str, float]:
    """Key-row hit@5, and (with `answers`) answer correctness, over the questions."""
    hits = stated = cited = quoted = 0
    for q in questions:
        found = assistant.searcher.search(q["question"], k=5, fusion="lexical" if lexical else None)
        hits += any(h.page <= q["page"] <= h.page_end and holds_row(h.text, q) for h in found)
        # The quote the answer check picks for the question from those passages, with no model:
        # does it hold the value with its row's label, or a bare figure cut off from it?
        best = SupportChecker(assistant.library.embedder, found).extract(q["question"], -1.0, count=1)
        quoted += bool(best) and holds_row(best[0][2], q)
        if answers:
            answer = assistant.asker.ask(q["question"])
            stated += squash(q["answer"]) in squash(answer.answer)
            cited += any(squash(q["answer"]) in squash(c.quote) for c in answer.citations)
            print(f"  {q['id']}: {answer.answer[:100]!r}", file=sys.stderr)
    n = len(questions)
    figures = {"hit@5": hits / n, "best quote holds the row": quoted / n}
    if answers:
        figures |= {"answer states it": stated / n, "cited row holds it": cited / n}
    return figures


def reader_recall(questions: list[dict]) -> tuple[float, float]:
    """Shares of questions whose row (label and value) is in a table found by paperlamp's reader
    and by PyMuPDF's find_tables() on the same page."""
    import pymupdf  # the comparison only; paperlamp itself reads tables in ingest/

    ours = theirs = 0
    for q in questions:
        path = EVAL / q["file"]
        doc = read_pdf(path)
        ours += any(t.page == q["page"] and any(holds_row(r, q) for r in t.row_lines()) for t in doc.tables)
        with pymupdf.open(path) as pdf:
            found = pdf[q["page"] - 1].find_tables().tables
            rows = [" ".join(c or "" for c in row) for t in found for row in t.extract()]
        theirs += any(holds_row(r, q) for r in rows)
    return ours / len(questions), theirs / len(questions)


def main() -> None:
    """Run the variants and print the tables."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", default="rows,text")
    parser.add_argument("--sets", default="tune,heldout", help="question sets: tune, heldout")
    parser.add_argument("--no-answers", action="store_true", help="retrieval only (no model)")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--lexical", action="store_true", help="BM25 only, no embedding model or answers")
    parser.add_argument("--no-reader", action="store_true", help="skip the reader against find_tables()")
    args = parser.parse_args()
    sets = {
        name: [json.loads(line) for line in SETS[name].read_text().splitlines() if line.strip()]
        for name in args.sets.split(",")
    }
    questions = [q for qs in sets.values() for q in qs]
    files = sorted({EVAL / q["file"] for q in questions})
    print(f"\n{len(questions)} table questions on {len(files)} papers\n")
    if not args.no_reader:
        ours, theirs = reader_recall(questions)
        print("| reader | questions whose row is read (label and value in one row) |")
        print("|---|---|")
        print(f"| paperlamp (rules, words, caption) | {ours:.2f} |")
        print(f"| PyMuPDF find_tables() | {theirs:.2f} |\n")
    rows = []
    for variant in args.variants.split(","):
        assistant = open_library(variant, args.fresh, files, args.lexical)
        try:
            answers = not (args.no_answers or args.lexical)
            for name, qs in sets.items():
                rows.append((variant, name, len(qs), score(assistant, qs, answers, args.lexical)))
        finally:
            assistant.close()
    names = list(rows[0][3])
    print("| tables read as | questions | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for variant, name, n, figures in rows:
        label = "named rows (after)" if variant == "rows" else "body text (before)"
        print(f"| {label} | {name} ({n}) | " + " | ".join(f"{figures[k]:.2f}" for k in names) + " |")


if __name__ == "__main__":
    main()
