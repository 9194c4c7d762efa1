"""The demo papers shipped with paperlamp (original, written for it), questions about them, and the
check of the demo's answers against what each must contain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.domain import Answer

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


@dataclass(frozen=True)
class Checked:
    """A demo answer held against its question: right or not, and why, in words."""

    right: bool
    reason: str


def check_answer(sample: SampleQuestion, answer: Answer) -> Checked:
    """Whether `answer` is right: it cites the question's paper and contains `answer_contains`,
    or abstains when no demo paper answers the question."""
    if sample.answer_contains is None:
        if answer.abstained:
            return Checked(True, "abstained: no demo paper answers this")
        return Checked(False, "answered, but no demo paper answers this question")
    expected = sample.answer_contains
    if answer.abstained:
        return Checked(False, f"abstained; the answer is “{expected}”")
    if sample.paper and not any(c.source == sample.paper for c in answer.citations):
        return Checked(False, f"cites another paper than {sample.paper}")
    if _squeezed(expected) not in _squeezed(answer.answer):
        return Checked(False, f"the answer does not say “{expected}”")
    return Checked(True, f"says “{expected}”, citing {sample.paper}")


def _squeezed(text: str) -> str:
    """Lowercase text without spaces: "47 °C" and "47°C" are one answer."""
    return "".join(text.lower().split())
