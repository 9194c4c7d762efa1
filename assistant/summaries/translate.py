"""Chinese summaries from a model that cannot write them directly: English first, then translated.

The bundled Gemma 3 270M is a base model: asked for a Chinese summary it mostly echoes the prompt
or runs on in English, but it translates one short English line fairly well when shown a few
examples. So for such models each field is written (or quoted) in English, then translated line
by line; a translation that fails the checks leaves the English in place, marked untranslated
when rendered. Instruction-tuned chat models write the Chinese fields directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.summaries.prompts import TRANSLATION_STOPS, translation_prompt
from assistant.summaries.text import clean_translation
from ingest.text import has_chinese
from models.generator import Generator, Prompt

Generate = Callable[[Prompt, int, Sequence[str]], str]


def writes_chinese(generator: Generator) -> bool:
    """True for chat models (a chat template, or a server's chat API): they write Chinese directly."""
    return generator.has_chat_template


def translate(text: str, generate: Generate) -> str:
    """The Chinese for one line of English, or "" when the model's translation is unusable."""
    if not text.strip() or has_chinese(text):
        return ""
    budget = min(200, 2 * len(text.split()) + 24)  # Chinese takes about one token a character
    return clean_translation(generate(translation_prompt(text), budget, TRANSLATION_STOPS), text)
