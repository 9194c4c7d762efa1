"""Answers that answer: the question's slot and focus, and the answer's span check, on a real PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answers.choose import paraphrases, supported_by
from assistant.answers.slots import Filled, Slot, analyse, fill, gives, states_only
from assistant.build import Assistant, build_assistant
from assistant.settings import load_settings
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_paper_pdf

MOST_ACTIVE = "Wild-type KelA released products between 30 and 60 °C and was most active at 47 °C."
NEARBY = "Activity at 55 °C fell to 37% of the maximum, in line with unfolding above 52.6 °C."
VARIANT = "The variant KelA-TM was most active at 55 °C, compared with 9.1% loss for the wild type at 47 °C."
BOND = "Asn233 and Ser282 were replaced with cysteines to form a disulfide bond (N233C/S282C)."
BOTH = (
    "The substitution W185H widens the cleft, and the disulfide variant N233C/S282C raises the melting point."
)
QUESTION = "At what temperature is the wild-type KelA enzyme most active?"
PAIR = "Which pair of mutations forms the disulfide bond in the stabilised KelA variant?"


def test_questions_are_typed_by_the_value_they_expect_and_their_focus() -> None:
    assert analyse(QUESTION) == Slot(
        "temperature", ("temperature",), "high", "active", ("wild", "type", "kela", "enzyme")
    )
    assert analyse("How many tokens are in each block?") == Slot(
        "quantity", ("tokens",), focus=("each", "block"), count=True
    )
    assert analyse("What dataset do they use?") == Slot("dataset", ("dataset",))
    assert analyse("Is the code released?").kind == "yesno"
    assert analyse("How do they evaluate the model?").kind == "open"
    assert analyse(PAIR).kind == "entity"


def test_a_count_is_the_figure_written_just_before_what_is_counted() -> None:
    slot = analyse("How many annotators were there?")
    assert fill("We asked three undergraduate annotators to label each tweet.", slot).values == ("3",)
    # 7,563 counts tweets, however near the annotators it sits; "one" is a pronoun, not a count.
    assert fill("We kept the label most annotators agreed upon (7,563 total tweets).", slot).values == ()
    assert fill("Each of the annotators saw one tweet at a time.", slot).values == ()
    assert states_only("three", Filled(("3",), 1), "quantity", "How many annotators were there?")


def test_a_phrase_answers_a_dataset_question_a_bare_figure_does_not() -> None:
    question = "What dataset do they use?"
    sentence = "Our dataset is a corpus of news articles, 216 of them from wire services."
    slot = analyse(question)
    assert gives("news articles", sentence, Filled((), 0), slot, question)
    assert not gives("216", sentence, Filled((), 0), slot, question)
    assert not gives("news articles", "Training took 216 hours.", Filled((), 0), slot, question)


def test_only_the_figure_tied_to_the_focus_fills_the_slot() -> None:
    slot = analyse(QUESTION)
    assert fill(MOST_ACTIVE, slot).values == ("47",)  # not the 30 or 60 of the range before it
    assert fill(NEARBY, slot).values == ()  # a temperature and "maximum", but not "most active"
    variant = fill(VARIANT, slot)
    assert variant.values == ("55",) and variant.rank < fill(MOST_ACTIVE, slot).rank
    pair = analyse(PAIR)
    assert fill(BOND, pair).values == ("N233C/S282C",)
    assert fill(BOTH, pair).values == ("N233C/S282C",)  # W185H is not what forms the bond


def test_a_short_answer_must_be_a_span_or_close_paraphrase() -> None:
    assert paraphrases("most active at 47 °C", MOST_ACTIVE)
    assert paraphrases("KelA was most active at 47 °C", MOST_ACTIVE)  # a close paraphrase
    assert not paraphrases("most active at 45 °C", MOST_ACTIVE)  # a number the sentence lacks
    assert not paraphrases("KelA was not most active at 47 °C", MOST_ACTIVE)  # an added negation
    assert not paraphrases("a thermostable soil enzyme", MOST_ACTIVE)
    assert supported_by("KelA was most active at 47 °C.", [MOST_ACTIVE], "KelA")
    assert not supported_by("KelA", [MOST_ACTIVE], "KelA")  # says no more than the title


def test_a_margin_is_a_quantity_a_type_of_thing_is_not_a_relationship_is_an_account() -> None:
    assert analyse("What was the margin their system outperformed previous ones by?").kind == "quantity"
    # "weight" is a measure, but "a type of weight pruning" is a method's name, not a weight.
    assert analyse("What type of weight pruning do they use?").kind == "entity"
    assert analyse("What kind of model do they train?").kind == "method"
    # Asked for an account, not a value or a name: no few words of a sentence answer these.
    assert analyse("What is the relationship between time and emotional valence?").kind == "open"
    assert analyse("What conclusions do the authors draw from their experiments?").kind == "open"


def test_a_name_of_several_words_or_a_list_of_names_is_one_value() -> None:
    question = "What dataset did they use to evaluate?"
    sentence = "We use the Clinical TempEval corpus as the evaluation dataset."
    slot = analyse(question)
    filled = fill(sentence, slot)
    assert filled.values == ("Clinical TempEval",)
    assert gives("Clinical TempEval corpus", sentence, filled, slot, question)
    listed = "Performance of our models on the CNN and Daily Mail datasets is summarized in Table 3."
    several = analyse("What datasets is the model evaluated on?")
    assert fill(listed, several).values == ("CNN Daily Mail",)
    assert gives("the CNN and Daily Mail datasets", listed, fill(listed, several), several, "datasets")
    # A name apart from the run is not in it: W185H still does not form the bond (above).


def test_a_phrase_answer_must_say_two_words_beyond_the_question() -> None:
    question = "Which dataset do they train on?"
    sentence = "We train the student on the training data of news articles."
    slot = analyse(question)
    assert not gives("the training data", sentence, Filled((), 0), slot, question)  # forms of its words
    assert gives("news articles", sentence, Filled((), 0), slot, question)
    which = analyse("Which speech acts are in the taxonomy?")
    taxonomy = "Our taxonomy of speech acts is semantic."
    assert not gives("semantic", taxonomy, Filled((), 0), which, "Which speech acts are in the taxonomy?")


def test_an_answer_that_announces_a_list_is_no_answer() -> None:
    from assistant.answers.choose import points_elsewhere, says_more_than

    assert points_elsewhere("The following baselines were used:")
    assert points_elsewhere("The baselines are:")
    assert not points_elsewhere("LDA and Doc-NADE")
    assert not points_elsewhere("the following properties: tweet length, word order and hashtags")
    assert not says_more_than("the training data", "Which dataset do they train on?")


@pytest.fixture
def enzyme(tmp_path: Path) -> Assistant:
    """A library of one real PDF whose results hold the most-active sentence and its decoys."""
    pdf = make_paper_pdf(
        tmp_path / "kela.pdf",
        title="KelA, a PET Hydrolase from Compost",
        abstract="We describe KelA, a PET hydrolase, and two variants with improved stability.",
        sections=[
            ("3 Methods", [f"A homology model guided the design. {BOND}"]),
            ("4 Results", [f"{MOST_ACTIVE} {NEARBY}", f"{VARIANT} {BOTH}"]),
        ],
    )
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=ScriptedGenerator("x"))
    built.asker.min_evidence = 0.1
    list(built.library.add([pdf]))
    return built


def _ask(built: Assistant, question: str, reply: str) -> tuple[str, str, list[str]]:
    built.asker._generator_factory = lambda: ScriptedGenerator(reply)
    answer = built.asker.ask(question)
    return answer.answer, answer.model, [c.quote for c in answer.citations]


def test_an_answer_citing_a_nearby_figure_is_replaced_by_the_focus_holding_sentence(
    enzyme: Assistant,
) -> None:
    assert _ask(enzyme, QUESTION, "At 55 °C [1]") == (f"“{MOST_ACTIVE}” [1]", "extractive", [MOST_ACTIVE])
    # The variant's optimum is a temperature tied to "most active", but the wild type's is asked for.
    assert _ask(enzyme, QUESTION, "most active at 55 °C [2]")[2] == [MOST_ACTIVE]
    assert _ask(enzyme, QUESTION, "47 °C [1]") == ("47 °C. [1]", "scripted-test-generator", [MOST_ACTIVE])


def test_an_answer_naming_a_wrong_mutant_is_replaced_by_the_quote(enzyme: Assistant) -> None:
    text, model, quotes = _ask(enzyme, PAIR, "W185H and N233C/S282C [1]")
    assert model == "extractive" and "W185H" not in text and quotes == [BOND]
    assert _ask(enzyme, PAIR, "N233C/S282C [1]") == ("N233C/S282C. [1]", "scripted-test-generator", [BOND])


def test_an_echoed_passage_header_is_no_answer(enzyme: Assistant) -> None:
    text, model, quotes = _ask(enzyme, QUESTION, "[1] KelA, a PET Hydrolase from Compost (p. 1)")
    assert (text, model, quotes) == (f"“{MOST_ACTIVE}” [1]", "extractive", [MOST_ACTIVE])


def test_an_open_question_is_answered_by_its_sentence_without_asking_for_a_span(enzyme: Assistant) -> None:
    generator = ScriptedGenerator("It depends [1]")
    enzyme.asker._generator_factory = lambda: generator
    answer = enzyme.asker.ask(
        "What is the relationship between activity at 55 °C and the maximum of wild-type KelA?"
    )
    assert answer.quoted and answer.answer.startswith("“")
    assert [p.cue for p in generator.prompts] == ["Answer:"]  # no second prompt for a few words


def test_which_inside_a_question_asks_for_a_name() -> None:
    question = "Acinetobacter lwoffii has been evolved to be resistant to which of these antibiotics?"
    assert analyse(question).kind == "entity"


def test_a_bare_figure_is_no_answer_to_an_open_question(enzyme: Assistant) -> None:
    # "1" is in some sentence (a span), but an open question needs an answer that says something.
    question = "How did they arrive at the design of the KelA variants?"
    assert analyse(question).kind == "open"
    text, model, _ = _ask(enzyme, question, "1. [1]")
    assert model == "extractive" and text.startswith("“")
    text, model, _ = _ask(enzyme, question, "A homology model guided the design [1]")
    assert model == "scripted-test-generator" and text == "A homology model guided the design. [1]"
