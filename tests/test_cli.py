"""The CLI end to end (in-process): exit codes, one-line errors, JSON shapes and batch modes."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from tests.papers import SENSOR_FACT, enzyme_paper, sensor_paper
from ui.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def fast_models(fast_cli_models: None) -> None:
    """Every command here builds its assistant with the hashing embedder and a scripted generator."""


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_add_prints_one_json_result_per_file_and_fails_when_any_failed(tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_text("hello")
    result = runner.invoke(app, ["add", str(sensor_paper(tmp_path)), str(tmp_path / "bad.pdf"), "--json"])
    assert result.exit_code == 1
    rows = _lines(result.stdout)
    assert [r["status"] for r in rows] == ["added", "failed"]
    assert rows[1]["reason"].startswith("bad.pdf: ")
    again = runner.invoke(app, ["add", str(tmp_path / "sensor.pdf"), "--json"])
    assert again.exit_code == 0
    assert _lines(again.stdout)[0]["status"] == "exists"


def test_list_show_remove(tmp_path: Path) -> None:
    runner.invoke(app, ["add", str(sensor_paper(tmp_path)), str(enzyme_paper(tmp_path))])
    listed = runner.invoke(app, ["list", "--json"])
    papers = json.loads(listed.stdout)
    assert sorted(p["title"][:6] for p in papers) == ["A Ther", "LoomNe"]
    sensor = next(p for p in papers if p["title"].startswith("LoomNet"))
    shown = runner.invoke(app, ["show", sensor["paper_id"][:14], "--json"])
    assert json.loads(shown.stdout)["sections"] == [
        "Abstract",
        "1 Introduction",
        "2 Evaluation",
        "3 Conclusion",
    ]
    human = runner.invoke(app, ["show", sensor["paper_id"][:14]])
    assert "Priya Natarajan" in human.stdout
    removed = runner.invoke(app, ["remove", sensor["paper_id"], "--json"])
    assert json.loads(removed.stdout) == {"paper_id": sensor["paper_id"], "title": sensor["title"]}
    assert len(json.loads(runner.invoke(app, ["list", "--json"]).stdout)) == 1


def test_unknown_paper_is_one_line_and_exit_1() -> None:
    result = runner.invoke(app, ["show", "sha256:doesnotexist"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: no paper 'sha256:doesnotexist' in the library (see `paperlamp list`)"
    ]


def test_search_json_and_batch_mode(tmp_path: Path) -> None:
    runner.invoke(app, ["add", str(sensor_paper(tmp_path)), str(enzyme_paper(tmp_path))])
    single = runner.invoke(app, ["search", "LoomNet battery months", "-k", "2", "--json"])
    hits = json.loads(single.stdout)
    assert len(hits) == 2
    assert SENSOR_FACT in hits[0]["text"]
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "query": "PetX enzyme"}\n{"id": "b", "query": "   "}\n')
    batch = runner.invoke(app, ["search", "--queries", str(queries), "-k", "1"])
    assert batch.exit_code == 1  # a line failed; the others were still answered
    rows = _lines(batch.stdout)
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["hits"][0]["source"] == "enzyme.pdf"
    assert rows[1] == {"id": "b", "error": "the query is empty", "hits": []}
    plain = json.loads(runner.invoke(app, ["search", "LoomNet battery months", "--json"]).stdout)
    reranked = json.loads(
        runner.invoke(app, ["search", "LoomNet battery months", "--rerank", "--json"]).stdout
    )
    assert {h["text"] for h in reranked} == {h["text"] for h in plain}
    assert [h["score"] for h in reranked] != [h["score"] for h in plain]  # reranked scores


def test_ask_json_and_batch_mode(tmp_path: Path) -> None:
    runner.invoke(app, ["add", str(sensor_paper(tmp_path))])
    result = runner.invoke(app, ["ask", "How long does a LoomNet node live on AA cells?", "--json"])
    data = json.loads(result.stdout)
    assert data["abstained"] is False
    assert data["citations"][0]["quote"] == SENSOR_FACT
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": 1, "question": "How long does a LoomNet node live on AA cells?"}\n'
        '{"id": 2, "question": "Who painted the Mona Lisa?"}\n'
    )
    refs = tmp_path / "refs.bib"
    rows = _lines(runner.invoke(app, ["ask", "--questions", str(questions), "--bib", str(refs)]).stdout)
    assert [(r["id"], r["abstained"]) for r in rows] == [(1, False), (2, True)]
    key = rows[0]["citations"][0]["citekey"]
    assert key.startswith("natarajan") and data["citations"][0]["citekey"] == key
    assert [e.key for e in bibtexparser.parse_string(refs.read_text()).entries] == [key]


def test_malformed_batch_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": 1, "query": "ok"}\nnot json\n')
    result = runner.invoke(app, ["search", "--queries", str(bad)])
    assert result.exit_code == 1
    assert "q.jsonl line 2: not JSON" in result.stderr


def test_query_and_batch_file_are_exclusive() -> None:
    result = runner.invoke(app, ["search"])
    assert result.exit_code == 2
    assert "give a QUERY or --queries FILE" in result.stderr


def test_doctor_reports_where_things_live_and_checks_them(tmp_path: Path, isolated_home: Path) -> None:
    runner.invoke(app, ["add", str(sensor_paper(tmp_path))])
    result = runner.invoke(app, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.exit_code == 0, checks
    assert checks["library home"]["value"] == str(isolated_home)
    assert checks["papers"]["value"] == "1"
    assert checks["vector store"]["value"] == f"embedded Chroma at {isolated_home / 'chroma'}"
    assert checks["consistency"] == {
        "name": "consistency",
        "value": "removals_finished=0, orphan_vectors=0, orphan_files=0, pending_papers=0",
        "ok": True,
    }
    assert checks["embedding model"]["ok"] and checks["GGUF model"]["ok"]
    assert checks["arXiv API"]["value"] == "https://export.arxiv.org/api/query"


def test_a_store_held_by_another_process_is_named_while_the_catalog_stays_readable(
    tmp_path: Path, isolated_home: Path
) -> None:
    import subprocess
    import sys

    runner.invoke(app, ["add", str(sensor_paper(tmp_path))])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from models.store import hold_folder; "
            "hold_folder(Path(sys.argv[1])); print('held', flush=True); sys.stdin.read()",
            str(isolated_home / "chroma"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = runner.invoke(app, ["search", "battery lifetime"])
        assert refused.exit_code == 1
        [line] = refused.stderr.strip().splitlines()
        assert f"in use by process {holder.pid}" in line
        assert len(json.loads(runner.invoke(app, ["list", "--json"]).stdout)) == 1
        checks = {c["name"]: c for c in json.loads(runner.invoke(app, ["doctor", "--json"]).stdout)}
        assert not checks["vectors"]["ok"] and "PAPERLAMP_CHROMA_URL" in checks["vectors"]["value"]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert runner.invoke(app, ["search", "battery lifetime"]).exit_code == 0


def test_demo_builds_a_library_from_the_bundled_papers(tmp_path: Path) -> None:
    from assistant.demo import sample_papers, sample_questions

    result = runner.invoke(app, ["demo", "--home", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert len(sample_papers()) == 3
    for sample in sample_questions():
        assert sample.question in result.stdout
    # Each cited quote is shown whole, so the reader sees the words that hold the answer, even
    # when they close a long quote.
    assert "DuskMAC delivered 99.2% of packets to the sink" in " ".join(result.stdout.split())
    listed = json.loads(
        runner.invoke(app, ["list", "--json"], env={"PAPERLAMP_HOME": str(tmp_path / "demo")}).stdout
    )
    assert len(listed) == 3


def test_the_demo_says_when_an_answer_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.cli.admin
    from assistant.demo import SampleQuestion

    asked = [
        SampleQuestion(
            "How long does a LoomNet sensor node last on two AA cells?", "sensor.pdf", "19 months"
        ),
        # The paper says 19 months: a demo expecting 12 must report its answer wrong, not checked.
        SampleQuestion(
            "How long does a LoomNet sensor node last on two AA cells?", "sensor.pdf", "12 months"
        ),
        SampleQuestion("Which opera did Verdi compose for Cairo?", None, None),
    ]
    monkeypatch.setattr(ui.cli.admin, "sample_questions", lambda: asked)
    monkeypatch.setattr(ui.cli.admin, "sample_papers", lambda: [sensor_paper(tmp_path)])
    monkeypatch.setattr(ui.cli.admin, "build_assistant", ui.cli.console.build_assistant)
    result = runner.invoke(app, ["demo", "--home", str(tmp_path / "demo")])
    assert result.exit_code == 1, result.output
    verdicts = [
        line.strip() for line in result.stdout.splitlines() if line.strip().startswith(("right", "WRONG"))
    ]
    assert verdicts == [
        "right: says “19 months”, citing sensor.pdf",
        "WRONG: the answer does not say “12 months”",
        "right: abstained: no demo paper answers this",
    ]
    assert "2/3 answers right (1 wrong)" in result.stdout


# Arguments that get each command past its own checks to the point where it reads the settings.
EVERY_COMMAND = {
    "add": ["add", "paper.pdf"],
    "ask": ["ask", "What is PetX?"],
    "compare": ["compare", "a", "b"],
    "demo": ["demo", "--home", "demo-library"],
    "digest": ["digest", "--topic", "segmentation"],
    "doctor": ["doctor", "--quick"],
    "eval": ["eval", "scifact", "--data", "scifact"],
    "fetch": ["fetch", "2401.00001"],
    "list": ["list"],
    "migrate": ["migrate", "--to", "http://127.0.0.1:9"],
    "remove": ["remove", "sha256:aa"],
    "search": ["search", "battery"],
    "show": ["show", "sha256:aa"],
    "summarize": ["summarize", "sha256:aa"],
    "ui": ["ui"],
}


def test_every_command_is_covered_below() -> None:
    assert set(EVERY_COMMAND) == {
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    }


@pytest.mark.parametrize("args", EVERY_COMMAND.values(), ids=EVERY_COMMAND.keys())
def test_bad_settings_are_one_line_for_every_command(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERLAMP_LANG", "fr")
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr.splitlines()) == (
        1,
        ["error: bad setting lang = 'fr': Input should be 'en' or 'zh' (set in PAPERLAMP_LANG)"],
    )
    monkeypatch.delenv("PAPERLAMP_LANG")
    config = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERLAMP_CONFIG", str(config))
    config.write_text("[retrieval]\ndense_wieght = 0.4\n")
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr.splitlines()) == (
        1,
        [
            "error: unknown setting retrieval.dense_wieght; did you mean retrieval.dense_weight? "
            f"(set in {config} or PAPERLAMP_RETRIEVAL__DENSE_WIEGHT)"
        ],
    )
    config.write_text("[llm\nmodel = 1\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: the settings file {config} is not valid TOML: ")


def test_a_batch_whose_lines_failed_exits_1_after_every_line(tmp_path: Path) -> None:
    runner.invoke(app, ["add", str(sensor_paper(tmp_path))])
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": 1, "query": "LoomNet"}\n{"id": 2, "query": " "}\n{"id": 3, "query": "AA cells"}\n'
    )
    result = runner.invoke(app, ["search", "--queries", str(queries), "-k", "1"])
    assert result.exit_code == 1
    assert [(r["id"], "error" in r) for r in _lines(result.stdout)] == [(1, False), (2, True), (3, False)]
    assert result.stderr.splitlines() == ['error: 1 of 3 lines failed; each says why under "error"']
    questions = tmp_path / "a.jsonl"
    questions.write_text('{"id": "x", "question": ""}\n{"id": "y", "question": "How long do nodes last?"}\n')
    asked = runner.invoke(app, ["ask", "--questions", str(questions)])
    assert asked.exit_code == 1
    assert _lines(asked.stdout)[0] == {"id": "x", "question": "", "error": "the question is empty"}
    queries.write_text('{"id": 1, "query": "LoomNet"}\n')
    assert runner.invoke(app, ["search", "--queries", str(queries)]).exit_code == 0


def test_one_json_vocabulary_names_a_paper_paper_id_everywhere(tmp_path: Path) -> None:
    runner.invoke(app, ["add", str(sensor_paper(tmp_path))])
    [listed] = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    paper_id = listed["paper_id"]
    assert "id" not in listed
    shown = json.loads(runner.invoke(app, ["show", paper_id, "--json"]).stdout)
    [hit] = json.loads(runner.invoke(app, ["search", "LoomNet", "-k", "1", "--json"]).stdout)
    answer = json.loads(runner.invoke(app, ["ask", "How long does a LoomNet node live?", "--json"]).stdout)
    assert shown["paper_id"] == hit["paper_id"] == answer["citations"][0]["paper_id"] == paper_id
    assert hit["chunk_id"].startswith(paper_id) and answer["citations"][0]["chunk_id"].startswith(paper_id)
    removed = json.loads(runner.invoke(app, ["remove", paper_id, "--json"]).stdout)
    assert removed == {"paper_id": paper_id, "title": listed["title"]}
