"""The text toolkit: words, stopwords by purpose, numbers, sentences (English and Chinese), code links.

Every text heuristic that more than one part of paperlamp relies on lives here, so two copies can
never drift apart: the chunker cuts papers into the sentences that answers later quote, search
picks its keyword terms, the reranker and the answer check count content words, summaries check
numbers. Where two callers really want different behaviour, the difference is a named parameter
or a separate named set, each with the reason beside it.
"""

from __future__ import annotations

import re
import unicodedata

# --- words -------------------------------------------------------------------------------------
WORD = re.compile(r"[^\W_]+")  # a run of letters or digits, in any script
# Words with their inner hyphens and apostrophes ("log-linear", "Hoare's"): what a reader sees as
# one word when query terms are marked in a passage.
HYPHENATED_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# Lower-case ASCII letters and digits: the token of the benchmarks' scoring conventions
# (../shared/eval/README.md). Kept apart from WORD so the benchmark figures mean what they say.
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CJK = re.compile(r"[\u3400-\u9fff]")

# --- stopwords, one set per purpose --------------------------------------------------------------
# Function words: they carry no topic, so relevance counts (reranking, the answer check) skip them.
FUNCTION_WORDS = frozenset(
    """the a an of and or to in on for with by from is are was were be been this that these those
    it its as at which who what how why when where than then there their they we our us can
    could may might also not no do does did has have had into over under between""".split()
)
# Summaries also skip the words every summary of every paper uses ("such a method in this paper").
SUMMARY_STOPWORDS = FUNCTION_WORDS | {"such", "paper", "method"}
# Keyword search: words too common in papers to say anything about relevance; dropping them keeps
# the full-text index's OR-queries fast.
SEARCH_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just me
    more most my no nor not now of off on once only or other our out over own same she should so
    some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    whose using used use based show shown shows""".split()
)
# Highlighting: words too common to be worth marking in a passage shown for a query.
UNMARKED_WORDS = frozenset(
    "a an and are as at be by can did do does for from has have how in into is it its of on or "
    "that the their this to was were what when where which who why with".split()
)
# Multiple-choice evaluation: the words an answer option's share of evidence words leaves out.
OPTION_STOPWORDS = frozenset(
    "the a an of and or to in on for with by from is are was were be it its as at all".split()
)


def words(text: str) -> list[str]:
    """The lower-case words of a text, in order."""
    return [w.lower() for w in WORD.findall(text)]


def content_words(text: str, stop: frozenset[str] = FUNCTION_WORDS, min_length: int = 1) -> set[str]:
    """Lower-case words that carry meaning: not in `stop`, at least `min_length` letters long.

    Reranking and the answer check keep every word but function words (a one-letter variable such
    as "k" can be what a question is about); summaries drop words under three letters, which in
    a model's prose are mostly stray initials and list markers.
    """
    return {w for w in words(text) if len(w) >= min_length and w not in stop}


def prefix_stems(text: str, length: int = 5, min_length: int = 4) -> set[str]:
    """Content words of at least `min_length` letters cut to `length`, so "aggregate" and
    "aggregation" meet; numbers are left out (compare them with `numbers`)."""
    return {w[:length] for w in content_words(text, min_length=min_length) if not w.isdigit()}


def ascii_tokens(text: str) -> list[str]:
    """Lower-case ASCII letter-and-digit tokens, as the benchmarks score text."""
    return _ASCII_TOKEN.findall(text.lower())


def search_terms(text: str) -> list[str]:
    """The words of a query worth asking the keyword index for, in order, each once.

    An adverb also asks for its adjective: the Porter stemmer keeps them apart ("linearly" stems to
    "linearli", "linear" to "linear"), so "scales linearly" would miss "a linear relationship".
    """
    kept = [w for w in words(text) if w not in SEARCH_STOPWORDS]
    unique = list(dict.fromkeys(w for w in kept if len(w) > 1 or w.isdigit()))
    unique += [a for w in unique for a in adjectives(w) if a not in unique and a not in SEARCH_STOPWORDS]
    return list(dict.fromkeys(unique))


def adjectives(word: str) -> list[str]:
    """The adjectives an -ly adverb may come from: rapidly -> rapid, heavily -> heavy, basically -> basic."""
    if len(word) < 6 or not word.endswith("ly") or not word.isalpha():
        return []
    if word.endswith("ily"):
        return [word[:-3] + "y"]
    if word.endswith("ally"):
        return [word[:-2], word[:-4]]  # typically -> typical, basically -> basic
    return [word[:-2]]


def marked_terms(query: str) -> list[str]:
    """The words of a query worth marking in results, lowercase, longest first."""
    found = {w.lower() for w in HYPHENATED_WORD.findall(query)}
    kept = (w for w in found if w not in UNMARKED_WORDS and (len(w) > 2 or w.isdigit()))
    return sorted(kept, key=len, reverse=True)


# Words that turn a statement into its opposite: text that adds one its sources lack says something else.
NEGATIONS = frozenset(
    "not no never none nor neither without cannot can't don't doesn't didn't isn't aren't wasn't "
    "weren't won't fails fail failed lack lacks unable".split()
)


def negations(text: str) -> set[str]:
    """The negating words of a text, lowercase."""
    return {w for w in (t.lower() for t in HYPHENATED_WORD.findall(text)) if w in NEGATIONS}


def word_overlap(a: str, b: str, stop: frozenset[str] = FUNCTION_WORDS) -> float:
    """How much two texts say the same: shared content words over the smaller text's (0 to 1)."""
    wa, wb = content_words(a, stop), content_words(b, stop)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


