"""Table questions on ../shared/eval/papers: key-row hit@5 and answer correctness, tables as rows or not.

bench/truth/table_questions.jsonl holds hand-written questions whose answer sits only in a table,
with the expected row. Each variant indexes the question papers into its own library under
bench/results/ (kept between runs; --fresh rebuilds): `rows` reads tables as passages of named
rows (pdf.tables = true, the default), `text` reads them as body text, as paperlamp did before.

- key-row hit@5: one of the first five passages holds the row: its label and the answer value,
  on the table's page;
- answer states it: the cited answer contains the expected value;
- cited row holds it: a citation's quote contains the value (and, for rows, the row's label).

Also printed: how many of the questions' tables the reader finds with their row and answer
value, against PyMuPDF's find_tables() on the same pages.

    .venv/bin/python bench/tables.py [--variants rows,text] [--no-answers] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import Assistant, build_assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from ingest.pdf import read_pdf  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
RESULTS = ROOT / "bench" / "results"
QUESTIONS = ROOT / "bench" / "truth" / "table_questions.jsonl"


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


def open_library(variant: str, fresh: bool, files: list[Path]) -> Assistant:
    """The variant's library, with the question papers added."""
    home = RESULTS / f"tables-{variant}"
    if fresh and home.exists():
        shutil.rmtree(home)
    assistant = build_assistant(load_settings(home=home, pdf={"ocr": "auto", "tables": variant == "rows"}))
    for result in assistant.library.add(files):
        if not result.ok:
            print(f"  {result.path}: {result.reason}", file=sys.stderr)
    return assistant


def score(assistant: Assistant, questions: list[dict], answers: bool) -> dict[str, float]:
    """Key-row hit@5, and (with `answers`) answer correctness, over the questions."""
    hits = stated = cited = 0
    for q in questions:
        found = assistant.searcher.search(q["question"], k=5)
        hits += any(h.page <= q["page"] <= h.page_end and holds_row(h.text, q) for h in found)
        if answers:
            answer = assistant.asker.ask(q["question"])
            stated += squash(q["answer"]) in squash(answer.answer)
            cited += any(squash(q["answer"]) in squash(c.quote) for c in answer.citations)
            print(f"  {q['id']}: {answer.answer[:100]!r}", file=sys.stderr)
    n = len(questions)
    return {"hit@5": hits / n, "answer states it": stated / n, "cited row holds it": cited / n}


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
    parser.add_argument("--no-answers", action="store_true", help="retrieval only (no model)")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    files = sorted({EVAL / q["file"] for q in questions})
    ours, theirs = reader_recall(questions)
    print(f"\n{len(questions)} table questions on {len(files)} papers\n")
    print("| reader | questions whose row is read (label and value in one row) |")
    print("|---|---|")
    print(f"| paperlamp (rules, words, caption) | {ours:.2f} |")
    print(f"| PyMuPDF find_tables() | {theirs:.2f} |\n")
    rows = []
    for variant in args.variants.split(","):
        assistant = open_library(variant, args.fresh, files)
        try:
            rows.append((variant, score(assistant, questions, not args.no_answers)))
        finally:
            assistant.close()
    names = list(rows[0][1])
    print("| tables read as | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for variant, figures in rows:
        label = "named rows (after)" if variant == "rows" else "body text (before)"
        print(f"| {label} | " + " | ".join(f"{figures[n]:.2f}" for n in names) + " |")


if __name__ == "__main__":
    main()
