"""Cleaning what a small model writes for a summary field, and quoting the paper when it fails.

Small models echo their prompt, loop on one phrase and stop mid-sentence. Their output is kept
only after it is trimmed to whole sentences, rid of repeats and prompt echo, and found to say
something; otherwise the field quotes the sentence of the paper that best fits it (marked quoted).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ingest.text import (
    SUMMARY_STOPWORDS,
    chinese_characters,
    content_words,
    has_chinese,
    numbers,
    split_sentences,
    words,
)

_BULLET = re.compile(r"^\s*(?:[-*•·]+|\(?\d{1,2}[.)、:]|[a-z][.)])\s*")
_RUN = re.compile(r"(\S)\1{7,}")  # "00000000" or "--------": a model stuck on one token
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")  # unmapped ligature glyphs some PDFs leave in text
_THANKS = re.compile(r"thank|grateful|acknowledg|funded by|supported by|work performed|[†‡]", re.I)
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


def clean_points(raw: str, instruction: str, *, chinese: bool = False, limit: int = 7) -> list[str]:
    """Distinct, complete points of a bulleted or numbered list a model wrote."""
    points: list[str] = []
    seen: set[str] = set()
    for line in raw.replace("<end_of_turn>", "\n").splitlines():
        item = _BULLET.sub("", line).strip()
        if not item:
            continue
        cleaned = " ".join(sentences(clean_prose(item, instruction, chinese=chinese, min_words=3))[:2])
        key = " ".join(cleaned.lower().split())
        if cleaned and key not in seen and not any(key in s or s in key for s in seen):
            seen.add(key)
            points.append(cleaned)
    if len(points) > 1 and not _complete(points[-1]):
        points.pop()  # the model ran out of tokens mid-point
    return points[:limit]


def clean_keywords(raw: str, limit: int = 6) -> list[str]:
    """Comma- or line-separated keywords: short, distinct, without trailing punctuation."""
    found: list[str] = []
    for piece in re.split(r"[,;，；、\n]", raw.replace("<end_of_turn>", "")):
        word = _BULLET.sub("", piece).strip().strip(".。\"'").strip()
        if 1 < len(word) <= 40 and len(word.split()) <= 4 and word.lower() not in {k.lower() for k in found}:
            found.append(word)
    return found[:limit]


# Words a faithful summary uses whatever the paper says: they prove nothing either way.
_GENERIC = frozenset(
    "first then next finally second third proposed propose propos work study authors results".split()
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=4)
def _material_forms(
    material: str,
) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """The material's numbers, content words, their stems and their six-letter prefixes: computed
    once per material, since every field and list item of a summary is checked against the same one."""
    vocabulary = frozenset(summary_words(material))
    stems = frozenset(_stem(v) for v in vocabulary)
    prefixes = frozenset(v[:6] for v in vocabulary if len(v) >= 6)
    return frozenset(numbers(material)), vocabulary, stems, prefixes


def grounded(text: str, material: str, title: str = "", share: float = 0.6) -> bool:
    """True when the text's numbers all occur in the material and most of its content words do.

    A small model invents figures ("trained on 1000000 images") and topics the paper never
    mentions; such a field is not worth keeping. A field that only restates the title says nothing.
    """
    known_numbers, vocabulary, stems, prefixes = _material_forms(material + " " + title)
    if not numbers(text) <= known_numbers:
        return False
    found = {w for w in summary_words(text) if not has_chinese(w)} - _GENERIC  # Chinese: numbers only
    # A word counts as the material's when it is one of its words, or shares a stem or its first six
    # letters with one.
    known = sum(w in vocabulary or _stem(w) in stems or (len(w) >= 6 and w[:6] in prefixes) for w in found)
    if known < share * len(found):
        return False
    if has_chinese(text):
        return True  # a Chinese field may well name just the title's terms
    return not found <= summary_words(title) | {"approach", "model", "framework", "network"}


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


def best_sentences(query: str, texts: Sequence[str], count: int = 1) -> list[tuple[int, str]]:
    """The `count` sentences of `texts` that share most words with `query`: (text index, sentence)."""
    wanted = summary_words(query)
    scored: list[tuple[float, int, int, str]] = []
    order = 0
    for index, text in enumerate(texts):
        for sentence in sentences(_PRIVATE_USE.sub("", text)):
            words = summary_words(sentence)
            if len(sentence) < 40 or len(sentence) > 400 or len(words) < 4 or _THANKS.search(sentence):
                continue
            score = len(words & wanted) + 0.01 * min(len(words), 25)
            scored.append((-score, order, index, sentence))
            order += 1
    best = sorted(scored)[:count]
    return [(index, sentence) for _, _, index, sentence in sorted(best, key=lambda s: s[1])]


def frequent_terms(texts: Sequence[str], count: int = 5) -> list[str]:
    """The longer content words used most often in `texts` (a keyword list that quotes the paper)."""
    tally: dict[str, int] = {}
    for text in texts:
        for key in words(text):
            if len(key) >= 5 and key not in SUMMARY_STOPWORDS and not key.isdigit():
                tally[key] = tally.get(key, 0) + 1
    return [w for w, _ in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


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
