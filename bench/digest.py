"""Seconds per paper for a digest, by stage, with the bundled models (target: under 60 s a paper).

Serves the PDFs from a loopback HTTP server (never arXiv) and takes each one through the digest's
stages: fetch (download), read (PDF reading, metadata, chunking, embedding into a fresh library),
figures (find and crop to PNG) and generation (the per-paper summary, every field).

    .venv/bin/python bench/digest.py [--papers DIR] [--limit N] [--lang en|zh] [--threads N]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import build_assistant  # noqa: E402
from assistant.library.arxiv import arxiv_fields, entry_meta  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from ingest.arxiv_client import ArxivClient, ArxivEntry  # noqa: E402
from ingest.figures import find_figures, save_figures  # noqa: E402
from ingest.metadata import extract_metadata  # noqa: E402
from ingest.pdf import read_pdf  # noqa: E402
from models.home import sha256_of  # noqa: E402

STAGES = ("fetch", "read", "figures", "generation")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _entry(pdf: Path, base: str) -> ArxivEntry:
    now = datetime.now(UTC)
    stem = pdf.stem.split("v")[0]
    return ArxivEntry(stem, 1, pdf.stem, ("Bench Author",), "", now, now, ("cs.CL",), "cs.CL", "", "", "",
                      f"{base}/abs/{pdf.stem}", f"{base}/{pdf.name}")  # fmt: skip


def main() -> None:
    """Print a Markdown table of seconds per stage for each paper, and the mean."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=Path, default=ROOT.parent / "shared" / "eval" / "papers")
    parser.add_argument("--limit", type=int, default=0, help="only the first N papers")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0: all cores)")
    args = parser.parse_args()
    pdfs = sorted(args.papers.glob("*.pdf"))[: args.limit or None]
    home = Path(tempfile.mkdtemp(prefix="paperlamp-bench-digest-"))
    os.environ["PAPERLAMP_HOME"] = str(home)
    settings = load_settings(home=home)
    settings.llm.threads = args.threads  # 1 is steadier when another process holds a core
    assistant = build_assistant(settings)
    summarizer = assistant.summarizer
    summarizer.generator.count_tokens("warm up")  # load the models before timing
    assistant.library.embedder.embed(["warm up"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(args.papers)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    client = ArxivClient(base + "/api/query", delay_seconds=0.0)
    print(f"| paper | pages | {' | '.join(STAGES)} | total (s) |")
    print("|---|---:|" + "---:|" * (len(STAGES) + 1))
    rows: list[list[float]] = []
    for pdf in pdfs:
        entry = _entry(pdf, base)
        t: dict[str, float] = {}
        start = time.perf_counter()
        download = client.download_pdf(entry, home / "cache" / pdf.name)
        t["fetch"] = time.perf_counter() - start
        start = time.perf_counter()
        doc = read_pdf(download)
        meta = entry_meta(entry, extract_metadata(doc))
        result = assistant.library.add_document(
            doc, meta, sha256=sha256_of(download), source=pdf.name, paper_id=f"arxiv:{pdf.stem}",
            file=download, extra={"arxiv": arxiv_fields(entry)},
        )  # fmt: skip
        kept = assistant.library.file_of(assistant.library.get(result.paper_id)) or download
        t["read"] = time.perf_counter() - start
        start = time.perf_counter()
        save_figures(kept, find_figures(kept, doc), home / "digests" / pdf.stem)
        t["figures"] = time.perf_counter() - start
        start = time.perf_counter()
        summarizer.summarize(assistant.library.get(result.paper_id), args.lang)  # type: ignore[arg-type]
        t["generation"] = time.perf_counter() - start
        row = [t[s] for s in STAGES]
        rows.append(row)
        cells = " | ".join(f"{v:.1f}" for v in row)
        print(f"| {pdf.name} | {doc.page_count} | {cells} | {sum(row):.1f} |", flush=True)
    if rows:
        means = [sum(r[i] for r in rows) / len(rows) for i in range(len(STAGES))]
        print(f"| **mean** | | {' | '.join(f'{m:.1f}' for m in means)} | **{sum(means):.1f}** |")
    server.shutdown()


if __name__ == "__main__":
    main()
