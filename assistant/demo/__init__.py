"""The demo papers shipped with paperlamp (original, written for it) and questions about them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SampleQuestion:
    """A demo question, the paper that answers it (None: no paper does) and a phrase of the answer."""

    question: str
    paper: str | None
    answer_contains: str | None


def sample_papers() -> list[Path]:
    """The demo PDFs."""
    return sorted(SAMPLES.glob("*.pdf"))


def sample_questions() -> list[SampleQuestion]:
    """The demo questions."""
    path = SAMPLES / "questions.json"
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [SampleQuestion(r["question"], r.get("paper"), r.get("answer_contains")) for r in rows]
