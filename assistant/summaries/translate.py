"""Chinese summaries: every field is extracted (and checked) in English first, then translated.

The checks that keep a field true to its sentences work on the paper's own English, so a Chinese
summary is the English one with each field's and item's Chinese alongside: quotes stay verbatim.
The bundled Gemma 3 270M is a base model that translates one short English line fairly well when
shown a few examples; a chat model follows the instruction. A translation that fails the checks
is left out, and the post marks the English as untranslated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.summaries.prompts import TRANSLATION_STOPS, translation_prompt
from assistant.summaries.text import clean_translation
from ingest.text import has_chinese
from models.generator import Prompt

Generate = Callable[[Prompt, int, Sequence[str]], str]


def translate(text: str, generate: Generate) -> str:
    """The Chinese for one line of English, or "" when the model's translation is unusable."""
    if not text.strip() or has_chinese(text):
        return ""
    budget = min(200, 2 * len(text.split()) + 24)  # Chinese takes about one token a character
    return clean_translation(generate(translation_prompt(text), budget, TRANSLATION_STOPS), text)
