"""What a question asks for, and whether a sentence gives it: answer slots and question focus.

Word overlap cannot tell "most active at 47 °C" from "activity at 55 °C fell to 37% of the
maximum": both hold the question's words and a temperature. So a question is typed first: the
kind of value it expects (a temperature, a number with a unit, a dataset, a method, an entity, a
yes/no, or an open answer), the words naming what is measured ("F1 score", "battery life"), a
degree it asks about ("most active", "lowest error": a superlative and the word it qualifies),
and the rest of its content words (the focus: "wild-type", "disulfide bond"). A sentence answers
it only with a value of that kind tied to the question where the sentence says it: the value
nearest a place where the sentence states the degree, or else names the measure or the focus. A
figure elsewhere in the sentence is not the answer, however many question words are around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ingest.text import FUNCTION_WORDS, content_words, numbers, words

Kind = Literal["temperature", "quantity", "dataset", "method", "entity", "yesno", "open"]

# How far (in words) a value may sit from the words it answers to. Wider lets in neighbouring
# figures of the same sentence; narrower misses "reached, on the held-out split, 71.3 F1".
WINDOW = 8
_HIGH = frozenset("most highest maximum maximal max best greatest largest peak top fastest strongest".split())
_LOW = frozenset("least lowest minimum minimal min smallest worst fewest weakest slowest".split())
_OPTIMUM = frozenset("optimum optimal optima peak peaks peaked".split())
# "How long ...", "how many ...": questions asking for an amount.
_HOW_MUCH = frozenset("many much long far large big fast old often high low small heavy".split())
YES_NO_START = frozenset("is are was were does do did can could has have had will would should".split())
_AUXILIARY = YES_NO_START | {"am", "be", "been"}
# Words of a question that say how it is asked, not what about.
_QUESTION_WORDS = FUNCTION_WORDS | frozenset(
    "what which who whom whose how many much does do did is are was were the".split()
    + "paper authors they them use used uses using propose proposed achieve achieved reach".split()
    + "reaches report reported obtain obtained get value".split()
)
_MEASURES = frozenset(
    """score scores f1 accuracy ratio rate rates percentage percent precision recall life lifetime
    time times size number amount speed error errors value length duration cost energy latency
    throughput improvement gain bleu rouge auc perplexity count age dose concentration yield
    efficiency distance depth width height weight mass area volume frequency power voltage
    current ph capacity memory parameters margin difference gap reduction increase decrease drop
    boost""".split()
)
# "What is the relationship between ...", "What conclusions do they draw?": asked for an account, not a
# value or a name, so these are open questions.
_ACCOUNTS = frozenset(
    """relationship relationships relation relations conclusion conclusions way ways effect effects
    impact role reason reasons purpose idea intuition motivation insight insights finding findings
    challenge challenges limitation limitations advantage advantages benefit benefits problem problems
    issue issues""".split()
)
# "What type of weight pruning ...": the words after these name a kind of thing, not a measure.
_SORTS = frozenset("type types kind kinds sort sorts form forms".split())
_DATASET_WORDS = frozenset("dataset datasets data corpus corpora benchmark benchmarks".split())
_METHOD_WORDS = frozenset(
    "method methods approach approaches model models algorithm technique architecture".split()
)

_TEMPERATURE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:°\s*[CFK]\b|º\s*[CF]\b|degrees?\s+(?:Celsius|Fahrenheit|centigrade|C\b|F\b)|K\b)"
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
# Counts are often spelled out ("three annotators"); "one" is left out, being mostly a pronoun.
_COUNT_WORDS = {
    w: str(n) for n, w in enumerate("zero one two three four five six seven eight nine ten".split())
}
_COUNT_WORDS |= {"eleven": "11", "twelve": "12", "twenty": "20", "hundred": "100"}
del _COUNT_WORDS["one"]
_COUNT = re.compile(r"\b(?:" + "|".join(_COUNT_WORDS) + r")\b", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
# Words for measuring distance: a decimal ("68.5") is one word here, as a reader counts it.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+")


@dataclass(frozen=True)
class Slot:
    """What a question expects: a kind of value, what it measures, a degree, and its focus words."""

    kind: Kind
    measure: tuple[str, ...] = ()  # the words naming what is asked for ("battery", "life")
    degree: str = ""  # "high" or "low" when the question asks for an extreme ("most active")
    head: str = ""  # the word the degree qualifies ("active"), or ""
    focus: tuple[str, ...] = ()  # the question's other content words ("wild", "type", "glep")
    count: bool = False  # "how many X": the value is a count of X, written just before it

    @property
    def typed(self) -> bool:
        """Whether the answer is a value found in a sentence (not a yes/no or an open answer)."""
        return self.kind not in ("yesno", "open")

    @property
    def anchors(self) -> tuple[str, ...]:
        """Every word a sentence can answer to."""
        return tuple(dict.fromkeys((*self.measure, *((self.head,) if self.head else ()), *self.focus)))


def same_word(a: str, b: str) -> bool:
    """Whether two lowercase words are forms of one word ("active"/"activity", "life"/"lifetime")."""
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5:
        return a[:5] == b[:5]
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)


def new_words(answer: str, *known: str) -> list[str]:
    """The answer's content words, in order, that are not forms of a word of the `known` texts."""
    known_words = set().union(*(content_words(k) for k in known))
    return [
        w for w in words(answer) if w not in FUNCTION_WORDS and not any(same_word(w, k) for k in known_words)
    ]


