"""Checking what a small model writes for a summary field against the exact sentences it came from.

Small models echo their prompt, loop on one phrase, stop mid-sentence and reverse what they read.
Their output is kept only after it is trimmed to whole sentences, rid of repeats and prompt echo,
and found supported by the sentences it shortened or joined; otherwise the field quotes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.text import (
    SUMMARY_STOPWORDS,
    chinese_characters,
    content_words,
    has_chinese,
    negations,
    numbers,
    split_sentences,
    word_overlap,
    words,
)

_BULLET = re.compile(r"^\s*(?:[-*•·]+|\(?\d{1,2}[.)、:]|[a-z][.)])\s*")
_RUN = re.compile(r"(\S)\1{7,}")  # "00000000" or "--------": a model stuck on one token
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")  # unmapped ligature glyphs some PDFs leave in text
_ECHO = re.compile(r"^(title|from the paper|passages?|summary|answer|question)\s*[:：]", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def summary_words(text: str) -> set[str]:
    """The words of a summary or its material that carry meaning: no function words, none shorter
    than three letters (stray initials and list markers), not the words every summary uses."""
    return content_words(text, SUMMARY_STOPWORDS, min_length=3)


def sentences(text: str) -> list[str]:
    """Sentences of English or Chinese text."""
    return split_sentences(text, chinese=True)


def _complete(sentence: str) -> bool:
    return sentence.rstrip("\"'”’)]").endswith((".", "!", "?", "。", "！", "？", "；"))


def clean_prose(raw: str, instruction: str, *, chinese: bool = False, min_words: int = 4) -> str:
    """Whole, distinct sentences of a model's output; "" when nothing usable is left."""
    lines = _PRIVATE_USE.sub("", raw.replace("<end_of_turn>", "\n")).splitlines()
    text = " ".join(_BULLET.sub("", line).strip() for line in lines if line.strip())
    text = re.sub(r"^\W*(?:[A-Za-z][\w ]{0,30}|[\u3400-\u9fff]{1,8})[:：]\s+", "", text, count=1)
    kept: list[str] = []
    seen: set[str] = set()
    echo = " ".join(instruction.lower().split())
    for sentence in sentences(text):
        key = " ".join(sentence.lower().split())
        if key in seen or _ECHO.match(sentence) or (len(key) > 12 and key in echo):
            continue
        if any(_near_copy(sentence, earlier) for earlier in kept):
            continue  # the same claim reworded: small models restate their first sentence
        seen.add(key)
        kept.append(sentence)
    if len(kept) > 1 and not _complete(kept[-1]):
        kept.pop()  # the model stopped mid-sentence
    result = " ".join(kept).strip()
    if result.endswith((":", "：")):
        return ""  # a heading the model was about to fill in, not a statement
    if chinese and not has_chinese(result):
        return ""
    return result if _says_something(result, min_words) else ""


def _near_copy(sentence: str, earlier: str) -> bool:
    """True when most of a sentence's content words were already said by an earlier one."""
    words = summary_words(sentence)
    return len(words) >= 3 and len(words & summary_words(earlier)) >= 0.8 * len(words)


def _says_something(text: str, min_words: int) -> bool:
    """Enough words (or Chinese characters), and not one phrase over and over."""
    found = words(text)
    lettered = [w for w in found if any(ch.isalpha() for ch in w) and not has_chinese(w)]
    size = len(lettered) + len(chinese_characters(text)) // 2
    if size < min_words:
        return False
    if len(found) >= 12 and len(set(found)) / len(found) < 0.35:
        return False
    return not _looping(found)


def _looping(words: Sequence[str], n: int = 4, times: int = 3) -> bool:
    """True when some run of n words comes back `times` times or more."""
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= times:
            return True
    return False


def _cjk_looping(text: str, n: int = 6, times: int = 3) -> bool:
    """True when some run of n Chinese characters comes back `times` times or more."""
    han = "".join(chinese_characters(text))
    counts: dict[str, int] = {}
    for i in range(len(han) - n + 1):
        gram = han[i : i + n]
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= times:
            return True
    return False


