"""Text-quality benchmark: private-use glyphs left in chunks, and numbers and words they broke.

Over all 55 evaluation PDFs: the private-use characters (U+E000-U+F8FF, planes 15-16) left in the
chunks; and, for each place the raw text layer puts a private-use glyph between two digits
("28<U+E004>4") or inside a word ("signi<U+E000>cantly"), whether the chunks hold it glued
("284", "signicantly") or still broken (both lost) or rebuilt ("28.4", "significantly").
Target: none left, none lost. Also the sentences (as the splitter cuts the PDF's paragraphs)
whose brackets do not pair up: a period inside parentheses taken for a sentence's end leaves
fragments such as "IL-2) production." (list markers such as "1)" and "b)" are set aside).

    .venv/bin/python bench/text_quality.py [--before REV] [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose ingest.py would shadow the package
if os.environ.get("PAPERLAMP_BENCH_TREE"):  # an older revision's ingest package, for "before"
    sys.path.insert(0, os.environ["PAPERLAMP_BENCH_TREE"])

from bench.evalset import EVAL, TRUTH, base_revision, halves, load_jsonl, run_at_revision  # noqa: E402

PUA = "\ue000-\uf8ff\U000f0000-\U0010ffff"
_IN_NUMBER = re.compile(rf"(\d+)[{PUA}](\d+)")
_IN_WORD = re.compile(rf"([A-Za-z]+)[{PUA}]+([A-Za-z]+)")


def predict() -> None:
    """Print each PDF's chunk texts as one JSON line."""
    from ingest.chunking import chunk_document
    from ingest.pdf import read_pdf

    try:
        from ingest.text import split_sentences
    except ImportError:  # revisions before the text toolkit kept the splitter in the chunker
        from ingest.chunking import split_sentences  # type: ignore[attr-defined, no-redef]

    for row in load_jsonl(TRUTH / "metadata.jsonl"):
        doc = read_pdf(EVAL / row["file"])
        chunks = chunk_document(doc, lambda texts: [len(t.split()) for t in texts])
        sentences = [s for b in doc.blocks for s in split_sentences(" ".join(b.text.split()))]
        print(json.dumps({"file": row["file"], "chunks": [c.text for c in chunks], "sentences": sentences}))


def raw_sites(pdf: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Private-use glyphs between digits and inside words in the raw text layer, as (left, right)."""
    import pymupdf

    numbers, words = [], []
    with pymupdf.open(pdf) as doc:
        for page in doc:
            text = page.get_text()
            numbers += [(m[1], m[2]) for m in _IN_NUMBER.finditer(text)]
            words += [(m[1], m[2]) for m in _IN_WORD.finditer(text)]
    return numbers, words


_LIST_MARKER = re.compile(r"(?:^|\s)(?:\d{1,2}|[A-Za-z]|[ivxIVX]{1,4})$")


def unbalanced(sentence: str) -> bool:
    """Whether a sentence's brackets do not pair up, list markers ("1) ...", "b) ...") aside."""
    depth = 0
    for position, char in enumerate(sentence):
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth:
                depth -= 1
            elif not _LIST_MARKER.search(sentence[max(0, position - 6) : position]):
                return True  # closes a bracket this sentence never opened
    return depth > 0


def score(file: str, chunks: list[str], sentences: list[str]) -> dict:
    """Counts for one PDF: private-use left, numbers and words lost or rebuilt, cut sentences."""
    text = "\n".join(chunks)
    left = len(re.findall(f"[{PUA}]", text))
    numbers, words = raw_sites(EVAL / file)
    out = {"pua_left": left, "numbers": 0, "numbers_lost": [], "words": 0, "words_lost": []}
    out["sentences"] = len(sentences)
    out["sentences_cut"] = [s for s in sentences if unbalanced(s)]
    for a, b in numbers:
        glued = re.search(rf"(?<![\d.,]){a}[{PUA}]?{b}(?![\d])", text)
        rebuilt = re.search(rf"(?<!\d){a}[.,·:/]{b}(?!\d)", text)
        if glued or rebuilt:
            out["numbers"] += 1
            if not rebuilt:
                out["numbers_lost"].append(f"{a}?{b}")
    for a, b in words:
        glued = re.search(rf"\b{a}[{PUA}]*{b}\b", text)
        rebuilt = re.search(rf"\b{a}[^\W\d_]{{1,3}}{b}\b", text)
        if glued or rebuilt:
            out["words"] += 1
            if not rebuilt:
                out["words_lost"].append(f"{a}?{b}")
    return out


def main() -> None:
    """Score the base revision and the working tree, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--predict", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", help="revision to compare with (default: where the branch left main)")
    parser.add_argument("--after-only", action="store_true", help="skip the before run")
    parser.add_argument("--misses", action="store_true", help="list the working tree's losses")
    args = parser.parse_args()
    if args.predict:
        predict()
        return
    half_of = halves()
    runs: dict[str, list[dict]] = {}
    if not args.after_only:
        rev = args.before or base_revision()
        runs[f"before ({rev[:7]})"] = list(
            map(json.loads, run_at_revision(Path(__file__), rev, []).splitlines())
        )
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        predict()
    runs["after"] = list(map(json.loads, buf.getvalue().splitlines()))
    scores = {
        name: {g["file"]: score(g["file"], g["chunks"], g.get("sentences", [])) for g in got}
        for name, got in runs.items()
    }
    names = list(scores)
    print("| measure | half | " + " | ".join(names) + " | target |")
    print("|---|---|" + "---:|" * len(names) + "---:|")
    for label, key, target in [
        ("private-use characters left in chunks", "pua_left", "0"),
        ("numbers with a lost decimal point / glyph", "numbers_lost", "0"),
        ("words with a lost ligature / glyph", "words_lost", "0"),
        ("sentences whose brackets do not pair up", "sentences_cut", "0"),
    ]:
        for half in ("tune", "report", "all"):
            cells = []
            for n in names:
                rows = [s for f, s in scores[n].items() if half in ("all", half_of[f])]
                value = sum(s[key] if isinstance(s[key], int) else len(s[key]) for s in rows)
                sites = {"numbers_lost": "numbers", "words_lost": "words", "sentences_cut": "sentences"}.get(
                    key
                )
                cells.append(f"{value} of {sum(s[sites] for s in rows)}" if sites else str(value))
            print(f"| {label} | {half} | " + " | ".join(cells) + f" | {target} |")
    if args.misses:
        for f, s in scores["after"].items():
            if s["pua_left"] or s["numbers_lost"] or s["words_lost"]:
                print(f"- {f}: {s['pua_left']} left; lost {s['numbers_lost'][:8]} {s['words_lost'][:8]}")


if __name__ == "__main__":
    main()
