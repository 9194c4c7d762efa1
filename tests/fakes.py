"""Deterministic, in-process implementations of the model Protocols for tests not about models.

They are real implementations (they embed and generate), just tiny and predictable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from models.generator import Prompt

_WORD = re.compile(r"[^\W_]+")
# Function words carry no topic; leaving them out keeps unrelated texts dissimilar.
_IGNORED = frozenset(
    "a an and are at be by did do does for from how in is it of on or the to was what which with".split()
)


class HashingEmbedder:
    """Bag-of-words vectors: each lowercase word hashed into one of 384 dimensions."""

    name = "hashing-test-embedder"
    max_tokens = 256
    dimension = 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text; texts sharing words are similar."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                if word in _IGNORED:
                    continue
                bucket = int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % self.dimension
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Words plus punctuation marks, roughly like a word-piece tokenizer."""
        return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]


class ScriptedGenerator:
    """Answers every prompt with a fixed reply (or a function of the prompt)."""

    name = "scripted-test-generator"
    context_tokens = 8192

    def __init__(self, reply: str | Callable[[Prompt], str], *, chat: bool = False) -> None:
        self.reply = reply
        self.prompts: list[Prompt] = []
        self.has_chat_template = chat  # True stands in for an instruction-tuned chat model

    def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> str:
        """The scripted reply, streamed in one piece."""
        self.prompts.append(prompt)
        text = self.reply(prompt) if callable(self.reply) else self.reply
        if on_token:
            on_token(text)
        return text

    def count_tokens(self, text: str) -> int:
        """Whitespace-separated words."""
        return len(text.split())