def analyse(question: str) -> Slot:
    """The slot a question asks to fill."""
    ws = words(question)
    if not ws:
        return Slot("open")
    degree, head = _degree(ws)
    measure = _measure(ws)
    kind = _kind(ws, measure)
    skip = set(measure) | _HIGH | _LOW | _OPTIMUM | {head}
    focus = tuple(dict.fromkeys(w for w in ws if w not in _QUESTION_WORDS and w not in skip))
    return Slot(kind, measure, degree, head, focus, count=ws[:2] == ["how", "many"] and bool(measure))


def _degree(ws: Sequence[str]) -> tuple[str, str]:
    """("high"/"low", the word qualified) for "most active", "lowest error"; ("", "") otherwise."""
    for i, w in enumerate(ws):
        polarity = "high" if w in _HIGH or w in _OPTIMUM else "low" if w in _LOW else ""
        if polarity and i + 1 < len(ws) and ws[i + 1] not in _QUESTION_WORDS:
            return polarity, ws[i + 1]
    return "", ""


def _measure(ws: Sequence[str]) -> tuple[str, ...]:
    """The words after "what/which/how many" naming what is asked for ("f1 score", "pair mutations")."""
    start = next((i for i, w in enumerate(ws) if w in ("what", "which", "how")), None)
    if start is None:
        return ()
    rest = list(ws[start + 1 :])
    if rest[:1] and (rest[0] in _HOW_MUCH or rest[0] in _AUXILIARY):
        rest = rest[1:]  # "how many tokens", "how long does", "what is the projected battery life of ..."
    taken: list[str] = []
    for w in rest:
        if w in _AUXILIARY or len(taken) == 4:
            break
        if w in FUNCTION_WORDS or w in _QUESTION_WORDS:
            if taken and w != "of":  # "pair of mutations" goes on; "battery life of a node" ends
                break
            continue
        taken.append(w)
    return tuple(taken)


def _kind(ws: Sequence[str], measure: Sequence[str]) -> Kind:
    """The kind of value the question expects, from its first word and the words it measures."""
    named = set(measure)
    if ws[0] in YES_NO_START:
        return "yesno"
    if named & _ACCOUNTS:
        return "open"
    if measure[:1] and measure[0] in _SORTS:
        named = set(measure[1:]) - _MEASURES  # a type of weight pruning is a method, not a weight
    if "temperature" in named or "temperatures" in named or ws[:2] == ["how", "hot"]:
        return "temperature"
    if (ws[0] == "how" and ws[1:2] and ws[1] in _HOW_MUCH) or named & _MEASURES:
        return "quantity"
    if named & _DATASET_WORDS:
        return "dataset"
    if named & _METHOD_WORDS:
        return "method"
    if ws[0] in ("which", "who") or "which" in ws or (ws[0] == "what" and named):
        return "entity"
    return "open"


