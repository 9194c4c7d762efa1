"""How near each sentence of a paper is to what the paper is about: the centroid of its sentences.

A summary field's cues (who the subject is, the section, the phrasing) often tie between the paper's
own matter and a side detail ("our input pixel values are floating point"); nearness to the paper's
centroid ranks them (extract.rank), and a field about the paper's own work takes no sentence more
than a standard deviation from it (Spec.least_central).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.summaries.roles import Sentence

Embed = Callable[[Sequence[str]], np.ndarray]  # texts to their normalised embeddings, one row each


def centred(found: Sequence[Sentence], embed: Embed) -> list[Sentence]:
    """The sentences with `central` set: how near each usable one is to the paper's centroid.

    The centroid of the usable sentences' (normalised) embeddings is what the paper is mostly about;
    a sentence far from it is a side detail ("our input pixel values are floating point"), one near
    it states the paper's own matter. Scores are z-scores among the paper's usable sentences,
    clipped to [-2, 2], so one weight means the same in a short paper and a long one.
    """
    usable = [s for s in found if s.usable]
    if len(usable) < 3:
        return list(found)
    vectors = np.asarray(embed([s.text for s in usable]), dtype=np.float32)
    centroid = vectors.mean(axis=0)
    cosines = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-9))
    spread = float(cosines.std()) or 1.0
    z = np.clip((cosines - cosines.mean()) / spread, -2.0, 2.0)
    near = {s.index: float(v) for s, v in zip(usable, z, strict=True)}
    return [replace(s, central=near[s.index]) if s.index in near else s for s in found]
