"""Table questions answered from the cell their row and column name, the whole row cited, no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answers.cells import lookup
from assistant.build import build_assistant
from assistant.domain import Hit
from assistant.settings import load_settings
from ingest.tables import Table
from tests.fakes import HashingEmbedder, ScriptedGenerator
from tests.pdfmaker import make_table_pdf
from tests.test_tables import BODY, OTHER, OTHER_BODY, SPEC


def _hit(table: Table, n: int = 0) -> Hit:
    """A retrieved table passage, as the chunker writes it."""
    return Hit(
        f"c{n}",
        f"p{n}",
        "A paper",
        "",
        "",
        table.page,
        table.page,
        "4 Results",
        table.markdown(),
        1.0,
        kind="table",
    )


def _table(caption: str, header: tuple[str, ...], *rows: tuple[str, ...]) -> Table:
    return Table(caption.split(":")[0], caption, 6, (0.0, 0.0, 1.0, 1.0), header, rows)


CROWD = _table(
    "Table 1: Mean absolute error of counting methods on UCF.",
    ("Method", "MAE"),
    ("AMDCN", "290.82"),
    ("MCNN [28]", "377.60"),
)
SPLITS = _table(
    "Table 3: Counting on UCSD splits.",
    ("Method", "maximal", "upscale"),
    ("AMDCN (without perspective)", "1.63", "0.63"),
    ("AMDCN (with perspective)", "1.60", "1.37"),
)


def test_a_cell_is_named_by_its_row_and_an_abbreviated_column() -> None:
    cell = lookup("What mean absolute error does MCNN reach on UCF?", [_hit(CROWD)])
    assert cell is not None
    assert (cell.value, cell.column, cell.row) == ("377.60", "MAE", "MCNN [28] | MAE 377.60")
    assert cell.answer() == "377.60 (Table 1, row “MCNN”, column “MAE”)"


def test_the_row_naming_the_question_s_words_and_no_others_wins() -> None:
    cell = lookup("What upscale error does AMDCN without perspective reach?", [_hit(SPLITS)])
    assert cell is not None and cell.value == "0.63"
    with_it = lookup("What upscale error does AMDCN with perspective reach?", [_hit(SPLITS)])
    assert with_it is not None and with_it.value == "1.37"


@pytest.mark.parametrize(
    ("question", "tables"),
    [
        ("What does AMDCN without perspective reach?", [SPLITS]),  # no column named, two hold figures
        ("How well does AMDCN do on the upscale split?", [SPLITS]),  # two AMDCN rows named as well
        ("Does MCNN reach a mean absolute error of 377.60?", [CROWD]),  # yes/no: not a value to read
        ("What mean absolute error does CSRNet reach?", [CROWD, SPLITS]),  # no row of them is named
    ],
)
def test_a_question_naming_no_single_cell_is_left_to_the_sentences(
    question: str, tables: list[Table]
) -> None:
    assert lookup(question, [_hit(t, n) for n, t in enumerate(tables)]) is None


def test_the_table_naming_more_of_the_question_tells_two_named_cells_apart() -> None:
    other = _table("Table 4: Counting on UCSD.", ("Method", "MAE"), ("AMDCN (without perspective)", "16.6"))
    question = "What mean absolute error does AMDCN without perspective get on the upscale split?"
    cell = lookup(question, [_hit(other), _hit(SPLITS, 1)])
    assert cell is not None and (cell.value, cell.passage) == ("0.63", 1)


def test_an_ask_naming_a_row_and_column_is_answered_from_the_cell_without_the_model(tmp_path: Path) -> None:
    generator = ScriptedGenerator("ConvS2S reaches 25.16 [1].")
    built = build_assistant(load_settings(home=tmp_path), embedder=HashingEmbedder(), generator=generator)
    built.asker.min_evidence = 0.1  # the hashing embedder's similarities are low
    list(built.library.add([make_table_pdf(tmp_path / "mt.pdf", SPEC, BODY)]))
    list(built.library.add([make_table_pdf(tmp_path / "parse.pdf", OTHER, OTHER_BODY)]))

    answer = built.asker.ask("What BLEU score does ConvS2S reach on English-to-French?")
    assert answer.answer == "40.46 (Table 2, row “ConvS2S”, column “BLEU EN-FR”). [1]"
    [citation] = answer.citations
    assert (citation.quote, citation.page) == ("ConvS2S | BLEU EN-DE 25.16 | BLEU EN-FR 40.46", 1)
    assert answer.table_cell and answer.to_json()["table_cell"] and answer.to_json()["quoted"]
    parser = built.asker.ask("What F1 does the shift-reduce parser get on the Brown corpus?")
    assert parser.answer == "85.2 (Table 1, row “Shift-reduce”, column “F1 Brown”). [1]"
    assert generator.prompts == []  # no model was asked

    loose = built.asker.ask("How well does ConvS2S do in BLEU?")  # which of the two BLEU columns?
    assert not loose.table_cell and "table_cell" not in loose.to_json()
    assert generator.prompts  # the model answers what no cell does
    built.close()
