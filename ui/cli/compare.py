"""`paperlamp compare`: a matrix of aspects by papers, each cell cited from its own paper."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.answers.compare import DEFAULT_ASPECTS, Comparison, to_csv, to_markdown
from assistant.library.bibliography import pandoc_cells
from ui.cli.console import (
    BibOpt,
    CollectionOpt,
    JsonFlag,
    TagOpt,
    fail,
    opened,
    out,
    print_json,
    progress_bar,
    write_file,
)
from ui.cli.group import app


@app.command()
def compare(
    papers: Annotated[
        list[str] | None, typer.Argument(help="Two or more paper ids (id prefix, arXiv id or DOI).")
    ] = None,
    collection: CollectionOpt = None,
    tag: TagOpt = None,
    aspects: Annotated[
        str, typer.Option("--aspects", "-a", help="Comma-separated aspects to compare.")
    ] = ",".join(DEFAULT_ASPECTS),
    as_json: JsonFlag = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (one row per aspect).")] = False,
    bib: BibOpt = None,
) -> None:
    """Compare papers side by side: each cell is written from that paper's own passages.

    Every cell's sentences are checked against the passages they cite, and quotes are verbatim;
    when the model's text does not hold up, the cell quotes the paper instead. --collection and
    --tag add the papers they select; --markdown cites [@citekey, p. N].

    \b
    Examples:
      paperlamp compare arxiv:1505.04597 arxiv:1706.03762
      paperlamp compare sha256:3177f8b7 sha256:9a01c2d4 --aspects method,data --markdown
      paperlamp compare ID1 ID2 ID3 --json > matrix.json
      paperlamp compare --collection "Thesis/Chapter 2" --markdown --bib refs.bib
    """
    if as_json + as_markdown + as_csv > 1:
        fail("give at most one of --json, --markdown, --csv", 2)
    with opened() as assistant:
        refs = list(papers or [])
        if collection or tag:
            refs += [p.id for p in assistant.library.papers_in(collection or (), tag or ())]
        with progress_bar("comparing") as progress:
            comparison = assistant.comparer.compare(refs, aspects.split(","), progress)
        keys = assistant.bibliography.citekeys(comparison.papers)
        if bib is not None:
            write_file(bib, assistant.bibliography.bibtex(list(comparison.papers)))
    if as_json:
        print_json(comparison.to_json())
    elif as_markdown:
        out.print(
            to_markdown(replace(comparison, cells=pandoc_cells(comparison.cells, keys))), end="", markup=False
        )
    elif as_csv:
        out.print(to_csv(comparison), end="", markup=False)
    else:
        _render(comparison)


def _render(comparison: Comparison) -> None:
    table = Table("aspect", *(escape(p.title[:40]) for p in comparison.papers), show_lines=True)
    for aspect in comparison.aspects:
        row = [comparison.cells[aspect][p.id] for p in comparison.papers]
        table.add_row(aspect, *(escape(c.text) for c in row))
    out.print(table)
    for aspect in comparison.aspects:
        for paper in comparison.papers:
            for c in comparison.cells[aspect][paper.id].citations:
                out.print(
                    f"[dim]{aspect} · {escape(paper.title[:40])} [{c.n}] p. {c.page}: {escape(c.quote)}[/dim]"
                )
