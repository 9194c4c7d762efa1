"""Extract first: each summary field gets the paper's own sentences that fill it, each sentence once.

Fields are filled in a fixed order (the one-line summary first; then the fields whose sentences
are few, each needing its own cue, before the takeaways that have many to choose from), each from
the sentences whose rhetorical role (roles.py) fits it best, by maximal marginal relevance across
all fields: a sentence is taken once, and a sentence making the claim an earlier pick made (by
shared stems beyond the title's words, a shared figure, or the same thing introduced) scores
lower, or not at all. Key Takeaways come from the paper's own
contribution list when it has one, and one of them always gives the headline result with its
numbers. A review, survey or position paper is recognised, and its result fields say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.summaries.roles import CUES, FINDING, SETTING_SECTION, SETUP, Sentence, only_praise
from ingest.text import SUMMARY_STOPWORDS, numbers, prefix_stems

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
_TAKEAWAY_SECTION = re.compile(
    r"abstract|introduc|conclu|contribution|result|experiment|evaluat|discussion|^$", re.I
)
_FRONT_SECTION = re.compile(r"abstract|introduc|conclu|contribution|^$", re.I)
# What a workload is spent in: time, hardware, money, people. A sentence without one is not a workload.
_DURATION = r"hours?|days?|weeks?|minutes?"
_RESOURCES = (
    r"GPUs?|TPUs?|CPUs?|FLOPs?|GB|costs?|costly|expensive|budget"
    r"|training time|annotators?|participants?|workers?|freelancers?|crowd-?workers?"
)
_COST_UNIT = re.compile(rf"\b(?:{_DURATION}|{_RESOURCES})\b|\$", re.I)
_RESOURCE = re.compile(rf"\b(?:{_RESOURCES})\b|\$", re.I)
# Time alone is a workload only when it is the work's: training, running, annotating, a study's
# sessions ("plates were grown at 30 °C for 2 days" is how long a culture grows, not what it cost).
_WORK = re.compile(
    r"\b(?:train\w*|pre-?train\w*|annotat\w*|label\w*|comput\w*|runs?|ran|running|took|takes?|spent"
    r"|inference|sessions?|interviews?|participants?|deployment|per (?:paper|image|document|query))\b",
    re.I,
)
# A finding compared or changed, not only a measure named ("we evaluate recall@20").
_GAIN = re.compile(
    r"\b(?:achiev|outperform|improv|surpass|exceed|beat|reduc|increas|gain|reach|obtain|yield)\w*"
    r"|\b(?:better|worse|higher|lower|best|faster|fewer)\b",
    re.I,
)
# An experiment, not a step of the method: "To evaluate the importance of ..., we varied our model".
_EVALUATES = re.compile(r"\b(?:to|we) (?:evaluate|assess|measure|test)\b|\bmeasuring\b", re.I)
# "We present analysis showing that ...": a finding, not the method.
_REPORTS = re.compile(r"\b(?:show|find|found|demonstrat\w*|reveal\w*)\s+that\b", re.I)
_CITED = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|\(\s*[A-Z][\w'-]+(?: et al\.?)?,? \d{4}|\bet al\.")
_SHOWN = re.compile(r"\bwe (?:show|find|found|observe|obtain|report)\b|\bresults? (?:show|indicate)", re.I)
# Above this overlap with an earlier pick a sentence says the same thing: it is not taken at all.
SAME = 0.5


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
    no_own: bool = False  # past work: the paper's own design is never its predecessors' problem
    off_section: float = 0.5  # what a sentence outside `sections` loses
    needs: re.Pattern[str] | None = None  # a cue the sentence must hold (a cost, a novelty)
    cited: float = 0.0  # what a sentence citing another work loses (credit it shares)
    adjacent: bool = False  # a second sentence only from beside the first (one passage, in its order)
    own_in_section: bool = False  # in `sections`, an uncited sentence is the paper's own (its method)
    own_in_abstract: bool = False  # so is an uncited sentence of the abstract ("The architecture ...")
    shuns: re.Pattern[str] | None = None  # what a sentence of the field should not be (loses 0.4)
    counted: bool = False  # it states an amount: a workload without a figure says how, not how much
    central: float = 0.3  # what each standard deviation of nearness to the paper's centroid adds
    # The least nearness (in standard deviations) a sentence needs: further from what the paper is
    # about, it is a side detail ("we filter matches scoring less than 0.3"), not what the field says.
    # Off for the fields whose matter lies apart from the paper's (its uses, past work, costs).
    least_central: float = -9.0
    lead: float = 0.0  # what the first sentence of a section adds (it says what the section is about)
    # The method's home: a section named after the paper's work is home too; one that mostly cites
    # other work, or shows the work in use (a vignette, a scenario), never is.
    method_home: bool = False
    # Not from a section on how the work was run (its training, data, a study's design), even under
    # the method's heading: a step from one says how the work was run ("we trained on the standard
    # WMT 2014 dataset"), not what the method does.
    no_settings: bool = False
    # The fewest words a sentence must add to what the summary has said (beyond the title's, with no
    # figure of its own): a step that only names again what a takeaway named ("the resulting corpus
    # consists of 81.1M papers") is a repeat, however short the sentence is.
    adds: int = 0


# What the paper itself did and found lies near its centroid: a sentence more than a standard
# deviation away is a side matter ("for half the generations we block 6-grams").
_OWN_MATTER = -1.0
# Over fewer usable sentences the centroid is the paper's few overview sentences, and a specific step
# ("we encode the graph with six message passing layers") sits far from it: nearness then only ranks.
_GATED_FROM = 40
# In the order they are filled: earlier fields get the first choice of sentences.
SPECS: tuple[Spec, ...] = (
    Spec(
        "one_line",
        {"method": 1.0, "result": 0.2, "novelty": 0.3},
        1,
        needs_own=True,
        abstract=0.6,
        sections=_FRONT_SECTION,
        least_central=_OWN_MATTER,
    ),
    # The design itself, before the steps take the method section's sentences that state it.
    Spec(
        "method",
        {"method": 1.0, "novelty": 0.3},
        1,
        needs_own=True,
        own_in_abstract=True,
        abstract=0.3,
        sections=_FRONT_SECTION,
        floor=0.8,
        cited=0.4,
        needs=CUES["method"],
        shuns=_REPORTS,
        least_central=_OWN_MATTER,
    ),
    # The one-sentence fields whose sentences are few (a stated significance, a stated novelty) choose
    # before the takeaways, which have many to choose from.
    Spec(
        "conclusion_significance",
        {"significance": 1.0, "limitation": -0.6, "future": -0.4},
        1,
        needs_own=True,
        abstract=0.0,
        sections=_CLOSING_SECTION,
        floor=0.5,
        needs=CUES["significance"],
    ),
    Spec(
        "conclusion_innovation",
        {"novelty": 1.0, "method": 0.3, "result": -0.3},
        1,
        needs_own=True,
        abstract=0.0,
        sections=_FRONT_SECTION,
        floor=0.5,
        needs=CUES["novelty"],
        off_section=0.2,
        least_central=_OWN_MATTER,
    ),
    Spec(
        "takeaways",
        {
            "result": 0.6,
            "method": 0.5,
            "novelty": 0.4,
            "significance": 0.3,
            "limitation": -0.4,
            "future": -0.5,
        },
        4,
        needs_own=True,
        abstract=0.1,
        cited=0.4,
        sections=_TAKEAWAY_SECTION,
        off_section=0.4,
        floor=0.6,
        least_central=_OWN_MATTER,
    ),
    Spec(
        "tasks_results",
        {"result": 1.0, "method": 0.1},
        2,
        needs_number=True,
        needs_own=True,
        sections=_RESULT_SECTION,
        floor=0.3,
        cited=0.4,
        least_central=_OWN_MATTER,
    ),
    # The steps before the method itself: they must come from the method section, in order; the
    # method field can then take the abstract's or the introduction's overview.
    Spec(
        "method_steps",
        {"method": 1.0},
        4,
        needs_own=True,
        own_in_section=True,
        in_order=True,
        cited=0.5,
        abstract=-9.0,
        sections=_METHOD_SECTION,
        off_section=9.0,
        floor=0.6,
        least_central=_OWN_MATTER,
        lead=0.3,
        method_home=True,
        no_settings=True,
        shuns=_EVALUATES,
        adds=2,
    ),
    Spec(
        "background",
        {"background": 1.0, "gap": -0.3, "result": -0.3},
        1,
        no_others=False,
        no_own=True,
        sections=_INTRO_SECTION,
        off_section=9.0,
    ),
    Spec(
        "past_methods",
        {"gap": 1.0, "background": 0.2},
        2,
        no_others=False,
        no_own=True,
        sections=_INTRO_SECTION,
        off_section=9.0,
        adjacent=True,
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
        needs=_GAIN,
        cited=0.4,
        least_central=_OWN_MATTER,
    ),
    Spec("conclusion_workload", {"cost": 1.0, "method": 0.1}, 1, floor=0.5, needs=_COST_UNIT, counted=True),
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


def cites_others(s: Sentence) -> bool:
    """Whether the sentence is about other work: it says so, or it cites ("[4]", "(Smith, 2011)")."""
    return s.others or bool(_CITED.search(s.text))


def _own(s: Sentence, spec: Spec) -> bool:
    """The paper's own: it says so, or (where the field allows) it is an uncited sentence of the abstract
    or of the field's sections."""
    if s.own:
        return True
    if cites_others(s):
        return False
    home = spec.own_in_section and _at_home(s, spec)
    return (spec.own_in_abstract and s.in_abstract) or home


