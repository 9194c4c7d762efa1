"""Answer-level evaluation behind `paperlamp eval`: cited answers, multiple choice, answer F1, abstention.

Retrieval metrics live in assistant/evaluation/retrieval.py; these run the whole ask pipeline:
- LitQA2: key-passage hit@k over the passages the model reads; right paper cited (any citation
  from the question's PDF); multiple choice with an "insufficient information" option, the options
  shuffled per question id, the letter asked for given the same passages; an abstained answer counts
  as unanswered (accuracy = correct / all, precision = correct / answered). Further rows: the
  model's letter where the passages back it; the option the model's own checked answer names (its
  short answer to the open question, kept only when its cited sentence gives it); and, without the
  model, the option whose words the same passages hold most (a tie: insufficient).
- QASPER: evidence recall over the passages the model reads; answer token F1 with SQuAD's
  normalisation, the best over annotators (an abstention scores 0); the share of unanswerable
  questions abstained on, and of answerable ones wrongly abstained on.
- Every run: the share of citations whose quote is a verbatim substring of its chunk.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answers import prompts
from assistant.answers.ask import Asker
from assistant.domain import Answer, Progress, no_progress
from assistant.errors import BadInput
from assistant.evaluation.data import (
    LitQA2Question,
    QasperQuestion,
    litqa2_pdfs,
    load_litqa2,
    load_qasper,
    load_scifact,
)
from assistant.evaluation.retrieval import (
    Table,
    add_eval_docs,
    holds_evidence,
    litqa2_retrieval,
    qasper_retrieval,
    scifact_retrieval,
    share_in,
)
from assistant.library.library import Library
from assistant.retrieval.search import SearchFilter
from ingest.text import OPTION_STOPWORDS, ascii_tokens
from models.catalog import Catalog
from models.home import LibraryHome

BENCHMARKS = ("litqa2", "qasper", "scifact")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_LETTER = re.compile(r"^\s*\(?([A-Z])(?:\)|\.|:|,|\s|$)")
_LETTER_ANYWHERE = re.compile(r"(?:[Aa]nswer(?: is)?:?\s*|\()\(?([A-Z])\)")
Record = Callable[[dict[str, Any]], None]  # gets one dict per question: what was asked, answered, scored


def _ignore(_: dict[str, Any]) -> None:
    """Records nothing."""


@dataclass
class Tally:
    """Counts that become one table row."""

    questions: int = 0
    quotes: int = 0
    verbatim: int = 0

    def check_quotes(self, catalog: Catalog, answer: Answer) -> None:
        """Count the answer's quotes, and those found verbatim in their chunk."""
        chunks = catalog.chunks_by_id(c.chunk_id for c in answer.citations)
        for c in answer.citations:
            self.quotes += 1
            chunk = chunks.get(c.chunk_id)
            self.verbatim += chunk is not None and c.quote in chunk.text

    @property
    def verbatim_share(self) -> float:
        """Share of quotes found verbatim (1 when there were none)."""
        return self.verbatim / self.quotes if self.quotes else 1.0


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lowercase, no punctuation, no articles, single spaces."""
    text = "".join(c for c in text.lower() if c not in set(string.punctuation))
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between a prediction and one gold answer."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, golds: Sequence[str]) -> float:
    """The best token F1 over the annotators' answers."""
    return max((token_f1(prediction, g) for g in golds), default=0.0)


def parse_letter(text: str, options: Sequence[str]) -> int | None:
    """The option a model's reply picks (by letter, or by quoting the option), or None."""
    letters = {chr(65 + i) for i in range(len(options))}
    head = text.strip()
    for pattern in (_LETTER, _LETTER_ANYWHERE):
        match = pattern.search(head) if pattern is _LETTER_ANYWHERE else pattern.match(head)
        if match and match.group(1) in letters:
            return ord(match.group(1)) - 65
    lowered = normalize_answer(head)
    named = [i for i, o in enumerate(options) if normalize_answer(o) and normalize_answer(o) in lowered]
    return named[0] if len(named) == 1 else None


def _plain(answer: str) -> str:
    """Answer text without [n] markers."""
    return re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", answer)


