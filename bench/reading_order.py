"""Reading-order benchmark: truth sentences whole and in order in the chunks, and headings found.

For each of the 15 papers in ../shared/eval/papers, bench/truth/reading_order.jsonl lists body
sentences in true reading order (20 per two-column paper, 10 per one-column paper) and
bench/truth/sections.jsonl every heading with its number and page. A sentence counts when it
comes out whole inside one chunk (its words contiguous; footnote marks and a marked display
equation may sit inside) and in order: the share is the longest run of sentences whose positions
in the chunks increase, over all truth sentences. A numbered heading counts when a heading block
on its page reads "number title". Targets: 0.97 of sentences, every numbered heading.

    .venv/bin/python bench/reading_order.py [--before REV] [--misses]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose ingest.py would shadow the package
if os.environ.get("PAPERLAMP_BENCH_TREE"):  # an older revision's ingest package, for "before"
    sys.path.insert(0, os.environ["PAPERLAMP_BENCH_TREE"])

from bench.evalset import EVAL, TRUTH, base_revision, halves, load_jsonl, run_at_revision  # noqa: E402

_EQUATION = re.compile(r"⟦[^⟧]*⟧")


def _tokens(text: str) -> list[str]:
    """Lower-case words and numbers; letters and digits apart, so "model1" gives a footnote "1"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.findall(r"[^\W\d_]+|\d+", _EQUATION.sub(" ", text))


def predict() -> None:
    """Print, per paper, its chunk texts and its heading blocks as one JSON line."""
    from ingest.chunking import chunk_document
    from ingest.pdf import read_pdf

    for row in load_jsonl(TRUTH / "reading_order.jsonl"):
        doc = read_pdf(EVAL / row["file"])
        chunks = chunk_document(doc, lambda texts: [len(t.split()) for t in texts], max_tokens=350)
        heads = [{"text": b.text, "page": b.page} for b in doc.blocks if b.is_heading]
        print(json.dumps({"file": row["file"], "chunks": [c.text for c in chunks], "headings": heads}))


def _find(sentence: list[str], chunks: list[list[str]], after: tuple[int, int]) -> tuple[int, int] | None:
    """Where the sentence's words occur contiguously (short numbers may interleave); prefer >= after."""
    found = []
    for ci, words in enumerate(chunks):
        for start in (i for i, w in enumerate(words) if w == sentence[0]):
            i, j, skips = 0, start, 0
            while i < len(sentence) and j < len(words):
                if words[j] == sentence[i]:
                    i, j = i + 1, j + 1
                elif words[j].isdigit() and len(words[j]) <= 2 and skips < 3:
                    j, skips = j + 1, skips + 1  # a footnote mark or equation number
                else:
                    break
            if i == len(sentence):
                found.append((ci, start))
    later = [f for f in found if f >= after]
    return (later or found or [None])[0]


def _longest_increasing(positions: list[tuple[int, int]]) -> int:
    """Length of the longest strictly increasing subsequence."""
    tails: list[tuple[int, int]] = []
    for p in positions:
        k = bisect.bisect_left(tails, p)
        tails[k : k + 1] = [p]
    return len(tails)


