"""The `paperlamp` command line: one Typer group, people-friendly output, `--json` for scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.errors import PaperlampError
from assistant.search import paper_filter
from ui.console import (
    JsonFlag,
    PaperRef,
    err,
    fail,
    opened,
    out,
    print_json,
    progress_bar,
    read_jsonl,
    render_answer,
    render_hits,
)

app = typer.Typer(
    name="paperlamp",
    help="A local-first research assistant for scientific papers: keep a library of PDFs, "
    "search it, and get answers with citations you can check. Nothing leaves your machine.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PaperOpt = Annotated[
    list[str] | None,
    typer.Option("--paper", "-p", help="Only this paper (id, id prefix, arXiv id or DOI); repeatable."),
]


def main() -> None:
    """Entry point of the `paperlamp` command."""
    app()


@app.command()
def add(
    paths: Annotated[list[Path], typer.Argument(help="PDF files or folders (searched recursively).")],
    as_json: JsonFlag = False,
) -> None:
    """Add PDFs to the library: read, chunk, embed and store them.

    Adding the same PDF again changes nothing; an add that was interrupted is completed by
    running it again. Exit status 1 when any file failed; the others are still added.

    \b
    Examples:
      paperlamp add paper.pdf
      paperlamp add ~/Downloads/papers --json
    """
    failed = 0
    with opened() as assistant, progress_bar("adding") as progress:
        for result in assistant.library.add(paths, progress):
            failed += not result.ok
            if as_json:
                print_json(result.to_json())
            elif result.ok:
                verb = {"added": "added", "resumed": "finished", "exists": "already in library"}
                err.print(
                    f"[green]{verb[result.status]}[/green] {escape(result.title)} "
                    f"[dim]({result.paper_id[:19]}, {result.pages} pages, {result.chunks} chunks,"
                    f" {result.seconds:.1f} s)[/dim]"
                )
            else:
                err.print(f"[red]failed[/red] {escape(result.reason)}")
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_papers(as_json: JsonFlag = False) -> None:
    """List the papers in the library.

    \b
    Example:
      paperlamp list --json
    """
    with opened() as assistant:
        papers = assistant.library.papers()
    if as_json:
        print_json([_paper_json(p) for p in papers])
        return
    if not papers:
        out.print("The library is empty. Add papers with: paperlamp add FILE.pdf")
        return
    table = Table("id", "title", "authors", "year", "pages", box=None)
    for p in papers:
        authors = ", ".join(p.authors[:2]) + (" et al." if len(p.authors) > 2 else "")
        table.add_row(p.id[:19], escape(p.title[:70]), escape(authors[:40]), str(p.year or ""), str(p.pages))
    out.print(table)


@app.command()
def show(
    paper: PaperRef,
    as_json: JsonFlag = False,
) -> None:
    """Show one paper's record: metadata, abstract and sections.

    \b
    Example:
      paperlamp show sha256:3177f8b7
    """
    with opened() as assistant:
        record = assistant.library.get(paper)
        chunks = assistant.library.chunks(record.id)
    sections = list(dict.fromkeys(c.section for c in chunks if c.section))
    if as_json:
        print_json(_paper_json(record) | {"chunks": len(chunks), "sections": sections})
        return
    out.print(f"[bold]{escape(record.title)}[/bold]")
    for label, value in (
        ("id", record.id),
        ("authors", ", ".join(record.authors)),
        ("affiliations", "; ".join(record.affiliations)),
        ("year", record.year or ""),
        ("doi", record.doi),
        ("arXiv", record.arxiv_id),
        ("keywords", ", ".join(record.keywords)),
        ("code", " ".join(record.code_urls)),
        ("pages", record.pages),
        ("source", record.source),
        ("added", record.added_at),
        ("chunks", len(chunks)),
    ):
        if value:
            out.print(f"[dim]{label:>12}[/dim]  {escape(str(value))}")
    if record.abstract:
        out.print(f"\n{escape(record.abstract)}")
    if sections:
        out.print("\n[dim]Sections:[/dim] " + escape(" · ".join(sections)))


@app.command()
def remove(
    paper: PaperRef,
    as_json: JsonFlag = False,
) -> None:
    """Remove a paper, its chunks, vectors and kept PDF from the library.

    \b
    Example:
      paperlamp remove sha256:3177f8b7
    """
    with opened() as assistant:
        removed = assistant.library.remove(paper)
    if as_json:
        print_json({"removed": removed.id, "title": removed.title})
    else:
        err.print(f"removed {escape(removed.title)} ({removed.id[:19]})")


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many passages.", min=1, max=200)] = 10,
    paper: PaperOpt = None,
    year_from: Annotated[int | None, typer.Option(help="Only papers from this year on.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Only papers up to this year.")] = None,
    queries: Annotated[
        Path | None,
        typer.Option(help='JSON-lines file of {"id", "query"}; prints one JSON line per query.'),
    ] = None,
    rerank: Annotated[
        bool | None,
        typer.Option(
            "--rerank/--no-rerank",
            help="Reorder the best results by their closest sentence (slower; default: the "
            "retrieval.rerank_search setting).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Search the library by meaning and by keyword (hybrid dense + BM25).

    \b
    Examples:
      paperlamp search "contrastive loss temperature"
      paperlamp search "dropout" -k 5 --year-from 2020 --json
      paperlamp search "which loss handles class imbalance" --rerank
      paperlamp search --queries queries.jsonl > hits.jsonl
    """
    if (query is None) == (queries is None):
        fail("give a QUERY or --queries FILE (one of them)", 2)
    with opened() as assistant:
        ids = [assistant.library.get(p).id for p in paper or []]
        where = paper_filter(ids, year_from, year_to)
        if queries is not None:
            for row in read_jsonl(queries, "query"):
                hits = _guarded(
                    lambda row=row: assistant.searcher.search(row["query"], k, where, rerank=rerank)
                )
                print_json({"id": row.get("id"), **_hits_or_error(hits)})
            return
        hits = assistant.searcher.search(query or "", k, where, rerank=rerank)
    if as_json:
        print_json([h.to_json() for h in hits])
    else:
        render_hits(hits)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="Your question.")] = None,
    paper: PaperOpt = None,
    questions: Annotated[
        Path | None,
        typer.Option(help='JSON-lines file of {"id", "question"}; prints one JSON line each.'),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer a question from the library, citing paper, page and a quoted span.

    When the library holds no evidence, the answer says so and shows the closest passages.

    \b
    Examples:
      paperlamp ask "What loss does the U-Net paper use?"
      paperlamp ask "Which dataset is used?" --paper arxiv:1505.04597v1 --json
      paperlamp ask --questions questions.jsonl > answers.jsonl
    """
    if (question is None) == (questions is None):
        fail("give a QUESTION or --questions FILE (one of them)", 2)
    with opened() as assistant:
        ids = [assistant.library.get(p).id for p in paper or []]
        where = paper_filter(ids)
        if questions is not None:
            for row in read_jsonl(questions, "question"):
                answer = _guarded(lambda row=row: assistant.asker.ask(row["question"], where, row.get("id")))
                print_json(
                    answer.to_json()
                    if not isinstance(answer, str)
                    else {"id": row.get("id"), "question": row["question"], "error": answer}
                )
            return
        with err.status("reading the evidence…") if err.is_terminal else _null():
            answer = assistant.asker.ask(question or "", where)
    if as_json:
        print_json(answer.to_json())
    else:
        render_answer(answer)


def _guarded(call):  # type: ignore[no-untyped-def]
    """Run one batch item; a PaperlampError becomes its message so the batch goes on."""
    try:
        return call()
    except PaperlampError as exc:
        return str(exc)


def _hits_or_error(hits: object) -> dict[str, object]:
    if isinstance(hits, str):
        return {"error": hits, "hits": []}
    return {"hits": [h.to_json() for h in hits]}  # type: ignore[attr-defined]


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _paper_json(p: object) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(p)  # type: ignore[call-overload]
    data.pop("status", None)
    return data


# Importing these modules registers their commands on `app` (doctor, demo, ui, compare, digest, eval,
# fetch, summarize).
from ui import cli_admin, cli_app, cli_compare, cli_digest, cli_eval  # noqa: E402,F401
