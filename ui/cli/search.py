"""Commands that read the library for an answer: search passages, ask a question (one, or a batch)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.domain import Paper
from assistant.retrieval.search import paper_filter
from ui.cli.console import (
    BibOpt,
    CollectionOpt,
    JsonFlag,
    TagOpt,
    batch,
    err,
    fail,
    opened,
    out,
    print_json,
    read_jsonl,
    render_answer,
    render_hits,
    write_file,
)
from ui.cli.group import app

PaperOpt = Annotated[
    list[str] | None,
    typer.Option("--paper", "-p", help="Only this paper (id, id prefix, arXiv id or DOI); repeatable."),
]


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many passages.", min=1, max=200)] = 10,
    paper: PaperOpt = None,
    year_from: Annotated[int | None, typer.Option(help="Only papers from this year on.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Only papers up to this year.")] = None,
    collection: CollectionOpt = None,
    tag: TagOpt = None,
    queries: Annotated[
        Path | None,
        typer.Option(
            help='JSON-lines file of {"id", "query"}; prints one JSON line per query (exit status 1 '
            "when any failed)."
        ),
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
      paperlamp search "attention" --collection "Thesis/Chapter 2" --tag unread
      paperlamp search --queries queries.jsonl > hits.jsonl
    """
    if (query is None) == (queries is None):
        fail("give a QUERY or --queries FILE (one of them)", 2)
    with opened() as assistant:
        ids = [assistant.library.get(p).id for p in paper or []]
        where = paper_filter(ids, year_from, year_to, collection or (), tag or ())
        if queries is not None:
            batch(
                read_jsonl(queries, "query"),
                lambda row: {
                    "id": row.get("id"),
                    "hits": [
                        h.to_json() for h in assistant.searcher.search(row["query"], k, where, rerank=rerank)
                    ],
                },
                lambda row, error: {"id": row.get("id"), "error": error, "hits": []},
            )
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
    collection: CollectionOpt = None,
    tag: TagOpt = None,
    bib: BibOpt = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print Markdown citing [@citekey, p. N] (Pandoc, Quarto).")
    ] = False,
    questions: Annotated[
        Path | None,
        typer.Option(
            help='JSON-lines file of {"id", "question"}; prints one JSON line each (exit status 1 '
            "when any failed)."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer a question from the library, citing paper, page and a quoted span.

    When the library holds no evidence, the answer says so and shows the closest passages.

    \b
    Examples:
      paperlamp ask "What loss does the U-Net paper use?"
      paperlamp ask "Which dataset is used?" --paper arxiv:1505.04597v1 --json
      paperlamp ask "What limits the method?" --collection Thesis --markdown --bib refs.bib
      paperlamp ask --questions questions.jsonl > answers.jsonl
    """
    if (question is None) == (questions is None):
        fail("give a QUESTION or --questions FILE (one of them)", 2)
    if as_json and markdown:
        fail("give --json or --markdown, not both", 2)
    with opened() as assistant:
        ids = [assistant.library.get(p).id for p in paper or []]
        where = paper_filter(ids, collections=collection or (), tags=tag or ())
        if questions is not None:
            works: dict[str, Paper] = {}  # every work any answer cites, for --bib

            def answered(row: dict[str, Any]) -> dict[str, Any]:
                answer = assistant.asker.ask(row["question"], where, row.get("id"))
                cited, keys = assistant.bibliography.cited(answer.citations)
                works.update((p.id, p) for p in cited)
                return with_citekeys(answer.to_json(), keys)

            try:
                batch(
                    read_jsonl(questions, "question"),
                    answered,
                    lambda row, error: {"id": row.get("id"), "question": row["question"], "error": error},
                )
            finally:  # a failed line still leaves the works the others cited
                if bib is not None:
                    write_file(bib, assistant.bibliography.bibtex(list(works.values())))
            return
        with err.status("reading the evidence…") if err.is_terminal else nullcontext():
            answer = assistant.asker.ask(question or "", where)
        cited, keys = assistant.bibliography.cited(answer.citations)
        if bib is not None:
            write_file(bib, assistant.bibliography.bibtex(cited))
        text = assistant.bibliography.answer_markdown(answer) if markdown else ""
    if as_json:
        print_json(with_citekeys(answer.to_json(), keys))
    elif markdown:
        out.print(text, end="", markup=False)
    else:
        render_answer(answer)


def with_citekeys(data: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    """An answer's JSON with each citation's citekey beside its paper id (as `--markdown` cites it)."""
    for citation in data["citations"]:
        citation["citekey"] = keys.get(citation["paper_id"], "")
    return data