def _norm(text: str) -> str:
    """Letters and digits only, lower case."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def score(truth: dict, sections: dict, got: dict) -> dict:
    """Sentence and heading figures for one paper."""
    chunks = [_tokens(c) for c in got["chunks"]]
    positions, missing, last = [], [], (-1, -1)
    for s in truth["sentences"]:
        pos = _find(_tokens(s["text"]), chunks, last)
        if pos is None:
            missing.append(s["text"])
        else:
            positions.append(pos)
            last = pos
    in_order = _longest_increasing(positions)
    heads = {(_norm(h["text"]), h["page"]) for h in got["headings"]}
    numbered = [h for h in sections["headings"] if h["number"]]
    lost = [h for h in numbered if (_norm(f"{h['number']} {h['title']}"), h["page"]) not in heads]
    all_lost = [h for h in sections["headings"] if h not in numbered]
    all_lost = [h for h in all_lost if (_norm(h["title"]), h["page"]) not in heads] + lost
    return {
        "sentences": len(truth["sentences"]),
        "whole": len(positions),
        "in_order": in_order,
        "missing": missing,
        "numbered": len(numbered),
        "numbered_found": len(numbered) - len(lost),
        "headings": len(sections["headings"]),
        "headings_found": len(sections["headings"]) - len(all_lost),
        "lost_headings": [f"{h['number']} {h['title']} (p{h['page']})".strip() for h in all_lost],
        "extra_headings": len(got["headings"]) - (len(sections["headings"]) - len(all_lost)),
    }


def main() -> None:
    """Score the base revision and the working tree, and print per-paper and per-half tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--predict", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", help="revision to compare with (default: where the branch left main)")
    parser.add_argument("--after-only", action="store_true", help="skip the before run")
    parser.add_argument("--misses", action="store_true", help="list the working tree's misses")
    args = parser.parse_args()
    if args.predict:
        predict()
        return
    truth = {r["file"]: r for r in load_jsonl(TRUTH / "reading_order.jsonl")}
    sections = {r["file"]: r for r in load_jsonl(TRUTH / "sections.jsonl")}
    half_of = halves()
    runs: dict[str, dict[str, dict]] = {}
    if not args.after_only:
        rev = args.before or base_revision()
        out = run_at_revision(Path(__file__), rev, []).splitlines()
        runs[f"before ({rev[:7]})"] = {g["file"]: g for g in map(json.loads, out)}
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        predict()
    runs["after"] = {g["file"]: g for g in map(json.loads, buf.getvalue().splitlines())}
    scores = {
        name: {f: score(truth[f], sections[f], g) for f, g in got.items()} for name, got in runs.items()
    }
    names = list(scores)
    print("| paper | cols | half | " + " | ".join(f"{n}: in order, numbered headings" for n in names) + " |")
    print("|---|---|---|" + "---:|" * len(names))
    for f in truth:
        cells = []
        for n in names:
            s = scores[n][f]
            cells.append(f"{s['in_order']}/{s['sentences']}, {s['numbered_found']}/{s['numbered']}")
        cols = 2 if truth[f]["two_column"] else 1
        print(f"| {Path(f).stem} | {cols} | {half_of[f]} | " + " | ".join(cells) + " |")
    print()
    print("| measure | half | " + " | ".join(names) + " | target |")
    print("|---|---|" + "---:|" * len(names) + "---:|")
    for label, num, den, target in [
        ("sentences whole and in order", "in_order", "sentences", "0.97"),
        ("sentences whole (any order)", "whole", "sentences", ""),
        ("numbered headings found", "numbered_found", "numbered", "all"),
        ("all headings found", "headings_found", "headings", ""),
    ]:
        for half in ("tune", "report", "all"):
            cells = []
            for n in names:
                rows = [s for f, s in scores[n].items() if half in ("all", half_of[f])]
                a, b = sum(s[num] for s in rows), sum(s[den] for s in rows)
                cells.append(f"{a}/{b} ({a / b:.3f})")
            print(f"| {label} | {half} | " + " | ".join(cells) + f" | {target} |")
    for n in names:
        extra = sum(s["extra_headings"] for s in scores[n].values())
        print(f"\n{n}: headings marked that are not in the truth: {extra}")
    if args.misses:
        for f, s in scores["after"].items():
            for text in s["missing"]:
                print(f"- [{half_of[f]}] {Path(f).stem} not whole: {text[:110]}")
            if s["in_order"] < s["whole"]:
                print(f"- [{half_of[f]}] {Path(f).stem}: {s['whole'] - s['in_order']} out of order")
            for h in s["lost_headings"]:
                print(f"- [{half_of[f]}] {Path(f).stem} heading not found: {h}")


if __name__ == "__main__":
    main()
