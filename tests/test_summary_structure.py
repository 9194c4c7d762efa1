"""Where a sentence sits decides which fields it may fill: the numbered section above a subsection,
a section named after the paper's own work, a section that reviews other work; on a PDF PyMuPDF reads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.settings import load_settings
from assistant.summaries.extract import SPECS, _Picker, same_claim, score
from assistant.summaries.roles import Sentence, judge, usable
from assistant.summaries.summarize import paper_sentences
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_paper_pdf

TITLE = "RiverNet: Forecasting River Floods from Rain Gauges"
ABSTRACT = (
    "We propose RiverNet, a recurrent model that forecasts river floods from rain gauge readings. "
    "On the Rhine benchmark RiverNet reduces the forecast error to 8.1 cm, against 14.6 cm for the "
    "best hydrological model."
)
FILLER = "The basins of the study cover many valleys with varied slopes, soils and land uses. " * 3
# in a section named after the paper's work (no method word in its heading)
TITLED_STEP = "We split every basin into river segments and link each segment to the gauges upstream of it."
# the first sentence of a subsection whose own heading has no method word, under "3 Model Architecture"
LEAD_STEP = "We encode the readings of each gauge over the last two days into one vector per gauge."
LATER = "We keep the vector of a gauge when its readings are complete for both days of the window."
# a subsection named "Model Variations", under "4 Results": what was varied is no step of the method
VARIATION = "We varied the number of encoder layers of the model and measured the change in forecast error."
# a related-work subsection whose numbered parent heading the reader never sees
SURVEYED = "Recurrent models have been widely adopted by hydrologists for their accuracy on large basins."
CITING = (
    "Flood models based on radar need dense coverage of the basin [3].",
    "Gauge networks were first used for flood warnings by Smith et al. (2011).",
    "Physical models of the river bed are accurate but slow to calibrate [5, 6].",
)


def structured_paper(folder: Path) -> Path:
    return make_paper_pdf(
        folder / "structured.pdf",
        title=TITLE,
        authors=("Ana Lopes",),
        affiliations=("Department of Hydrology, Westfield University",),
        abstract=ABSTRACT,
        sections=[
            ("1 Introduction", [FILLER] * 4),
            ("2.1 Flood models", [" ".join([*CITING, SURVEYED])]),
            ("3 Model Architecture", [FILLER]),
            ("3.1 Gauge Encoder", [f"{LEAD_STEP} {LATER}", FILLER]),
            ("4 Forecasting Floods from Rain Gauges", [TITLED_STEP, FILLER]),
            ("5 Results", [FILLER]),
            ("5.1 Model Variations", [VARIATION, FILLER]),
            ("6 Conclusion", ["RiverNet forecasts the floods of small rivers two days ahead of the crest."]),
        ],
    )


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sentence]:
    assistant = build_assistant(
        load_settings(), embedder=HashingEmbedder(), generator=ScriptedGenerator(lambda prompt: "")
    )
    (added,) = list(assistant.library.add([structured_paper(tmp_path_factory.mktemp("structured"))]))
    paper = assistant.library.get(added.paper_id)
    sentences = paper_sentences(paper.title, paper.abstract, assistant.library.chunks(paper.id))
    return {s.text: s for s in sentences}


STEPS = next(spec for spec in SPECS if spec.name == "method_steps")


def test_a_subsection_belongs_to_the_numbered_section_above_it(found: dict[str, Sentence]) -> None:
    lead, later, variation = found[LEAD_STEP], found[LATER], found[VARIATION]
    assert (lead.part, variation.part) == ("3 Model Architecture", "5 Results")
    assert lead.lead and not later.lead
    # "Model Variations" has a method word, but sits under the results: not a step
    assert score(variation, STEPS) < STEPS.floor <= score(lead, STEPS)
    # the first sentence of a subsection says what it is about: it outranks the one after it
    assert score(lead, STEPS) > score(later, STEPS)


def test_a_section_named_after_the_paper_s_work_is_home_to_its_method(found: dict[str, Sentence]) -> None:
    step = found[TITLED_STEP]
    assert step.titled and not found[FILLER.split(". ")[0] + "."].titled
    assert score(step, STEPS) >= STEPS.floor


def test_a_section_that_mostly_cites_other_work_is_never_the_method(found: dict[str, Sentence]) -> None:
    surveyed = found[SURVEYED]
    # its heading has a method word ("models") and its parent is unknown: the citations decide
    assert surveyed.surveyed and surveyed.part == ""
    assert score(surveyed, STEPS) == -9.0
    assert not found[LEAD_STEP].surveyed


def test_a_shared_year_is_no_shared_finding_but_one_thing_presented_twice_is() -> None:
    a = "Our model achieves 28.4 BLEU on the WMT 2014 English-to-German translation task."
    b = "We trained on the standard WMT 2014 English-German dataset of about 4.5 million sentence pairs."
    assert same_claim(a, b) < 0.5
    assert same_claim(a, b.replace("4.5 million", "28.4 thousand")) >= 0.9  # a figure still is
    first = "We propose a new simple network architecture, the Transformer, based solely on attention."
    again = "In this work, we presented the Transformer, the first transduction model based on attention."
    assert same_claim(first, again) == 1.0
    other = "In this work, we presented the Conformer, the first speech model based on attention."
    assert same_claim(first, other) < 0.5


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        # a caption run in after the sentence's own colon
        ("We use three kinds of regularization in training: Table 2: The model gets better scores.", False),
        ("The scores in Table 2 show that the model beats every earlier model on both of the tests.", True),
        # a heading or caption spliced in after a short word
        ("We provide statistics for the parses in The distribution of fields in the corpus is given.", False),
        ("The results were published in The Lancet and reviewed by the editors of the journal.", True),
        # a code listing run into the text
        ("A Document can be augmented with Layers: 1 >>> paragraphs = Layer (...) 2 >>> sentences.", False),
        # a pointer to an appendix
        ("We further comment on paper clustering as it pertains to metadata selection in Appendix C.", False),
        ("We select the metadata of each paper cluster from the source with the richest records.", True),
        # what "this" is, only the sentence before says
        ("We implement this inside of the attention layer by masking out the illegal links.", False),
        ("We implement the mask inside of the attention layer by setting the illegal scores to zero.", True),
        ("We further demonstrated that in vivo targeting of the vaccine improves the mice's response.", True),
        # a formula's glyphs lost at the end ("1 dk ." was 1/sqrt(d_k))
        ("Dot-product attention is identical to our algorithm, except for the scaling of 1 dk .", False),
        # a pointer, whatever its verb; a persona's story; a heading run into the start
        ("Below, we showcase how a vision model and two text models can be applied to one Document.", False),
        ("Using the boxes to highlight passages, Lucy suspects the retrieval is underperforming.", False),
        ("Ethical Considerations As a toolkit to process documents, it has two areas of harm.", False),
    ],
)  # fmt: skip
def test_spliced_captions_code_and_appendix_pointers_are_not_quoted(text: str, ok: bool) -> None:
    assert usable(text) is ok


def test_a_section_showing_the_work_in_use_is_no_home_for_its_steps(found: dict[str, Sentence]) -> None:
    step = found[TITLED_STEP]
    assert score(step, STEPS) >= STEPS.floor
    for heading in ("4 Vignette: Forecasting a Flood", "4.2 Example User Scenario"):
        shown = replace(step, section=heading, part="", titled=False)
        assert score(shown, STEPS) < 0 < STEPS.floor


def test_a_caution_to_developers_and_a_possible_use_are_not_findings() -> None:
    def roles(text: str) -> dict[str, float]:
        return judge(text, "5 Conclusion", 40, 50, False, ())[3]

    caution = roles("Developers should be vigilant when they feed RiverNet forecasts into warning systems.")
    plain = roles("Forecasters feed RiverNet forecasts into the warning systems of every town on the river.")
    assert caution["significance"] < plain["significance"]
    use = roles("RiverNet could be used to forecast the floods of every small river in the region.")
    done = roles("RiverNet forecasts the floods of every small river in the region two days ahead.")
    assert use["result"] < done["result"]


def test_a_setting_or_an_experiment_is_no_step_of_the_method(found: dict[str, Sentence]) -> None:
    step = found[LEAD_STEP]

    def placed(text: str, section: str, part: str) -> Sentence:
        roles = judge(text, section, step.index, 50, False, ("RiverNet",))[3]
        return replace(step, text=text, section=section, part=part, roles=roles, lead=False)

    trained = "We trained RiverNet on ten years of readings from the gauges of the Rhine basin."
    # how the work was run, under the method's own heading: a training-data subsection
    assert score(placed(trained, "3.2 Training Data", "3 Model Architecture"), STEPS) == -9.0
    # a biology paper's steps sit in its "Methods" section: that heading alone makes no setting
    assert score(placed(trained, "Methods", ""), STEPS) >= STEPS.floor
    # an experiment on the method is not one of its steps
    ablation = "To evaluate the gauges, we use an attention layer that learns one weight for each gauge."
    kept = "To weigh the gauges, we use an attention layer that learns one weight for each gauge."
    section = ("3.1 Gauge Encoder", "3 Model Architecture")
    assert score(placed(ablation, *section), STEPS) < STEPS.floor <= score(placed(kept, *section), STEPS)


def test_a_step_that_adds_no_word_to_the_summary_is_a_repeat(found: dict[str, Sentence]) -> None:
    step = found[LEAD_STEP]
    picker = _Picker(TITLE)
    picker.take([replace(step, index=1, text="RiverNet encodes the gauge readings of two days as vectors.")])

    def said(text: str) -> float:
        return picker.redundancy(replace(step, index=2, text=text), STEPS.adds)

    assert said("RiverNet turns the gauge readings into vectors.") == 1.0  # its one new word: "turns"
    assert said("We encode the readings of 412 gauges as vectors.") < 1.0  # a figure the summary lacks
    assert said("We pool the vectors of the gauges upstream of a segment by attention.") < 1.0
