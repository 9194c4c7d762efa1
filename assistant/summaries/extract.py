"""Extract first: each summary field gets the paper's own sentences that fill it, each sentence once.

Fields are filled in a fixed order (the one-line summary and the takeaways first, as a reader
reads them), each from the sentences whose rhetorical role (roles.py) fits it best, by maximal
marginal relevance across all fields: a sentence is taken once, and a sentence saying much what
an earlier pick said scores lower, or not at all. Key Takeaways come from the paper's own
contribution list when it has one, and one of them always gives the headline result with its
numbers. A review, survey or position paper is recognised, and its result fields say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.summaries.roles import FINDING, Sentence
from ingest.text import word_overlap

_CONTRIBUTIONS = re.compile(
    r"\b(?:our|the main|main|key|major|primary) contributions?\b|\bwe (?:make|offer) the following\b"
    r"|\bcontributions? (?:of this|are|is)\b|\bin summary, (?:we|our)\b|\bto summari[sz]e\b"
    r"|\bthis (?:paper|work) (?:makes|contributes)\b",
    re.I,
)
_ITEM = re.compile(
    r"^(?:\(?[0-9ivx]{1,3}[.)]\s|[•▪●◦‣∙·-]\s|(?:first|second|third|fourth|finally|lastly),)", re.I
)
_REVIEW = re.compile(
    r"\bthis (?:review|survey|perspective|overview|tutorial|position paper|primer)\b"
    r"|\bwe (?:review|survey)\b|\bin this (?:review|perspective|survey|position paper)\b"
    r"|\b(?:review|survey|perspective) (?:of|on)\b|\bwe argue that\b",
    re.I,
)
_REVIEW_TITLE = re.compile(
    r"^(?:an? )?(?:review|survey|overview|tutorial|primer)\b|\b(?:a|systematic) (?:review|survey)\b", re.I
)
_METHOD_SECTION = re.compile(
    r"method|approach|model|architecture|framework|design|algorithm|system|implement|proposed|network"
    r"|training|pipeline|overview|construct|procedure|data(?:set)? (?:collection|creation)|annotation",
    re.I,
)
_RESULT_SECTION = re.compile(r"abstract|result|experiment|evaluat|conclu|discussion|^$", re.I)
_INTRO_SECTION = re.compile(r"abstract|introduc|background|motivation|related|prior|^$", re.I)
_CLOSING_SECTION = re.compile(r"abstract|conclu|discussion|summary|outlook|future|^$", re.I)
_FRONT_SECTION = re.compile(r"abstract|introduc|conclu|contribution|^$", re.I)
_SHOWN = re.compile(r"\bwe (?:show|find|found|observe|obtain|report)\b|\bresults? (?:show|indicate)", re.I)
# Above this overlap with an earlier pick a sentence says the same thing: it is not taken at all.
SAME = 0.6


@dataclass(frozen=True)
class Spec:
    """What a field wants: role weights, how many sentences, and what a sentence must have."""

    name: str
    weights: dict[str, float]
    count: int
    needs_number: bool = False  # a number stated as a finding, with a verb or measure of one
    needs_own: bool = False
    no_others: bool = True
    in_order: bool = False  # method steps keep the paper's order
    abstract: float = -0.4  # the abstract is read anyway: the rest of a summary should not restate it
    sections: re.Pattern[str] | None = None  # where the field's sentences are at home
    floor: float = 0.3  # the least score a sentence needs to fill the field


# In the order they are filled: earlier fields get the first choice of sentences.
SPECS: tuple[Spec, ...] = (
    Spec(
        "one_line",
        {"method": 1.0, "result": 0.2, "novelty": 0.3},
        1,
        needs_own=True,
        abstract=0.6,
        sections=_FRONT_SECTION,
    ),
    Spec("takeaways", {"result": 0.6, "method": 0.5, "novelty": 0.4, "significance": 0.3}, 4, abstract=0.1),
    Spec(
        "tasks_results",
        {"result": 1.0, "method": 0.1},
        2,
        needs_number=True,
        needs_own=True,
        sections=_RESULT_SECTION,
        floor=0.3,
    ),
    # The steps before the method itself: they must come from the method section, in order; the
    # method field can then take the abstract's or the introduction's overview.
    Spec(
        "method_steps",
        {"method": 1.0},
        4,
        needs_own=True,
        in_order=True,
        abstract=-9.0,
        sections=_METHOD_SECTION,
        floor=0.6,
    ),
    Spec("method", {"method": 1.0, "novelty": 0.3}, 2, needs_own=True, abstract=0.2, floor=0.8),
    Spec(
        "background",
        {"background": 1.0, "gap": -0.3, "result": -0.3},
        1,
        no_others=False,
        sections=_INTRO_SECTION,
    ),
    Spec("past_methods", {"gap": 1.0, "background": 0.2}, 2, no_others=False, sections=_INTRO_SECTION),
    Spec(
        "conclusion_significance",
        {"significance": 1.0, "result": 0.2},
        1,
        abstract=0.0,
        sections=_CLOSING_SECTION,
        floor=0.5,
    ),
    Spec(
        "conclusion_innovation",
        {"novelty": 1.0, "method": 0.3},
        1,
        needs_own=True,
        abstract=0.0,
        sections=_FRONT_SECTION,
        floor=0.5,
    ),
    Spec(
        "conclusion_performance",
        {"result": 1.0},
        1,
        needs_number=True,
        needs_own=True,
        sections=_RESULT_SECTION,
        floor=0.4,
    ),
    Spec("conclusion_workload", {"cost": 1.0, "method": 0.1}, 1, floor=0.5),
)
NO_EXPERIMENTS = ("tasks_results", "conclusion_performance")
# A review has no method of its own to give in steps, and no workload of its own.
NOT_FOR_REVIEWS = (*NO_EXPERIMENTS, "method_steps", "conclusion_workload")


@dataclass
class Extraction:
    """Each field's sentences, and whether the paper is a review (no experiments of its own)."""

    fields: dict[str, list[Sentence]] = field(default_factory=dict)
    review: bool = False
    from_contributions: bool = False  # the takeaways are the paper's own contribution list


