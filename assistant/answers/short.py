"""Short answers cut from the quoted sentence, and yes/no answers a polarity check agrees with.

When the model's first answer does not check, the answer is the best-answering sentence, quoted.
A reader still wants the few words of it that answer: "the CNN and Daily Mail corpora", "Yes". So
the model is shown that one sentence and the question, and asked for the shortest part of the
sentence that answers it (or, for a yes/no question, yes or no). What it writes is kept only when
it is checked against that sentence:
- a short answer must be a span of the sentence (case, punctuation and spacing aside) or a close
  paraphrase of it (assistant/answers/choose.py), shorter than the sentence, holding a word beyond
  the question's and the title's, and, for a typed question, stating the value the sentence gives
  and no other (assistant/answers/slots.py);
- a yes or a no must agree with the sentence's polarity: "no" only from a sentence that negates,
  "yes" only from one that does not, and only when the sentence names most of what the question
  is about (a sentence on something else says nothing either way).
Either way the sentence stays cited beside the short answer, so a reader sees what it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answers.choose import paraphrases, points_elsewhere, says_more_than
from assistant.answers.slots import Filled, Slot, gives, same_word
from ingest.text import content_words, negations, words

# Share of the question's focus words a sentence must name for its polarity to answer a yes/no.
YES_NO_FOCUS = 0.5
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_EDGES = "\"'“”‘’«»()[]:;,. "
_NONE = frozenset({"none", "no answer", "n/a", "nothing"})


@dataclass(frozen=True)
class Verdict:
    """What became of a candidate short answer: the text kept ("" when rejected), and why."""

    text: str
    reason: str  # "kept", or why it was rejected


def candidate(raw: str) -> str:
    """The model's reply as a candidate answer: its first line, without markers or wrapping quotes."""
    line = raw.strip().split("\n")[0] if raw.strip() else ""
    return _MARKERS.sub("", line).strip(_EDGES)


def check_span(
    raw: str, sentence: str, question: str, titles: Sequence[str], slot: Slot, filled: Filled
) -> Verdict:
    """The model's short answer if the checks above hold it to `sentence`, else why not."""
    text = candidate(raw)
    if not text or text.lower() in _NONE:
        return Verdict("", "no answer given")
    if points_elsewhere(text):
        return Verdict("", "points to a list it does not give")
    if not paraphrases(text, sentence):
        return Verdict("", "not a span or close paraphrase of the sentence")
    if len(words(text)) >= len(words(sentence)):
        return Verdict("", "not shorter than the sentence")
    if not says_more_than(text, question, *titles):
        return Verdict("", "only the question's or the title's words")
    if slot.typed and not gives(text, sentence, filled, slot, question):
        return Verdict("", f"does not state the sentence's {slot.kind} for the question")
    return Verdict(text, "kept")


def polarity(raw: str) -> str:
    """ "yes", "no", or "" from a model's reply to a yes/no question."""
    first = words(raw)[:1]
    return first[0] if first and first[0] in ("yes", "no") else ""


def check_yes_no(raw: str, sentence: str, question: str, slot: Slot) -> Verdict:
    """ "Yes" or "No" when the model's reply and the sentence's polarity agree, else why not."""
    said = polarity(raw)
    if not said:
        return Verdict("", "no yes or no given")
    if negations(question):
        return Verdict("", "a negated question: a sentence's polarity does not map to yes or no")
    focus = [f for f in slot.focus if len(f) > 2]
    theirs = content_words(sentence)
    named = sum(any(same_word(f, t) for t in theirs) for f in focus)
    if not focus or named / len(focus) < YES_NO_FOCUS:
        return Verdict("", f"the sentence names {named} of {len(focus)} question words")
    stated = "no" if negations(sentence) else "yes"
    if said != stated:
        return Verdict("", f"the model says {said}, the sentence's polarity is {stated}")
    return Verdict(said.capitalize(), "kept")