# --- numbers and scripts -----------------------------------------------------------------------
def numbers(text: str) -> set[str]:
    """The numbers written in a text ("4.2", "2014", "0.0003529"), thousands commas removed."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def has_chinese(text: str) -> bool:
    """True when the text holds Chinese characters."""
    return bool(_CJK.search(text))


def chinese_characters(text: str) -> list[str]:
    """The Chinese characters of a text, in order."""
    return _CJK.findall(text)


def not_latin(text: str) -> bool:
    """Whether most letters of `text` are outside the Latin script (Chinese, Cyrillic, Arabic...)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return latin < len(letters) / 2


# --- sentences ---------------------------------------------------------------------------------
# Abbreviations after which a period does not end a sentence: references to parts of a paper,
# Latin, titles, bibliographic and taxonomic abbreviations ("Bacillus sp. strain", "Vol. 10").
# Abbreviations that are also units of measure: after a figure they end a sentence.
_UNITS = frozenset({"ms"})
_FIGURE = re.compile(r"[\d.,]*\d")
_ABBREVIATIONS = frozenset(
    """al fig figs eq eqs e.g i.e vs cf ref refs no nos sec secs tab tabs approx ca dr prof mr ms st
    resp etc viz suppl vol vols pp ch chap ed eds inc ltd co jr sr dept univ sp spp subsp var cv
    u.s u.k ext""".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9(\[\"'])")
_CHINESE_END = re.compile(r"(?<=[。！？；])")
# How far an open "(" or "[" and its closing one may lie from a period for the period to count as
# inside them. A bracket that is never closed nearby is a stray one (an equation's half-open
# interval, a lost line) and does not hold a sentence open.
_BRACKET_REACH = 300


def _inside_brackets(before: str, after: str) -> bool:
    """Whether the point between `before` and `after` lies inside a nearby pair of brackets."""
    depth = 0
    for char in reversed(before[-_BRACKET_REACH:]):
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth == 0:
                break
            depth -= 1
    else:
        return False
    depth = 0
    for char in after[:_BRACKET_REACH]:
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                return True
            depth -= 1
    return False


def split_sentences(text: str, *, chinese: bool = False) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations like "et al." and "Fig." intact.

    A period inside parentheses or brackets ("(n = 5. IL-2)", "[see Sec. 3. Table 2]") does not
    end the sentence around them, so a quote is never a fragment such as "IL-2) production.".
    `chinese` also ends a sentence at 。！？； (text a model wrote, or translated, in Chinese). The
    chunker leaves it off: chunks are cut from English papers' text layers, and a paper's chunks
    must come out the same every time it is read, or a resumed add would not find its own vectors.
    """
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].rstrip()
        ending = candidate.rsplit(None, 2)
        last_word = ending[-1].rstrip(".").lower().lstrip("([\"'") if ending else ""
        # "a median of 4.1 ms." ends there: a unit after a figure, not "Ms." before a name
        unit = last_word in _UNITS and len(ending) >= 2 and _FIGURE.fullmatch(ending[-2]) is not None
        if not unit and (last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())):
            continue  # "et al." / "Fig." / an initial like "J." does not end the sentence
        if _inside_brackets(text[start : match.start()], text[match.start() :]):
            continue
        pieces.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    pieces = [p for p in pieces if p]
    if not chinese:
        return pieces
    return [part.strip() for piece in pieces for part in _CHINESE_END.split(piece) if part.strip()]


# --- links -------------------------------------------------------------------------------------
_CODE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/[^\s\"'<>)\]},;]+"
)


def code_urls(text: str) -> list[str]:
    """Code repository links in a text (GitHub, GitLab, Hugging Face, Bitbucket), as https URLs."""
    found = []
    for match in _CODE_URL.finditer(text):
        url = match[0].rstrip(".,:;'")
        found.append(url if url.startswith("http") else "https://" + url)
    return found
