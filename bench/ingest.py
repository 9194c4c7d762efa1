"""Ingest benchmark: the 40 LitQA2 PDFs into a fresh library, against the raw floor.

The floor is measured in the same run: PyMuPDF's plain text of every page, plus the bundled
embedder encoding the same chunks. Target: ingest at most 1.3x the floor, peak memory under 2 GB.

    .venv/bin/python bench/ingest.py [--pdfs ../shared/eval/litqa2/pdfs] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdfs", type=Path, default=ROOT.parent / "shared/eval/litqa2/pdfs")
    parser.add_argument("--home", type=Path, help="library folder (default: a fresh temporary one)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="paperlamp-bench-"))
    if home.exists() and args.home:
        shutil.rmtree(home)
    os.environ["PAPERLAMP_HOME"] = str(home)

    from assistant.build import build_assistant
    from assistant.settings import load_settings

    pdfs = sorted(args.pdfs.glob("*.pdf"))
    assistant = build_assistant(load_settings())
    embedder = assistant.library.embedder  # load outside the timed part, as the floor does
    embedder.embed(["warm up"])
    assistant.library.store.count()

    started = time.perf_counter()
    results = list(assistant.library.add(pdfs))
    ingest_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    failed = [r for r in results if not r.ok]
    pages = sum(r.pages for r in results)
    chunks = sum(r.chunks for r in results)

    import pymupdf

    started = time.perf_counter()
    for pdf in pdfs:
        with pymupdf.open(pdf) as doc:
            for page in doc:
                page.get_text()
    text_s = time.perf_counter() - started
    from models.embedder import SentenceTransformerEmbedder, bundled_embedding_model_path

    stored = [c for p in assistant.library.papers() for c in assistant.library.chunks(p.id)]
    texts = [w.text for w in assistant.library.windows(stored)]
    # The floor's embedder is sentence-transformers as it comes (float32), fed the same texts in
    # one call so it can sort them all by length: the least work a plain pipeline could do.
    plain = SentenceTransformerEmbedder(bundled_embedding_model_path(), precision="float32")
    plain.embed(["warm up"])
    started = time.perf_counter()
    plain.embed(texts)
    embed_s = time.perf_counter() - started
    floor_s = text_s + embed_s

    print(f"| ingest of {len(pdfs)} PDFs ({pages} pages, {chunks} chunks) | value |")
    print("|---|---:|")
    print(f"| wall time | {ingest_s:.1f} s |")
    print(f"| pages/s | {pages / ingest_s:.1f} |")
    print(f"| chunks/s | {chunks / ingest_s:.1f} |")
    print(f"| floor: PyMuPDF text | {text_s:.1f} s |")
    print(f"| floor: embedding the same {len(texts)} windows (float32) | {embed_s:.1f} s |")
    print(f"| embedder precision in ingest | {'bfloat16' if embedder.bfloat16 else 'float32'} |")
    print(f"| ratio to floor (target <= 1.3) | {ingest_s / floor_s:.2f} |")
    print(f"| peak memory (target < 2048 MB) | {peak_mb:.0f} MB |")
    print(f"| failed files | {len(failed)} |")
    for r in failed:
        print(f"  - {r.reason}")
    print(f"library: {home}")


if __name__ == "__main__":
    main()
