"""Zotero import benchmark: a generated Zotero library of the 55 evaluation PDFs (40 LitQA2 + 15
papers), with collections and tags, imported into a fresh library with the bundled embedder.

The Zotero library is written with Zotero 7's tables (tests/zotero_db.py) and the hand-checked
metadata of bench/truth/metadata.jsonl: every third PDF a linked file, the rest copied into
storage/<key>/. Three runs are timed: the first import, a second with nothing changed (target:
under 2 s for 55 items), and one after one item's title and tags changed in Zotero. The second
run is timed twice: inside one process (the use case), and as a whole `paperlamp import zotero`
command (Python start, imports and all).

    nice -n 10 .venv/bin/python bench/zotero_import.py [--eval ../shared/eval] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_zotero(eval_dir: Path, target: Path):  # type: ignore[no-untyped-def]
    """The Zotero library of the 55 PDFs: truth metadata, collections by corpus and year, tags."""
    from tests.zotero_db import ZoteroLibrary

    truth = [json.loads(line) for line in (ROOT / "bench/truth/metadata.jsonl").open(encoding="utf-8")]
    z = ZoteroLibrary(target)
    ids: dict[str, int] = {}
    for n, paper in enumerate(truth):
        key = f"ITEM{n:04d}"
        corpus = "LitQA2" if paper["file"].startswith("litqa2/") else "Papers"
        preprint = bool(paper.get("arxiv_id"))
        fields = {"title": paper["title"], "date": str(paper.get("year") or "")}
        if paper.get("doi"):
            fields["DOI"] = paper["doi"]
        if paper.get("venue"):
            fields["publicationTitle"] = paper["venue"]
        if preprint:
            fields["archiveID"] = f"arXiv:{paper['arxiv_id']}"
        names = [(" ".join(a.split()[:-1]), a.split()[-1]) for a in paper.get("authors", []) if a.split()]
        ids[key] = z.item(
            key,
            "preprint" if preprint else "journalArticle",
            fields=fields,
            authors=names,
            collections=[f"{corpus}/{paper.get('year') or 'undated'}", "Thesis" if n % 4 == 0 else corpus],
            tags=[t for t, every in (("unread", 3), ("important", 5)) if n % every == 0],
        )
        pdf = eval_dir / paper["file"]
        if n % 3 == 0:
            z.attach(ids[key], f"ATT{n:05d}", linked=str(pdf))
        else:
            z.attach(ids[key], f"ATT{n:05d}", pdf)
    return z, ids


def main() -> None:
    """Run the three imports and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared/eval")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    parser.add_argument(
        "--hashing-embedder",
        action="store_true",
        help="embed with the tests' hashing embedder: the first import then times reading, chunking and "
        "the import itself, not the embedding model (reruns embed nothing either way)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="paperlamp-zotero-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    os.environ["PAPERLAMP_HOME"] = str(home)
    z, ids = build_zotero(args.eval, work / "Zotero")

    from assistant.build import build_assistant
    from assistant.settings import load_settings

    embedder = None
    if args.hashing_embedder:
        from tests.fakes import HashingEmbedder

        embedder = HashingEmbedder()
    assistant = build_assistant(load_settings(), embedder=embedder)
    rows = []
    started, cpu = time.perf_counter(), time.process_time()
    first = list(assistant.importer.zotero(z.dir))
    rows.append(("first import", time.perf_counter() - started, first))
    first_cpu = time.process_time() - cpu  # every thread's CPU time: what a busy machine does not change
    assistant.close()

    # A rerun as a person starts it: a new process, the assistant built anew, the store unopened.
    started = time.perf_counter()
    run = subprocess.run(
        [str(ROOT / ".venv/bin/paperlamp"), "import", "zotero", str(z.dir), "--json"],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        check=False,
    )
    command_s = time.perf_counter() - started
    command = Counter(json.loads(line)["status"] for line in run.stdout.splitlines() if line.strip())

    assistant = build_assistant(load_settings(), embedder=embedder)
    started = time.perf_counter()
    second = list(assistant.importer.zotero(z.dir))
    rows.append(("second, nothing changed (use case)", time.perf_counter() - started, second))
    z.set_field(ids["ITEM0007"], "title", "A title edited in Zotero")
    z.tag(ids["ITEM0007"], "chapter-3")
    started = time.perf_counter()
    third = list(assistant.importer.zotero(z.dir))
    rows.append(("one item's title and tags changed", time.perf_counter() - started, third))
    labelled = len(assistant.library.papers_in(["Thesis"]))
    pages = sum(assistant.library.get(r.paper_id).pages for r in first if r.paper_id)
    assistant.close()

    print("| run | wall s | statuses |\n|---|---:|---|")
    for name, seconds, results in rows:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(Counter(r.status for r in results).items()))
        print(f"| {name} | {seconds:.2f} | {counts} |")
    counts = ", ".join(f"{n} {s}" for s, n in sorted(command.items()))
    print(
        f"| second, nothing changed (`paperlamp import zotero`, new process) | {command_s:.2f} | {counts} |"
    )
    print(f"\n{len(ids)} items, {pages} pages; {labelled} papers in collection Thesis; work folder {work}")
    print(
        f"first import: {first_cpu:.1f} CPU-seconds over all threads, {pages / rows[0][1]:.2f} pages/s wall"
    )
    print(
        f"embedder: {'hashing (tests)' if embedder else 'bundled all-MiniLM-L6-v2'}; load {os.getloadavg()}"
    )
    for result in first:
        if not result.ok:
            print(f"failed: {result.reason}")


if __name__ == "__main__":
    main()
