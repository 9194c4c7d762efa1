"""Does `digest --rank library` put the papers a researcher wants first? Precision@5 and @10.

A replayed arXiv feed of 50 entries, served on loopback and fetched page by page with the real
arXiv client: the 15 papers in ../shared/eval/papers (titles and abstracts as paperlamp reads
them from the PDFs) and 35 SciFact abstracts (biomedicine, another field) under invented ids,
in a shuffled submission order. The library holds 5 of the 15; the other 10 are the relevant
ones. Those 5 are in the feed too and, as in a digest, listed as "already in your library", so
every method ranks the same 45. Scored with the bundled embedder, as `paperlamp digest` does.

Which 5 are in the library changes the answer, so it is drawn 20 times (seeded): the scoring
rule (the mean of the top k cosines to library papers, k = 1, 2, 3 or 5 (all: the centroid's
ranking)) is chosen on draws 0-9 and reported on draws 10-19 and on all 20. `newest` is the
feed's order; `random` the mean over 200 shuffles per draw.

    .venv/bin/python bench/digest_ranking.py [--eval ../shared/eval] [--draws 20]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import make_embedder  # noqa: E402
from assistant.digests.ranking import LibraryRanker, Profile, build_profile, paper_text  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from ingest.arxiv_client import ArxivClient  # noqa: E402
from ingest.metadata import extract_metadata  # noqa: E402
from ingest.pdf import read_pdf  # noqa: E402
from models.catalog import Paper  # noqa: E402
from tests.arxiv_server import ArxivReplay  # noqa: E402

DAY = date(2024, 1, 31)
KS = (1, 2, 3, 5)


def eval_papers(folder: Path) -> list[tuple[str, str]]:
    """(title, abstract) of each eval paper, read by paperlamp's own PDF reader."""
    out = []
    for pdf in sorted(folder.glob("*.pdf")):
        meta = extract_metadata(read_pdf(pdf))
        out.append((meta.title, meta.abstract))
    return out


def scifact(corpus: Path, n: int, seed: int = 7) -> list[tuple[str, str]]:
    """n SciFact abstracts, drawn with a fixed seed."""
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["title"] and len(r["text"]) > 400]
    return [(r["title"], r["text"]) for r in random.Random(seed).sample(rows, n)]


def replayed_feed(items: list[tuple[str, str, bool]]) -> list:
    """Serve the 50 entries (shuffled submission days) and fetch them back in pages of 20."""
    order = list(range(len(items)))
    random.Random(3).shuffle(order)
    entries = []
    for rank, i in enumerate(order):  # rank 0 is the newest
        title, abstract, _ = items[i]
        published = datetime.combine(DAY, datetime.min.time(), UTC) - timedelta(hours=12 * rank)
        entries.append({"id": f"2401.{i:05d}", "title": title, "summary": abstract,
                        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ")})  # fmt: skip
    with ArxivReplay() as replay:
        query = "cat:cs.LG AND submittedDate:[202312010000 TO 202401312359]"
        for start in range(0, len(entries), 20):
            page = replay.feed(entries[start : start + 20], total=len(entries), start=start)
            replay.on_query(page, search_query=query, start=start)
        client = ArxivClient(replay.api_url, delay_seconds=0.0, page_size=20)
        found = client.search("", ["cs.LG"], date(2023, 12, 1), DAY, max_results=2000)
    return list(found.entries)


def embedder_unit(embedder: object, texts: list[str]) -> np.ndarray:
    """Unit vectors of the texts, as the ranker scores them."""
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)  # type: ignore[attr-defined]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def precision(ranked: list[bool], k: int) -> float:
    """The share of the first k that are relevant."""
    return sum(ranked[:k]) / k


def main() -> None:
    """Print precision@5 and @10 per method, on the tune draws, the report draws and all."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--draws", type=int, default=20)
    args = parser.parse_args()
    ours = eval_papers(args.eval / "papers")
    others = scifact(args.eval / "scifact" / "corpus.jsonl", 50 - len(ours))
    items = [(t, a, True) for t, a in ours] + [(t, a, False) for t, a in others]
    entries = replayed_feed(items)
    ids = {f"2401.{i:05d}": i for i in range(len(items))}
    embedder = make_embedder(load_settings())
    start = time.perf_counter()
    library = [Paper(f"lib:{i}", "", title=t, abstract=a) for i, (t, a) in enumerate(ours)]
    every = build_profile(library, embedder)  # each eval paper embedded once, as the library would
    texts = [paper_text(e.title, e.abstract) for e in entries]
    LibraryRanker().score(texts, Profile(every.papers[:5], every.vectors[:5]), embedder)
    seconds = time.perf_counter() - start  # one digest's ranking: 50 candidates, 15 library papers
    vectors = {e.arxiv_id: v for e, v in zip(entries, embedder_unit(embedder, texts), strict=True)}
    rows: dict[str, list[tuple[float, float]]] = {}
    for draw in range(args.draws):
        held = sorted(random.Random(100 + draw).sample(range(len(ours)), 5))
        profile = Profile(tuple(every.papers[i] for i in held), every.vectors[held])
        candidates = [e for e in entries if ids[e.arxiv_id] not in held]
        relevant = [items[ids[e.arxiv_id]][2] for e in candidates]
        matrix = np.stack([vectors[e.arxiv_id] for e in candidates])
        for k in KS:
            scored = LibraryRanker(top_k=k).score_vectors(matrix, profile)
            order = sorted(range(len(candidates)), key=lambda i: -scored[i].score)
            ranked = [relevant[i] for i in order]
            rows.setdefault(f"library, top {k}", []).append((precision(ranked, 5), precision(ranked, 10)))
        rows.setdefault("newest", []).append((precision(relevant, 5), precision(relevant, 10)))
        shuffles = []
        for s in range(200):
            shuffled = relevant[:]
            random.Random(s).shuffle(shuffled)
            shuffles.append((precision(shuffled, 5), precision(shuffled, 10)))
        rows.setdefault("random", []).append(tuple(sum(x) / len(x) for x in zip(*shuffles, strict=True)))
    half = args.draws // 2

    def mean(values: list[tuple[float, float]], at: int) -> float:
        return sum(v[at] for v in values) / len(values)

    tune = {m: (mean(v[:half], 1), mean(v[:half], 0)) for m, v in rows.items() if m.startswith("library")}
    tuned = max(tune, key=lambda m: tune[m])  # P@10 on the tune draws, then P@5
    print(f"{len(entries)} entries fetched from the replay; {args.draws} library draws; chosen on draws "
          f"0-{half - 1}: {tuned}\n")  # fmt: skip
    print("| method | P@5 tune | P@10 tune | P@5 report | P@10 report | P@5 all | P@10 all |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method, values in rows.items():
        parts = [values[:half], values[half:], values]
        cells = " | ".join(f"{mean(v, 0):.3f} | {mean(v, 1):.3f}" for v in parts)
        mark = " (chosen)" if method == tuned else ""
        print(f"| {method}{mark} | {cells} |")
    print(f"\nembedding 15 library papers and 50 candidates and scoring them: {seconds:.1f} s")


if __name__ == "__main__":
    main()
