"""Commands on the library itself: add PDFs, fetch from arXiv, list, show and remove papers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.domain import AddResult, Paper
from ui.cli.console import JsonFlag, PaperRef, err, opened, out, print_json, progress_bar
from ui.cli.group import app

_VERBS = {"added": "added", "resumed": "finished", "exists": "already in library"}


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
            _report(result, as_json)
    if failed:
        raise typer.Exit(1)


@app.command()
def fetch(
    ids: Annotated[list[str], typer.Argument(help="arXiv ids, e.g. 2401.01234 or 2401.01234v2.")],
    as_json: JsonFlag = False,
) -> None:
    """Add papers from arXiv to the library by id (PDF, metadata from arXiv).

    Exit status 1 when any paper failed; the others are still added.

    \b
    Example:
      paperlamp fetch 1505.04597 1706.03762v7
    """
    with opened() as assistant, progress_bar("fetching") as progress:
        results = assistant.fetcher.fetch(ids, progress)
    for result in results:
        _report(result, as_json)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def _report(result: AddResult, as_json: bool) -> None:
    """One line per file or id: JSON, or what happened to it for people."""
    if as_json:
        print_json(result.to_json())
    elif result.ok:
        details = f"{result.paper_id[:19]}, {result.pages} pages"
        if result.chunks:
            details += f", {result.chunks} chunks, {result.seconds:.1f} s"
        err.print(f"[green]{_VERBS[result.status]}[/green] {escape(result.title)} [dim]({details})[/dim]")
    else:
        err.print(f"[red]failed[/red] {escape(result.reason)}")


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
        print_json([paper_json(p) for p in papers])
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
        sources = assistant.library.sources(record.id)
        collections, tags = assistant.library.labels_of(record.id)
        citekey = assistant.bibliography.citekeys([record])[record.id]
    sections = list(dict.fromkeys(c.section for c in chunks if c.section))
    links = [s.link for s in sources if s.link]
    if as_json:
        imported = [
            {"kind": s.kind, "key": s.key, "role": s.role, "link": s.link, "file": s.file} for s in sources
        ]
        print_json(
            paper_json(record)
            | {"chunks": len(chunks), "sections": sections, "citekey": citekey}
            | {"collections": collections, "tags": tags, "sources": imported}
        )
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
        ("OCR pages", _page_list(record.ocr_pages)),
        ("source", record.source),
        ("added", record.added_at),
        ("chunks", len(chunks)),
        ("citekey", citekey),
        ("collections", "; ".join(collections)),
        ("tags", ", ".join(tags)),
        ("zotero", " ".join(links)),
        ("other files", " ".join(s.file for s in sources if s.role == "file")),
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
        print_json({"paper_id": removed.id, "title": removed.title})
    else:
        err.print(f"removed {escape(removed.title)} ({removed.id[:19]})")


def _page_list(pages: tuple[int, ...]) -> str:
    """Pages as "1-3, 7" (read by Tesseract, so a reader knows the text is OCR's)."""
    runs: list[list[int]] = []
    for page in pages:
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"{text} (text read by OCR)" if text else ""


def paper_json(paper: Paper) -> dict[str, object]:
    """A library paper in the JSON vocabulary of every command: its id is `paper_id`."""
    return {
        "paper_id": paper.id,
        "sha256": paper.sha256,
        "title": paper.title,
        "authors": list(paper.authors),
        "affiliations": list(paper.affiliations),
        "year": paper.year,
        "abstract": paper.abstract,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "keywords": list(paper.keywords),
        "code_urls": list(paper.code_urls),
        "pages": paper.pages,
        "source": paper.source,
        "file": paper.file,
        "added_at": paper.added_at,
        "ocr_pages": list(paper.ocr_pages),
        "extra": paper.extra,
    }
