"""Which of a window's arXiv papers a digest writes up, and what it does with the rest.

Every paper the window holds ends up in exactly one place: digested before for this topic (left
out, it is in that day's post), digested under another topic (listed once: "also in <topic>,
<day>"), already in the library (listed so), filtered out by `--include`/`--exclude` (listed with
the reason), picked for a full digest (the best `--max` by the ranking), or listed as "also new"
with its score. Nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from assistant.digests.entries import (
    DigestEntry,
    DigestRequest,
    DigestState,
    Listed,
    Rank,
    Status,
    other_topics,
)
from assistant.digests.filters import KeywordFilter
from assistant.digests.ranking import (
    MIN_PROFILE,
    LibraryRanker,
    Scored,
    build_profile,
    paper_text,
    profile_papers,
)
from assistant.errors import BadInput
from assistant.library.library import Library
from ingest.arxiv_client import ArxivEntry, parse_arxiv_id
from ingest.errors import InvalidRequest
from ingest.text import words


@dataclass(frozen=True)
class Pick:
    """A paper to digest in full: new or updated, with its ranking (None: newest first)."""

    entry: ArxivEntry
    status: Status
    scored: Scored | None

    def with_ranking(self, done: DigestEntry) -> DigestEntry:
        """The digested entry with this pick's score and reason."""
        if self.scored is None:
            return done
        return replace(done, score=self.scored.score, reason=self.scored.reason)


@dataclass(frozen=True)
class Selection:
    """A window's papers sorted into what a digest does with them."""

    rank: Rank
    picks: tuple[Pick, ...]
    also_new: tuple[Listed, ...]
    excluded: tuple[Listed, ...]
    also_in: tuple[Listed, ...]


class Selector:
    """Filters, ranks and splits a window's entries against the topic's and other topics' history."""

    def __init__(self, library: Library, ranker: LibraryRanker) -> None:
        self.library = library
        self.ranker = ranker

    def select(
        self,
        request: DigestRequest,
        entries: Sequence[ArxivEntry],
        state: DigestState,
        day: date,
        budget: int,
    ) -> Selection:
        """Sort the entries; at most `budget` become picks, best first."""
        keywords = KeywordFilter.of(request.include, request.exclude)
        elsewhere: dict[str, tuple[str, dict[str, Any]]] = {}
        for other in other_topics(state):
            elsewhere |= {a: (other.topic, p) for a, p in other.papers.items() if a not in elsewhere}
        held = _library_keys(self.library)
        fresh: list[tuple[ArxivEntry, Status]] = []
        also_in: list[Listed] = []
        excluded: list[Listed] = []
        for entry in entries:
            if state.digested(entry.arxiv_id, entry.version) or state.listed_before(
                entry.arxiv_id, entry.version, day
            ):
                continue  # in this topic's earlier post already
            topic, seen = elsewhere.get(entry.arxiv_id, ("", None))
            if seen is not None and int(seen["version"]) >= entry.version:
                also_in.append(Listed.of(entry, reason=f"also in {topic}, {seen['day']}"))
            elif entry.arxiv_id in held or _title_key(entry.title) in held:
                also_in.append(Listed.of(entry, reason="already in your library"))
            elif reason := keywords.reason_to_exclude(entry.title, entry.abstract):
                excluded.append(Listed.of(entry, reason=reason))
            else:
                fresh.append((entry, "updated" if entry.arxiv_id in state.papers else "new"))
        rank, scores = self._rank(request, [e for e, _ in fresh])
        order = sorted(range(len(fresh)), key=lambda i: -scores[i].score) if scores else range(len(fresh))
        ranked = [(fresh[i][0], fresh[i][1], scores[i] if scores else None) for i in order]
        picks = tuple(Pick(e, s, sc) for e, s, sc in ranked[: max(budget, 0)])
        rest = tuple(
            Listed.of(e, sc.score if sc else None, sc.reason if sc else "")
            for e, _, sc in ranked[max(budget, 0) :]
        )
        return Selection(rank, picks, rest, tuple(excluded), tuple(also_in))

    def _rank(self, request: DigestRequest, entries: list[ArxivEntry]) -> tuple[Rank, list[Scored]]:
        """The ranking method and each entry's score (none when ranked newest first)."""
        scoped = bool(request.like or request.like_collections or request.like_tags)
        papers = (
            profile_papers(self.library, request.like, request.like_collections, request.like_tags)
            if request.rank != "newest"
            else []
        )
        rank = request.rank or ("library" if scoped or len(papers) >= MIN_PROFILE else "newest")
        if rank == "newest":
            return rank, []
        if not papers:
            raise BadInput("--rank library needs papers in the library (add some, or use --rank newest)")
        embedder = self.library.embedder
        profile = build_profile(papers, embedder)
        texts = [paper_text(e.title, e.abstract) for e in entries]
        return rank, self.ranker.score(texts, profile, embedder)


def _library_keys(library: Library) -> set[str]:
    """The bare arXiv ids and title keys of the papers the researcher added (a digest's own are
    in its history already)."""
    keys: set[str] = set()
    for paper in profile_papers(library):
        keys.add(_title_key(paper.title))
        # Not from arXiv, or an id its PDF printed badly: the title still matches.
        with contextlib.suppress(InvalidRequest):
            keys.add(parse_arxiv_id(paper.arxiv_id)[0])
    return keys - {""}


def _title_key(title: str) -> str:
    return " ".join(words(title.lower()))
