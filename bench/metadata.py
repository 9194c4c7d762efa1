"""Metadata benchmark: title, first author's family name, year and DOI against bench/truth.

Reads each of the 55 evaluation PDFs with read_pdf + extract_metadata, once with the code as it was
where this branch left main ("before", run from a `git archive` of that commit) and once with the
working tree ("after"), and prints accuracy per field for the tune half, the report half and all.
Target: at least 0.95 on each field.

    .venv/bin/python bench/metadata.py [--before REV] [--misses]
"""

from __future__ import annotations

import argparse
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

from bench.evalset import (  # noqa: E402
    EVAL,
    HALVES,
    TRUTH,
    base_revision,
    halves,
    load_jsonl,
    run_at_revision,
    share,
)

FIELDS = ("title", "first_author_family", "year", "doi")


def predict() -> None:
    """Print one JSON line of extracted metadata per evaluation PDF."""
    from ingest.metadata import extract_metadata
    from ingest.pdf import read_pdf

    for row in load_jsonl(TRUTH / "metadata.jsonl"):
        try:
            meta = extract_metadata(read_pdf(EVAL / row["file"]))
            got = {"title": meta.title, "authors": list(meta.authors), "year": meta.year, "doi": meta.doi}
        except Exception as exc:  # a crash is a miss on every field, not the end of the run
            got = {"title": "", "authors": [], "year": None, "doi": "", "error": str(exc)}
        print(json.dumps({"file": row["file"], **got}), flush=True)


def _norm(text: str) -> str:
    """Lower-case letters and digits only: the truth's rule ignores whitespace and punctuation."""
    text = unicodedata.normalize("NFKC", text).replace("\u2011", "-").casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _family_ok(authors: list[str], family: str) -> bool:
    """True if the first byline name ends with the family name (whole words)."""
    if not authors:
        return False
    words = re.findall(r"[\w'’-]+", unicodedata.normalize("NFKC", authors[0]).casefold())
    fam = re.findall(r"[\w'’-]+", family.casefold())
    return len(words) > len(fam) and words[-len(fam) :] == fam


def score(truth: dict, got: dict) -> dict[str, bool]:
    """Per-field hit flags for one PDF."""
    return {
        "title": _norm(got["title"]) == _norm(truth["title"]),
        "first_author_family": _family_ok(got["authors"], truth["first_author_family"]),
        "year": got["year"] == truth["year"],
        "doi": got["doi"].lower() == truth["doi"].lower(),
    }


def table(results: dict[str, dict[str, dict[str, bool]]], half_of: dict[str, str]) -> None:
    """Print the before/after accuracy table, per field and half."""
    print("| field | half | " + " | ".join(results) + " | target |")
    print("|---|---|" + "---:|" * len(results) + "---:|")
    for field in FIELDS:
        for half in HALVES:
            cells = []
            for per_file in results.values():
                hits = [s[field] for f, s in per_file.items() if half in ("all", half_of[f])]
                cells.append(share(hits))
            print(f"| {field} | {half} | " + " | ".join(cells) + " | 0.95 |")


def main() -> None:
    """Score the base revision and the working tree, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--predict", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", help="revision to compare with (default: where the branch left main)")
    parser.add_argument("--misses", action="store_true", help="list the working tree's misses")
    parser.add_argument("--after-only", action="store_true", help="skip the before run")
    args = parser.parse_args()
    if args.predict:
        predict()
        return
    truth = {row["file"]: row for row in load_jsonl(TRUTH / "metadata.jsonl")}
    half_of = halves()
    runs: dict[str, list[dict]] = {}
    if not args.after_only:
        rev = args.before or base_revision()
        runs[f"before ({rev[:7]})"] = [
            json.loads(x) for x in run_at_revision(Path(__file__), rev, []).splitlines()
        ]
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        predict()
    runs["after"] = [json.loads(x) for x in buf.getvalue().splitlines()]
    results = {name: {g["file"]: score(truth[g["file"]], g) for g in got} for name, got in runs.items()}
    table(results, half_of)
    if args.misses:
        for got in runs["after"]:
            flags = score(truth[got["file"]], got)
            t = truth[got["file"]]
            for field in FIELDS:
                if not flags[field]:
                    value = got["authors"][:1] if field == "first_author_family" else got.get(field)
                    print(f"- [{half_of[got['file']]}] {got['file']} {field}: {value!r} != {t[field]!r}")


if __name__ == "__main__":
    main()
