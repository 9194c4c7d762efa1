"""Topic digests end to end on a loopback arXiv: real PDFs, real library, scripted generator."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.build import Assistant, build_assistant
from assistant.digests.entries import DigestRequest
from assistant.digests.render import FRONT_MATTER_KEYS, write_digest
from assistant.settings import load_settings
from ingest.arxiv_client import build_query
from models.generator import Prompt
from tests.arxiv_server import ArxivReplay, Reply
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import FigureSpec, make_paper_pdf
from ui.cli import app

DAY = date(2024, 1, 10)
SINCE = date(2024, 1, 4)
QUERY = build_query("segmentation", ["cs.CV"], SINCE, DAY)
REQUEST = DigestRequest("Segmentation", "segmentation", ("cs.CV",), SINCE, DAY, max_papers=3)

ZH = {
    "一句话总结：": "本文提出 GridNet 用于 segmentation。",
    "要点：\n-": " 提出 GridNet 模型。\n- 在 CellSet 上取得 91.5 的 Dice。\n- 训练只需两小时。",
    "方法步骤：\n1. 首先，": "编码图像。\n2. 解码特征。",
    "关键词：": " segmentation, GridNet",
    "中文：": "用于分割的 GridNet",
}


def reply(prompt: Prompt) -> str:
    """Well-formed answers for each field's cue (English, or Chinese for zh cues)."""
    if prompt.cue in ZH:
        return ZH[prompt.cue]
    if prompt.cue.startswith("Key takeaways"):
        return (
            " GridNet segments cells with grid encoders.\n- It makes cell segmentation cheap.\n"
            "- Its code is at GitHub."
        )
    if prompt.cue.startswith("Steps:"):
        return " encode the image with a grid encoder.\n2. Decode a mask from the encoded image."
    if prompt.cue == "Keywords:":
        return " segmentation, grid encoder, microscopy"
    if any("\u4e00" <= ch <= "\u9fff" for ch in prompt.cue):
        return "本文研究细胞图像的 segmentation 问题。"
    return f"The paper's {prompt.cue.rstrip(':').lower()} is about grid encoders for cell segmentation."


def paper_pdf(folder: Path, n: int) -> bytes:
    """A realistic paper (sections, a figure, a code link); its title and authors differ from the feed."""
    path = make_paper_pdf(
        folder / f"p{n}.pdf",
        title=f"Preprint draft {n} (not the arXiv title)",
        authors=("Wrong Person", "Another Wrong"),
        affiliations=(f"Institute of Cell Imaging {n}, Northbridge University",),
        abstract="We segment cells with grid encoders.",
        sections=[
            ("1 Introduction", ["Cell segmentation matters for biology. Previous methods need many labels."]),
            ("2 Method", ["Our GridNet encodes the image with a grid encoder and decodes a mask."]),
            ("3 Experiments", ["On CellSet GridNet reaches a Dice score of 91.5 percent, beating U-Net."]),
            ("4 Conclusion", ["GridNet makes cell segmentation cheap. Code: https://github.com/grid/net"]),
            ("References", ["[1] O. Ronneberger. U-Net. 2015."]),
        ],
        figures=[FigureSpec("Figure 1: The GridNet architecture.", page=1, top=420.0, height=120.0)],
    )
    return path.read_bytes()


def entry(n: int, version: int = 1, **fields: Any) -> dict[str, Any]:
    """A feed entry for paper n, published on 2024-01-(10-n)."""
    return {
        "id": f"2401.0000{n}",
        "version": version,
        "title": f"GridNet {n}: Cell Segmentation with Grid Encoders",
        "summary": f"We present GridNet {n}. Code is at https://github.com/grid/net{n}.",
        "authors": [f"Ada Lovelace {n}", "Grace Hopper"],
        "published": f"2024-01-{10 - n:02d}T10:00:00Z",
        "categories": ["cs.CV", "cs.LG"],
        "comment": "12 pages, 3 figures",
        **fields,
    }


def built(generator: ScriptedGenerator) -> Assistant:
    return build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)


