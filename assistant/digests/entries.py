"""What a digest is made of: the request, each digested paper, the post, and the topic's history.

Everything here is arXiv metadata or saved results; nothing is generated. A topic's history (which
paper versions were digested, on which day, with their entries) lives in one JSON file written
atomically after each paper, which is what lets a killed run resume.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from assistant.domain import Lang
from assistant.errors import BadInput
from assistant.summaries.fields import PaperSummary
from ingest.arxiv_client import ArxivEntry
from models.home import write_text_atomically

Status = Literal["new", "updated"]


@dataclass(frozen=True)
class DigestRequest:
    """What to digest: a topic's search and window, how many papers, in which language."""

    topic: str
    query: str = ""
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    max_papers: int = 5
    lang: Lang = "en"

    @property
    def slug(self) -> str:
        """The topic as a file-name part."""
        return re.sub(r"[^a-z0-9]+", "-", self.topic.lower()).strip("-") or "topic"


@dataclass(frozen=True)
class FigureRef:
    """A saved figure crop: its label, caption, page and path relative to the post."""

    label: str
    caption: str
    page: int
    path: str


@dataclass(frozen=True)
class DigestEntry:
    """One digested paper: arXiv metadata (never generated), figures and the summary."""

    arxiv_id: str
    version: int
    paper_id: str
    title: str
    authors: tuple[str, ...]
    affiliations: tuple[str, ...]
    published: str
    updated: str
    categories: tuple[str, ...]
    comment: str
    paper_url: str
    pdf_url: str
    code_url: str
    status: Status
    summary: PaperSummary
    figures: tuple[FigureRef, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        data = {k: v for k, v in self.__dict__.items() if k not in ("summary", "figures")}
        data |= {"summary": self.summary.to_json(), "figures": [f.__dict__ for f in self.figures]}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DigestEntry:
        """Rebuild an entry saved with `to_json`."""
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        values["summary"] = PaperSummary.from_json(data["summary"])
        values["figures"] = tuple(FigureRef(**f) for f in data["figures"])
        return cls(**values)


@dataclass(frozen=True)
class Digest:
    """A topic's post for one day: the papers digested that day, and what went wrong on the way."""

    request: DigestRequest
    day: date
    entries: tuple[DigestEntry, ...]
    new: int  # papers digested by this run (0 means "no new papers")
    warnings: tuple[str, ...] = ()
    markdown_path: Path | None = None
    json_path: Path | None = None

    @property
    def name(self) -> str:
        """The post's file stem: day and topic."""
        return f"{self.day.isoformat()}-{self.request.slug}"


@dataclass
class DigestState:
    """A topic's digest history: per arXiv id, the version digested, the day, and the entry."""

    path: Path
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DigestState:
        """The history saved at `path` (empty when there is none); BadInput when it is damaged."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, json.JSONDecodeError) as exc:
            raise BadInput(f"the digest state {path} is damaged ({exc}); delete it to start over") from exc
        return cls(path, dict(data.get("papers", {})))

    def save(self, entry: DigestEntry, day: date) -> None:
        """Record a finished paper and write the whole history atomically."""
        self.papers[entry.arxiv_id] = {
            "version": entry.version,
            "day": day.isoformat(),
            "entry": entry.to_json(),
        }
        write_text_atomically(self.path, json.dumps({"papers": self.papers}, ensure_ascii=False, indent=1))

    def entries_of(self, day: date) -> list[DigestEntry]:
        """The entries digested on `day`, in the order they were digested."""
        return [
            DigestEntry.from_json(p["entry"]) for p in self.papers.values() if p["day"] == day.isoformat()
        ]


def make_entry(
    entry: ArxivEntry,
    status: Status,
    paper_id: str,
    affiliations: Sequence[str],
    code: str,
    summary: PaperSummary,
    figures: tuple[FigureRef, ...],
    note: str,
) -> DigestEntry:
    """A digested paper's entry: the arXiv entry's facts, and what the library and model made of it."""
    return DigestEntry(
        arxiv_id=entry.arxiv_id,
        version=entry.version,
        paper_id=paper_id,
        title=entry.title,
        authors=entry.authors,
        affiliations=tuple(affiliations),
        published=entry.published.date().isoformat(),
        updated=entry.updated.date().isoformat(),
        categories=entry.categories,
        comment=entry.comment,
        paper_url=entry.abs_url,
        pdf_url=entry.pdf_url,
        code_url=code,
        status=status,
        summary=summary,
        figures=figures,
        note=note,
    )
