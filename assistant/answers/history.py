"""The questions asked of a library, kept as JSON lines in its home, and the library at a glance."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.answers.ask import Asker
from assistant.domain import Answer, Paper
from assistant.library.library import Library
from assistant.retrieval.search import SearchFilter
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


class History:
    """The library's question history: questions asked through it are kept, newest last."""

    def __init__(self, home: LibraryHome, library: Library, asker: Asker) -> None:
        self.library = library
        self.asker = asker
        self.file: Path = home.root / "questions.jsonl"

    def ask(self, question: str, where: SearchFilter = SearchFilter()) -> Answer:
        """Ask the library and keep the question in the history."""
        answer = self.asker.ask(question, where)
        self.remember(answer)
        return answer

    def remember(self, answer: Answer, now: datetime | None = None) -> AskedQuestion:
        """Record an answered (or abstained) question; return the record."""
        asked = AskedQuestion(
            question=answer.question,
            asked_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
            abstained=answer.abstained,
            citations=len(answer.citations),
            answer=answer.answer[:500],
        )
        append_line(self.file, json.dumps(asdict(asked), ensure_ascii=False))
        lines = self._lines()
        if len(lines) > 2 * KEEP:
            write_text_atomically(self.file, "".join(line + "\n" for line in lines[-KEEP:]))
        return asked

    def recent(self, n: int = 10) -> list[AskedQuestion]:
        """The last `n` questions, newest first; unreadable lines are skipped."""
        out: list[AskedQuestion] = []
        for line in reversed(self._lines()):
            try:
                out.append(AskedQuestion(**json.loads(line)))
            except (ValueError, TypeError):
                continue
            if len(out) == n:
                break
        return out

    def glance(self, n: int = 5) -> Glance:
        """Counts, the `n` most recently added papers and the `n` latest questions."""
        papers = self.library.papers()
        newest = sorted(papers, key=lambda p: p.added_at, reverse=True)[:n]
        return Glance(
            papers=len(papers),
            chunks=self.library.catalog.chunk_count(),
            questions=len(self._lines()),
            recent_papers=tuple(newest),
            recent_questions=tuple(self.recent(n)),
        )

    def _lines(self) -> list[str]:
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [line for line in text.splitlines() if line.strip()]