def clean_keywords(raw: str, limit: int = 6) -> list[str]:
    """Comma- or line-separated keywords: short, distinct, without trailing punctuation."""
    found: list[str] = []
    for piece in re.split(r"[,;，；、\n]", raw.replace("<end_of_turn>", "")):
        word = _BULLET.sub("", piece).strip().strip(".。\"'").strip()
        if 1 < len(word) <= 40 and len(word.split()) <= 4 and word.lower() not in {k.lower() for k in found}:
            found.append(word)
    return found[:limit]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> list[str]:
    """The stems of a text's content words, in order."""
    return [_stem(w) for w in words(text) if len(w) >= 3 and w not in SUMMARY_STOPWORDS and not w.isdigit()]


def in_order(found: Sequence[str], source: Sequence[str]) -> int:
    """How many of `found` occur in `source` in the same order (a longest common subsequence)."""
    previous = [0] * (len(source) + 1)
    for word in found:
        current = [0]
        for j, other in enumerate(source):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


_SUBJECTS = frozenset("we our us i they their them he she his her".split())


def supported(text: str, sources: Sequence[str], title: str = "") -> bool:
    """True when the model's text says only what its source sentences say, and more than the title.

    Every number and every content word (by stem) comes from the sources, mostly in their order (a
    shortening keeps who does what to whom), no negation is added or dropped, the text is shorter
    than the sources (the model may only shorten or join), and it names at least three things the
    title does not.
    """
    source = " ".join(sources)
    if not numbers(text) <= numbers(source) or negations(text) != negations(source):
        return False
    # Short coded names ("7b", "4o" in "PaSa-7b", "GPT-4o") are too short for the stems below, yet
    # a model that swaps them names another system.
    coded = {w for w in words(text) if any(c.isdigit() for c in w)}
    if not coded <= set(words(source)):
        return False
    found, known = _stems(text), _stems(source)
    if not found or not set(found) <= set(known) or len(text) >= len(source):
        return False
    if in_order(found, known) < 0.75 * len(found):
        return False
    # A shortening keeps the source's own word order almost throughout, and never brings in a subject
    # the sources do not have ("Lukasz and Aidan spent ..." turned into "We spent ...").
    said, source_words = words(text), words(source)
    if in_order(said, source_words) < 0.9 * len(said) or not set(said) & _SUBJECTS <= set(source_words):
        return False
    return len(set(found) - set(_stems(title))) >= 3


def distinct(texts: Sequence[str], limit: float = 0.8) -> list[int]:
    """Indexes of the texts that do not repeat an earlier one (word-set overlap above `limit`)."""
    kept: list[int] = []
    for i, text in enumerate(texts):
        if all(word_overlap(text, texts[j], SUMMARY_STOPWORDS) <= limit for j in kept):
            kept.append(i)
    return kept


def clean_translation(raw: str, source: str) -> str:
    """The model's Chinese for `source`, or "" when it is not a usable translation.

    Usable: mostly Chinese (English terms allowed), whole, not looping, without numbers or English
    words the source lacks, and long enough to carry the source rather than a fragment of it.
    """
    text = _PRIVATE_USE.sub("", raw.replace("<end_of_turn>", "")).strip().splitlines()[0:1]
    line = text[0].strip().strip('"“”《》') if text else ""
    cjk = len(chinese_characters(line))
    latin = [_stem(w.lower()) for w in _LATIN_WORD.findall(line)]
    source_words = {_stem(w.lower()) for w in _LATIN_WORD.findall(source)}
    if cjk < max(4, len(latin)) or _cjk_looping(line):
        return ""
    if not numbers(line) <= numbers(source):
        return ""
    if latin and sum(w in source_words for w in latin) < 0.8 * len(latin):
        return ""
    if cjk < 0.3 * len(summary_words(source)):
        return ""  # a fragment: the model dropped most of the source
    return line


class StreamStopped(Exception):
    """Raised from the token callback to end a generation early (the text so far is kept)."""


class StreamGuard:
    """A token callback that ends a generation at a blank line after some text, or at a loop."""

    def __init__(self) -> None:
        self.text = ""

    def __call__(self, piece: str) -> None:
        """Take the next piece; raise StreamStopped when the field is done or the model loops."""
        self.text += piece
        body = self.text.lstrip()
        if "\n\n" in body:
            self.text = body.split("\n\n", 1)[0]
            raise StreamStopped
        lines = [line.strip() for line in body.splitlines()[:-1] if line.strip()]
        if _RUN.search(body) or len(lines) != len(set(lines)):
            raise StreamStopped
        if _looping(words(body)) or _cjk_looping(body):
            raise StreamStopped
