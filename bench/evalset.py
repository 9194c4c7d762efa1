"""The 55 evaluation PDFs, their tune/report halves, and running an older revision's code on them.

Halves: papers/ at even positions of papers/manifest.jsonl are "tune", odd ones "report"; the 40
LitQA2 PDFs sorted by file name, even index "tune". Every figure is reported per half and overall,
so a rule tuned on one half shows whether it holds on the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
TRUTH = ROOT / "bench" / "truth"
HALVES = ("tune", "report", "all")


def halves(eval_dir: Path = EVAL) -> dict[str, str]:
    """Map each PDF's path relative to the eval folder to "tune" or "report"."""
    out: dict[str, str] = {}
    manifest = [json.loads(line) for line in (eval_dir / "papers/manifest.jsonl").open()]
    for i, row in enumerate(manifest):
        out[f"papers/{row['file']}"] = "tune" if i % 2 == 0 else "report"
    for i, pdf in enumerate(sorted((eval_dir / "litqa2/pdfs").glob("*.pdf"))):
        out[f"litqa2/pdfs/{pdf.name}"] = "tune" if i % 2 == 0 else "report"
    return out


def load_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON-lines file."""
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def base_revision() -> str:
    """The commit this branch started from (where it leaves main)."""
    out = subprocess.run(
        ["git", "merge-base", "main", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def run_at_revision(script: Path, rev: str, args: list[str]) -> str:
    """Run `script --predict` with the ingest package as it was at `rev`; returns its stdout."""
    tree = Path(tempfile.mkdtemp(prefix="paperlamp-rev-"))
    data = subprocess.run(["git", "archive", rev, "ingest"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(data.stdout)) as tar:
        tar.extractall(tree, filter="data")
    env = {**os.environ, "PAPERLAMP_BENCH_TREE": str(tree)}
    out = subprocess.run(
        [sys.executable, str(script), "--predict", *args], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"{script.name} at {rev[:8]} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def share(hits: list[bool]) -> str:
    """ "n/N (0.xx)" for a list of hit flags."""
    if not hits:
        return "-"
    return f"{sum(hits)}/{len(hits)} ({sum(hits) / len(hits):.2f})"