# A section that shows the work in use (a vignette, a user's scenario) tells a story, not the method.
_SHOWCASE = re.compile(r"vignette|scenario|walk-?through|use case|example", re.I)


def _at_home(s: Sentence, spec: Spec) -> bool:
    """Whether the sentence sits where the field's sentences are at home: its top-level section's
    heading (or its own) is one of the field's, or (for the method) names the paper's work; for the
    method, never a section that mostly cites other work or shows the work in use."""
    if spec.sections is None or (spec.method_home and (s.surveyed or _SHOWCASE.search(s.section))):
        return False
    return bool(spec.sections.search(s.part or s.section)) or (spec.method_home and s.titled)


def score(s: Sentence, spec: Spec) -> float:
    """How well a sentence fills a field (-9: it may not fill it at all)."""
    if not s.usable or (spec.needs_own and not _own(s, spec)) or (spec.no_others and s.others):
        return -9.0
    if (spec.no_own and s.own) or (spec.needs is not None and not spec.needs.search(s.text)):
        return -9.0
    if spec.counted and not s.number_count:
        return -9.0
    if spec.counted and not _RESOURCE.search(s.text) and not _WORK.search(s.text):
        return -9.0  # its only cost is a duration, and not the work's
    if s.central < spec.least_central or (spec.no_settings and SETTING_SECTION.search(s.section)):
        return -9.0
    if spec.needs_number and not (s.number_count and (FINDING.search(s.text) or _SHOWN.search(s.text))):
        return -9.0
    if spec.needs_number and SETUP.search(s.text):
        return -9.0  # its numbers are settings ("the last 5 checkpoints"), not findings
    # A negative weight counts only what a sentence has of that role: a penalty elsewhere is no credit.
    value = sum(
        w * (s.roles.get(role, 0.0) if w > 0 else max(s.roles.get(role, 0.0), 0.0))
        for role, w in spec.weights.items()
    )
    if spec.sections is not None and not _at_home(s, spec):
        value -= spec.off_section
    if spec.cited and _CITED.search(s.text):
        value -= spec.cited
    if spec.shuns is not None and spec.shuns.search(s.text):
        value -= 0.4
    return value + (spec.abstract if s.in_abstract else 0.0) + (spec.lead if s.lead else 0.0)


