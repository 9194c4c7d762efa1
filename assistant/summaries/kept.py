"""The summaries kept in the library: written once on request, then read back instead of generated.

A paper's summary in a language is kept as `<home>/cache/summaries/<sha256>-<lang>.json`, with
when it was written. The app shows the kept summary; `paperlamp summarize` prints it back while
the model that wrote it is the one configured (another model's summary is written anew).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.domain import Lang, Paper, Progress, no_progress
from assistant.summaries.fields import PaperSummary
from assistant.summaries.summarize import Summarizer
from models.home import LibraryHome, write_text_atomically


@dataclass(frozen=True)
class KeptSummary:
    """A paper's summary as kept in the library, and when it was written."""

    summary: PaperSummary
    written_at: str


class KeptSummaries:
    """Writes summaries with the summarizer and keeps them in the library's cache."""

    def __init__(self, home: LibraryHome, summarizer: Summarizer, model_name: str | None) -> None:
        self.home = home
        self.summarizer = summarizer
        # The configured generator's name, known without loading it (None: only its server knows).
        self.model_name = model_name

    def file(self, paper: Paper, lang: Lang) -> Path:
        """Where a paper's summary in `lang` is kept."""
        return self.home.cache / "summaries" / f"{paper.sha256}-{lang}.json"

    def kept(self, paper: Paper, lang: Lang) -> KeptSummary | None:
        """The paper's kept summary in `lang`, or None (never written, or unreadable)."""
        try:
            data = json.loads(self.file(paper, lang).read_text(encoding="utf-8"))
            summary = PaperSummary.from_json(data["summary"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return KeptSummary(summary, str(data.get("written_at", ""))) if summary.paper_id == paper.id else None

    def reusable(self, paper: Paper, lang: Lang) -> KeptSummary | None:
        """The kept summary when the configured model wrote it (another model's is written anew)."""
        kept = self.kept(paper, lang)
        model = self.model_name
        return kept if kept is not None and model is not None and kept.summary.model == model else None

    def write(self, paper: Paper, lang: Lang, progress: Progress = no_progress) -> KeptSummary:
        """Write the paper's summary from its full text and keep it."""
        summary = self.summarizer.summarize(paper, lang, progress)
        written_at = datetime.now(UTC).isoformat(timespec="seconds")
        data = {"written_at": written_at, "summary": summary.to_json()}
        write_text_atomically(self.file(paper, lang), json.dumps(data, ensure_ascii=False))
        return KeptSummary(summary, written_at)
