"""Choosing the answer: the model's short answer when its cited sentence gives it, else that sentence.

The model is asked for a few words and the passage they come from. Its answer is kept only when
all of these hold for one evidence sentence, preferring the passages it cited:
- the answer is a span of the sentence or a close paraphrase (its content words and numbers are
  the sentence's, and it adds no negation), and it says more than the paper's title;
- for a typed question (assistant/answers/slots.py), the sentence holds the slot filled in relation
  to the question's focus, the answer states that value and no other, and the value is the one the
  evidence's best-answering sentences give (a sentence about a variant does not answer for the
  wild type).
Otherwise the answer is the best-answering sentence itself, quoted as the paper's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answers import prompts
from assistant.answers.grounding import Claim, Kept, SupportChecker, parse_claims, prose
from assistant.answers.slots import Filled, Slot, analyse, fill, gives, new_words, same_word
from assistant.domain import Rejected
from ingest.text import content_words, negations, numbers, words

# Share of a paraphrase's content words its sentence must hold (forms of a word count as one).
PARAPHRASE_SHARE = 0.8
NOTHING = Filled((), 0)


@dataclass(frozen=True)
class Choice:
    """The chosen answer: sentences with their passage and quote, and whether they are the paper's words."""

    kept: list[Kept]
    quoted: bool
    slot: Slot
    agreed: Filled = NOTHING  # the first kept sentence's values that are the evidence's answer
    rejected: Rejected = ()  # the model's candidates turned down, and why


def paraphrases(answer: str, sentence: str) -> bool:
    """Whether a short answer is a span of `sentence`, or a close paraphrase adding no number or negation."""
    said, source = " ".join(words(answer)), " ".join(words(sentence))
    if said and f" {said} " in f" {source} ":
        return True
    mine, theirs = content_words(answer), content_words(sentence)
    if not mine or not numbers(answer) <= numbers(sentence) or not negations(answer) <= negations(sentence):
        return False
    held = sum(any(same_word(w, t) for t in theirs) for w in mine)
    return held / len(mine) >= PARAPHRASE_SHARE


def supported_by(text: str, sources: Sequence[str], title: str) -> bool:
    """Whether model text says only what `sources` say: each content word a form of one of theirs,
    each number theirs, no negation they lack, and more than the title."""
    source = " ".join(sources)
    theirs = content_words(source)
    mine = content_words(text)
    return (
        bool(mine)
        and all(any(same_word(w, t) for t in theirs) for w in mine)
        and numbers(text) <= numbers(source)
        and negations(text) <= negations(source)
        and says_more_than(text, title)
    )


# "The following baselines were used:" announces an answer without giving it.
_POINTER = re.compile(r"\bfollowing(?:\s+\w+){0,3}$|:$", re.I)


def points_elsewhere(answer: str) -> bool:
    """Whether an answer only announces one ("The following baselines were used:")."""
    return bool(_POINTER.search(answer.strip().rstrip(".; ")))


def says_more_than(answer: str, *known: str) -> bool:
    """Whether an answer holds a content word beyond `known` texts (a title, the question): not a
    form of one of theirs ("the training data" says nothing beyond "Which dataset do they train on?")."""
    return bool(new_words(answer, *known))


def choose(
    checker: SupportChecker, question: str, raw: str, titles: Sequence[str], min_extract: float
) -> Choice:
    """The model's short answer if it checks against one evidence sentence, else the best sentence quoted."""
    slot = analyse(question)
    filled = [fill(s, slot) for s in checker.flat]
    # Only what a reader can check answers: prose, or a whole table row with its cells named by their
    # columns; never a bare figure from scrambled table text, a caption, or a planted instruction.
    answering = [
        bool(checker.usable[j]) and (checker.is_row[j] or prose(s)) for j, s in enumerate(checker.flat)
    ]
    best = _best_values(slot, filled, answering)
    rejected: list[tuple[str, str]] = []
    for claim in parse_claims(raw, min_words=1):
        if prompts.NO_ANSWER.lower().rstrip(".") in claim.text.lower():
            rejected.append((claim.text, "says the passages do not answer"))
            continue
        if points_elsewhere(claim.text):
            rejected.append((claim.text, "points to a list it does not give"))
            continue
        if not says_more_than(claim.text, question, *titles):
            rejected.append((claim.text, "only the question's or the title's words"))
            continue  # an echoed passage header or the question again: no answer
        j, why = _source(checker, slot, filled, answering, best, claim, question)
        if j is not None:
            return Choice([(claim.text, checker.owner[j], checker.flat[j])], False, slot)
        rejected.append((claim.text, why))
    kept = _quote(checker, filled, answering, best, question, min_extract)
    agreed = NOTHING
    if kept:
        first = filled[checker.flat.index(kept[0][0])]
        agreed = Filled(tuple(v for v in first.values if v in best), first.rank)
    return Choice(kept, True, slot, agreed, tuple(rejected))


def _best_values(slot: Slot, filled: Sequence[Filled], answering: Sequence[bool]) -> set[str]:
    """The value the evidence gives most, and most specifically: the highest sum of ranks over the
    sentences tying it to the question (a paper states its answer in the abstract, the results and
    the conclusion; a figure for a subset or a variant, once). Empty for untyped questions."""
    if not slot.typed:
        return set()
    votes: dict[str, int] = {}
    for f, ok in zip(filled, answering, strict=True):
        for v in f.values if ok else ():
            votes[v] = votes.get(v, 0) + f.rank
    top = max(votes.values(), default=0)
    return {v for v, n in votes.items() if n == top and n > 0}


def _source(
    checker: SupportChecker,
    slot: Slot,
    filled: Sequence[Filled],
    answering: Sequence[bool],
    best: set[str],
    claim: Claim,
    question: str,
) -> tuple[int | None, str]:
    """The evidence sentence that gives the claimed answer, cited passages first; else None and why."""
    if not slot.typed and len(set(new_words(claim.text, question))) < 2:
        # "1." or "the KATP channel" to an open question: some sentence holds it, none says it answers.
        return None, "too little beyond the question's words for an open question"
    order = sorted(
        range(len(checker.flat)), key=lambda j: (checker.owner[j] + 1 not in claim.cited, -filled[j].rank)
    )
    why = "no evidence sentence holds it as a span or close paraphrase"
    for j in order:
        if not answering[j] or not paraphrases(claim.text, checker.flat[j]):
            continue
        if not slot.typed:
            if filled[j].rank:  # the sentence is about the question, not just any sentence
                return j, ""
            why = "only sentences naming none of the question's words hold it"
            continue
        agreed = Filled(tuple(v for v in filled[j].values if v in best), filled[j].rank)
        if gives(claim.text, checker.flat[j], agreed, slot, question):
            return j, ""
        why = f"states no {slot.kind} the evidence gives for the question"
    return None, why


def _quote(
    checker: SupportChecker,
    filled: Sequence[Filled],
    answering: Sequence[bool],
    best: set[str],
    question: str,
    floor: float,
) -> list[Kept]:
    """The most specific sentence giving the best value, verbatim; else the closest sentences."""
    giving = [j for j, f in enumerate(filled) if answering[j] and best & set(f.values)]
    if giving:
        scores = checker.scores(question)
        j = max(giving, key=lambda j: (filled[j].rank, scores[j]))
        return [(checker.flat[j], checker.owner[j], checker.flat[j])]
    return checker.extract(question, floor)
