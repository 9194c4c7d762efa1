"""What a digest is made of: the request, each digested paper, the post, and the topic's history.

Everything here is arXiv metadata or saved results; nothing is generated. A topic's history (which
paper versions were digested, on which day, with their entries) lives in one JSON file written
atomically after each paper, which is what lets a killed run resume.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
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
Rank = Literal["library", "newest"]


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
    rank: Rank | None = None  # None: by the library when it holds enough papers, else newest first
    like: tuple[str, ...] = ()  # library papers the ranking is scoped to (empty: the whole library)
    like_collections: tuple[str, ...] = ()  # ... and the papers of these collections
    like_tags: tuple[str, ...] = ()  # ... with any of these tags
    include: str = ""  # a regular expression title + abstract must match
    exclude: str = ""  # a regular expression title + abstract must not match

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
    score: float | None = None  # the library ranking's score (None: ranked newest first)
    reason: str = ""  # why the ranking picked it: the library papers it is close to

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
class Listed:
    """A new paper a post lists without digesting it, with why: ranked below --max ("also new"),
    filtered out by --include/--exclude, digested under another topic or already in the library."""

    arxiv_id: str
    version: int
    title: str
    authors: tuple[str, ...]
    paper_url: str
    score: float | None = None
    reason: str = ""

    @classmethod
    def of(cls, entry: ArxivEntry, score: float | None = None, reason: str = "") -> Listed:
        """The listing of an arXiv entry."""
        return cls(entry.arxiv_id, entry.version, entry.title, entry.authors, entry.abs_url, score, reason)

    def to_json(self) -> dict[str, Any]:
        """The listing as a JSON-ready dict."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Listed:
        """Rebuild a listing saved with `to_json`."""
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
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
    rank: Rank = "newest"  # how this run ordered the candidates
    also_new: tuple[Listed, ...] = ()  # ranked below --max: listed, not digested
    excluded: tuple[Listed, ...] = ()  # filtered out by --include/--exclude, each with its reason
    also_in: tuple[Listed, ...] = ()  # in another topic's post ("also in <topic>, <day>"), or the library

    @property
    def name(self) -> str:
        """The post's file stem: day and topic."""
        return f"{self.day.isoformat()}-{self.request.slug}"


@dataclass
class DigestState:
    """A topic's digest history: per arXiv id, the version digested, the day, and the entry; and
    the papers only listed (also new, filtered out) with their version and day, so a later day
    does not list them again."""

    path: Path
    topic: str = ""
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    listed: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, topic: str = "") -> DigestState:
        """The history saved at `path` (empty when there is none); BadInput when it is damaged."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path, topic)
        except (OSError, json.JSONDecodeError) as exc:
            raise BadInput(f"the digest state {path} is damaged ({exc}); delete it to start over") from exc
        saved = data.get("topic") or path.stem
        return cls(path, topic or saved, dict(data.get("papers", {})), dict(data.get("listed", {})))

    def save(self, entry: DigestEntry, day: date) -> None:
        """Record a finished paper and write the whole history atomically."""
        self.papers[entry.arxiv_id] = {
            "version": entry.version,
            "day": day.isoformat(),
            "entry": entry.to_json(),
        }
        self._write()

    def save_listed(self, listed: Mapping[str, Sequence[Listed]], day: date) -> None:
        """Record the papers a post lists without digesting them, by list ("also_new", ...)."""
        for kind, items in listed.items():
            for item in items:
                record = {"version": item.version, "day": day.isoformat(), "kind": kind}
                self.listed[item.arxiv_id] = record | {"item": item.to_json()}
        self._write()

    def listed_on(self, day: date, kind: str) -> tuple[Listed, ...]:
        """The papers of one list the day's post holds (every run of that day), less those
        digested since; "also_new" best score first."""
        items = [
            Listed.from_json(r["item"])
            for a, r in self.listed.items()
            if r["day"] == day.isoformat()
            and r.get("kind") == kind
            and not self.digested(a, int(r["version"]))
        ]
        if kind == "also_new":
            items.sort(key=lambda x: -(x.score if x.score is not None else float("-inf")))
        return tuple(items)

    def _write(self) -> None:
        data = {"topic": self.topic, "papers": self.papers, "listed": self.listed}
        write_text_atomically(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    def digested(self, arxiv_id: str, version: int) -> dict[str, Any] | None:
        """The record of this paper when this version (or a later one) was digested."""
        seen = self.papers.get(arxiv_id)
        return seen if seen is not None and int(seen["version"]) >= version else None

    def listed_before(self, arxiv_id: str, version: int, day: date) -> bool:
        """Whether a post of an earlier day already listed this version (or a later one)."""
        seen = self.listed.get(arxiv_id)
        return seen is not None and int(seen["version"]) >= version and seen["day"] < day.isoformat()

    def entries_of(self, day: date) -> list[DigestEntry]:
        """The entries digested on `day`, in the order they were digested."""
        return [
            DigestEntry.from_json(p["entry"]) for p in self.papers.values() if p["day"] == day.isoformat()
        ]


def other_topics(state: DigestState) -> list[DigestState]:
    """The histories of every other topic digested into the same library."""
    paths = sorted(p for p in state.path.parent.glob("*.json") if p != state.path)
    return [DigestState.load(p) for p in paths]


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
