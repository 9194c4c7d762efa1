"""Side-by-side comparison: per-paper cells, checked citations, verbatim quotes, outputs, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ui.cli.console
from assistant.answers.compare import DEFAULT_ASPECTS, Comparer, Comparison, to_csv, to_markdown
from assistant.build import Assistant, build_assistant
from assistant.errors import BadInput, NotFound
from assistant.settings import load_settings
from models.generator import Prompt
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.papers import ENZYME_FACT, SENSOR_FACT, enzyme_paper, sensor_paper
from ui.cli import app

ENZYME_TITLE = "A Thermostable Enzyme that Degrades PET Plastic"
SENSOR_TITLE = "LoomNet: A Low-Power Protocol for Field Sensor Networks"


def _reply(prompt: Prompt) -> str:
    """Results cells restate each paper's key fact; every other cell is an invention."""
    if prompt.cue == "Results:" and ENZYME_TITLE in prompt.instruction:
        return " The enzyme PetX is most active at 42 degrees Celsius and pH 8.5 [1]."
    if prompt.cue == "Results:":
        return " The LoomNet protocol keeps each sensor node alive for 19 months on two AA cells [2]."
    return " Bananas are yellow fruits grown on tropical plantations worldwide [1]."


def _built(tmp_path: Path) -> tuple[Assistant, ScriptedGenerator, dict[str, str]]:
    generator = ScriptedGenerator(_reply)
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    list(built.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    ids = {p.title: p.id for p in built.library.papers()}
    return built, generator, ids


@pytest.fixture
def compared(tmp_path: Path) -> tuple[Assistant, ScriptedGenerator, dict[str, str], Comparison]:
    built, generator, ids = _built(tmp_path)
    comparer = Comparer(built.searcher, lambda: generator)
    comparison = comparer.compare([ids[ENZYME_TITLE], ids[SENSOR_TITLE]])
    return built, generator, ids, comparison


def test_matrix_has_every_aspect_for_every_paper(compared) -> None:  # type: ignore[no-untyped-def]
    _, generator, ids, comparison = compared
    assert comparison.aspects == DEFAULT_ASPECTS
    assert [p.title for p in comparison.papers] == [ENZYME_TITLE, SENSOR_TITLE]
    assert {a: sorted(row) for a, row in comparison.cells.items()} == {
        a: sorted(ids.values()) for a in DEFAULT_ASPECTS
    }
    assert len(generator.prompts) == 10  # one generation per cell


def test_each_cell_reads_and_cites_only_its_own_paper(compared) -> None:  # type: ignore[no-untyped-def]
    built, generator, _, comparison = compared
    for prompt in generator.prompts:
        own = ENZYME_TITLE if ENZYME_TITLE in prompt.instruction else SENSOR_TITLE
        other = SENSOR_TITLE if own == ENZYME_TITLE else ENZYME_TITLE
        assert own in prompt.material and other not in prompt.material
    for row in comparison.cells.values():
        for paper_id, cell in row.items():
            assert cell.citations, cell.text
            texts = [c.text for c in built.library.chunks(paper_id)]
            for citation in cell.citations:
                assert citation.paper_id == paper_id
                assert any(citation.quote in t for t in texts)  # verbatim, from that paper


def test_supported_text_is_kept_and_inventions_fall_back_to_quotes(compared) -> None:  # type: ignore[no-untyped-def]
    _, _, ids, comparison = compared
    enzyme = comparison.cells["results"][ids[ENZYME_TITLE]]
    assert enzyme.text == "The enzyme PetX is most active at 42 degrees Celsius and pH 8.5. [1]"
    assert [c.quote for c in enzyme.citations] == [ENZYME_FACT]
    sensor = comparison.cells["results"][ids[SENSOR_TITLE]]
    assert [c.quote for c in sensor.citations] == [SENSOR_FACT]  # marker [2] moved to its passage
    for aspect in ("problem", "method", "data", "limitations"):
        for cell in comparison.cells[aspect].values():
            assert "Bananas" not in cell.text
            [citation] = cell.citations
            quote = citation.quote
            assert cell.text == (f"{quote} [1]" if quote.endswith(".") else f"{quote}. [1]")


def test_json_markdown_and_csv(compared) -> None:  # type: ignore[no-untyped-def]
    _, _, ids, comparison = compared
    data = json.loads(json.dumps(comparison.to_json()))
    assert list(data) == ["papers", "aspects", "cells"]
    assert data["papers"] == [
        {"paper_id": ids[ENZYME_TITLE], "title": ENZYME_TITLE},
        {"paper_id": ids[SENSOR_TITLE], "title": SENSOR_TITLE},
    ]
    assert data["aspects"] == list(DEFAULT_ASPECTS)
    cell = data["cells"]["results"][ids[ENZYME_TITLE]]
    assert cell == {
        "text": "The enzyme PetX is most active at 42 degrees Celsius and pH 8.5. [1]",
        "citations": [{"paper_id": ids[ENZYME_TITLE], "page": 1, "quote": ENZYME_FACT}],
    }
    markdown = to_markdown(comparison).splitlines()
    assert markdown[0] == f"| aspect | {ENZYME_TITLE} | {SENSOR_TITLE} |"
    assert markdown[1] == "|---|---|---|"
    assert markdown[5] == (
        "| results | The enzyme PetX is most active at 42 degrees Celsius and pH 8.5. [1] | "
        f"{SENSOR_FACT} [1] |"
    )
    assert f'- results, {ENZYME_TITLE} [1] p. 1: "{ENZYME_FACT}"' in markdown
    rows = list(csv.reader(io.StringIO(to_csv(comparison))))
    assert rows[0] == ["aspect", ids[ENZYME_TITLE], ids[SENSOR_TITLE]]
    assert [r[0] for r in rows[1:]] == list(DEFAULT_ASPECTS)
    assert rows[4][1] == "The enzyme PetX is most active at 42 degrees Celsius and pH 8.5. [1]"


def test_custom_aspects_are_cleaned(tmp_path: Path) -> None:
    built, generator, ids = _built(tmp_path)
    comparison = Comparer(built.searcher, lambda: generator).compare(
        list(ids.values()), [" Results", "results", "energy use "]
    )
    assert comparison.aspects == ("results", "energy use")
    assert generator.prompts[-1].cue == "Energy use:"


def test_errors_name_the_problem(tmp_path: Path) -> None:
    empty = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=ScriptedGenerator("x"))
    with pytest.raises(BadInput, match="library is empty"):
        Comparer(empty.searcher, lambda: ScriptedGenerator("x")).compare(["a", "b"])
    empty.close()
    built, generator, ids = _built(tmp_path)
    comparer = Comparer(built.searcher, lambda: generator)
    with pytest.raises(NotFound, match="'sha256:ffff'"):
        comparer.compare([ids[ENZYME_TITLE], "sha256:ffff"])
    with pytest.raises(BadInput, match="at least two different papers; got 1"):
        comparer.compare([ids[ENZYME_TITLE], ids[ENZYME_TITLE][:20]])
    with pytest.raises(BadInput, match="at least one aspect"):
        comparer.compare(list(ids.values()), [" ", ""])
    assert generator.prompts == []


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI on the hashing embedder and the scripted generator."""
    monkeypatch.setattr(
        ui.cli.console,
        "build_assistant",
        lambda settings: build_assistant(
            settings, embedder=HashingEmbedder(), generator=ScriptedGenerator(_reply)
        ),
    )


def test_cli_outputs_and_errors(tmp_path: Path, cli: None) -> None:
    runner = CliRunner()
    runner.invoke(app, ["add", str(enzyme_paper(tmp_path)), str(sensor_paper(tmp_path))])
    ids = {p["title"]: p["paper_id"] for p in json.loads(runner.invoke(app, ["list", "--json"]).stdout)}
    pair = [ids[ENZYME_TITLE], ids[SENSOR_TITLE]]
    result = runner.invoke(app, ["compare", *pair, "--aspects", "results", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["aspects"] == ["results"]
    markdown = runner.invoke(app, ["compare", *pair, "-a", "results", "--markdown"])
    assert markdown.stdout.splitlines()[0] == f"| aspect | {ENZYME_TITLE} | {SENSOR_TITLE} |"
    table = runner.invoke(app, ["compare", *pair, "-a", "results,data", "--csv"])
    assert [r[0] for r in csv.reader(io.StringIO(table.stdout))] == ["aspect", "results", "data"]
    unknown = runner.invoke(app, ["compare", pair[0], "nosuchpaper"])
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "error: no paper 'nosuchpaper' in the library (see `paperlamp list`)"
    both = runner.invoke(app, ["compare", *pair, "--json", "--csv"])
    assert both.exit_code == 2


@pytest.mark.slow
def test_compare_with_the_real_models_cites_each_paper_verbatim(  # type: ignore[no-untyped-def]
    tmp_path: Path, real_embedder, real_generator
) -> None:
    built = build_assistant(load_settings(), embedder=real_embedder, generator=real_generator)
    list(built.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    ids = {p.title: p.id for p in built.library.papers()}
    comparison = Comparer(built.searcher, lambda: real_generator).compare(
        [ids[ENZYME_TITLE], ids[SENSOR_TITLE]], ["results", "method"]
    )
    assert comparison.aspects == ("results", "method")
    for row in comparison.cells.values():
        assert sorted(row) == sorted(ids.values())
        for paper_id, cell in row.items():
            assert cell.citations and "[1]" in cell.text
            texts = [c.text for c in built.library.chunks(paper_id)]
            for citation in cell.citations:
                assert citation.paper_id == paper_id
                assert any(citation.quote in t for t in texts)
    enzyme_quotes = [c.quote for c in comparison.cells["results"][ids[ENZYME_TITLE]].citations]
    assert any("PetX" in q or "PET" in q for q in enzyme_quotes)