@dataclass(frozen=True)
class Filled:
    """A sentence's answer to a slot: the values tied to the question, and how much of it it names."""

    values: tuple[str, ...]
    rank: int  # distinct question words the sentence names, plus one for a stated degree


def values_in(text: str, kind: Kind, *, initial: bool = False) -> list[tuple[int, str]]:
    """(word position, value) for every value of `kind` written in `text`: numbers for temperatures
    and quantities (their units are the question's), the name itself for the rest.

    `initial` also takes a capitalised word at the very start as a name: a short answer ("Wikipedia
    [1]") starts with its value, a sentence mostly with "The".
    """
    if kind == "temperature":
        found = [(m.start(), m.group(1)) for m in _TEMPERATURE.finditer(text)]
    elif kind == "quantity":
        found = [(m.start(), m.group(0).replace(",", "")) for m in _NUMBER.finditer(text)]
        found += [(m.start(), _COUNT_WORDS[m.group(0).lower()]) for m in _COUNT.finditer(text)]
        found.sort()
    elif kind in ("dataset", "method", "entity"):
        found = [(m.start(), _bare(m.group(0))) for m in _TOKEN.finditer(text) if _is_name(m, text, initial)]
    else:
        return []
    return [(len(_words(text[:start])), value) for start, value in found if value]


def _words(text: str) -> list[str]:
    """Lowercase words, decimals whole."""
    return [w.lower() for w in _WORD.findall(text)]


def _bare(token: str) -> str:
    return token.strip(".,;:()[]\"'“”")


def _is_name(match: re.Match[str], text: str, initial: bool) -> bool:
    """A token that names something: a code (N233C/S282C), CamelCase, an acronym, or a capitalised
    word inside a sentence."""
    token = _bare(match.group(0))
    if len(token) < 2 or not token[0].isalnum() or not any(c.isalpha() for c in token):
        return False
    if token.lower() in FUNCTION_WORDS:
        return False
    coded = any(c.isdigit() for c in token) or any(c.isupper() for c in token[1:])
    at_start = not text[: match.start()].strip()
    return coded or (token[0].isupper() and (initial or not at_start))


def fill(sentence: str, slot: Slot) -> Filled:
    """The values of `slot`'s kind in `sentence` that sit nearest where it answers the question.

    The rank counts the question words a sentence names before each value (or just after it):
    what a sentence says about a value mostly comes first ("Wild-type GleP ... was most active at
    47 °C"), and a comparison after it ("..., against 9.1% for the wild type") is about another.
    """
    ws = _words(sentence)
    degree_at = _degree_positions(ws, slot)
    if not slot.typed:
        return Filled((), _named(ws, slot) + bool(degree_at))
    if slot.degree:
        anchors = degree_at  # the extreme asked for, or nothing
    elif not slot.anchors:
        anchors = list(range(len(ws)))  # nothing to answer to: every value counts
    else:
        measured = [i for i, w in enumerate(ws) if any(same_word(m, w) for m in slot.measure)]
        anchors = measured or [i for i, w in enumerate(ws) if any(same_word(f, w) for f in slot.focus)]
    # A name the question itself uses ("GleP-TM" for a question about GleP) is its subject, not its answer.
    found = [(p, v) for p, v in values_in(sentence, slot.kind) if not set(words(v)) & set(slot.anchors)]
    if slot.count:  # "three undergraduate annotators" counts annotators; "(7,563 total tweets)" does not
        found = [
            (p, v) for p, v in found if any(same_word(m, w) for m in slot.measure for w in ws[p + 1 : p + 4])
        ]
    chosen: dict[str, int] = {}
    for a in anchors:
        near = [(abs(p - a), p < a, p, v) for p, v in found if abs(p - a) <= WINDOW]
        if near:
            _, _, at, value = min(near)  # the nearest; a value after the anchor wins a tie
            rank = _named(ws[: at + WINDOW + 1], slot) + bool(degree_at)
            if slot.kind in _NAME_KINDS:
                value = " ".join(_run(found, at, ws, slot.anchors))  # "Clinical TempEval": one value
            chosen[value] = max(rank, chosen.get(value, 0))
    if not chosen:
        return Filled((), 0)
    top = max(chosen.values())
    return Filled(tuple(v for v, r in chosen.items() if r == top), top)