def litqa2_answers(
    asker: Asker,
    questions: Sequence[LitQA2Question],
    progress: Progress = no_progress,
    record: Record = _ignore,
) -> Table:
    """Cited answers and multiple choice on LitQA2 questions, asked of the whole library."""
    k = asker.evidence_k
    catalog = asker.searcher.library.catalog
    table = Table(
        "LitQA2 answers",
        [f"hit@{k}", "right paper cited", "MC accuracy", "MC precision", "answered", "quotes verbatim"],
    )
    tally = Tally()
    hit = cited = 0
    picked = {"model": [0, 0], "checked": [0, 0], "answer": [0, 0], "evidence": [0, 0]}  # [answered, correct]
    chance = [0.0, 0.0]  # a uniform guess over all options: expected correct, and correct per answered
    for i, q in enumerate(questions):
        found = asker.evidence(q.question)
        answer = asker.answer(q.question, found, qid=q.id)
        tally.check_quotes(catalog, answer)
        source = q.pdf.name if q.pdf else ""
        key = ascii_tokens(q.key_passage)
        hit += any(
            h.source == source and share_in(key, set(ascii_tokens(h.text))) >= 0.7 for h in found.passages
        )
        cited += any(c.source == source for c in answer.citations)
        m = len(q.distractors) + 2  # the options, "insufficient information" included
        chance[0] += 1 / m
        chance[1] += 1 / (m - 1)  # picking "insufficient" leaves a question unanswered
        if not answer.abstained and found.passages:
            options = prompts.choices(q.id, q.ideal, q.distractors)
            reply = asker.generator.generate(
                prompts.choice_prompt(q.question, options, found.passages), max_tokens=8, stop=("\n",)
            )
            texts = [h.text for h in found.passages]
            support = evidence_support(options, texts)
            model = parse_letter(reply, options)
            picks = {
                "model": model,
                "checked": checked_choice(model, support),
                "answer": answer_choice(options, answer),
                "evidence": evidence_choice(options, texts),
            }
            record(
                {
                    "id": q.id,
                    "options": options,
                    "ideal": options.index(q.ideal),
                    "reply": reply,
                    "answer": answer.answer,
                    "answer_model": answer.model,
                    "picks": picks,
                    "support": support,
                }
            )
            for method, pick in picks.items():
                if pick is not None and options[pick] != prompts.INSUFFICIENT:
                    picked[method][0] += 1
                    picked[method][1] += options[pick] == q.ideal
        tally.questions += 1
        progress(q.id, i + 1, len(questions))
    n = max(tally.questions, 1)
    table.count = tally.questions
    names = {
        "model": asker.generator.name,
        "checked": f"{asker.generator.name}, checked by the evidence words",
        "answer": f"{asker.generator.name}, the option its checked answer names",
        "evidence": "evidence words (no model)",
    }
    for method, (answered, correct) in picked.items():
        name = names[method]
        table.rows.append(
            (
                name,
                [
                    hit / n,
                    cited / n,
                    correct / n,
                    correct / max(answered, 1),
                    answered / n,
                    tally.verbatim_share,
                ],
            )
        )
    nan = math.nan  # the columns a guess has no figure for
    table.rows.append(("random guess", [nan, nan, chance[0] / n, chance[1] / n, (n - chance[0]) / n, nan]))
    return table


def _option_words(text: str) -> set[str]:
    return {w for w in ascii_tokens(text) if w not in OPTION_STOPWORDS and (len(w) > 2 or w.isdigit())}


def evidence_support(options: Sequence[str], passages: Sequence[str]) -> dict[int, float]:
    """Per option (not "insufficient", not wordless): the share of its words the passages hold."""
    held = set(ascii_tokens(" ".join(passages)))
    return {
        i: len(words & held) / len(words)
        for i, option in enumerate(options)
        if option != prompts.INSUFFICIENT and (words := _option_words(option))
    }


def checked_choice(model: int | None, support: dict[int, float]) -> int | None:
    """The model's pick when the evidence supports it at least as well as any other option (the
    share of its words the passages hold is the highest, and above zero); else no answer."""
    if model is None or model not in support:
        return None
    top = max(support.values())
    return model if top > 0 and support[model] == top else None


def answer_choice(options: Sequence[str], answer: Answer) -> int | None:
    """The option the model's own checked answer names: the one whose words its short answer holds
    the largest share of, at least half, and more than any other option's. None when the answer is
    the paper's sentence quoted or an abstention (the model then said nothing that passed), or when
    no option leads.

    This is the letter the ask pipeline would give: the model answers the open question, its short
    answer is kept only when its cited sentence gives it (assistant/answers/choose.py), and only then
    does it pick an option.
    """
    if answer.abstained or answer.quoted or not answer.citations:
        return None
    shares = evidence_support(options, [_plain(answer.answer)])
    top = _leader(shares)
    return top if top is not None and shares[top] >= 0.5 else None


