"""Per-paper summaries: each field from its own part of the paper, with page references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.build import Assistant, build_assistant
from assistant.digest_render import summary_markdown
from assistant.settings import load_settings
from assistant.summarize import PaperSummary, summarizer_for
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
        return " Radar maps predict rivers.\n- Errors drop to 4.2 cm.\n- No gauges are needed."
    if prompt.cue.startswith("Steps:"):
        return " read radar maps.\n2. Encode them recurrently.\n3. Predict gauge levels."
    if prompt.cue == "Keywords:":
        return " flood forecasting, radar rainfall"
    return f"This is the {prompt.cue.rstrip(':').lower()} of RiverNet for flood forecasting."


def test_each_field_is_written_from_its_own_section_with_its_pages(tmp_path: Path) -> None:
    generator = ScriptedGenerator(echo_cue)
    assistant = built(generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    pages = {
        text: next(c.page_start for c in assistant.library.chunks(paper.id) if text in c.text)
        for text in (INTRO, METHOD, RESULTS, CONCLUSION)
    }
    summary = summarizer_for(assistant).summarize(paper)

    by_cue = {p.cue: p.material for p in generator.prompts}
    assert INTRO in by_cue["Background:"] and METHOD not in by_cue["Background:"]
    assert METHOD in by_cue["Proposed method:"] and RESULTS not in by_cue["Proposed method:"]
    assert RESULTS in by_cue["Tasks and results:"] and INTRO not in by_cue["Tasks and results:"]
    assert CONCLUSION in by_cue["Significance:"]
    assert len(generator.prompts) == 12
    assert summary.background.text == "This is the background of RiverNet for flood forecasting."
    assert summary.background.pages[0] == pages[INTRO]
    assert summary.method.pages[0] == pages[METHOD]
    assert summary.tasks_results.pages[0] == pages[RESULTS]
    assert summary.takeaways.items == (
        "Radar maps predict rivers.",
        "Errors drop to 4.2 cm.",
        "No gauges are needed.",
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
    summary = summarizer_for(assistant).summarize(paper)
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
        "ui.console.build_assistant",
        lambda settings: build_assistant(
            settings, embedder=HashingEmbedder(), generator=ScriptedGenerator(echo_cue)
        ),
    )
    from ui.cli import app

    result = CliRunner().invoke(app, ["summarize", paper_id[:15], "--json"])
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output)["one_line"]["text"]
        == "This is the one-sentence summary of RiverNet for flood forecasting."
    )
    result = CliRunner().invoke(app, ["summarize", paper_id[:15], "--markdown"])
    assert result.output.startswith("# RiverNet: Flood Forecasting from Radar Rainfall\n\n## Summary\n")
    result = CliRunner().invoke(app, ["summarize", "sha256:ffff"])
    assert (result.exit_code, result.output) == (
        1,
        "error: no paper 'sha256:ffff' in the library (see `paperlamp list`)\n",
    )


@pytest.mark.slow
def test_the_bundled_model_fills_every_field_with_valid_pages(
    tmp_path: Path, real_generator, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    assistant = build_assistant(load_settings(), embedder=real_embedder, generator=real_generator)
    paper = assistant.library.get(add(assistant, river_paper(tmp_path)))
    summary = summarizer_for(assistant).summarize(paper)
    for name, value in summary.to_json().items():
        if isinstance(value, dict):
            body = value.get("text") or value.get("items")
            assert body, name
            assert value["pages"] and set(value["pages"]) <= set(range(1, paper.pages + 1)), name
    assert 3 <= len(summary.takeaways.items) <= 7
