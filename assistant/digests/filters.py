"""Keyword filters of a digest: `--include` and `--exclude` regular expressions on title + abstract.

Matching ignores case. An excluded paper is never dropped silently: its reason names the pattern
and the words that matched (or that nothing matched `--include`), and goes into the digest's JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import BadInput


@dataclass(frozen=True)
class KeywordFilter:
    """Compiled include/exclude patterns; an empty pattern filters nothing."""

    include: re.Pattern[str] | None = None
    exclude: re.Pattern[str] | None = None

    @classmethod
    def of(cls, include: str = "", exclude: str = "") -> KeywordFilter:
        """Compile the patterns; BadInput names the one that is not a regular expression."""
        return cls(_compile("--include", include), _compile("--exclude", exclude))

    def reason_to_exclude(self, title: str, abstract: str) -> str:
        """Why a paper is filtered out ("" when it is kept)."""
        text = f"{title}\n{abstract}"
        if self.include is not None and not self.include.search(text):
            return f"matches nothing of --include {self.include.pattern!r}"
        if self.exclude is not None and (hit := self.exclude.search(text)):
            where = "title" if hit.start() < len(title) else "abstract"
            return f"the {where} matches --exclude {self.exclude.pattern!r} ({hit.group(0)!r})"
        return ""


def _compile(option: str, pattern: str) -> re.Pattern[str] | None:
    if not pattern.strip():
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise BadInput(f"{option} {pattern!r} is not a regular expression: {exc}") from exc