def _leader(scores: dict[int, float]) -> int | None:
    """The option scoring highest, alone at the top; None when there is none or a tie."""
    ranked = sorted(scores.values(), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return max(scores, key=lambda i: scores[i])


def evidence_choice(options: Sequence[str], passages: Sequence[str]) -> int | None:
    """The option whose words the passages hold the largest share of; None when no option leads.

    A tie at the top (often: none of the options' words appear, or all of them do) is no evidence
    either way, so it answers nothing rather than guess.
    """
    scores = evidence_support(options, passages)
    top = _leader(scores)
    return top if top is not None and scores[top] > 0 else None


def qasper_answers(
    asker: Asker,
    questions: Sequence[QasperQuestion],
    progress: Progress = no_progress,
    record: Record = _ignore,
) -> Table:
    """Answers to QASPER questions, each asked of its own paper."""
    k = asker.evidence_k
    catalog = asker.searcher.library.catalog
    table = Table(
        "QASPER answers",
        [
            f"evidence recall@{k}",
            "answer F1",
            "unanswerable abstained",
            "answerable abstained",
            "quotes verbatim",
        ],
    )
    tally = Tally()
    recall = f1 = abstained_unanswerable = abstained_answerable = 0.0
    with_evidence = answerable = unanswerable = 0
    for i, q in enumerate(questions):
        found = asker.evidence(q.question, SearchFilter(paper_ids=(q.paper_id,)))
        answer = asker.answer(q.question, found, qid=q.id)
        tally.check_quotes(catalog, answer)
        if q.answerable:
            answerable += 1
            abstained_answerable += answer.abstained
            score = 0.0 if answer.abstained else best_f1(_plain(answer.answer), q.answers)
            f1 += score
            record(
                {
                    "id": q.id,
                    "question": q.question,
                    "gold": q.answers,
                    "answer": answer.answer,
                    "model": answer.model,
                    "f1": score,
                    "rejected": answer.rejected,
                }
            )
            if q.evidence:
                with_evidence += 1
                recall += any(holds_evidence(h.text, q.evidence) for h in found.passages)
        else:
            unanswerable += 1
            abstained_unanswerable += answer.abstained
        tally.questions += 1
        progress(q.id, i + 1, len(questions))
    table.count = tally.questions
    table.rows.append(
        (
            asker.generator.name,
            [
                recall / max(with_evidence, 1),
                f1 / max(answerable, 1),
                abstained_unanswerable / max(unanswerable, 1),
                abstained_answerable / max(answerable, 1),
                tally.verbatim_share,
            ],
        )
    )
    return table


def eval_home(library_home: Path, benchmark: str) -> Path:
    """Where a benchmark's library is built by default: under the library's cache, never in it."""
    return LibraryHome(library_home).cache / "eval" / benchmark


class Evaluator:
    """Runs a benchmark through the library's own search and ask pipeline, and scores it."""

    def __init__(self, library: Library, asker: Asker) -> None:
        self.library = library
        self.asker = asker

    def run(
        self, benchmark: str, data: Path, limit: int | None = None, progress: Progress = no_progress
    ) -> list[Table]:
        """Index the benchmark's papers into this library (idempotent), then score it."""
        searcher = self.asker.searcher
        if benchmark == "litqa2":
            questions = load_litqa2(data)[:limit]
            list(self.library.add(litqa2_pdfs(data)))
            return [
                litqa2_retrieval(searcher, questions, fusions=("weighted",)),
                litqa2_answers(self.asker, questions, progress),
            ]
        if benchmark == "qasper":
            docs, asked = load_qasper(data)
            add_eval_docs(self.library, docs)
            asked = asked[:limit]
            return [
                qasper_retrieval(searcher, asked, fusions=("weighted",)),
                qasper_answers(self.asker, asked, progress),
            ]
        if benchmark == "scifact":
            corpus, queries, qrels = load_scifact(data)
            add_eval_docs(self.library, corpus)
            judged = dict(list(qrels.items())[:limit])
            return [scifact_retrieval(searcher, queries, judged, fusions=("weighted",))]
        raise BadInput(f"unknown benchmark {benchmark!r}; choose one of: {', '.join(BENCHMARKS)}")