def serve(replay: ArxivReplay, tmp_path: Path, entries: list[dict[str, Any]], query: str = QUERY) -> None:
    replay.on_query(replay.feed(entries), search_query=query)
    for e in entries:
        replay.on_pdf(f"{e['id']}v{e.get('version', 1)}", paper_pdf(tmp_path, int(e["id"][-1])))


def pdf_requests(replay: ArxivReplay) -> list[str]:
    return [r.path for r in replay.requests if r.path.startswith("/pdf/")]


def test_a_digest_post_has_front_matter_fields_in_order_figures_and_feed_metadata(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve(replay, tmp_path, [entry(1), entry(2)])
    assistant = built(ScriptedGenerator(reply))
    out = tmp_path / "blog"
    digest = write_digest(assistant.digester.run(REQUEST, DAY, out), out)

    assert digest.new == 2
    assert digest.markdown_path == out / "2024-01-10-segmentation.md"
    text = digest.markdown_path.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    assert [line.split(":")[0] for line in front.splitlines() if not line.startswith(" ")] == list(
        FRONT_MATTER_KEYS
    )
    assert 'cover: "2024-01-10-segmentation/2401.00001/fig-1.png"' in front
    assert "\ndate: 2024-01-10 08:00:00\n" in front
    first = text.split("## 1. ")[1].split("## 2. ")[0]
    order = ["**Title**", "**Authors**", "**Affiliation**", "**Keywords**", "**Urls**", "### Summary",
             "### Key Takeaways", "(1) **Background**", "(2) **Past methods", "(3) **Proposed method",
             "(4) **Tasks and results", "### Methods", "### Conclusion", "**Significance**",
             "**Innovation**", "**Performance**", "**Workload**", "<summary>Figures</summary>"]  # fmt: skip
    positions = [first.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "- **Title**: GridNet 1: Cell Segmentation with Grid Encoders" in first
    assert "- **Authors**: Ada Lovelace 1, Grace Hopper" in first
    assert "Wrong Person" not in text and "Preprint draft" not in text
    assert "- **Affiliation**: Institute of Cell Imaging 1, Northbridge University" in first
    assert "Code: [https://github.com/grid/net1](https://github.com/grid/net1)" in first
    # Every item is the paper's own sentence, quoted with its page and marked as the paper's words.
    assert (
        "- “On CellSet GridNet reaches a Dice score of 91.5 percent, beating U-Net.” "
        "<sub>(p. 1) *the paper's words*</sub>" in first
    )
    assert "(1) **Background**: None" in first  # no sentence of six words or more fills it
    figure = out / "2024-01-10-segmentation" / "2401.00001" / "fig-1.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![Figure 1](2024-01-10-segmentation/2401.00001/fig-1.png)" in first

    data = json.loads((out / "2024-01-10-segmentation.json").read_text(encoding="utf-8"))
    assert [p["arxiv_id"] for p in data["papers"]] == ["2401.00001", "2401.00002"]
    assert data["papers"][0]["summary"]["source"] == "full text"
    summary = data["papers"][0]["summary"]
    assert [(u["text"], u["by"]) for u in summary["takeaways"]["items"]] == [
        ("On CellSet GridNet reaches a Dice score of 91.5 percent, beating U-Net.", "paper"),
    ]
    # The method section's sentence is a method step: the takeaways come from the abstract, the
    # results and the conclusion, so they do not spend the steps.
    assert [(u["text"], u["by"]) for u in summary["method_steps"]["items"]] == [
        ("Our GridNet encodes the image with a grid encoder and decodes a mask.", "paper"),
    ]
    paper = assistant.library.get("arxiv:2401.00001v1")
    assert (paper.title, paper.authors, paper.year) == (
        "GridNet 1: Cell Segmentation with Grid Encoders", ("Ada Lovelace 1", "Grace Hopper"), 2024
    )  # fmt: skip
    assert paper.extra["arxiv"]["comment"] == "12 pages, 3 figures"  # type: ignore[index]
    assert assistant.searcher.search("Dice score CellSet", 1)[0].paper_id in {
        "arxiv:2401.00001v1", "arxiv:2401.00002v1"
    }  # fmt: skip


def test_a_second_run_says_no_new_papers_and_a_new_version_is_marked_updated(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve(replay, tmp_path, [entry(1)])
    built(ScriptedGenerator(reply)).digester.run(REQUEST, DAY, tmp_path / "out")

    generator = ScriptedGenerator(reply)
    again = built(generator).digester.run(REQUEST, DAY, tmp_path / "out")
    assert (again.new, generator.prompts) == (0, [])

    replay.on_query(replay.feed([entry(1, version=2)]), search_query=QUERY)
    replay.on_pdf("2401.00001v2", paper_pdf(tmp_path, 1))
    out = tmp_path / "out"
    updated = write_digest(built(ScriptedGenerator(reply)).digester.run(REQUEST, DAY, out), out)
    assert [(e.arxiv_id, e.version, e.status) for e in updated.entries] == [("2401.00001", 2, "updated")]
    assert "## 1. GridNet 1: Cell Segmentation with Grid Encoders (updated, v2)" in (
        out / "2024-01-10-segmentation.md"
    ).read_text(encoding="utf-8")


def test_the_cli_says_no_new_papers_and_exits_0(replay: ArxivReplay, tmp_path: Path) -> None:
    today = date.today()
    query = build_query("segmentation", ["cs.CV"], today, today)
    replay.on_query(replay.feed([]), search_query=query)
    result = CliRunner().invoke(
        app, ["digest", "--topic", "segmentation", "-c", "cs.CV", "--days", "1", "--out", str(tmp_path)]
    )
    assert (result.exit_code, result.output) == (0, "segmentation: no new papers\n")
    assert list(tmp_path.glob("*.md")) == []


def test_a_killed_digest_resumes_without_fetching_or_generating_again(
    replay: ArxivReplay, tmp_path: Path
) -> None:
    serve(replay, tmp_path, [entry(1), entry(2)])

    def dies_on_paper_2(prompt: Prompt) -> str:
        if "GridNet 2" in prompt.material:
            raise KeyboardInterrupt
        return reply(prompt)

    first = ScriptedGenerator(dies_on_paper_2)
    with pytest.raises(KeyboardInterrupt):
        built(first).digester.run(REQUEST, DAY, tmp_path / "out")
    assert pdf_requests(replay) == ["/pdf/2401.00001v1", "/pdf/2401.00002v1"]

    second = ScriptedGenerator(reply)
    out = tmp_path / "out"
    digest = write_digest(built(second).digester.run(REQUEST, DAY, out), out)
    assert pdf_requests(replay) == ["/pdf/2401.00001v1", "/pdf/2401.00002v1"]  # nothing fetched again
    assert second.prompts and all("GridNet 2" in p.material for p in second.prompts)
    assert [e.arxiv_id for e in digest.entries] == ["2401.00001", "2401.00002"]
    assert digest.new == 1


def test_a_partial_feed_is_digested_with_a_warning(replay: ArxivReplay, tmp_path: Path) -> None:
    replay.on_query(replay.feed([entry(1), entry(2)], total=3), search_query=QUERY)
    replay.on_query(Reply.error(503), search_query=QUERY, start=2)
    for n in (1, 2):
        replay.on_pdf(f"2401.0000{n}v1", paper_pdf(tmp_path, n))
    digest = built(ScriptedGenerator(reply)).digester.run(REQUEST, DAY, tmp_path / "out")
    assert [e.arxiv_id for e in digest.entries] == ["2401.00001", "2401.00002"]
    assert len(digest.warnings) == 1
    assert digest.warnings[0].startswith("arXiv returned a partial list: arXiv at 127.0.0.1")
    assert "HTTP 503 (tried 2 times)" in digest.warnings[0]


def test_an_unreachable_arxiv_is_one_clear_message(replay: ArxivReplay, tmp_path: Path) -> None:
    replay.on_query(Reply.error(503), search_query=QUERY)
    with pytest.raises(
        Exception, match=r"^arXiv at 127\.0\.0\.1:\d+ answered badly: HTTP 503 \(tried 2 times\)"
    ):
        built(ScriptedGenerator(reply)).digester.run(REQUEST, DAY, tmp_path / "out")


def test_an_unreadable_pdf_is_digested_from_its_abstract(replay: ArxivReplay, tmp_path: Path) -> None:
    replay.on_query(replay.feed([entry(1)]), search_query=QUERY)
    replay.on_pdf("2401.00001v1", b"%PDF-1.7\nthis is not really a PDF\n")
    generator = ScriptedGenerator(reply)
    out = tmp_path / "out"
    digest = write_digest(built(generator).digester.run(REQUEST, DAY, out), out)
    (only,) = digest.entries
    assert only.summary.source == "abstract only"
    assert only.note.startswith("digested from the abstract only: ")
    assert only.summary.background.pages == ()
    assert all("We present GridNet 1." in p.material for p in generator.prompts)
    assert "### Summary *(abstract only)*" in (out / "2024-01-10-segmentation.md").read_text(encoding="utf-8")


def test_zh_digest_writes_chinese_prose_and_a_translated_title(replay: ArxivReplay, tmp_path: Path) -> None:
    serve(replay, tmp_path, [entry(1)])
    out = tmp_path / "out"
    request = DigestRequest("Segmentation", "segmentation", ("cs.CV",), SINCE, DAY, max_papers=3, lang="zh")
    chat = ScriptedGenerator(reply, chat=True)
    digest = write_digest(built(chat).digester.run(request, DAY, out), out)
    text = (out / "2024-01-10-segmentation.md").read_text(encoding="utf-8")
    assert "- **标题**: 用于分割的 GridNet" in text
    # The paper's sentences stay verbatim in a Chinese post, marked as the paper's words.
    assert "- “On CellSet GridNet reaches a Dice score of 91.5 percent, beating U-Net.”" in text
    assert "*原文引用*" in text and "(1) **研究背景**: None" in text
    assert digest.entries[0].summary.lang == "zh"


def test_fetch_adds_papers_by_id_with_arxiv_metadata(replay: ArxivReplay, tmp_path: Path) -> None:
    replay.on_query(replay.feed([entry(3)]), id_list="2401.00003,2401.00009")
    replay.on_query(replay.feed([entry(3)]), id_list="2401.00003")
    replay.on_pdf("2401.00003v1", paper_pdf(tmp_path, 3))
    assistant = built(ScriptedGenerator(reply))
    results = assistant.fetcher.fetch(["2401.00003", "2401.00009"])
    assert [(r.path, r.status, r.paper_id) for r in results] == [
        ("2401.00009", "failed", ""),
        ("arxiv:2401.00003v1", "added", "arxiv:2401.00003v1"),
    ]
    assert assistant.library.get("2401.00003v1").authors == ("Ada Lovelace 3", "Grace Hopper")
    again = assistant.fetcher.fetch(["2401.00003"])
    assert [(r.status, r.paper_id) for r in again] == [("exists", "arxiv:2401.00003v1")]
    assert [r.path for r in replay.requests if r.path.startswith("/pdf/")] == ["/pdf/2401.00003v1"]


def test_the_cli_needs_a_topic_or_topics_in_the_settings() -> None:
    neither = CliRunner().invoke(app, ["digest"])
    assert (neither.exit_code, neither.output) == (2, "error: give --topic NAME or --all (one of them)\n")
    none_set = CliRunner().invoke(app, ["digest", "--all"])
    message = "error: no topics in the settings file; add [[topics]] with a name and a query\n"
    assert (none_set.exit_code, none_set.output) == (2, message)
    both = CliRunner().invoke(app, ["digest", "--topic", "x", "--since", "2024-01-01", "--days", "2"])
    assert (both.exit_code, both.output) == (1, "error: give --since or --days, not both\n")


def test_an_arxiv_pdf_nothing_can_be_read_from_leaves_no_file(replay: ArxivReplay, tmp_path: Path) -> None:
    from tests.pdfmaker import make_scanned_pdf

    replay.on_query(replay.feed([entry(4)]), id_list="2401.00004")
    replay.on_pdf("2401.00004v1", make_scanned_pdf(tmp_path / "scan.pdf").read_bytes())
    assistant = built(ScriptedGenerator(reply))
    [result] = assistant.fetcher.fetch(["2401.00004"])
    assert result.status == "failed" and "no text layer" in result.reason
    assert list(assistant.home.papers.iterdir()) == []
    assert not list((assistant.home.cache / "arxiv").iterdir())  # nor its download
    assert assistant.library.papers() == []
