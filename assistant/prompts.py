"""Every prompt paperlamp sends to a model, in one place.

Prompts are written for two kinds of model at once: the bundled Gemma 3 270M is a base model with
no chat template, so each prompt reads as a document whose natural continuation is the answer
(it ends in a cue such as "Answer:"); instruction-tuned models get the same text as one chat turn
(models/generator.py renders it). Passages are numbered so answers can cite them as [n].
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.domain import Hit
from models.generator import Prompt

NO_ANSWER = "The passages do not answer this."


def evidence_block(hits: Sequence[Hit], max_chars: int = 1400) -> str:
    """Numbered passages, each with its paper and page, as the model sees them."""
    lines = []
    for n, hit in enumerate(hits, start=1):
        text = hit.text if len(hit.text) <= max_chars else hit.text[:max_chars] + " ..."
        pages = f"p. {hit.page}" if hit.page == hit.page_end else f"pp. {hit.page}-{hit.page_end}"
        lines.append(f"[{n}] {hit.title} ({pages}): {text}")
    return "Passages from the library:\n\n" + "\n\n".join(lines)


def answer_prompt(question: str, hits: Sequence[Hit]) -> Prompt:
    """Ask for a short answer drawn only from the numbered passages, citing them as [n]."""
    return Prompt(
        instruction=(
            "Answer the question using only the passages above. Write two or three short "
            "sentences. End every sentence with the number of the passage it comes from in "
            f'square brackets, like [1]. If the passages do not answer it, write: "{NO_ANSWER}"'
            f"\n\nQuestion: {question}"
        ),
        material=evidence_block(hits),
        cue="Answer:",
    )


ANSWER_STOPS = ("\nQuestion:", "\n\n\n", "\nPassages from", "<end_of_turn>", "\n[1] ")
