"""Tables as passages: read from their rules and caption, chunked as named rows, found and cited by row."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.build import build_assistant
from assistant.digests.render import summary_markdown
from assistant.settings import load_settings
from assistant.summaries.fields import Field, Quote
from ingest.chunking import chunk_document, table_rows
from ingest.pdf import read_pdf
from ingest.result_rows import headline_row
from ingest.tables import Table, join_continued
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import TableSpec, make_long_table_pdf, make_table_pdf

SPEC = TableSpec(
    caption="Table 2: BLEU scores of translation models on newstest2014.",
    span="BLEU",
    header=("Model", "EN-DE", "EN-FR"),
    rows=(
        ("ByteNet", "23.75", "39.20"),
        ("ConvS2S", "25.16", "40.46"),
        ("Transformer (big)", "28.4", "41.8"),
    ),
)
BODY = (
    "We compare the models on the standard newstest2014 sets for English to German and English to "
    "French. Training took three days on eight machines, and every model saw the same data."
)
ROW = "Transformer (big) | BLEU EN-DE 28.4 | BLEU EN-FR 41.8"
OTHER = TableSpec(
    caption="Table 1: Parsing F1 on the WSJ test set.",
    span="F1",
    header=("Parser", "WSJ", "Brown"),
    rows=(("Chart parser", "88.1", "84.0"), ("Shift-reduce", "89.5", "85.2")),
)
OTHER_BODY = "The parsers were trained on sections 2 to 21 and tested on section 23 of the treebank."


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page paper with a rule-only results table (the kind find_tables() misses)."""
    return make_table_pdf(tmp_path_factory.mktemp("tables") / "bleu.pdf", SPEC, BODY)


def test_a_rule_only_table_is_read_as_named_rows(paper: Path) -> None:
    doc = read_pdf(paper)
    [table] = doc.tables
    assert table == Table(
        label="Table 2",
        caption=SPEC.caption,
        page=1,
        bbox=table.bbox,
        header=("Model", "BLEU EN-DE", "BLEU EN-FR"),
        rows=tuple(tuple(r) for r in SPEC.rows),
    )
    assert table.row_lines()[2] == ROW
    # The cells are the table's passage, not scrambled body text as well.
    assert "41.8" not in doc.text and "ConvS2S" not in doc.text
    assert "Training took three days" in doc.text


def test_a_table_is_its_own_chunk_in_markdown(paper: Path) -> None:
    chunks = chunk_document(read_pdf(paper), lambda texts: [len(t.split()) for t in texts])
    table = [c for c in chunks if c.kind == "table"]
    assert [c.kind for c in chunks] == ["text", "text", "table"]  # title, 4 Results, the table
    assert table[0].text == (
        f"{SPEC.caption}\n| Model | BLEU EN-DE | BLEU EN-FR |\n| --- | --- | --- |\n"
        "| ByteNet | BLEU EN-DE 23.75 | BLEU EN-FR 39.20 |\n"
        "| ConvS2S | BLEU EN-DE 25.16 | BLEU EN-FR 40.46 |\n"
        f"| {ROW} |"
    )
    assert (table[0].page_start, table[0].section) == (1, "4 Results")
    assert table_rows(table[0].text)[2] == ROW


def test_a_long_table_is_split_into_runs_of_whole_rows_under_its_header(paper: Path) -> None:
    chunks = chunk_document(read_pdf(paper), lambda texts: [len(t.split()) for t in texts], max_tokens=30)
    tables = [c.text for c in chunks if c.kind == "table"]
    assert len(tables) == 3
    assert all(t.startswith(f"{SPEC.caption}\n| Model | BLEU EN-DE | BLEU EN-FR |\n") for t in tables)
    assert [table_rows(t) for t in tables][2] == [ROW]


def test_a_table_row_is_found_and_cited_whole(paper: Path) -> None:
    generator = ScriptedGenerator("The big Transformer reaches 28.4 BLEU on English to German [1].")
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    built.asker.min_evidence = 0.1  # the hashing embedder's similarities are low
    list(built.library.add([paper]))
    [hit] = built.searcher.search("ConvS2S BLEU newstest2014", 1)
    assert hit.kind == "table"
    answer = built.asker.ask("What BLEU score does the big Transformer reach on EN-DE?")
    [citation] = answer.citations
    assert citation.quote == ROW
    assert citation.page == 1
    _, _, _, metadatas = built.library.store.page(0, 10)
    assert sorted(m["kind"] for m in metadatas) == ["table", "text", "text"]  # one window each
    summary = built.summarizer.summarize(built.library.get(hit.paper_id))
    sentences = {k: v for k, v in summary.to_json().items() if k != "results_table"}
    quoted = [q.text for f in sentences.values() if isinstance(f, dict) for q in _quotes(f)]
    assert quoted and not any("|" in q or "28.4" in q for q in quoted)  # rows are no summary sentences
    built.close()


