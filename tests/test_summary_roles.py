"""Which sentence fills which summary field: roles, field rules and repeats, on a paper PyMuPDF reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.settings import load_settings
from assistant.summaries.extract import SPECS, same_claim, score
from assistant.summaries.fields import PaperSummary
from assistant.summaries.roles import classify, judge, usable
from assistant.summaries.summarize import paper_sentences
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_paper_pdf

TITLE = "RiverNet: Forecasting River Floods from Rain Gauges"
ABSTRACT = (
    "We propose RiverNet, a recurrent model that forecasts river floods from rain gauge readings. "
    "On the Rhine benchmark RiverNet reduces the forecast error to 8.1 cm, against 14.6 cm for the "
    "best hydrological model."
)
BACKGROUND = "River floods are a major cause of damage to homes and farms across Europe every year."
PAST = "Earlier flood models [4] need dense radar coverage, which most river basins lack."
OWN_DESIGN = "RiverNet does not need radar images and keeps a single memory for each river basin."
STEPS = (
    "We encode each gauge reading with a two-layer recurrent encoder over the last two days.",
    "We decode the flood level of every river segment from the memory shared by its gauges.",
)
DETAIL = "We set the learning rate to 0.001 and the batch size to 32 for every basin."
COST = "Training RiverNet on all basins takes 6 hours on one GPU with 12 GB of memory."
NOVEL = "Unlike earlier flood models, RiverNet shares one memory between all the gauges of a basin."
LIMIT = "RiverNet does not yet handle snow melt, and we plan to add it in future work."
SIGNIFICANCE = "RiverNet enables flood warnings days ahead for the towns along small rivers."
FILLER = "The basins of the study cover many valleys with varied slopes, soils and land uses. " * 3


def river_paper(folder: Path) -> Path:
    """A paper whose sentences each belong to one field, with a detail and its own design as decoys."""
    return make_paper_pdf(
        folder / "river.pdf",
        title=TITLE,
        authors=("Ana Lopes", "Ben Okafor"),
        affiliations=("Department of Hydrology, Westfield University",),
        abstract=ABSTRACT,
        sections=[
            ("1 Introduction", [f"{BACKGROUND} {PAST}", OWN_DESIGN, *[FILLER] * 6]),
            ("2 Method", [" ".join(STEPS), DETAIL, NOVEL, *[FILLER] * 6]),
            ("3 Experiments", [COST, *[FILLER] * 6]),
            ("4 Conclusion", [f"{SIGNIFICANCE} {LIMIT}"]),
            ("References", ["[1] A. Hydrologist. Flood models. Journal of Rivers, 2001."]),
        ],
    )


def quote_back(prompt: object) -> str:
    """A model that writes nothing of its own, so every field shows the sentences chosen for it."""
    return ""


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> PaperSummary:
    folder = tmp_path_factory.mktemp("river")
    assistant = build_assistant(
        load_settings(), embedder=HashingEmbedder(), generator=ScriptedGenerator(quote_back)
    )
    (added,) = list(assistant.library.add([river_paper(folder)]))
    return assistant.summarizer.summarize(assistant.library.get(added.paper_id))


def test_past_methods_are_other_works_problems_never_the_papers_own_design(summary: PaperSummary) -> None:
    assert [q.text for q in summary.past_methods.quotes] == [PAST]
    assert summary.background.text == BACKGROUND


def test_a_setting_is_neither_the_method_nor_a_step_and_the_workload_is_a_cost(summary: PaperSummary) -> None:
    assert summary.method_steps.items == STEPS
    assert summary.conclusion_workload.text == COST
    texts = [
        u.text for name in ("one_line", "method", "conclusion_innovation") for u in [getattr(summary, name)]
    ]
    assert DETAIL not in [*texts, *summary.takeaways.items, summary.conclusion_workload.text]


@pytest.mark.parametrize(
    ("text", "plain", "role"),
    [
        # an opinion of the authors' is not what they did
        (
            "We believe that one memory in RiverNet for each river basin and its gauges is enough.",
            "We keep one memory in RiverNet for each river basin and its gauges.",
            "method",
        ),
        # the authors' own earlier paper is past work
        (
            "We previously showed that RiverNet keeps one memory for each river basin and its gauges.",
            "We show that RiverNet keeps one memory for each river basin and its gauges.",
            "result",
        ),
        # a bench protocol is neither the design nor a finding
        (
            "The gauge sensors were washed twice and incubated at 20 °C before each reading of the river.",
            "The gauge sensors read the level of the river twice before each forecast of the flood.",
            "method",
        ),
        # the question a study asked is not yet what it found
        (
            "We tested whether RiverNet forecasts the floods of small rivers two days ahead.",
            "We tested how well RiverNet forecasts the floods of small rivers two days ahead.",
            "result",
        ),
        # a closing line naming no finding is not what the paper did
        (
            "Our findings provide new insight into the floods of small rivers along the gauges.",
            "Our findings concern the floods of small rivers along the gauges.",
            "result",
        ),
        # what was done for an end is not a finding
        (
            "To lower the error, we filter the gauges whose readings drift by more than 2 cm.",
            "We filter the gauges whose readings drift by more than 2 cm, which lowers the error.",
            "result",
        ),
    ],
)
def test_a_belief_an_earlier_paper_a_protocol_and_a_purpose_lose_the_role(
    text: str, plain: str, role: str
) -> None:
    section = "3 Method" if role == "method" else "4 Results"
    scores = judge(text, section, 5, 10, False)[3]
    base = judge(plain, section, 5, 10, False)[3]
    assert scores[role] < base[role] - 0.3, (scores[role], base[role])


def test_in_fact_leans_back_only_before_a_pronoun() -> None:
    leaning = "In fact, its study of the river gauges can serve as an antecedent for our flood model."
    finding = "In fact, our gauges show that RiverNet forecasts the floods of small rivers two days ahead."
    plain = "Our gauges show that RiverNet forecasts the floods of small rivers two days ahead."
    assert judge(leaning, "1 Introduction", 5, 10, False)[3]["result"] < 0
    assert judge(finding, "4 Results", 5, 10, False)[3] == judge(plain, "4 Results", 5, 10, False)[3]


def test_consistent_with_this_leans_on_the_sentence_before() -> None:
    leaning = "Consistent with this finding, RiverNet forecasts the floods of small rivers two days ahead."
    plain = "RiverNet forecasts the floods of small rivers two days ahead of the gauges."
    assert (
        judge(leaning, "4 Results", 5, 10, False)[3]["result"]
        < judge(plain, "4 Results", 5, 10, False)[3]["result"] - 0.3
    )


@pytest.mark.parametrize(
    ("text", "workload"),
    [
        ("Training RiverNet on all basins takes 6 hours on one GPU with 12 GB of memory.", True),
        ("We trained the forecasting models of the basins for 12 hours on the gauge readings.", True),
        ("The gauge samples were left to settle at room temperature for 5 days before the readings.", False),
    ],
)
def test_a_duration_is_a_workload_only_when_it_is_the_work_s(text: str, workload: bool) -> None:
    [found] = classify([(text, 3, "3 Method", "c", False)])
    spec = next(s for s in SPECS if s.name == "conclusion_workload")
    assert (score(found, spec) >= spec.floor) is workload


def test_a_structured_abstract_s_labels_are_not_quoted() -> None:
    abstract = (
        "Background River floods damage the homes and farms along small rivers every year. "
        "Results Here, by reading rain gauges, we forecast the floods of small rivers two days ahead."
    )
    found = paper_sentences("RiverNet", abstract, ())
    assert [s.text for s in found] == [
        "River floods damage the homes and farms along small rivers every year.",
        "Here, by reading rain gauges, we forecast the floods of small rivers two days ahead.",
    ]
    assert all(s.text in abstract for s in found)  # still the paper's words, verbatim


def test_innovation_says_what_is_new_and_significance_is_not_a_limitation(summary: PaperSummary) -> None:
    assert summary.conclusion_innovation.text == NOVEL
    assert summary.conclusion_significance.text == SIGNIFICANCE
    assert LIMIT not in {summary.conclusion_significance.text, *summary.takeaways.items}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Unlike prior work, we show that one 3fixed trigger prompt improves reasoning in models.", False),
        ("We show that a single fixed trigger prompt improves the reasoning of large models...", False),
        ("Missing data is extrapolated by mirroring One important change is the wide upsampling.", False),
        ("We show that a single fixed trigger prompt improves the reasoning of large models.", True),
        # a pointer to the next section, whatever its verb
        ("In the next section, we explore agents designed to automate cheminformatics tasks.", False),
        # an irregular past form is a verb
        ("The resulting network won the segmentation challenge at the symposium by a large margin.", True),
        # a footnote or page number, a figure panel's label, an equation's number run into the start
        ("4 We envision Paper Plain as a system that can one day serve any medical paper.", False),
        ("(B) They compose models operating across different data modalities and frameworks.", False),
        ("(6)⟧ % That is, having matched a position k in the word, we can match the one before it.", False),
        ("(1) We scoped the study to the setting that takes the most effort from the writers.", True),
    ],
)  # fmt: skip
def test_glued_marks_cut_quotations_and_spliced_captions_are_not_sentences(text: str, ok: bool) -> None:
    assert usable(text) is ok


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # one figure, told twice in other words
        (
            "We find that 73% of the surveyed papers do not perform any human evaluation of summaries.",
            "We find that 119 papers (73%) do not run human evaluation on long-form summaries.",
            0.9,
        ),
        # the same thing introduced twice
        (
            "We introduce PaSa, an advanced paper search agent powered by large language models.",
            "We introduce PaSa, a comprehensive and accurate agent that reads entire papers.",
            1.0,
        ),
        # "aggregate" and "aggregation" are one stem; the title's words say nothing
        (
            "We aggregate the multiscale information with dilated convolutions.",
            "An aggregation module of dilated filters collects multiscale information.",
            0.6,
        ),
        (
            "We introduce PaSa, an advanced paper search agent powered by large language models.",
            "PaSa-7B surpasses the best baseline by 37.78% in recall@20.",
            0.2,  # only the name in common: a different claim
        ),
    ],
)
def test_the_same_claim_in_other_words_is_a_repeat(a: str, b: str, same: float) -> None:
    common = frozenset({"count", "multi"})
    assert same_claim(a, b, common) == pytest.approx(same)


def test_a_subject_only_the_paragraph_before_names_is_not_quoted_alone() -> None:
    assert usable("We find that 73% of these papers skip human evaluation of summaries.") is False
    assert usable("We find that 73% of surveyed papers skip human evaluation of summaries.") is True
