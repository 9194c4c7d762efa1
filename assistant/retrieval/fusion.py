"""Fusing two rankings (dense and lexical) into one: min-max weighted scores, or reciprocal ranks."""

from __future__ import annotations

from typing import Literal

Fusion = Literal["weighted", "rrf", "dense", "lexical"]


def fuse(
    dense: dict[str, float], lexical: dict[str, float], how: Fusion, dense_weight: float
) -> list[tuple[str, float]]:
    """Combine two score maps into one ranking (best first)."""
    if how == "dense":
        return _ranked(dense)
    if how == "lexical":
        return _ranked(lexical)
    if how == "rrf":
        scores: dict[str, float] = {}
        for ranking in (_ranked(dense), _ranked(lexical)):
            for rank, (key, _) in enumerate(ranking):
                scores[key] = scores.get(key, 0.0) + 1.0 / (60 + rank + 1)
        return _ranked(scores)
    d, s = _normalised(dense), _normalised(lexical)
    keys = set(d) | set(s)
    return _ranked(
        {key: dense_weight * d.get(key, 0.0) + (1 - dense_weight) * s.get(key, 0.0) for key in keys}
    )


def _normalised(scores: dict[str, float]) -> dict[str, float]:
    """Min-max scale to [0, 1] over the candidates (a lone candidate scores 1)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}


def _ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
