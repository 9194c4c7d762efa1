"""OCR benchmark on ../shared/eval/papers: scans made from the digital papers, read back by Tesseract.

The first pages of each paper are rendered to images and rebuilt as an image-only PDF (a scan,
as a scanner without OCR makes it); paperlamp reads both, and the scan's words are held against
the digital text layer's. Body text is compared (what chunks are made of, running headers and
footers left out as the reader leaves them out), as bags of lower-cased words:

- recall: the share of the text layer's words the OCR reading has;
- precision: the share of the OCR reading's words the text layer has;
- pairs: the share of the text layer's adjacent word pairs the OCR reading has, which only text
  read in the right order keeps (two columns interleaved lose it, bags of words do not);
- pages/s: scan pages read per second (Tesseract dominates);
- slowdown: reading the scan takes this many times as long as reading the digital pages.

Then every page of every digital paper is read with pdf.ocr = "auto": no page may go to OCR.

    nice -n 10 .venv/bin/python bench/ocr.py [--pages 3] [--dpi 200]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pdf import read_pdf  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
SCANS = ROOT / "bench" / "results" / "ocr"
_WORD = re.compile(r"[a-z0-9]+")


def bag(text: str) -> Counter[str]:
    """The words of a text, lower-cased, hyphenation and punctuation set aside."""
    return Counter(_WORD.findall(text.casefold()))


def pairs(text: str) -> Counter[tuple[str, str]]:
    """The adjacent word pairs of a text, lower-cased: what reading order keeps."""
    words = _WORD.findall(text.casefold())
    return Counter(pairwise(words))


def make_pair(paper: Path, pages: int, dpi: int) -> tuple[Path, Path]:
    """The paper's first pages as a digital PDF and as an image-only scan of them."""
    SCANS.mkdir(parents=True, exist_ok=True)
    digital, scan = SCANS / f"{paper.stem}-digital.pdf", SCANS / f"{paper.stem}-scan.pdf"
    with pymupdf.open(paper) as src, pymupdf.open() as part, pymupdf.open() as out:
        last = min(pages, src.page_count) - 1
        part.insert_pdf(src, from_page=0, to_page=last)
        part.save(digital)
        for page in part:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            image = out.new_page(width=page.rect.width, height=page.rect.height)
            image.insert_image(image.rect, pixmap=pix)
        out.save(scan)
    return digital, scan


def main() -> None:
    """Read each paper's pages as text and as a scan; print recall, precision and speed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3, help="first pages of each paper scanned")
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the made scans")
    args = parser.parse_args()
    papers = sorted((EVAL / "papers").glob("*.pdf"))
    print("| paper | pages | recall | precision | pairs | digital s | scan s | pages/s |")
    print("|---|---|---|---|---|---|---|---|")
    totals = Counter[str]()
    for paper in papers:
        digital, scan = make_pair(paper, args.pages, args.dpi)
        started = time.perf_counter()
        text = read_pdf(digital, tables=False)
        digital_s = time.perf_counter() - started
        started = time.perf_counter()
        ocr = read_pdf(scan, tables=False)
        scan_s = time.perf_counter() - started
        ref, hyp = bag(text.text), bag(ocr.text)
        common = sum((ref & hyp).values())
        in_order = pairs(text.text)
        kept = sum((in_order & pairs(ocr.text)).values())
        n = len(ocr.ocr_pages)
        totals.update(
            {
                "ref": ref.total(),
                "hyp": hyp.total(),
                "common": common,
                "pages": n,
                "pages_in": text.page_count,
                "pairs": in_order.total(),
                "pairs_kept": kept,
            }
        )
        totals.update({"digital_ms": int(digital_s * 1000), "scan_ms": int(scan_s * 1000)})
        print(
            f"| {paper.stem} | {n}/{text.page_count} | {common / max(ref.total(), 1):.3f} | "
            f"{common / max(hyp.total(), 1):.3f} | {kept / max(in_order.total(), 1):.3f} | "
            f"{digital_s:.1f} | {scan_s:.1f} | {n / scan_s:.2f} |"
        )
    print(
        f"| **all** | {totals['pages']}/{totals['pages_in']} | {totals['common'] / totals['ref']:.3f} | "
        f"{totals['common'] / totals['hyp']:.3f} | {totals['pairs_kept'] / totals['pairs']:.3f} | "
        f"{totals['digital_ms'] / 1000:.1f} | "
        f"{totals['scan_ms'] / 1000:.1f} | {totals['pages'] / (totals['scan_ms'] / 1000):.2f} |"
    )
    print(f"\nslowdown of reading a scan: {totals['scan_ms'] / max(totals['digital_ms'], 1):.0f}x")
    ocr_pages = pages_in = 0
    for paper in papers:
        doc = read_pdf(paper)
        ocr_pages += len(doc.ocr_pages)
        pages_in += doc.page_count
    print(f"digital papers read with pdf.ocr = auto: {ocr_pages} of {pages_in} pages went to OCR (target 0)")


if __name__ == "__main__":
    main()
