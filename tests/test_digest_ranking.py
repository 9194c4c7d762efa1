"""Digest ranking, filtering and listing on a loopback arXiv: the real library, catalog and client."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.build import Assistant
from assistant.digests.entries import DigestRequest
from assistant.digests.ranking import profile_papers
from assistant.errors import BadInput
from ingest.arxiv_client import build_query
from tests.arxiv_server import ArxivReplay, Reply
from tests.fakes import ScriptedGenerator
from tests.pdfmaker import make_paper_pdf
from tests.test_digest import DAY, QUERY, REQUEST, SINCE, built, paper_pdf, pdf_requests, reply
from ui.cli import app

# Five library papers on cell segmentation in microscopy, one on protein folding.
LIBRARY = [
    ("Cell Segmentation in Microscopy Images", "We segment cells in fluorescence microscopy images."),
    ("Nucleus Segmentation with Microscopy", "Nucleus segmentation of microscopy images of tissue."),
    ("Counting Cells in Microscopy", "Counting cells and segmentation masks in microscopy."),
    ("Microscopy Cell Tracking", "Tracking cells across microscopy frames with segmentation."),
    ("Protein Folding Energy Landscapes", "Protein folding energy landscapes of small proteins."),
]
FEED = [
    # newest first, as arXiv sorts: the unrelated papers are the newest
    (
        "2401.00001",
        "Tax Policy and Labour Supply",
        "We study tax policy and the labour supply of households.",
    ),
    ("2401.00002", "Bird Migration Routes", "Bird migration routes over the Atlantic ocean in autumn."),
    ("2401.00003", "Folding Proteins Faster", "Protein folding energy landscapes for faster folding."),
    ("2401.00004", "Microscopy Cell Segmentation at Scale", "Cell segmentation in microscopy images."),
]


def stock_library(assistant: Assistant, tmp_path: Path, papers: list[tuple[str, str]] = LIBRARY) -> None:
    paths = [
        make_paper_pdf(tmp_path / f"lib{n}.pdf", title=t, abstract=a, sections=[("1 Intro", [a])])
        for n, (t, a) in enumerate(papers)
    ]
    results = list(assistant.library.add(paths))
    assert [r.status for r in results] == ["added"] * len(papers)


def feed_entry(arxiv_id: str, title: str, abstract: str, day: date = DAY) -> dict[str, Any]:
    return {"id": arxiv_id, "title": title, "summary": abstract, "published": f"{day}T10:00:00Z",
            "authors": ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Emmy Noether"]}  # fmt: skip


def serve_feed(
    replay: ArxivReplay, tmp_path: Path, picks: list[str], query: str = QUERY, day: date = DAY
) -> None:
    replay.on_query(replay.feed([feed_entry(*e, day=day) for e in FEED]), search_query=query)
    for arxiv_id in picks:
        replay.on_pdf(f"{arxiv_id}v1", paper_pdf(tmp_path, int(arxiv_id[-1])))


def library_id(assistant: Assistant, title: str) -> str:
    return next(p.id for p in assistant.library.papers() if p.title == title)


def test_the_library_ranks_the_window_and_lists_the_rest_with_scores(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve_feed(replay, tmp_path, ["2401.00004"])
    assistant = built(ScriptedGenerator(reply))
    stock_library(assistant, tmp_path)
    digest = assistant.digester.post(DigestRequest("Cells", "segmentation", ("cs.CV",), SINCE, DAY, 1), DAY,
                                     tmp_path / "out")  # fmt: skip

    assert digest.rank == "library"
    (picked,) = digest.entries
    assert picked.arxiv_id == "2401.00004"
    assert pdf_requests(replay) == ["/pdf/2401.00004v1"]  # only the pick is downloaded
    # The pick is in the library now, but never part of the profile the next day ranks against.
    assert assistant.library.get("arxiv:2401.00004v1").extra["digest"] == "Cells"
    assert sorted(p.title for p in profile_papers(assistant.library)) == sorted(t for t, _ in LIBRARY)
    match = re.fullmatch(
        r"close to “(.+)” \((0\.\d\d)\) and “(.+)” \((0\.\d\d)\) in your library", picked.reason
    )
    assert match is not None, picked.reason
    assert (match[1], match[3]) == (
        "Cell Segmentation in Microscopy Images",
        "Nucleus Segmentation with Microscopy",
    )
    assert (match[2], match[4], picked.score) == ("0.71", "0.64", 0.6364)  # the mean of its best 3
    # Bag-of-words vectors (tests/fakes.py): tax policy shares one word with a library paper.
    assert [(x.arxiv_id, x.reason) for x in digest.also_new] == [
        ("2401.00003", "close to “Protein Folding Energy Landscapes” (0.74) in your library"),
        ("2401.00001", "close to “Cell Segmentation in Microscopy Images” (0.06) in your library"),
        ("2401.00002", "close to nothing in your library"),
    ]
    scores = [x.score for x in digest.also_new]
    assert scores == [0.2477, 0.0204, 0.0]

    text = (tmp_path / "out" / "2024-01-10-cells.md").read_text(encoding="utf-8")
    assert f"*Why this paper: {picked.reason}*" in text
    also = text.split("## Also new\n\n")[1].splitlines()[0]
    assert also == (
        f"- [Folding Proteins Faster]({replay.base_url}/abs/2401.00003v1), Ada Lovelace, Grace Hopper, "
        f"Alan Turing et al. · {scores[0]:.2f} · {digest.also_new[0].reason}"
    )
    data = json.loads((tmp_path / "out" / "2024-01-10-cells.json").read_text(encoding="utf-8"))
    assert (data["rank"], data["papers"][0]["reason"], data["papers"][0]["score"]) == (
        "library", picked.reason, picked.score
    )  # fmt: skip
    assert [x["arxiv_id"] for x in data["also_new"]] == [x.arxiv_id for x in digest.also_new]
    assert set(data["also_new"][0]) == {
        "arxiv_id",
        "version",
        "title",
        "authors",
        "paper_url",
        "score",
        "reason",
    }


def test_newest_first_is_the_default_below_five_papers_and_library_needs_papers(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve_feed(replay, tmp_path, ["2401.00001"])
    assistant = built(ScriptedGenerator(reply))
    stock_library(assistant, tmp_path, LIBRARY[:4])
    request = DigestRequest("Cells", "segmentation", ("cs.CV",), SINCE, DAY, 1)
    digest = assistant.digester.run(request, DAY, tmp_path / "out")
    assert (digest.rank, [e.arxiv_id for e in digest.entries]) == ("newest", ["2401.00001"])
    assert (digest.entries[0].score, digest.entries[0].reason) == (None, "")
    assert [(x.arxiv_id, x.score, x.reason) for x in digest.also_new] == [
        ("2401.00002", None, ""), ("2401.00003", None, ""), ("2401.00004", None, "")
    ]  # fmt: skip

    empty = built(ScriptedGenerator(reply))
    for papers in assistant.library.papers():
        empty.library.remove(papers.id)
    with pytest.raises(BadInput, match=r"^--rank library needs papers in the library"):
        empty.digester.run(DigestRequest("Other", "segmentation", ("cs.CV",), SINCE, DAY, 1, rank="library"),
                           DAY, tmp_path / "out")  # fmt: skip


def test_like_scopes_the_profile_to_the_papers_named(replay: ArxivReplay, tmp_path: Path) -> None:
    serve_feed(replay, tmp_path, ["2401.00003"])
    assistant = built(ScriptedGenerator(reply))
    stock_library(assistant, tmp_path)
    folding = library_id(assistant, "Protein Folding Energy Landscapes")
    request = DigestRequest("Folding", "segmentation", ("cs.CV",), SINCE, DAY, 1, like=(folding[:15],))
    digest = assistant.digester.run(request, DAY, tmp_path / "out")
    assert [e.arxiv_id for e in digest.entries] == ["2401.00003"]
    assert re.fullmatch(r"close to “Protein Folding Energy Landscapes” \(0\.\d\d\) in your library",
                        digest.entries[0].reason)  # fmt: skip


def test_like_tag_and_collection_scope_the_profile_to_the_papers_so_labelled(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve_feed(replay, tmp_path, ["2401.00003"])
    assistant = built(ScriptedGenerator(reply))
    stock_library(assistant, tmp_path)
    # The folding paper (lib4.pdf, already in the library) gets a tag and a collection from a .bib.
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{fold2020, title = {Protein Folding Energy Landscapes}, year = {2020},\n"
        "  keywords = {proteins}, groups = {Thesis/Folding}, file = {lib4.pdf}}\n",
        encoding="utf-8",
    )
    assert [r.status for r in assistant.importer.bib(bib)] == ["linked"]
    for scope in ({"like_tags": ("proteins",)}, {"like_collections": ("Thesis",)}):
        request = DigestRequest("Folding", "segmentation", ("cs.CV",), SINCE, DAY, 1, **scope)  # type: ignore[arg-type]
        digest = assistant.digester.run(request, DAY, tmp_path / f"out-{len(scope)}-{next(iter(scope))}")
        assert [e.arxiv_id for e in digest.entries] == ["2401.00003"]
        assert re.fullmatch(r"close to “Protein Folding Energy Landscapes” \(0\.\d\d\) in your library",
                            digest.entries[0].reason)  # fmt: skip


def test_keyword_filters_list_each_excluded_paper_with_its_reason(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    today = date.today()
    # Every paper filtered out, so the CLI's real models never run.
    serve_feed(replay, tmp_path, [], build_query("segmentation", ["cs.CV"], today, today), today)
    result = CliRunner().invoke(app, [
        "digest", "--topic", "segmentation", "-c", "cs.CV", "--days", "1", "--max", "1",
        "--include", "bird|tax", "--exclude", "MIGRATION|households", "--out", str(tmp_path / "o"), "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.splitlines()[0])
    assert (data["rank"], data["new"], data["papers"], data["also_new"]) == ("newest", 0, [], [])
    assert [(x["arxiv_id"], x["reason"]) for x in data["excluded"]] == [
        ("2401.00001", "the abstract matches --exclude 'MIGRATION|households' ('households')"),
        ("2401.00002", "the title matches --exclude 'MIGRATION|households' ('Migration')"),
        ("2401.00003", "matches nothing of --include 'bird|tax'"),
        ("2401.00004", "matches nothing of --include 'bird|tax'"),
    ]
    bad = CliRunner().invoke(app, ["digest", "--topic", "x", "--include", "(unclosed"])
    assert (bad.exit_code, bad.output) == (
        1, "error: --include '(unclosed' is not a regular expression: missing ), unterminated subpattern at "
        "position 0\n",
    )  # fmt: skip


def test_a_paper_digested_under_another_topic_is_listed_once(replay: ArxivReplay, tmp_path: Path) -> None:
    serve_feed(replay, tmp_path, ["2401.00001", "2401.00002"])
    cells_query = QUERY.replace("all:segmentation", "all:cells")
    replay.on_query(replay.feed([feed_entry(*FEED[0]), feed_entry(*FEED[1])]), search_query=cells_query)
    first = built(ScriptedGenerator(reply)).digester.run(
        DigestRequest("Segmentation", "segmentation", ("cs.CV",), SINCE, DAY, 2), DAY, tmp_path / "out"
    )
    assert [e.arxiv_id for e in first.entries] == ["2401.00001", "2401.00002"]

    generator = ScriptedGenerator(reply)
    cells = DigestRequest("Cells", "cells", ("cs.CV",), SINCE, DAY, 3)
    digest = built(generator).digester.post(cells, DAY, tmp_path / "out")
    assert [(x.arxiv_id, x.reason) for x in digest.also_in] == [
        ("2401.00001", "also in Segmentation, 2024-01-10"),
        ("2401.00002", "also in Segmentation, 2024-01-10"),
    ]
    assert (digest.new, digest.entries, generator.prompts) == (0, (), [])
    assert pdf_requests(replay) == ["/pdf/2401.00001v1", "/pdf/2401.00002v1"]


def test_a_paper_already_in_the_library_is_listed_not_digested(replay: ArxivReplay, tmp_path: Path) -> None:
    held = ("2401.00007", "Microscopy cell tracking", "Tracking cells across frames.")
    replay.on_query(replay.feed([feed_entry(*held), feed_entry(*FEED[3])]), search_query=QUERY)
    replay.on_pdf("2401.00004v1", paper_pdf(tmp_path, 4))
    assistant = built(ScriptedGenerator(reply))
    stock_library(assistant, tmp_path)
    digest = assistant.digester.run(REQUEST, DAY, tmp_path / "out")
    assert [(x.arxiv_id, x.reason) for x in digest.also_in] == [("2401.00007", "already in your library")]
    assert [e.arxiv_id for e in digest.entries] == ["2401.00004"]


def test_the_whole_window_is_fetched_page_by_page(
    replay: ArxivReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERLAMP_ARXIV__PAGE_SIZE", "2")
    entries = [feed_entry(*e) for e in FEED] + [feed_entry("2401.00005", "Fifth", "A fifth paper.")]
    for start in (0, 2, 4):
        replay.on_query(replay.feed(entries[start : start + 2], total=5, start=start), search_query=QUERY,
                        start=start)  # fmt: skip
    replay.on_pdf("2401.00001v1", paper_pdf(tmp_path, 1))
    digest = built(ScriptedGenerator(reply)).digester.run(
        DigestRequest("Segmentation", "segmentation", ("cs.CV",), SINCE, DAY, 1), DAY, tmp_path / "out"
    )
    assert [q["start"] for q in replay.queries()] == ["0", "2", "4"]
    assert [x.arxiv_id for x in digest.also_new] == ["2401.00002", "2401.00003", "2401.00004", "2401.00005"]


def test_all_topics_log_a_line_each_and_exit_1_only_when_one_failed(
    replay: ArxivReplay, tmp_path: Path, isolated_home: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[topics]]\nname = "good"\nquery = "segmentation"\ncategories = ["cs.CV"]\n'
                      '[[topics]]\nname = "bad"\nquery = "folding"\ncategories = ["cs.CV"]\n')  # fmt: skip
    today = date.today()
    since = today.fromordinal(today.toordinal() - 6)
    replay.on_query(replay.feed([]), search_query=build_query("segmentation", ["cs.CV"], since, today))
    replay.on_query(Reply.error(400), search_query=build_query("folding", ["cs.CV"], since, today))
    result = CliRunner().invoke(app, ["digest", "--all"], env={"PAPERLAMP_CONFIG": str(config)})
    lines = result.output.splitlines()
    assert result.exit_code == 1
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    assert re.fullmatch(f"{stamp} good: no new papers", lines[0]), lines
    assert re.fullmatch(
        f"{stamp} bad: failed: arXiv at 127.0.0.1:\\d+ answered badly: HTTP 400 \\(tried once\\); .*",
        lines[1],
    )
    assert lines[2] == "error: 1 of 2 topics failed: bad"


def test_a_paper_listed_as_also_new_is_not_listed_again_the_next_day(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve_feed(replay, tmp_path, ["2401.00001"])
    request = DigestRequest("Cells", "segmentation", ("cs.CV",), SINCE, DAY, 1)
    first = built(ScriptedGenerator(reply)).digester.run(request, DAY, tmp_path / "out")
    assert [x.arxiv_id for x in first.also_new] == ["2401.00002", "2401.00003", "2401.00004"]

    next_day = date(2024, 1, 11)
    query = build_query("segmentation", ["cs.CV"], SINCE, next_day)
    fifth = feed_entry("2401.00005", "Fifth", "A fifth paper.", next_day)
    replay.on_query(replay.feed([fifth] + [feed_entry(*e) for e in FEED]), search_query=query)
    replay.on_pdf("2401.00005v1", paper_pdf(tmp_path, 5))
    again = built(ScriptedGenerator(reply)).digester.run(
        replace(request, until=next_day), next_day, tmp_path / "out"
    )
    assert ([e.arxiv_id for e in again.entries], again.also_new, again.also_in) == (["2401.00005"], (), ())


def test_a_later_run_the_same_day_adds_to_the_post_and_hides_nothing(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve_feed(replay, tmp_path, ["2401.00001"])
    request = DigestRequest("Cells", "segmentation", ("cs.CV",), SINCE, DAY, 1)
    out = tmp_path / "out"
    built(ScriptedGenerator(reply)).digester.post(request, DAY, out)

    replay.on_query(replay.feed([feed_entry("2401.00005", "Fifth", "A fifth paper.")]), search_query=QUERY)
    later = built(ScriptedGenerator(reply)).digester.post(request, DAY, out)  # --max 1 is used up today
    assert (later.new, [e.arxiv_id for e in later.entries]) == (0, ["2401.00001"])
    listed = ["2401.00002", "2401.00003", "2401.00004", "2401.00005"]
    assert [x.arxiv_id for x in later.also_new] == listed
    text = (out / "2024-01-10-cells.md").read_text(encoding="utf-8")
    assert [line.split("]")[0] for line in text.split("## Also new\n\n")[1].splitlines()[:4]] == [
        "- [Bird Migration Routes", "- [Folding Proteins Faster", "- [Microscopy Cell Segmentation at Scale",
        "- [Fifth",
    ]  # fmt: skip
