"""`paperlamp import` / `export` and the citation outputs end to end through the CLI (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from tests.papers import enzyme_paper, sensor_paper
from tests.zotero_db import ZoteroLibrary
from ui.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def fast_models(fast_cli_models: None) -> None:
    """Every command here builds its assistant with the hashing embedder and a scripted generator."""


@pytest.fixture
def zotero(tmp_path: Path) -> ZoteroLibrary:
    z = ZoteroLibrary(tmp_path / "Zotero")
    sensor = z.item(
        "SEN00002",
        "conferencePaper",
        fields={"title": "LoomNet: A Low-Power Protocol", "date": "2021", "proceedingsTitle": "Proc. SenSys"},
        authors=[("Priya", "Natarajan"), ("Oskar", "Lind")],
        collections=["Thesis/Chapter 2"],
        tags=["unread"],
    )
    z.attach(sensor, "ATTSEN02", sensor_paper(tmp_path))
    enzyme = z.item("ENZ00001", fields={"title": "PetX", "date": "2023"}, authors=[("Lena", "Brandt")])
    z.attach(enzyme, "ATTENZ01", enzyme_paper(tmp_path))
    broken = z.item("BAD00003", fields={"title": "Not a PDF"})
    (tmp_path / "notes.pdf").write_text("these are notes, not a PDF")
    z.attach(broken, "ATTBAD03", tmp_path / "notes.pdf")
    return z


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_import_zotero_prints_a_line_per_item_and_exits_1_when_one_failed(zotero: ZoteroLibrary) -> None:
    result = runner.invoke(app, ["import", "zotero", str(zotero.dir), "--json"])
    assert result.exit_code == 1
    rows = {r["key"]: r for r in _lines(result.stdout)}
    assert {k: r["status"] for k, r in rows.items()} == {
        "SEN00002": "added",
        "ENZ00001": "added",
        "BAD00003": "failed",
    }
    assert rows["BAD00003"]["reason"].startswith("item BAD00003: notes.pdf: ")
    assert "\n" not in rows["BAD00003"]["reason"]
    again = runner.invoke(app, ["import", "zotero", str(zotero.dir)])
    assert again.exit_code == 1  # the bad item is still bad; the others are unchanged
    assert "2 unchanged" in again.stderr and "1 failed" in again.stderr
    shown = json.loads(runner.invoke(app, ["show", rows["SEN00002"]["paper_id"], "--json"]).stdout)
    assert (shown["collections"], shown["tags"], shown["citekey"]) == (
        ["Thesis/Chapter 2"],
        ["unread"],
        "natarajan2021loomnet",
    )
    assert shown["sources"][0]["link"] == "zotero://select/library/items/SEN00002"
    human = runner.invoke(app, ["show", rows["SEN00002"]["paper_id"]]).stdout
    assert "zotero://select/library/items/SEN00002" in human


def test_import_of_a_folder_without_zotero_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "zotero", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path} has no zotero.sqlite: give Zotero's data directory (Zotero: Settings > Advanced >"
        " Files and Folders)"
    ]


def test_search_ask_and_export_by_collection_with_pandoc_citations(
    zotero: ZoteroLibrary, tmp_path: Path
) -> None:
    runner.invoke(app, ["import", "zotero", str(zotero.dir)])
    hits = json.loads(runner.invoke(app, ["search", "battery enzyme", "--tag", "unread", "--json"]).stdout)
    assert {h["title"] for h in hits} == {"LoomNet: A Low-Power Protocol"}
    refs = tmp_path / "refs.bib"
    asked = runner.invoke(
        app,
        [
            "ask",
            "How long does a LoomNet node live?",
            "--collection",
            "Thesis",
            "--markdown",
            "--bib",
            str(refs),
        ],
    )
    assert asked.exit_code == 0, asked.stderr
    assert asked.stdout.startswith(
        "Each LoomNet node stays alive for 19 months on two AA cells [@natarajan2021loomnet, p. 1]."
    )
    assert [e.key for e in bibtexparser.parse_file(str(refs)).entries] == ["natarajan2021loomnet"]
    data = json.loads(runner.invoke(app, ["ask", "How long does a LoomNet node live?", "--json"]).stdout)
    assert data["citations"][0]["citekey"] == "natarajan2021loomnet"
    exported = runner.invoke(app, ["export", "bib", "--collection", "Thesis"])
    entries = bibtexparser.parse_string(exported.stdout).entries
    assert [(e.entry_type, e.key, e.fields_dict["booktitle"].value) for e in entries] == [
        ("inproceedings", "natarajan2021loomnet", "Proc. SenSys")
    ]
    everything = runner.invoke(app, ["export", "bib", "--all", "-o", str(tmp_path / "all.bib")])
    assert everything.exit_code == 0
    assert sorted(e.key for e in bibtexparser.parse_file(str(tmp_path / "all.bib")).entries) == [
        "brandt2023petx",
        "natarajan2021loomnet",
    ]
    assert runner.invoke(app, ["export", "bib"]).exit_code == 2


def test_compare_takes_a_collection_and_cites_cells_by_citekey(zotero: ZoteroLibrary, tmp_path: Path) -> None:
    rows = {
        r["key"]: r
        for r in _lines(runner.invoke(app, ["import", "zotero", str(zotero.dir), "--json"]).stdout)
    }
    refs = tmp_path / "compared.bib"
    result = runner.invoke(
        app,
        [
            "compare",
            rows["ENZ00001"]["paper_id"],
            "--collection",
            "Thesis",
            "-a",
            "data",
            "--markdown",
            "--bib",
            str(refs),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "[@natarajan2021loomnet, p. " in result.stdout and "[@brandt2023petx, p. " in result.stdout
    assert sorted(e.key for e in bibtexparser.parse_file(str(refs)).entries) == [
        "brandt2023petx",
        "natarajan2021loomnet",
    ]
