"""A passage cut into pieces, the words of the query marked, for showing search results."""

from __future__ import annotations

import re

from ingest.text import marked_terms


def marked_segments(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_query_term) segments; a term matches a word's start ("enzymes")."""
    terms = marked_terms(query)
    if not terms:
        return [(text, False)] if text else []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")[^\W_]*", re.IGNORECASE)
    segments: list[tuple[str, bool]] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            segments.append((text[last : match.start()], False))
        segments.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        segments.append((text[last:], False))
    return segments