def test_the_results_field_gets_the_paper_s_own_row_of_its_results_table(tmp_path: Path) -> None:
    claim = "Our Transformer (big) achieves 28.4 BLEU on English to German and 41.8 on English to French."
    body = f"Training took three days on eight machines, and every model saw the same data. {claim}"
    pdf = make_table_pdf(tmp_path / "claim.pdf", SPEC, body)
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=ScriptedGenerator("no"))
    [added] = built.library.add([pdf])
    summary = built.summarizer.summarize(built.library.get(added.paper_id))
    units = [
        summary.tasks_results,
        summary.conclusion_performance,
        summary.one_line,
        *summary.takeaways.units,
    ]
    assert claim in [q.text for u in units for q in u.quotes]
    assert summary.results_table == Field(f"Table 2: {ROW}", "paper", (Quote(ROW, 1),))
    post = "\n".join(summary_markdown(summary))
    assert f"**In the paper's table**: “Table 2: {ROW}” <sub>(p. 1) *the paper's words*</sub>" in post
    built.close()


def _table(rows: list[str], caption: str = "Table 3: Results on the test set.") -> tuple[str, int]:
    return "\n".join([caption, "| Model | F1 |", "| --- | --- |", *(f"| {r} |" for r in rows)]), 6


def test_a_row_citing_another_paper_or_sharing_no_number_is_no_headline() -> None:
    claim = ["Our parser reaches an F1 of 91.7 on WSJ."]
    cited = _table(["Dyer et al. (2016) [8] | F1 91.7", "Petrov [29] | F1 90.4"])
    assert headline_row([cited], ("LoomParse",), claim) is None  # another paper's row, though 91.7
    assert headline_row([_table(["Baseline | F1 88.1"])], (), claim) is None
    named = _table(["Baseline | F1 88.1", "LoomParse (large) | F1 92.0"])
    row = headline_row([named], ("LoomParse",), claim)
    assert row is not None and (row.text, row.page) == ("Table 3: LoomParse (large) | F1 92.0", 6)
    subject = _table(["LoomParse (base) | F1 90.2", "LoomParse (large) | F1 91.0"])
    said = ["LoomParse (base) achieves 90.2 F1 while parsing twice as fast."]
    assert headline_row([subject], (), said).line == "LoomParse (base) | F1 90.2"  # type: ignore[union-attr]


def _quotes(field: dict) -> list[Any]:
    """The quotes of a summary field or list, as objects with a `text`."""
    units = field.get("items", [field])
    return [SimpleNamespace(**q) for u in units if isinstance(u, dict) for q in u.get("quotes", [])]


def test_a_number_the_cited_row_lacks_is_not_accepted(paper: Path) -> None:
    generator = ScriptedGenerator("The big Transformer reaches 29.3 BLEU on English to German [1].")
    built = build_assistant(load_settings(), embedder=HashingEmbedder(), generator=generator)
    built.asker.min_evidence = 0.1
    list(built.library.add([paper]))
    answer = built.asker.ask("What BLEU score does the big Transformer reach on EN-DE?")
    assert "29.3" not in answer.answer
    assert all("29.3" not in c.quote for c in answer.citations)
    built.close()