def rank(s: Sentence, spec: Spec) -> float:
    """The score, and how near the sentence is to what the paper is about: which of the sentences
    that may fill a field fills it best (nearness ranks them; it never makes one eligible)."""
    return score(s, spec) + spec.central * s.central


# Words every sentence of a paper may share: they say nothing about which claim it makes.
_RHETORIC = prefix_stems(
    "propose present introduce show find found paper work study method model approach using based novel"
    " result results"
)
_INTRODUCES = re.compile(
    r"\bwe (?:propos|present|introduc|develop|releas)(?:e|es|ed)? (?:a |an |the )?(?:new |novel )?(\w+)", re.I
)
_NAME = re.compile(r"\b[A-Z][\w-]*[A-Za-z]")


def _introduced(text: str) -> set[str]:
    """What a sentence introduces as the paper's: "we propose a new simple network architecture, the
    Transformer" introduces "network" and "Transformer" (the names within the next few words)."""
    found = _INTRODUCES.search(text)
    if not found:
        return set()
    after = text[found.end() : found.end() + 60]
    names = {n.lower() for n in _NAME.findall(after)} - SUMMARY_STOPWORDS
    return {found[1].lower()} - SUMMARY_STOPWORDS | names


# A year names a dataset or an edition ("WMT 2014"), not a finding: two sentences sharing one may differ.
_YEAR = re.compile(r"(?:19|20)\d\d")


