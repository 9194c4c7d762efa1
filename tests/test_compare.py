"""Side-by-side comparison: per-paper cells, checked citations, verbatim quotes, outputs, errors."""

from __future__ import annotations

import csv
import io
import json
import re
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
from tests.papers import enzyme_paper, sensor_paper
from ui.cli import app

ENZYME_TITLE = "A Thermostable Enzyme that Degrades PET Plastic"
SENSOR_TITLE = "LoomNet: A Low-Power Protocol for Field Sensor Networks"


def _first_sentence(prompt: Prompt) -> str:
    """The sentence the model was given to restate (the cell's chosen sentence)."""
    return re.search(r"\[1\] «([^»]*)»", prompt.material).group(1)  # type: ignore[union-attr]


def _reply(prompt: Prompt) -> str:
    """Results cells shorten their chosen sentence (supported); method cells negate it (not); every
    other cell is an invention."""
    words = _first_sentence(prompt).rstrip(".").split()
    if prompt.cue == "Results:":
        return " " + " ".join(words[:-2]) + "."
    if prompt.cue == "Method:":
        return " It is not true that " + " ".join(words) + "."
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
    built, generator, ids, comparison = compared
    by_title = {title: [c.text for c in built.library.chunks(pid)] for title, pid in ids.items()}
    for prompt in generator.prompts:
        own = ENZYME_TITLE if ENZYME_TITLE in prompt.instruction else SENSOR_TITLE
        assert any(_first_sentence(prompt) in t for t in by_title[own])  # the model sees its own paper only
    for row in comparison.cells.values():
        for paper_id, cell in row.items():
            assert cell.citations, cell.text
            texts = [c.text for c in built.library.chunks(paper_id)]
            for citation in cell.citations:
                assert citation.paper_id == paper_id
                assert citation.page == 1
                assert any(citation.quote in t for t in texts)  # verbatim, from that paper


def test_extract_first_the_model_only_where_its_sentence_supports_it(compared) -> None:  # type: ignore[no-untyped-def]
    _, generator, ids, comparison = compared
    for paper_id in ids.values():
        results = comparison.cells["results"][paper_id]
        [citation] = results.citations
        shortened = " ".join(citation.quote.rstrip(".").split()[:-2]) + "."
        assert (results.text, results.quoted) == (f"{shortened} [1]", False)
        for aspect in ("problem", "method", "data", "limitations"):
            cell = comparison.cells[aspect][paper_id]  # inventions and added negations: the quote
            [citation] = cell.citations
            assert (cell.text, cell.quoted) == (f"“{citation.quote}” [1]", True)
    assert len(generator.prompts) == 10


def test_json_markdown_and_csv(compared) -> None:  # type: ignore[no-untyped-def]
    _, _, ids, comparison = compared
    data = json.loads(json.dumps(comparison.to_json()))
    assert list(data) == ["papers", "aspects", "cells"]
    assert data["papers"] == [
        {"paper_id": ids[ENZYME_TITLE], "title": ENZYME_TITLE},
        {"paper_id": ids[SENSOR_TITLE], "title": SENSOR_TITLE},
    ]
    assert data["aspects"] == list(DEFAULT_ASPECTS)
    cell = comparison.cells["results"][ids[ENZYME_TITLE]]
    [citation] = cell.citations
    assert data["cells"]["results"][ids[ENZYME_TITLE]] == {
        "text": cell.text,
        "quoted": False,
        "citations": [{"paper_id": ids[ENZYME_TITLE], "page": 1, "quote": citation.quote}],
    }
    sensor = comparison.cells["results"][ids[SENSOR_TITLE]]
    markdown = to_markdown(comparison).splitlines()
    assert markdown[0] == f"| aspect | {ENZYME_TITLE} | {SENSOR_TITLE} |"
    assert markdown[1] == "|---|---|---|"
    assert markdown[5] == f"| results | {cell.text} | {sensor.text} |"
    assert f'- results, {ENZYME_TITLE} [1] p. 1: "{citation.quote}"' in markdown
    rows = list(csv.reader(io.StringIO(to_csv(comparison))))
    assert rows[0] == ["aspect", ids[ENZYME_TITLE], ids[SENSOR_TITLE]]
    assert [r[0] for r in rows[1:]] == list(DEFAULT_ASPECTS)
    assert rows[4][1] == cell.text


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
            assert cell.citations and cell.text.endswith("[1]")
            texts = [c.text for c in built.library.chunks(paper_id)]
            for citation in cell.citations:
                assert citation.paper_id == paper_id
                assert any(citation.quote in t for t in texts)
    enzyme_quotes = [c.quote for c in comparison.cells["results"][ids[ENZYME_TITLE]].citations]
    assert any("PetX" in q or "PET" in q for q in enzyme_quotes)
