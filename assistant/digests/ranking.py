"""Ranking a digest's candidates by how close each is to the researcher's own library.

Each candidate's title and abstract, and each profile paper's, are embedded with the library's
embedder; a candidate's score is the mean of its `top_k` best cosines to profile papers (the
choice `bench/digest_ranking.py` measured against the nearest paper alone and the profile's
centroid). The profile is the library's papers, or the ones `--like` names, never papers a digest
itself added: otherwise each day's picks would pull the next day's toward themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from assistant.library.arxiv import DIGEST_KEY
from assistant.library.library import Library
from models.catalog import Paper
from models.embedder import Embedder

# The library needs this many papers before `--rank library` is the default (fewer say too little).
MIN_PROFILE = 5


@dataclass(frozen=True)
class Neighbour:
    """A library paper a candidate is close to, and how close (cosine)."""

    paper_id: str
    title: str
    similarity: float


@dataclass(frozen=True)
class Scored:
    """A candidate's score against the profile and the library papers behind it, closest first."""

    score: float
    neighbours: tuple[Neighbour, ...]

    @property
    def reason(self) -> str:
        """Why it was picked: 'close to "A" (0.71) and "B" (0.64) in your library' (the second
        only when it is at least half as close as the first, and neither when nothing is close)."""
        best = self.neighbours[0].similarity if self.neighbours else 0.0
        near = [n for n in self.neighbours[:2] if best > 0 and n.similarity >= best / 2]
        named = [f"“{n.title}” ({n.similarity:.2f})" for n in near]
        return (
            f"close to {' and '.join(named)} in your library" if named else "close to nothing in your library"
        )


@dataclass(frozen=True)
class Profile:
    """The library papers a digest ranks against, with their title+abstract vectors (unit length)."""

    papers: tuple[Paper, ...]
    vectors: np.ndarray

    def __len__(self) -> int:
        """How many papers the profile holds."""
        return len(self.papers)


def paper_text(title: str, abstract: str) -> str:
    """The text embedded for a paper, candidate or library: its title, then its abstract."""
    return f"{title}. {abstract}".strip(" .") if abstract else title


def profile_papers(
    library: Library,
    like: Sequence[str] = (),
    collections: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> list[Paper]:
    """The papers named by `like` (any id form the library accepts) together with those in any of
    `collections` with any of `tags` (Zotero's); with none of them, every paper the researcher
    added (not those a digest brought in)."""
    named = [library.get(ref) for ref in like]
    if collections or tags:
        named += [p for p in library.papers_in(collections, tags) if DIGEST_KEY not in p.extra]
    if like or collections or tags:
        return list({p.id: p for p in named}.values())
    return [p for p in library.papers() if DIGEST_KEY not in p.extra]


def build_profile(papers: Sequence[Paper], embedder: Embedder) -> Profile:
    """Embed the profile papers' titles and abstracts."""
    texts = [paper_text(p.title, p.abstract) for p in papers]
    vectors = _unit(embedder.embed(texts)) if texts else np.zeros((0, embedder.dimension), np.float32)
    return Profile(tuple(papers), vectors)


@dataclass(frozen=True)
class LibraryRanker:
    """Scores texts against a profile: the mean of the top_k cosines, each weighted by how
    recently its paper was added (half-life in days; 0 weighs every paper alike)."""

    top_k: int = 3
    half_life_days: float = 0.0

    def score(self, texts: Sequence[str], profile: Profile, embedder: Embedder) -> list[Scored]:
        """One Scored per text, in the texts' order."""
        if not texts or not len(profile):
            return [Scored(0.0, ()) for _ in texts]
        return self.score_vectors(_unit(embedder.embed(list(texts))), profile)

    def score_vectors(self, vectors: np.ndarray, profile: Profile) -> list[Scored]:
        """One Scored per unit vector (texts embedded already), in their order."""
        cosines = vectors @ profile.vectors.T
        weighted = cosines * self._recency(profile.papers)
        k = min(self.top_k, len(profile))
        order = np.argsort(-weighted, axis=1)
        return [self._scored(cosines[i], weighted[i], order[i], k, profile) for i in range(len(vectors))]

    def _scored(
        self, cos: np.ndarray, weighted: np.ndarray, order: np.ndarray, k: int, profile: Profile
    ) -> Scored:
        best = order[:k]
        neighbours = tuple(
            Neighbour(profile.papers[j].id, profile.papers[j].title, round(float(cos[j]), 4))
            for j in order[: max(k, 2)]
        )
        return Scored(round(float(weighted[best].mean()), 4), neighbours)

    def _recency(self, papers: Sequence[Paper]) -> np.ndarray:
        if self.half_life_days <= 0:
            return np.ones(len(papers), dtype=np.float32)
        now = datetime.now(UTC)
        ages = [(now - _added(p, now)).total_seconds() / 86400 for p in papers]
        return np.array([0.5 ** (max(a, 0.0) / self.half_life_days) for a in ages], dtype=np.float32)


def _added(paper: Paper, now: datetime) -> datetime:
    try:
        added = datetime.fromisoformat(paper.added_at)
    except ValueError:
        return now
    return added if added.tzinfo else added.replace(tzinfo=UTC)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