def same_claim(a: str, b: str, common: frozenset[str] = frozenset()) -> float:
    """How much two sentences say the same (0 to 1); `common` are the stems of the paper's title.

    Shared stems over the smaller sentence's, beyond what every sentence of the paper shares; two
    sentences stating the same figure ("73%"), or both introducing the same thing ("we introduce
    PaSa, ..."), are one claim told twice.
    """
    if _introduced(a) & _introduced(b):
        return 1.0
    sa, sb = prefix_stems(a) - common - _RHETORIC, prefix_stems(b) - common - _RHETORIC
    if not sa or not sb:
        return 0.0
    # Over at least five stems: once the title's words are gone a short sentence may keep only two.
    shared = len(sa & sb) / max(min(len(sa), len(sb)), 5)
    figures = {n for n in numbers(a) & numbers(b) if len(n.strip("0.")) >= 2 and not _YEAR.fullmatch(n)}
    return max(shared, 0.9) if figures and shared >= 0.2 else shared


class _Picker:
    """Maximal marginal relevance over the whole summary: taken sentences and what they said."""

    def __init__(self, title: str = "") -> None:
        self.taken: list[Sentence] = []
        self.common = frozenset(prefix_stems(title, min_length=1))

    def redundancy(self, s: Sentence, adds: int = 0) -> float:
        """How much of the sentence an earlier pick already said (1: all of it, or the sentence itself,
        or it adds fewer than `adds` words and no figure to all the picks together)."""
        if any(t.index == s.index for t in self.taken) or (adds and self._adds(s) < adds):
            return 1.0
        return max((same_claim(s.text, t.text, self.common) for t in self.taken), default=0.0)

    def _adds(self, s: Sentence) -> int:
        """How many words the sentence adds to what was taken (any figure of its own counts as many)."""
        said = {stem for t in self.taken for stem in prefix_stems(t.text)}
        if numbers(s.text) - {n for t in self.taken for n in numbers(t.text)}:
            return 99
        return len(prefix_stems(s.text) - self.common - _RHETORIC - said)

    def pick(self, sentences: Sequence[Sentence], spec: Spec) -> list[Sentence]:
        """Up to `spec.count` sentences for the field, best first (or in the paper's order)."""
        picks: list[Sentence] = []
        candidates = [s for s in sentences if score(s, spec) >= spec.floor]
        while len(picks) < spec.count and candidates:
            said = {s.index: self.redundancy(s, spec.adds) for s in candidates}
            ranked = [
                s
                for s in candidates
                if said[s.index] < SAME and score(s, spec) - 0.3 * said[s.index] >= spec.floor
            ]
            if picks and spec.adjacent:
                ranked = [s for s in ranked if any(abs(s.index - p.index) <= 2 for p in picks)]
            if not ranked:
                break
            best = max(ranked, key=lambda s: (rank(s, spec) - 0.3 * said[s.index], -s.index))
            picks.append(best)
            self.taken.append(best)
            candidates.remove(best)
        return sorted(picks, key=lambda s: s.index) if spec.in_order or spec.adjacent else picks

    def take(self, picks: Sequence[Sentence]) -> list[Sentence]:
        """Take sentences chosen otherwise (a contribution list), skipping what was already said."""
        kept = [s for s in picks if self.redundancy(s) < SAME]
        self.taken.extend(kept)
        return kept


def headline(sentences: Sequence[Sentence]) -> Sentence | None:
    """The paper's headline result: its own result with numbers, from the abstract, results or conclusion."""
    spec = Spec("headline", {"result": 1.0}, 1, needs_number=True, abstract=0.4, sections=_RESULT_SECTION)
    found = [s for s in sentences if score(s, spec) > 0.5 and FINDING.search(s.text)]
    ranked = sorted(found, key=lambda s: -rank(s, spec))
    return ranked[0] if ranked else None


def extract(sentences: Sequence[Sentence], title: str = "") -> Extraction:
    """For each field, its sentences; no sentence serves twice, near-repeats are not taken."""
    out = Extraction(review=is_review(sentences, title))
    picker = _Picker(title)
    specs = SPECS
    if sum(s.usable for s in sentences) < _GATED_FROM:
        specs = tuple(replace(spec, least_central=-9.0) for spec in SPECS)
    for spec in specs:
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
    found = contribution_items(sentences)[: spec.count]
    # an item of the list that only praises a result ("remarkable real-world performance") gives none
    listed = picker.take([s for s in found if not only_praise(s.text, s.number_count)])
    out.from_contributions = len(found) >= 2 and len(listed) >= 1
    rest = [] if out.from_contributions else picker.pick(sentences, Spec(**{**spec.__dict__, "count": 2}))
    return [*listed, *lead, *rest] if out.from_contributions else [*lead, *rest]
