"""The questions asked of a library, kept as JSON lines in its home, and the library at a glance."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.build import Assistant
from assistant.domain import Answer, Paper
from assistant.search import SearchFilter
from models.home import LibraryHome, append_line, write_text_atomically

KEEP = 200  # questions kept; the file is trimmed to this when it grows to twice as many


@dataclass(frozen=True)
class AskedQuestion:
    """A question asked of the library, and how it went."""

    question: str
    asked_at: str
    abstained: bool
    citations: int
    answer: str = ""


@dataclass(frozen=True)
class Glance:
    """The library at a glance: counts, the newest papers and the latest questions."""

    papers: int
    chunks: int
    questions: int
    recent_papers: tuple[Paper, ...]
    recent_questions: tuple[AskedQuestion, ...]


def history_file(home: LibraryHome) -> Path:
    """Where the question history lives."""
    return home.root / "questions.jsonl"


def remember(home: LibraryHome, answer: Answer, now: datetime | None = None) -> AskedQuestion:
    """Record an answered (or abstained) question in the history; return the record."""
    asked = AskedQuestion(
        question=answer.question,
        asked_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        abstained=answer.abstained,
        citations=len(answer.citations),
        answer=answer.answer[:500],
    )
    path = history_file(home)
    append_line(path, json.dumps(asdict(asked), ensure_ascii=False))
    lines = _lines(path)
    if len(lines) > 2 * KEEP:
        write_text_atomically(path, "".join(line + "\n" for line in lines[-KEEP:]))
    return asked


def recent_questions(home: LibraryHome, n: int = 10) -> list[AskedQuestion]:
    """The last `n` questions, newest first; unreadable lines are skipped."""
    out: list[AskedQuestion] = []
    for line in reversed(_lines(history_file(home))):
        try:
            out.append(AskedQuestion(**json.loads(line)))
        except (ValueError, TypeError):
            continue
        if len(out) == n:
            break
    return out


def ask_and_remember(assistant: Assistant, question: str, where: SearchFilter = SearchFilter()) -> Answer:
    """Ask the library and keep the question in its history."""
    answer = assistant.asker.ask(question, where)
    remember(assistant.home, answer)
    return answer


def glance(assistant: Assistant, n: int = 5) -> Glance:
    """Counts, the `n` most recently added papers and the `n` latest questions."""
    papers = assistant.library.papers()
    newest = sorted(papers, key=lambda p: p.added_at, reverse=True)[:n]
    return Glance(
        papers=len(papers),
        chunks=assistant.library.catalog.chunk_count(),
        questions=len(_lines(history_file(assistant.home))),
        recent_papers=tuple(newest),
        recent_questions=tuple(recent_questions(assistant.home, n)),
    )


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line.strip()]
