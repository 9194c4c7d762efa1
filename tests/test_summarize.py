"""Per-paper summaries: each field from its own part of the paper, with page references."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.build import Assistant, build_assistant
from assistant.digests.render import summary_markdown
from assistant.settings import load_settings
from assistant.summaries.fields import PaperSummary
from assistant.summaries.text import clean_translation, grounded
from models.generator import Prompt
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_paper_pdf

INTRO = "Flood forecasting matters for river towns. Earlier gauge models need decades of records."
METHOD = "RiverNet reads radar rainfall maps with a recurrent encoder and predicts gauge levels hourly."
RESULTS = "On the Severn basin RiverNet cut the mean absolute error to 4.2 centimetres over 30 days."
CONCLUSION = "RiverNet makes short-term flood warnings possible for ungauged rivers."


def river_paper(folder: Path) -> Path:
    """A four-page paper: introduction, method, experiments and conclusion each on its own page."""
    filler = "The study area spans many catchments with varied terrain and rainfall regimes. " * 3
    return make_paper_pdf(
        folder / "river.pdf",
        title="RiverNet: Flood Forecasting from Radar Rainfall",
        authors=("Mira Osei", "Jon Park"),
        affiliations=("Department of Hydrology, Westfield University",),
        abstract="RiverNet forecasts river levels from radar rainfall maps.",
        sections=[
            ("1 Introduction", [INTRO, *[filler] * 14]),
            ("2 Method", [METHOD, *[filler] * 14]),
            ("3 Experiments", [RESULTS, *[filler] * 14]),
            ("4 Conclusion", [CONCLUSION]),
            ("References", ["[1] A. Hydrologist. Gauges. 2001."]),
        ],
    )


def built(generator: ScriptedGenerator) -> Assistant:
    return build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)


def add(assistant: Assistant, path: Path) -> str:
    (result,) = list(assistant.library.add([path]))
    return result.paper_id


def echo_cue(prompt: Prompt) -> str:
    if prompt.cue.startswith("Key takeaways"):
        return (
            " Radar maps predict river levels.\n- Flood warnings for ungauged rivers.\n"
            "- Warnings work for ungauged rivers."
        )
    if prompt.cue.startswith("Steps:"):
        return " read radar maps.\n2. Encode them recurrently.\n3. Predict gauge levels."
    if prompt.cue == "Keywords:":
        return " flood forecasting, radar rainfall"
    return (
        f"This is the {prompt.cue.rstrip(':').lower()} of RiverNet for flood forecasting from radar rainfall."
    )


def test_each_field_is_written_from_its_own_section_with_its_pages(tmp_path: Path) -> None:
    generator = ScriptedGenerator(echo_cue)
    assistant = built(generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    pages = {
        text: next(c.page_start for c in assistant.library.chunks(paper.id) if text in c.text)
        for text in (INTRO, METHOD, RESULTS, CONCLUSION)
    }
    summary = assistant.summarizer.summarize(paper)

    by_cue = {p.cue: p.material for p in generator.prompts}
    assert INTRO in by_cue["Background:"] and METHOD not in by_cue["Background:"]
    assert METHOD in by_cue["Proposed method:"] and RESULTS not in by_cue["Proposed method:"]
    assert RESULTS in by_cue["Tasks and results:"] and INTRO not in by_cue["Tasks and results:"]
    assert CONCLUSION in by_cue["Significance:"]
    assert len(generator.prompts) == 12
    assert (
        summary.background.text
        == "This is the background of RiverNet for flood forecasting from radar rainfall."
    )
    assert summary.background.pages[0] == pages[INTRO]
    assert summary.method.pages[0] == pages[METHOD]
    assert summary.tasks_results.pages[0] == pages[RESULTS]
    assert summary.takeaways.items == (
        "Radar maps predict river levels.",
        "Flood warnings for ungauged rivers.",
        "Warnings work for ungauged rivers.",
    )
    assert summary.method_steps.items == (
        "First, read radar maps.",
        "Encode them recurrently.",
        "Predict gauge levels.",
    )
    assert summary.keywords.items == ("flood forecasting", "radar rainfall")
    assert (summary.source, summary.lang, summary.model) == ("full text", "en", "scripted-test-generator")
    assert PaperSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary
    markdown = "\n".join(summary_markdown(summary))
    assert (
        "(2) **Past methods and their problems**: This is the past methods and their problems of RiverNet"
        in markdown
    )
    assert f"<sub>(p. {', '.join(map(str, summary.background.pages))})</sub>" in markdown


def test_unusable_output_quotes_the_paper_instead(tmp_path: Path) -> None:
    loops = "the the the the the the the the the the the the the the"
    generator = ScriptedGenerator(lambda p: "1.1.1.1.1.1" if "step" in p.cue else loops)
    assistant = built(generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    summary = assistant.summarizer.summarize(paper)
    assert summary.tasks_results.quoted
    assert summary.tasks_results.text == RESULTS
    assert summary.background.quoted and summary.background.text in INTRO
    assert summary.method_steps.quoted and len(summary.method_steps.items) == 3
    assert "“" + RESULTS + "”" in "\n".join(summary_markdown(summary))


def test_the_cli_prints_json_and_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = built(ScriptedGenerator(echo_cue))
    paper_id = add(assistant, river_paper(tmp_path))
    assistant.close()
    # The CLI builds its own assistant from settings; hand it the test models.
    monkeypatch.setattr(
        "ui.cli.console.build_assistant",
        lambda settings: build_assistant(
            settings, embedder=HashingEmbedder(), generator=ScriptedGenerator(echo_cue)
        ),
    )
    from ui.cli import app

    result = CliRunner().invoke(app, ["summarize", paper_id[:15], "--json"])
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output)["one_line"]["text"]
        == "This is the one-sentence summary of RiverNet for flood forecasting from radar rainfall."
    )
    result = CliRunner().invoke(app, ["summarize", paper_id[:15], "--markdown"])
    head, _, rest = result.output.partition("\n\n## Summary\n")
    assert head.startswith("# RiverNet: Flood Forecasting from Radar Rainfall [@") and head.endswith("]")
    key = head.rpartition("[@")[2][:-1]
    assert f"[@{key}, p. " in rest and "(p. " not in rest  # page notes cite the paper, Pandoc's way
    result = CliRunner().invoke(app, ["summarize", "sha256:ffff"])
    assert (result.exit_code, result.output) == (
        1,
        "error: no paper 'sha256:ffff' in the library (see `paperlamp list`)\n",
    )


def test_the_cli_keeps_the_summary_and_reuses_it_while_the_model_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = built(ScriptedGenerator(echo_cue))
    paper_id = add(assistant, river_paper(tmp_path))
    summaries, paper = assistant.summaries, assistant.library.get(paper_id)
    assistant.close()
    calls: list[int] = []

    def counted(prompt: Prompt) -> str:
        calls.append(1)
        return echo_cue(prompt)

    monkeypatch.setattr(
        "ui.cli.console.build_assistant",
        lambda settings: build_assistant(
            settings, embedder=HashingEmbedder(), generator=ScriptedGenerator(counted)
        ),
    )
    # The configured model is a GGUF file of the scripted generator's name (never loaded here).
    monkeypatch.setenv("PAPERLAMP_LLM__MODEL", str(tmp_path / ScriptedGenerator.name))
    from ui.cli import app

    first = CliRunner().invoke(app, ["summarize", paper_id[:15], "--json"])
    assert first.exit_code == 0, first.output
    written = len(calls)
    assert written > 0 and summaries.kept(paper, "en") is not None  # the app sees it too

    again = CliRunner().invoke(app, ["summarize", paper_id[:15], "--json"])
    assert again.exit_code == 0 and len(calls) == written  # read back, not generated
    assert "kept summary, written" in again.stderr and "--fresh" in again.stderr
    assert json.loads(again.stdout)["one_line"] == json.loads(first.stdout)["one_line"]

    fresh = CliRunner().invoke(app, ["summarize", paper_id[:15], "--json", "--fresh"])
    assert fresh.exit_code == 0 and len(calls) == 2 * written

    monkeypatch.setenv("PAPERLAMP_LLM__MODEL", str(tmp_path / "another-model.gguf"))
    other = CliRunner().invoke(app, ["summarize", paper_id[:15], "--json"])
    assert other.exit_code == 0 and len(calls) == 3 * written  # another model writes its own
    assert "kept summary" not in other.stderr


@pytest.mark.slow
def test_the_bundled_model_fills_every_field_with_valid_pages(
    tmp_path: Path, real_generator, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    assistant = build_assistant(load_settings(), embedder=real_embedder, generator=real_generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    summary = assistant.summarizer.summarize(paper)
    for name, value in summary.to_json().items():
        if isinstance(value, dict):
            body = value.get("text") or value.get("items")
            assert body, name
            assert value["pages"] and set(value["pages"]) <= set(range(1, paper.pages + 1)), name
    assert 3 <= len(summary.takeaways.items) <= 7


def test_invented_figures_and_restated_titles_are_not_kept(tmp_path: Path) -> None:
    def reply(prompt: Prompt) -> str:
        if prompt.cue == "Tasks and results:":
            return (
                "RiverNet cut the error to 1.7 centimetres on 900 rivers."  # neither number is in the paper
            )
        if prompt.cue == "Proposed method:":
            return "RiverNet: Flood Forecasting from Radar Rainfall."
        return echo_cue(prompt)

    assistant = built(ScriptedGenerator(reply))
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    summary = assistant.summarizer.summarize(paper)
    assert (summary.tasks_results.text, summary.tasks_results.quoted) == (RESULTS, True)
    assert summary.method.quoted and summary.method.text in METHOD
    assert not summary.background.quoted


def translate_reply(prompt: Prompt) -> str:
    """English fields as echo_cue writes them; Chinese for some translation requests, junk for others."""
    if prompt.cue != "中文：":
        return echo_cue(prompt)
    english = prompt.material.removeprefix("English: ")
    if english.startswith("This is the background"):
        return "这是 RiverNet 用 radar rainfall 做 flood forecasting 的研究背景。\nEnglish: next"
    if english == RESULTS:
        return "在 Severn 流域，RiverNet 在 30 天内把平均绝对误差降到 4.2 厘米。"
    if english == "Radar maps predict river levels.":
        return "雷达图可以预测河流水位。"
    if english.startswith("RiverNet:"):
        return "RiverNet：基于雷达降雨的洪水预报"
    return english  # the model copied the English: unusable


def test_zh_from_a_base_model_translates_each_field_and_marks_what_stays_english(tmp_path: Path) -> None:
    def reply(prompt: Prompt) -> str:
        if prompt.cue == "Tasks and results:":
            return "the the the the the the the the the the the the"  # quoted, then translated
        return translate_reply(prompt)

    generator = ScriptedGenerator(reply)
    assistant = built(generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    summary = assistant.summarizer.summarize(paper, "zh")

    assert not any("\u4e00" <= ch <= "\u9fff" for p in generator.prompts[:12] for ch in p.cue)
    assert summary.background.text == "这是 RiverNet 用 radar rainfall 做 flood forecasting 的研究背景。"
    assert summary.background.original == (
        "This is the background of RiverNet for flood forecasting from radar rainfall."
    )
    assert summary.tasks_results == replace(
        summary.tasks_results,
        text="在 Severn 流域，RiverNet 在 30 天内把平均绝对误差降到 4.2 厘米。",
        quoted=True,
    )
    assert summary.tasks_results.original == RESULTS
    assert summary.past_methods.original == "" and summary.past_methods.text.startswith("This is the past")
    assert summary.takeaways.items[0] == "雷达图可以预测河流水位。"
    assert summary.takeaways.original[0] == "Radar maps predict river levels."
    assert summary.keywords.items == ("flood forecasting", "radar rainfall")  # keywords stay English
    assert summary.title_translated == "RiverNet：基于雷达降雨的洪水预报"
    assert PaperSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary

    markdown = "\n".join(summary_markdown(summary))
    pages = ", ".join(map(str, summary.tasks_results.pages))
    results = "在 Severn 流域，RiverNet 在 30 天内把平均绝对误差降到 4.2 厘米。"
    assert f"(4) **任务与结果**: {results} <sub>(p. {pages}) *译自原文*</sub>" in markdown
    assert "(2) **以往方法及其问题**: This is the past methods" in markdown
    assert markdown.count("*未翻译*") == 7 + 2 + 3  # prose fields, takeaways and steps left in English
    assert "- Flood warnings for ungauged rivers. <sub>*未翻译*</sub>" in markdown
    assert "- 雷达图可以预测河流水位。\n" in markdown


def test_a_chat_model_writes_chinese_directly_without_translation(tmp_path: Path) -> None:
    generator = ScriptedGenerator(lambda p: "本文用 radar rainfall 预测河流水位。", chat=True)
    assistant = built(generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    summary = assistant.summarizer.summarize(paper, "zh")
    assert [p.cue for p in generator.prompts][:2] == ["一句话总结：", "要点：\n-"]
    assert (summary.background.text, summary.background.original) == (
        "本文用 radar rainfall 预测河流水位。",
        "",
    )


@pytest.mark.parametrize(
    ("raw", "source", "kept"),
    [
        (
            "我们在 ImageNet 上训练模型 90 个 epoch。\nEnglish: x",
            "We train on ImageNet for 90 epochs.",
            "我们在 ImageNet 上训练模型 90 个 epoch。",
        ),
        (
            "我们在 ImageNet 上训练模型 95 个 epoch。",
            "We train on ImageNet for 90 epochs.",
            "",
        ),  # a changed number
        (
            "我们在 CIFAR 上训练模型很多个 epoch。",
            "We train on ImageNet for 90 epochs.",
            "",
        ),  # an invented name
        ("We train on ImageNet for 90 epochs.", "We train on ImageNet for 90 epochs.", ""),  # copied
        ("图像分割图像分割图像分割图像分割图像分割图像分割", "Image segmentation.", ""),  # a loop
        (
            "训练。",
            "We train a large encoder on ImageNet and CIFAR for ninety epochs with Adam.",
            "",
        ),  # a fragment
    ],
)
def test_a_translation_is_kept_only_when_it_carries_the_source(raw: str, source: str, kept: str) -> None:
    assert clean_translation(raw, source) == kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("RiverNet predicts gauge levels hourly from radar maps.", True),
        ("RiverNet predicts gauge levels from 1000000 radar maps.", False),  # an invented number
        ("RiverNet uses a transformer pretrained on satellite video.", False),  # words the paper lacks
        ("RiverNet: Flood Forecasting from Radar Rainfall.", False),  # the title again
        ("本文用 radar maps 预测 gauge levels。", True),
    ],
)
def test_a_field_is_kept_only_when_the_paper_supports_it(text: str, kept: bool) -> None:
    material = "RiverNet reads radar rainfall maps with a recurrent encoder and predicts gauge levels hourly."
    assert grounded(text, material, "RiverNet: Flood Forecasting from Radar Rainfall") is kept
