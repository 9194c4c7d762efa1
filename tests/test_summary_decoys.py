"""Sentences no summary field may quote: author notes, pointers, outlines, hopes, personas, hollow gaps,
spliced labels and setup details, each beside the sentence the field should take instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.settings import load_settings
from assistant.summaries.fields import PaperSummary, Points
from assistant.summaries.roles import judge, usable
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_paper_pdf

TITLE = "LeafScan: Counting Leaf Spots from Phone Photos"
ABSTRACT = (
    "We propose LeafScan, a convolutional model that counts leaf spots in phone photos of crops. "
    "On the Field-Leaf benchmark LeafScan lowers the counting error to 2.4 spots per leaf, against "
    "5.9 spots for the best manual protocol."
)
BACKGROUND = (
    "Leaf spot diseases are a major cause of crop losses for small farms across East Africa every year."
)
PAST = "Earlier counting protocols [3] need a trained agronomist per field, which most farms cannot afford."
NOVEL = "Unlike earlier counting protocols, LeafScan counts the spots of every leaf in a photo at once."
RESULT = (
    "LeafScan reduces the counting error on wet leaves to 3.1 spots per leaf, against 7.4 spots for "
    "manual counting by trained agronomists."
)
COST = "Training LeafScan on all fields takes 6 hours on one GPU with 12 GB of memory."
SIGNIFICANCE = "LeafScan enables disease warnings weeks ahead for the farms of a whole valley."
# Each decoy is kept out by one rule; the comment names it.
DECOYS = {
    "hollow gap": "Yet, existing counting protocols are not without their limitations.",
    "outline": (
        "We first describe an example field scenario to ground our design, and then unpack details of "
        "the counting model."
    ),
    "persona": "Amina realizes that she can reuse her old phone photos with LeafScan to count spots.",
    "author note": (
        "Ravi, with Elena, designed and implemented the first LeafScan models and tested every part of "
        "this work."
    ),
    "author note, alone": (
        "Elena also experimented with novel model variants and was responsible for our initial codebase."
    ),
    "pointer": "For details, we refer the reader to our public code, which we use for all experiments.",
    "pointer to a scenario": (
        "To illustrate how LeafScan is designed towards this goal, we describe how a fictional farmer "
        "uses LeafScan across a growing season."
    ),
    "figure label": (
        "[Both] To see the spot counts of a field, farmers can tap a leaf to open its count card with the "
        "density map."
    ),
    "setup": (
        "For the base models, we used a single model obtained by averaging the last 5 checkpoints, which "
        "were written at 10-minute intervals."
    ),
    "cost without a figure": (
        "We estimate the training cost of a model by multiplying the training time and the GPUs used."
    ),
    "back-reference": (
        "We find that the two coefficients improve the counting accuracy significantly across 40 fields."
    ),
    "hope": "We hope this resource will facilitate research on tools for crop disease monitoring on farms.",
    "caution": (
        "We recommend users to exercise caution when counting spots on wet leaves and to check by hand."
    ),
    "caveat": (
        "Exact syntax in the paper may differ from the actual code, as the novel software will evolve "
        "beyond the paper."
    ),
}
STEPS = (
    "We detect each leaf with a region proposal network trained on field photos from four regions.",
    "We count the spots on every detected leaf from a density map of its pixels and their colours.",
)
FILLER = "The fields of the study cover many valleys with varied slopes, soils and crop varieties. " * 3


def leaf_paper(folder: Path) -> Path:
    """A paper where each field has one right sentence and decoys scoring well for it."""
    d = DECOYS
    return make_paper_pdf(
        folder / "leaf.pdf",
        title=TITLE,
        authors=("Ravi Menon", "Elena Costa"),
        affiliations=("Department of Plant Science, Eastfield University",),
        abstract=ABSTRACT,
        sections=[
            (
                "1 Introduction",
                [f"{BACKGROUND} {d['hollow gap']} {PAST}", d["outline"], d["persona"], FILLER],
            ),
            (
                "2 Method",
                [" ".join(STEPS), d["pointer"], d["pointer to a scenario"], NOVEL, d["figure label"]],
            ),
            (
                "3 Experiments",
                [d["setup"], RESULT, d["cost without a figure"], COST, d["back-reference"], FILLER],
            ),
            ("4 Conclusion", [f"{d['hope']} {d['caution']} {SIGNIFICANCE} {d['caveat']}"]),
            ("Contributions", [f"{d['author note']} {d['author note, alone']}"]),
            ("References", ["[1] A. Agronomist. Spot counts. Journal of Crops, 2001."]),
        ],
    )


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> PaperSummary:
    folder = tmp_path_factory.mktemp("leaf")
    assistant = build_assistant(
        load_settings(), embedder=HashingEmbedder(), generator=ScriptedGenerator(lambda prompt: "")
    )
    (added,) = list(assistant.library.add([leaf_paper(folder)]))
    return assistant.summarizer.summarize(assistant.library.get(added.paper_id))


def all_units(summary: PaperSummary) -> list[str]:
    """Every quoted sentence of every field."""
    names = (
        "one_line", "takeaways", "background", "past_methods", "method", "method_steps", "tasks_results",
        "conclusion_significance", "conclusion_innovation", "conclusion_performance", "conclusion_workload",
    )  # fmt: skip
    found = [getattr(summary, name) for name in names]
    units = [u for f in found for u in (f.units if isinstance(f, Points) else [f])]
    return [q.text for u in units for q in u.quotes]


def test_no_field_quotes_a_decoy(summary: PaperSummary) -> None:
    units = all_units(summary)
    assert [name for name, text in DECOYS.items() if any(text in u or u in text for u in units)] == []


def test_each_field_takes_the_specific_sentence_over_its_decoys(summary: PaperSummary) -> None:
    assert summary.background.text == BACKGROUND
    assert [q.text for q in summary.past_methods.quotes] == [PAST]
    assert summary.conclusion_innovation.text == NOVEL
    assert summary.conclusion_workload.text == COST
    assert summary.conclusion_significance.text == SIGNIFICANCE
    assert summary.method_steps.items == STEPS


@pytest.mark.parametrize(
    "name", ["hollow gap", "outline", "persona", "author note", "author note, alone", "pointer",
             "pointer to a scenario", "figure label"],
)  # fmt: skip
def test_notes_pointers_outlines_personas_and_labels_are_not_quotable(name: str) -> None:
    assert usable(DECOYS[name]) is False


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("We show that the model generalizes well to parsing with little data. ∗Equal contribution.", False),
        ("We offer this guidance for such tools: Provide reading guidance Interactive tools guide readers.",
         False),
        # "these themes", "the two coefficients": defined only in the paragraph before, which is not shown
        ("We grouped these themes into a set of core challenges for readers of medical papers.", False),
        ("We found that the two coefficients differed significantly from the simulated differences.", False),
        ("We grouped interview themes into a set of core challenges for readers of medical papers.", True),
        ("Our scores were higher than those of the baselines on every one of the four benchmarks.", True),
        # what the rules must leave alone: a plural or a gerund subject, a list after a colon, "his-tagged"
        ("Participants spent 40 minutes on average reading each of the four papers in the study.", True),
        ("Training ran for 3.5 days on eight NVIDIA P100 GPUs with mixed precision.", True),
        ("We evaluate on two tasks: Named entity recognition and Part of speech tagging on four sets.", True),
        ("The cells were stained with an antibody against his-tagged protein and imaged after fixing.", True),
    ],
)  # fmt: skip
def test_spliced_footnotes_and_headings_are_not_sentences_but_look_alikes_are(text: str, ok: bool) -> None:
    assert usable(text) is ok


@pytest.mark.parametrize(
    ("decoy", "plain", "roles", "drop"),
    [
        # a hope or caution is neither what was done nor what was found; it leans to a limitation
        ("The spot counts should be interpreted with caution on the small farms of the valley.",
         "The spot counts should be reported with rainfall on the small farms of the valley.",
         ("method", "result", "novelty", "significance", "background", "cost"), 0.6),
        # checkpoint averaging is how the model was set up, not a result or a cost
        ("We report the error of a model obtained by averaging the last 5 checkpoints of training.",
         "We report the error of a model obtained by averaging the last 5 runs of training.",
         ("method", "result", "novelty", "significance", "cost"), 0.5),
        # a plan for later work is neither what was done nor what was found
        ("We plan to extend LeafScan to rice fields and to the phone photos of other crops.",
         "We extended LeafScan to rice fields and to the phone photos of other crops.",
         ("method", "result", "novelty", "significance", "cost"), 0.5),
        # a sentence opening on "And" continues the one before it, which the summary does not show
        ("And the field trial showed that the spot counts of the model match the agronomists' counts.",
         "The field trial showed that the spot counts of the model match the agronomists' counts.",
         ("method", "result", "novelty", "significance", "background", "cost"), 0.5),
    ],
)  # fmt: skip
def test_hopes_and_setups_lose_score(decoy: str, plain: str, roles: tuple, drop: float) -> None:
    worse = judge(decoy, "Conclusion", 50, 100, False)[3]
    better = judge(plain, "Conclusion", 50, 100, False)[3]
    assert {r: round(better[r] - worse[r], 2) for r in roles} == dict.fromkeys(roles, drop)