def test_dense_retrieval_finds_the_row_by_meaning(paper: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    built = build_assistant(load_settings(), embedder=real_embedder)
    list(built.library.add([paper]))
    [hit] = built.searcher.search("translation quality of the large Transformer, English-French", 1)
    assert hit.kind == "table" and hit.dense > 0
    built.close()


def _words(y: float, cells: list[tuple[float, str]]) -> list[tuple[float, float, float, float, str]]:
    """One line of words at height y, each (x, text) as wide as 5 points a character."""
    return [(x, y, x + 5 * len(text), y + 9, text) for x, text in cells]


def test_two_stacked_tables_captioned_below_each_get_their_own_caption() -> None:
    from ingest.tables import find_tables

    rules = [(80.0, y, 400.0, y + 0.5) for y in (70, 85, 130, 200, 215, 260)]
    words = [
        *_words(73, [(90, "Model"), (300, "F1")]),
        *_words(95, [(90, "Alpha"), (300, "71.3")]),
        *_words(110, [(90, "Beta"), (300, "64.2")]),
        *_words(203, [(90, "Model"), (300, "Recall")]),
        *_words(225, [(90, "Gamma"), (300, "0.27")]),
    ]
    captions = [
        ((150.0, 136.0, 330.0, 146.0), "Table 5: Results on the first set."),
        ((150.0, 266.0, 330.0, 276.0), "Table 6: Results on the second set."),
    ]
    tables = find_tables(8, words, rules, captions)
    assert [(t.label, t.rows) for t in tables] == [
        ("Table 5", (("Alpha", "71.3"), ("Beta", "64.2"))),
        ("Table 6", (("Gamma", "0.27"),)),
    ]


def test_a_table_continued_on_the_next_page_keeps_its_caption_there(tmp_path: Path) -> None:
    rest = TableSpec(
        caption="Table 2 (continued)",  # the PDF font has no en dash: "Table 2 – continued ..." below
        span=SPEC.span,
        header=SPEC.header,
        rows=(("GNMT + RL", "24.6", "39.92"), ("MoE", "26.03", "40.56")),
        top=100.0,
    )
    doc = read_pdf(make_long_table_pdf(tmp_path / "long.pdf", SPEC, rest, BODY))
    assert [(t.label, t.page, t.caption) for t in doc.tables] == [
        ("Table 2", 1, SPEC.caption),
        ("Table 2", 2, f"{SPEC.caption} (continued)"),
    ]
    assert doc.tables[1].row_lines()[1] == "MoE | BLEU EN-DE 26.03 | BLEU EN-FR 40.56"
    assert "40.56" not in doc.text  # read as the table's rows, not as body text
    dashed = replace(doc.tables[1], caption="Table 2 – continued from previous page")
    assert join_continued([doc.tables[0], dashed])[1].caption == f"{SPEC.caption} (continued)"
    # No first part read, or another header (no repeated header, a cell taken for one): body text.
    assert join_continued([dashed]) == []
    assert join_continued([doc.tables[0], replace(dashed, header=("", "28 publicly available", ""))]) == [
        doc.tables[0]
    ]


def test_a_group_name_without_a_rule_under_it_names_every_column_it_is_centred_over() -> None:
    from ingest.tables import find_tables

    rules = [(80.0, y, 400.0, y + 0.5) for y in (70, 100, 140)]
    words = [
        *_words(73, [(235, "Full"), (330, "Dev")]),  # "Full" over P, R and F1; "Dev" over one column
        *_words(86, [(90, "Model"), (200, "P"), (240, "R"), (280, "F1"), (330, "Acc")]),
        *_words(110, [(90, "Alpha"), (200, "70.1"), (240, "72.5"), (280, "71.3"), (330, "80.2")]),
        *_words(125, [(90, "Beta"), (200, "60.0"), (240, "68.8"), (280, "64.2"), (330, "77.9")]),
    ]
    [table] = find_tables(5, words, rules, [((150.0, 50.0, 330.0, 60.0), "Table 2: Results.")])
    assert table.header == ("Model", "Full P", "Full R", "Full F1", "Dev Acc")
    assert table.row_lines()[0] == "Alpha | Full P 70.1 | Full R 72.5 | Full F1 71.3 | Dev Acc 80.2"


def test_one_rule_drawn_under_two_group_names_is_shared_between_them() -> None:
    from ingest.tables import find_tables

    rules = [(80.0, 70.0, 400.0, 70.5), (150.0, 84.0, 400.0, 84.5), (80.0, 100.0, 400.0, 100.5)]
    rules.append((80.0, 140.0, 400.0, 140.5))
    words = [
        *_words(73, [(180, "Auto"), (320, "Real")]),
        *_words(88, [(90, "Method"), (160, "P"), (220, "R"), (300, "P"), (360, "R")]),
        *_words(110, [(90, "Alpha"), (160, "0.61"), (220, "0.42"), (300, "0.55"), (360, "0.48")]),
        *_words(125, [(90, "Beta"), (160, "0.58"), (220, "0.40"), (300, "0.51"), (360, "0.47")]),
    ]
    [table] = find_tables(10, words, rules, [((150.0, 50.0, 330.0, 60.0), "Table 8: Ablation.")])
    assert table.header == ("Method", "Auto P", "Auto R", "Real P", "Real R")


def test_a_column_name_wrapped_over_two_lines_stays_one_column_s_name() -> None:
    from ingest.tables import find_tables

    rules = [(80.0, y, 400.0, y + 0.5) for y in (70, 100, 140)]
    words = [
        *_words(73, [(235, "Distance to")]),  # the name goes on under it: no group over columns
        *_words(86, [(90, "Position"), (160, "Modification"), (240, "A2451 (Å)"), (320, "Enzyme")]),
        *_words(110, [(90, "2251"), (160, "Gm"), (240, "6.1"), (320, "RlmB")]),
        *_words(125, [(90, "2552"), (160, "Um"), (240, "9.8"), (320, "RlmE")]),
    ]
    [table] = find_tables(2, words, rules, [((150.0, 50.0, 330.0, 60.0), "Table 1: Sites.")])
    assert table.header == ("Position", "Modification", "Distance to A2451 (Å)", "Enzyme")


def test_a_results_cell_cites_the_paper_s_own_table_row_beside_its_sentence(
    tmp_path: Path,
    real_embedder,  # type: ignore[no-untyped-def]
) -> None:
    claim = "The Transformer (big) achieves 28.4 BLEU on English to German and 41.8 on English to French."
    built = build_assistant(load_settings(), embedder=real_embedder, generator=ScriptedGenerator("no"))
    ids = [r.paper_id for r in built.library.add([make_table_pdf(tmp_path / "a.pdf", SPEC, claim)])]
    ids += [r.paper_id for r in built.library.add([make_table_pdf(tmp_path / "b.pdf", OTHER, OTHER_BODY)])]
    cells = built.comparer.compare(ids, ["results"]).cells["results"]
    cell = cells[ids[0]]
    assert cell.text == f"“{claim}” [1] Table 2: {ROW} [2]"
    assert [(c.n, c.page, c.quote) for c in cell.citations] == [(1, 1, claim), (2, 1, ROW)]
    assert len(cells[ids[1]].citations) == 1  # no row of its table states what its sentence states
    built.close()
