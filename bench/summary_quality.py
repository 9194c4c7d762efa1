"""How much of a summary the bundled model writes itself, per field, in English and Chinese.

Adds the chosen PDFs to a library (a temporary one, or `--home` to reuse one between runs), writes
each paper's summary in every language asked for, and prints per field: the share of items the
model wrote (the rest quote the paper verbatim, or are notes) and, for zh, how many fields carry
a Chinese translation and the share of CJK characters among the translations' letters (English
technical terms count against it, so 100% is not the goal). Also the share of summary sentences
that restate the abstract (word-set overlap above 0.8 with one of its sentences; target below
0.3), and the seconds of generation per paper, wall and CPU (with `--threads 1` the CPU time is
what the wall time would be on a quiet machine). `--dump FILE` writes every summary as one JSON
line as soon as it is written, to read the prose itself.

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
from assistant.summaries.fields import Field, PaperSummary, Points  # noqa: E402
from ingest.text import split_sentences, word_overlap  # noqa: E402

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z0-9]")
NAMES = [
    "one_line", "takeaways", "keywords", "background", "past_methods", "method", "method_steps",
    "tasks_results", "conclusion_significance", "conclusion_innovation", "conclusion_performance",
    "conclusion_workload",
]  # fmt: skip


class NoModel:
    """A generator that writes nothing: every field shows the sentences extraction chose (`--no-model`)."""

    name = "extract-only"
    context_tokens = 8192
    has_chat_template = False

    def count_tokens(self, text: str) -> int:
        """Words, roughly."""
        return len(text.split())

    def generate(self, prompt: object, **kwargs: object) -> str:
        """Nothing, so the summarizer quotes the paper."""
        return ""


def units(summary: PaperSummary, name: str) -> list[Field]:
    """A field's units: the field itself, or each item of a list."""
    value = getattr(summary, name)
    return list(value.units) if isinstance(value, Points) else [value] if value.text else []


def field_texts(summary: PaperSummary) -> dict[str, tuple[str, bool]]:
    """Each field's Chinese (or English) text, items joined, and whether no item of it is the model's."""
    out: dict[str, tuple[str, bool]] = {}
    for name in NAMES:
        found = units(summary, name)
        text = " ".join(u.translation or u.text for u in found)
        out[name] = (text, not any(u.by == "model" for u in found))
    return out


def restated(summary: PaperSummary, abstract: str) -> tuple[int, int]:
    """(summary sentences overlapping an abstract sentence by more than 0.8, all summary sentences)."""
    lines = split_sentences(" ".join(abstract.split()))
    said = [
        s
        for name in NAMES
        if name != "keywords"
        for u in units(summary, name)
        for s in split_sentences(u.text)
    ]
    hits = sum(any(word_overlap(s, a) > 0.8 for a in lines) for s in said)
    return hits, len(said)


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
            found = [u for s in results[lang] for u in units(s, name)]
            made = sum(u.by == "model" for u in found)
            totals[lang][0] += made
            totals[lang][1] += len(found)
            cells.append(f"{made}/{len(found)}")
        if "zh" in results:
            if name == "keywords":
                cells += ["", ""]
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
    parser.add_argument("--no-model", action="store_true", help="extraction only: the model writes nothing")
    args = parser.parse_args()
    pdfs = [args.papers / f for f in args.files] or sorted(args.papers.glob("*.pdf"))
    pdfs = pdfs[: args.limit or None]
    home = args.home or Path(tempfile.mkdtemp(prefix="paperlamp-bench-quality-"))
    os.environ["PAPERLAMP_HOME"] = str(home)
    settings = load_settings(home=home)
    settings.llm.threads = args.threads
    settings.llm.isolation = "inline"  # the model runs in this process, so its CPU time is counted
    assistant = build_assistant(settings, generator=NoModel() if args.no_model else None)  # type: ignore[arg-type]
    ids = [r.paper_id for r in assistant.library.add(pdfs) if r.paper_id]
    summarizer = assistant.summarizer
    results: dict[str, list[PaperSummary]] = {}
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    cpu_seconds: dict[str, list[float]] = {}
    overlap = [0, 0]
    for lang in args.langs.split(","):
        for paper_id in ids:
            paper = assistant.library.get(paper_id)
            cpu = time.process_time()
            summary = summarizer.summarize(paper, lang)  # type: ignore[arg-type]
            cpu_seconds.setdefault(lang, []).append(time.process_time() - cpu)
            results.setdefault(lang, []).append(summary)
            hits, said = restated(summary, paper.abstract)
            overlap = [overlap[0] + hits, overlap[1] + said]
            if dump is not None:
                row: dict[str, Any] = summary.to_json() | {"file": paper.source}
                dump.write(json.dumps(row, ensure_ascii=False) + "\n")
                dump.flush()
            print(f"{lang} {paper.source}: {summary.seconds:.1f} s", file=sys.stderr, flush=True)
    print(f"{len(ids)} papers: {', '.join(p.name for p in pdfs)}")
    print("\n".join(table(results)))
    print(
        f"\nSummary sentences restating the abstract (overlap > 0.8): {overlap[0]}/{overlap[1]}"
        f" = {overlap[0] / max(overlap[1], 1):.2f} (target < 0.3)"
    )
    cpu = ", ".join(f"{lang} {sum(v) / len(v):.1f}" for lang, v in cpu_seconds.items())
    print(f"\nCPU seconds of generation per paper (steadier than wall time on a shared machine): {cpu}")


if __name__ == "__main__":
    main()
