"""`paperlamp eval` on tiny synthetic benchmarks written here: every metric computed exactly."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ui.cli.console
from assistant.answers import prompts
from assistant.build import Assistant, build_assistant
from assistant.evaluation.answers import best_f1, eval_home, normalize_answer, parse_letter, token_f1
from assistant.settings import load_settings
from models.generator import Prompt
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.papers import ENZYME_FACT, SENSOR_FACT, enzyme_paper, sensor_paper
from ui.cli import app

ENZYME_Q = "At what temperature is the enzyme PetX most active?"
SENSOR_Q = "How long does a LoomNet sensor node last on two AA cells?"


def _reply(prompt: Prompt) -> str:
    """Answers from the evidence; picks the right letter for PetX and "insufficient" for LoomNet."""
    if prompt.cue == "Answer: (":
        options = dict(re.findall(r"^\(([A-Z])\) (.*)$", prompt.instruction, re.MULTILINE))
        wanted = "42 degrees Celsius" if "PetX" in prompt.instruction else prompts.INSUFFICIENT
        return next(letter for letter, text in options.items() if text == wanted) + ")"
    if "LoomNet" in prompt.instruction:
        return "Each LoomNet sensor node stays alive for 19 months on two AA cells [1]."
    return "42 degrees Celsius [1]"


def _assistant(home: Path) -> Assistant:
    built = build_assistant(
        load_settings(home=home), embedder=HashingEmbedder(), generator=ScriptedGenerator(_reply)
    )
    built.asker.min_evidence = 0.1  # the hashing embedder's similarities are low
    return built


def _litqa2(folder: Path) -> Path:
    (folder / "pdfs").mkdir(parents=True)
    enzyme_paper(folder / "pdfs")
    sensor_paper(folder / "pdfs")
    rows = [
        {
            "id": "q-enzyme",
            "question": ENZYME_Q,
            "ideal": "42 degrees Celsius",
            "distractors": ["25 degrees Celsius", "60 degrees Celsius", "80 degrees Celsius"],
            "key-passage": ENZYME_FACT,
            "local_pdfs": ["pdfs/enzyme.pdf"],
        },
        {
            "id": "q-sensor",
            "question": SENSOR_Q,
            "ideal": "19 months",
            "distractors": ["2 months", "5 years"],
            "key-passage": SENSOR_FACT,
            "local_pdfs": ["pdfs/sensor.pdf"],
        },
    ]
    (folder / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def _qasper(folder: Path) -> Path:
    paragraph = f"{ENZYME_FACT} Activity drops sharply above 55 degrees Celsius."
    answerable = {
        "question": ENZYME_Q,
        "question_id": "qa1",
        "answers": [
            {
                "answer": {
                    "unanswerable": False,
                    "extractive_spans": ["42 degrees Celsius"],
                    "free_form_answer": "",
                    "yes_no": None,
                    "evidence": [paragraph, "FLOAT SELECTED: Table 1"],
                }
            },
            {
                "answer": {
                    "unanswerable": False,
                    "extractive_spans": [],
                    "free_form_answer": "PetX is most active at 42 degrees Celsius",
                    "yes_no": None,
                    "evidence": [paragraph],
                }
            },
        ],
    }
    unanswerable = {
        "question": "Which GPU cluster trained the transformer?",
        "question_id": "qa2",
        "answers": [{"answer": {"unanswerable": True, "evidence": []}}],
    }
    paper = {
        "title": "A Thermostable Enzyme that Degrades PET Plastic",
        "abstract": "We describe PetX, a hydrolase from a soil bacterium that breaks down PET plastic.",
        "full_text": [
            {"section_name": "Introduction", "paragraphs": ["Plastic waste accumulates in soil and water."]},
            {"section_name": "Results", "paragraphs": [paragraph]},
        ],
        "qas": [answerable, unanswerable],
    }
    folder.mkdir(parents=True)
    (folder / "dev.json").write_text(json.dumps({"p1": paper}))
    return folder


def _scifact(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": "d1", "title": "Soil enzymes", "text": "PetX hydrolase degrades plastic film quickly."},
        {
            "_id": "d2",
            "title": "Radio duty cycles",
            "text": "LoomNet radios sleep between scheduled wake-ups.",
        },
        {"_id": "d3", "title": "Orchard yields", "text": "Apple harvests grew after pruning trials."},
    ]
    queries = [{"_id": "1", "text": "PetX degrades plastic"}, {"_id": "2", "text": "LoomNet radios sleep"}]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in corpus))
    (folder / "queries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in queries))
    (folder / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n2\td2\t1\n2\td1\t1\n")
    return folder


def test_litqa2_metrics(tmp_path: Path) -> None:
    built = _assistant(tmp_path / "lib")
    retrieval, answers = built.evaluator.run("litqa2", _litqa2(tmp_path / "litqa2"))
    assert retrieval.count == 2 and retrieval.rows == [("weighted", [1.0, 1.0, 1.0])]
    assert answers.columns == [
        "hit@5",
        "right paper cited",
        "MC accuracy",
        "MC precision",
        "answered",
        "quotes verbatim",
    ]
    # The model: PetX right letter; LoomNet "insufficient information" (unanswered). The evidence
    # words pick both right: "42 degrees Celsius" and "19 months" are in the passages, the
    # distractors only in part. The model's right letter is the option the evidence supports best,
    # so it stands when checked. Its answers to the open questions check against their sentences
    # and name the right options ("42 degrees Celsius"; "19 months" against "2 months", "5 years").
    assert answers.rows[:4] == [
        ("scripted-test-generator", [1.0, 1.0, 0.5, 1.0, 0.5, 1.0]),
        ("scripted-test-generator, checked by the evidence words", [1.0, 1.0, 0.5, 1.0, 0.5, 1.0]),
        ("scripted-test-generator, the option its checked answer names", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ("evidence words (no model)", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    ]
    # A uniform guess over 5 and 4 options ("insufficient" among them) as the baseline to beat.
    name, chance = answers.rows[4]
    assert name == "random guess"
    assert chance[2:5] == pytest.approx([(1 / 5 + 1 / 4) / 2, (1 / 4 + 1 / 3) / 2, (4 / 5 + 3 / 4) / 2])
    assert "| random guess | - | - | 0.225 | 0.292 | 0.775 | - |" in answers.markdown()
    assert answers.to_json()["rows"]["random guess"] == {  # type: ignore[index]
        "MC accuracy": chance[2],
        "MC precision": chance[3],
        "answered": chance[4],
    }
    # Run again: the library is not rebuilt, the figures do not change.
    papers = [p.id for p in built.library.papers()]
    assert built.evaluator.run("litqa2", tmp_path / "litqa2", limit=1)[1].count == 1
    assert [p.id for p in built.library.papers()] == papers


def test_qasper_metrics(tmp_path: Path) -> None:
    built = _assistant(tmp_path / "lib")
    retrieval, answers = built.evaluator.run("qasper", _qasper(tmp_path / "qasper"))
    assert retrieval.rows == [("weighted", [1.0, 1.0])]
    recall, f1, unanswerable, answerable, verbatim = answers.rows[0][1]
    assert answers.count == 2
    assert recall == 1.0
    # The short answer "42 degrees Celsius" is the first annotator's extractive span: F1 = 1.
    assert f1 == 1.0
    assert (unanswerable, answerable, verbatim) == (1.0, 0.0, 1.0)


def test_scifact_metrics(tmp_path: Path) -> None:
    built = _assistant(tmp_path / "lib")
    [table] = built.evaluator.run("scifact", _scifact(tmp_path / "scifact"))
    # Claim 1 finds its abstract first; claim 2 finds d2 first and the unrelated d1 it is judged
    # relevant to last (third).
    second = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert table.count == 2
    assert table.rows[0][0] == "weighted"
    assert table.rows[0][1] == pytest.approx([(1 + second) / 2, 1.0])


def test_the_evidence_choice_needs_an_option_to_lead() -> None:
    from assistant.answers.prompts import INSUFFICIENT
    from assistant.evaluation.answers import evidence_choice

    passages = ["Cell volume scaled with host volume across 167 pairs.", "Genome length did not."]
    options = ["Volume", INSUFFICIENT, "Mutation rate", "Ribosome size"]
    assert evidence_choice(options, passages) == 0
    assert evidence_choice(["Genome length", "Volume", INSUFFICIENT], passages) is None  # a tie
    assert evidence_choice(["Mutation rate", "Ribosome size"], passages) is None  # nothing held
    assert evidence_choice(["47 cells", "81 cells"], ["We counted 47 cells."]) == 0  # numbers count


def test_the_models_pick_stands_only_where_the_evidence_supports_it_best() -> None:
    from assistant.answers.prompts import INSUFFICIENT
    from assistant.evaluation.answers import checked_choice, evidence_support

    passages = ["Cell volume scaled with host volume across 167 pairs.", "Genome length did not."]
    options = ["Volume", "Genome length", INSUFFICIENT, "Mutation rate"]
    support = evidence_support(options, passages)
    assert support == {0: 1.0, 1: 1.0, 3: 0.0}
    assert checked_choice(0, support) == 0
    assert checked_choice(1, support) == 1  # tied at the top: the model breaks the tie
    assert checked_choice(3, support) is None  # the passages hold none of its words
    assert checked_choice(2, support) is None  # "insufficient" is no answer
    assert checked_choice(None, support) is None
    assert checked_choice(0, {0: 0.0, 1: 0.0}) is None


def test_the_option_the_models_checked_answer_names() -> None:
    from assistant.answers.prompts import INSUFFICIENT
    from assistant.domain import EXTRACTIVE, Answer, Citation
    from assistant.evaluation.answers import answer_choice

    cite = (
        Citation(1, "p1", "A paper", "", "a.pdf", 4, "Volume scaled log-linearly with host volume.", "c1"),
    )
    options = ["Genome length", "Volume", INSUFFICIENT, "Mutation rate"]

    def answered(text: str, model: str = "gemma") -> Answer:
        return Answer("Which property scales?", text, cite, False, model=model)

    assert answer_choice(options, answered("Volume. [1]")) == 1
    assert answer_choice(["47 cells", "81 cells"], answered("81 cells [1]")) == 1
    # The paper's sentence quoted: the model's answer did not check, so it names no option.
    assert answer_choice(options, answered("“Volume scaled log-linearly.” [1]", EXTRACTIVE)) is None
    assert answer_choice(options, Answer("q", "none", (), True)) is None  # an abstention
    assert answer_choice(options, answered("host cells [1]")) is None  # names no option
    assert answer_choice(["cell volume", "cell length"], answered("cell [1]")) is None  # half each: a tie


def test_letter_parsing() -> None:
    options = ["25 degrees", "42 degrees", prompts.INSUFFICIENT, "60 degrees"]
    assert parse_letter("B)", options) == 1
    assert parse_letter(" (D) 60 degrees", options) == 3
    assert parse_letter("C. Insufficient", options) == 2
    assert parse_letter("The answer is (A)", options) == 0
    assert parse_letter("Answer: D)", options) == 3
    assert parse_letter("42 degrees, as stated", options) == 1
    assert parse_letter("E)", options) is None
    assert parse_letter("degrees", options) is None
    assert parse_letter("", options) is None


def test_choices_are_shuffled_the_same_way_per_question() -> None:
    first = prompts.choices("q-1", "right", ["w1", "w2", "w3"])
    assert first == prompts.choices("q-1", "right", ["w1", "w2", "w3"])
    assert sorted(first) == sorted(["right", "w1", "w2", "w3", prompts.INSUFFICIENT])
    orders = {tuple(prompts.choices(f"q-{i}", "right", ["w1", "w2", "w3"])) for i in range(20)}
    assert len(orders) > 5


def test_squad_f1() -> None:
    assert normalize_answer("The  Cat, sat!") == "cat sat"
    assert token_f1("the cat sat", "a cat sat down") == pytest.approx(2 * (1.0 * 2 / 3) / (1.0 + 2 / 3))
    assert token_f1("", "") == 1.0 and token_f1("cat", "") == 0.0 and token_f1("dog", "cat") == 0.0
    assert best_f1("cat sat", ["dog", "cat sat"]) == 1.0
    assert best_f1("cat", []) == 0.0


def test_cli_eval_builds_its_library_under_the_cache(tmp_path: Path, isolated_home: Path) -> None:
    def build(settings):  # type: ignore[no-untyped-def]
        return _assistant(settings.home)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ui.cli.console, "build_assistant", build)
        data = _scifact(tmp_path / "scifact")
        result = CliRunner().invoke(app, ["eval", "scifact", "--data", str(data), "--json"])
        assert result.exit_code == 0, result.output
        [table] = json.loads(result.stdout)
        assert table["table"] == "SciFact" and table["count"] == 2
        assert list(table["rows"]["weighted"]) == ["nDCG@10", "recall@100"]
        home = eval_home(isolated_home, "scifact")
        assert home == isolated_home / "cache" / "eval" / "scifact"
        assert (home / "catalog.sqlite").is_file()
        text = CliRunner().invoke(app, ["eval", "scifact", "--data", str(data), "--limit", "1"])
        assert "| SciFact (n=1) | nDCG@10 | recall@100 |" in text.stdout
        missing = CliRunner().invoke(app, ["eval", "qasper", "--data", str(tmp_path / "nope")])
        assert missing.exit_code == 1 and "nope not found" in " ".join(missing.stderr.split())
        unknown = CliRunner().invoke(app, ["eval", "mmlu", "--data", str(data)])
        assert unknown.exit_code == 2 and "unknown benchmark 'mmlu'" in unknown.stderr