_NAME_KINDS = frozenset({"dataset", "method", "entity"})
_JOINERS = frozenset({"and", "or", "of"})


def _run(found: Sequence[tuple[int, str]], at: int, ws: Sequence[str], asked: Sequence[str]) -> list[str]:
    """The name at word `at` with the names run together with it: one name of several words
    ("Clinical TempEval"), a list joined by commas, "and" or "or" ("CNN and Daily Mail"), or a
    name around a word the question asks for ("Stanford Plane Crash Dataset BIBREF15")."""
    where = dict(found)
    joiners = _JOINERS | set(asked)
    run = [at]
    for step in (-1, 1):
        p = at
        while True:
            if p + step in where:
                p += step
            elif p + 2 * step in where and 0 <= p + step < len(ws) and ws[p + step] in joiners:
                p += 2 * step
            else:
                break
            run.append(p)
    return [where[p] for p in sorted(run)]


def _named(ws: Sequence[str], slot: Slot) -> int:
    """How many of the question's words `ws` names."""
    return sum(any(same_word(a, w) for w in ws) for a in slot.anchors)


def _degree_positions(ws: Sequence[str], slot: Slot) -> list[int]:
    """Where a sentence states the question's extreme: "most active", "maximal activity",
    "optimum temperature", "temperature optimum" (the polarity must match)."""
    if not slot.degree:
        return []
    marks = (_HIGH | _OPTIMUM) if slot.degree == "high" else _LOW
    targets = [t for t in (slot.head, *slot.measure) if t]
    at = []
    for i, w in enumerate(ws):
        if w not in marks:
            continue
        near = ws[max(0, i - 2) : i] if w in _OPTIMUM else ()
        after = ws[i + 1 : i + 3]
        if any(same_word(t, x) for t in targets for x in (*after, *near)):
            at.append(i)
    return at


def gives(answer: str, sentence: str, agreed: Filled, slot: Slot, question: str) -> bool:
    """Whether a short answer, held by `sentence`, gives what a typed question asks for.

    A figure must be the sentence's value for the question (`agreed`), and so must any name the
    answer states. A question for a dataset, a method or an entity is often answered by a phrase
    with no name in it ("news articles", "logistic regression"): such a phrase (words, not bare
    figures) answers when its sentence names the question's words.
    """
    if slot.kind in ("dataset", "method", "entity") and not _names(answer, slot.kind, question):
        # A phrase of two words or more beyond the question's, not a bare figure ("216", "4 and 5"
        # name no dataset or baseline) and not one word ("different", "semantic": no answer to
        # "What is the relationship between location and valence?" or "Which six speech acts ...?").
        beyond = [w for w in new_words(answer, question) if w.isalpha()]
        return len(beyond) >= 2 and _named(_words(sentence), slot) > 0
    return bool(agreed.values) and states_only(answer, agreed, slot.kind, question)


def _names(answer: str, kind: Kind, question: str) -> set[str]:
    """The names of `kind` an answer states, other than those the question itself uses."""
    asked = {w.lower() for w in _TOKEN.findall(question)} | set(words(question))
    return {v.lower() for _, v in values_in(answer, kind, initial=True)} - asked


def _figures(text: str) -> set[str]:
    """The numbers a text states in digits; else its counts spelled out ("three" is "3"). An answer
    with a figure in digits states that ("19 months on two AA cells" states 19)."""
    return numbers(text) or {_COUNT_WORDS[w] for w in words(text) if w in _COUNT_WORDS}


def states_only(answer: str, filled: Filled, kind: Kind, question: str) -> bool:
    """Whether a short answer states a value the sentence ties to the question, and no other value.

    Numbers count for temperatures and quantities; names (not those the question itself uses) for
    datasets, methods and entities: "W185H and N233C/S282C" fails where only N233C/S282C is tied to
    "disulfide bond".
    """
    if kind in ("temperature", "quantity"):
        stated = _figures(answer) - _figures(question)
        held = {n for v in filled.values for n in _figures(v)}
    else:
        stated = _names(answer, kind, question)
        parts = [part for v in filled.values for word in v.split() for part in (word, *word.split("/"))]
        held = {part.lower() for part in parts}
    return bool(stated) and stated <= held
