"""What a digest run asks arXiv for: the submission-date window, and a request per followed topic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from assistant.digests.entries import DigestRequest, Rank
from assistant.domain import Lang
from assistant.errors import BadInput
from assistant.settings import Topic


def window(since: date | None, days: int | None, today: date) -> tuple[date, date]:
    """The submission-date window: since a day, or the last `days` days (7 by default), up to today."""
    if since is not None and days is not None:
        raise BadInput("give --since or --days, not both")
    if since is not None and since > today:
        raise BadInput(f"--since {since} is in the future")
    if days is not None and days < 1:
        raise BadInput("--days must be at least 1")
    return since or today - timedelta(days=(days or 7) - 1), today


def requests_for(
    topics: Sequence[Topic],
    since: date,
    until: date,
    *,
    max_papers: int | None = None,
    lang: Lang | None = None,
    rank: Rank | None = None,
    like: Sequence[str] = (),
    like_collections: Sequence[str] = (),
    like_tags: Sequence[str] = (),
    include: str = "",
    exclude: str = "",
) -> list[DigestRequest]:
    """One request per topic in the window; each option given overrides the topic's own."""
    return [
        DigestRequest(
            topic.name,
            topic.query or topic.name,
            tuple(topic.categories),
            since,
            until,
            max_papers=max_papers or topic.max_papers,
            lang=lang or topic.lang,
            rank=rank or topic.rank,
            like=tuple(like or topic.like),
            like_collections=tuple(like_collections or topic.like_collections),
            like_tags=tuple(like_tags or topic.like_tags),
            include=include or topic.include,
            exclude=exclude or topic.exclude,
        )
        for topic in topics
    ]
