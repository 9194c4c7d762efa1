"""How much of a summary the bundled model writes itself, per field, in English and Chinese.

Adds the chosen PDFs to a library (a temporary one, or `--home` to reuse one between runs), writes
each paper's summary in every language asked for, and prints per field: the share of papers whose
field the model wrote (the rest quote the paper, marked quoted) and, for zh, how many of the fields
are in Chinese (written, or translated from the English or the quote) and the share of CJK
characters among the field's letters (CJK characters + Latin letters + digits; English technical
terms count against it, so 100% is not the goal). Also the seconds of generation per paper, wall
and CPU (with `--threads 1` the CPU time is what the wall time would be on a quiet machine).
`--dump FILE` writes every summary as JSON lines to read the prose itself.

    .venv/bin/python bench/summary_quality.py --files 1505.04597v1.pdf 1706.03762v7.pdf --langs en,zh
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.build import build_assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.summaries.fields import PaperSummary  # noqa: E402
from assistant.summaries.prompts import FIELDS  # noqa: E402

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z0-9]")
NAMES = [s.name for s in FIELDS]


def field_texts(summary: PaperSummary) -> dict[str, tuple[str, bool]]:
    """Each field's text (list items joined) and whether it quotes the paper."""
    out: dict[str, tuple[str, bool]] = {}
    for name, value in summary.to_json().items():
        if isinstance(value, dict):
            text = value.get("text") or " ".join(value.get("items") or [])
            out[name] = (text, bool(value["quoted"]))
    return out


def cjk_share(text: str) -> tuple[int, int]:
    """(CJK characters, CJK characters + Latin letters and digits)."""
    cjk = len(_CJK.findall(text))
    return cjk, cjk + len(_LATIN.findall(text))


def table(results: dict[str, list[PaperSummary]]) -> list[str]:
    """Markdown rows: per field, the generated share per language and the CJK share for zh."""
    langs = list(results)
    head = ["field", *(f"{lang} generated" for lang in langs)]
    if "zh" in results:
        head += ["zh in Chinese", "zh CJK share"]
    rows = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    totals: dict[str, list[int]] = {lang: [0, 0] for lang in langs}
    cjk_total = [0, 0]
    chinese_total = [0, 0]
    for name in NAMES:
        cells = [name]
        for lang in langs:
            flags = [field_texts(s)[name][1] for s in results[lang]]
            made = sum(not q for q in flags)
            totals[lang][0] += made
            totals[lang][1] += len(flags)
            cells.append(f"{made}/{len(flags)}")
        if "zh" in results:
            if name == "keywords":
                cells += ["(English)", "(English)"]  # keywords stay English in zh by design
            else:
                cjk, letters = map(
                    sum, zip(*(cjk_share(field_texts(s)[name][0]) for s in results["zh"]), strict=True)
                )
                cjk_total[0] += cjk
                cjk_total[1] += letters
                chinese = sum(bool(_CJK.search(field_texts(s)[name][0])) for s in results["zh"])
                chinese_total[0] += chinese
                chinese_total[1] += len(results["zh"])
                cells += [f"{chinese}/{len(results['zh'])}", f"{cjk / max(letters, 1):.0%}"]
        rows.append("| " + " | ".join(cells) + " |")
    cells = ["**all fields**", *(f"**{made / max(n, 1):.0%}**" for made, n in totals.values())]
    if "zh" in results:
        cells.append(f"**{chinese_total[0] / max(chinese_total[1], 1):.0%}**")
        cells.append(f"**{cjk_total[0] / max(cjk_total[1], 1):.0%}**")
    rows.append("| " + " | ".join(cells) + " |")
    seconds = [
        "generation s/paper",
        *(f"{sum(s.seconds for s in results[lang]) / len(results[lang]):.1f}" for lang in langs),
    ]
    if "zh" in results:
        seconds += ["", ""]
    rows.append("| " + " | ".join(seconds) + " |")
    return rows


def main() -> None:
    """Summarize the papers in each language and print the per-field table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=Path, default=ROOT.parent / "shared" / "eval" / "papers")
    parser.add_argument("--files", nargs="*", default=[], help="PDF names in --papers (default: all)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N papers")
    parser.add_argument("--langs", default="en,zh")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0: all cores)")
    parser.add_argument("--home", type=Path, help="library folder to reuse (default: a temporary one)")
    parser.add_argument("--dump", type=Path, help="write every summary as JSON lines here")
    args = parser.parse_args()
    pdfs = [args.papers / f for f in args.files] or sorted(args.papers.glob("*.pdf"))
    pdfs = pdfs[: args.limit or None]
    home = args.home or Path(tempfile.mkdtemp(prefix="paperlamp-bench-quality-"))
    os.environ["PAPERLAMP_HOME"] = str(home)
    settings = load_settings(home=home)
    settings.llm.threads = args.threads
    assistant = build_assistant(settings)
    ids = [r.paper_id for r in assistant.library.add(pdfs) if r.paper_id]
    summarizer = assistant.summarizer
    results: dict[str, list[PaperSummary]] = {}
    dump: list[dict[str, Any]] = []
    cpu_seconds: dict[str, list[float]] = {}
    for lang in args.langs.split(","):
        for paper_id in ids:
            paper = assistant.library.get(paper_id)
            cpu = time.process_time()
            summary = summarizer.summarize(paper, lang)  # type: ignore[arg-type]
            cpu_seconds.setdefault(lang, []).append(time.process_time() - cpu)
            results.setdefault(lang, []).append(summary)
            dump.append(summary.to_json())
            print(f"{lang} {paper.source}: {summary.seconds:.1f} s", file=sys.stderr, flush=True)
    if args.dump:
        args.dump.write_text(
            "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dump), encoding="utf-8"
        )
    print(f"{len(ids)} papers: {', '.join(p.name for p in pdfs)}")
    print("\n".join(table(results)))
    cpu = ", ".join(f"{lang} {sum(v) / len(v):.1f}" for lang, v in cpu_seconds.items())
    print(f"\nCPU seconds of generation per paper (steadier than wall time on a shared machine): {cpu}")


if __name__ == "__main__":
    main()