def contribution_items(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The paper's own contribution list, when it has one: the items after "our contributions are"."""
    for i, s in enumerate(sentences):
        if not _CONTRIBUTIONS.search(s.text) or s.index > 0.5 * len(sentences):
            continue
        items = [t for t in sentences[i + 1 : i + 8] if t.usable and (_ITEM.match(t.text) or t.own)]
        following = [t for t in items if t.section == s.section and not t.others][:5]
        if len(following) >= 2:
            return following
    return []


def is_review(sentences: Sequence[Sentence], title: str = "") -> bool:
    """A review, survey or position paper: it says so (title or early), and reports no numbered results."""
    early = sentences[: max(12, len(sentences) // 10)]
    if _REVIEW_TITLE.search(title):
        return True
    says = any(_REVIEW.search(s.text) for s in early)
    results = [s for s in sentences if s.usable and s.own and s.number_count and s.roles["result"] > 0.8]
    return says and len(results) < 2


def score(s: Sentence, spec: Spec) -> float:
    """How well a sentence fills a field (-9: it may not fill it at all)."""
    if not s.usable or (spec.needs_own and not s.own) or (spec.no_others and s.others):
        return -9.0
    if spec.needs_number and not (s.number_count and (FINDING.search(s.text) or _SHOWN.search(s.text))):
        return -9.0
    value = sum(w * s.roles.get(role, 0.0) for role, w in spec.weights.items())
    if spec.sections is not None and not spec.sections.search(s.section):
        value -= 0.5
    return value + (spec.abstract if s.in_abstract else 0.0)


class _Picker:
    """Maximal marginal relevance over the whole summary: taken sentences and what they said."""

    def __init__(self) -> None:
        self.taken: list[Sentence] = []

    def redundancy(self, s: Sentence) -> float:
        """How much of the sentence an earlier pick already said (1: all of it, or the sentence itself)."""
        if any(t.index == s.index for t in self.taken):
            return 1.0
        return max((word_overlap(s.text, t.text) for t in self.taken), default=0.0)

    def pick(self, sentences: Sequence[Sentence], spec: Spec) -> list[Sentence]:
        """Up to `spec.count` sentences for the field, best first (or in the paper's order)."""
        picks: list[Sentence] = []
        candidates = [s for s in sentences if score(s, spec) >= spec.floor]
        while len(picks) < spec.count and candidates:
            ranked = [(score(s, spec) - 0.3 * self.redundancy(s), s) for s in candidates]
            ranked = [(v, s) for v, s in ranked if self.redundancy(s) < SAME and v >= spec.floor]
            if not ranked:
                break
            _, best = max(ranked, key=lambda vs: (vs[0], -vs[1].index))
            picks.append(best)
            self.taken.append(best)
            candidates.remove(best)
        return sorted(picks, key=lambda s: s.index) if spec.in_order else picks

    def take(self, picks: Sequence[Sentence]) -> list[Sentence]:
        """Take sentences chosen otherwise (a contribution list), skipping what was already said."""
        kept = [s for s in picks if self.redundancy(s) < SAME]
        self.taken.extend(kept)
        return kept


def headline(sentences: Sequence[Sentence]) -> Sentence | None:
    """The paper's headline result: its own result with numbers, from the abstract, results or conclusion."""
    spec = Spec("headline", {"result": 1.0}, 1, needs_number=True, abstract=0.4, sections=_RESULT_SECTION)
    found = [s for s in sentences if score(s, spec) > 0.5 and FINDING.search(s.text)]
    ranked = sorted(found, key=lambda s: -score(s, spec))
    return ranked[0] if ranked else None


def extract(sentences: Sequence[Sentence], title: str = "") -> Extraction:
    """For each field, its sentences; no sentence serves twice, near-repeats are not taken."""
    out = Extraction(review=is_review(sentences, title))
    picker = _Picker()
    for spec in SPECS:
        if out.review and spec.name in NOT_FOR_REVIEWS:
            out.fields[spec.name] = []
            continue
        if spec.name == "takeaways":
            out.fields[spec.name] = _takeaways(sentences, spec, picker, out)
            continue
        out.fields[spec.name] = picker.pick(sentences, spec)
    return out


def _takeaways(sentences: Sequence[Sentence], spec: Spec, picker: _Picker, out: Extraction) -> list[Sentence]:
    """The contribution list (or the best-scoring sentences), led by the headline result."""
    top = None if out.review else headline(sentences)
    lead = picker.take([top]) if top is not None else []
    listed = picker.take(contribution_items(sentences)[: spec.count])
    out.from_contributions = len(listed) >= 2
    rest = [] if out.from_contributions else picker.pick(sentences, Spec(**{**spec.__dict__, "count": 3}))
    return [*listed, *lead, *rest] if out.from_contributions else [*lead, *rest]
