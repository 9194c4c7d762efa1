"""`paperlamp import zotero|bib|csl` and `paperlamp export bib`: the researcher's own library in,
BibTeX out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assistant.library.bibliography import Selection
from assistant.library.imports import ImportResult
from ui.cli.console import (
    CollectionOpt,
    JsonFlag,
    TagOpt,
    err,
    fail,
    opened,
    out,
    print_json,
    progress_bar,
    write_file,
)
from ui.cli.group import app

imports = typer.Typer(
    help="Import a Zotero library, a .bib or a CSL-JSON file (incremental: run it again to keep in step).",
    no_args_is_help=True,
)
exports = typer.Typer(help="Export library papers as BibTeX.", no_args_is_help=True)
app.add_typer(imports, name="import")
app.add_typer(exports, name="export")

DryRun = Annotated[bool, typer.Option("--dry-run", help="Say what would happen; change nothing.")]
Prune = Annotated[
    bool,
    typer.Option("--prune", help="Remove from the library the items removed (or trashed) in the source."),
]
_COLOURS = {"failed": "red", "gone": "yellow", "no-pdf": "yellow", "removed": "yellow", "unchanged": "dim"}


@imports.command("zotero")
def import_zotero(
    data_dir: Annotated[
        Path | None, typer.Argument(help="Zotero's data directory (default: the zotero.data_dir setting).")
    ] = None,
    collection: CollectionOpt = None,
    tag: TagOpt = None,
    base_dir: Annotated[
        Path | None,
        typer.Option(
            help="Zotero's linked attachment base directory (default: the zotero.base_dir setting)."
        ),
    ] = None,
    prune: Prune = False,
    dry_run: DryRun = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a local Zotero library: items with their PDFs, metadata, collections and tags.

    Reads zotero.sqlite as a read-only snapshot (Zotero may be running) and never the web
    API. Zotero's metadata wins over the PDF's. Running it again adds new items, updates
    changed metadata without embedding again, and reports items removed in Zotero. Exit
    status 1 when any item failed; the others are still imported.

    \b
    Examples:
      paperlamp import zotero
      paperlamp import zotero ~/Zotero --collection "Thesis/Chapter 2" --tag unread
      paperlamp import zotero --dry-run --json
    """
    with opened() as assistant:
        folder = data_dir or Path(assistant.settings.zotero.data_dir).expanduser()
        with progress_bar("importing") as progress:
            results = assistant.importer.zotero(
                folder,
                collections=collection or (),
                tags=tag or (),
                base_dir=base_dir,
                prune=prune,
                dry_run=dry_run,
                progress=progress,
            )
            _report(results, as_json, dry_run)


@imports.command("bib")
def import_bib(
    file: Annotated[Path, typer.Argument(help="A .bib file (Zotero/Better BibTeX, JabRef, Mendeley...).")],
    prune: Prune = False,
    dry_run: DryRun = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a BibTeX file: each entry's PDF (its file field) with the entry's metadata.

    Entries without a PDF are matched to a paper already in the library by DOI or arXiv id,
    else reported and skipped. A broken entry is named with its line; the rest go in.

    \b
    Example:
      paperlamp import bib ~/thesis/refs.bib
    """
    with opened() as assistant, progress_bar("importing") as progress:
        _report(
            assistant.importer.bib(file, prune=prune, dry_run=dry_run, progress=progress), as_json, dry_run
        )


@imports.command("csl")
def import_csl(
    file: Annotated[Path, typer.Argument(help="A CSL-JSON file (a list of items).")],
    prune: Prune = False,
    dry_run: DryRun = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a CSL-JSON file: items with a file field bring their PDF; others match by DOI.

    \b
    Example:
      paperlamp import csl library.json --json
    """
    with opened() as assistant, progress_bar("importing") as progress:
        _report(
            assistant.importer.csl(file, prune=prune, dry_run=dry_run, progress=progress), as_json, dry_run
        )


def _report(results: Iterator[ImportResult], as_json: bool, dry_run: bool) -> None:
    """One line per item as it is done; a count at the end; exit status 1 when any failed."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        if as_json:
            print_json(result.to_json())
            continue
        if result.status == "unchanged":
            continue  # a rerun prints only what changed
        colour = _COLOURS.get(result.status, "green")
        what = (
            escape(result.reason) if result.status in ("failed", "gone", "no-pdf") else escape(result.title)
        )
        detail = (
            f" [dim]({escape(result.reason)})[/dim]" if result.reason and result.status != "failed" else ""
        )
        if result.status in ("gone", "no-pdf"):
            detail = ""
        err.print(f"[{colour}]{result.status}[/{colour}] {what}{detail}")
    if not as_json:
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to import"
        err.print(summary + (" (dry run: nothing was changed)" if dry_run else ""))
    if counts.get("failed"):
        raise typer.Exit(1)


@exports.command("bib")
def export_bib(
    papers: Annotated[
        list[str] | None, typer.Argument(help="Paper ids (id prefix, arXiv id or DOI).")
    ] = None,
    all_papers: Annotated[bool, typer.Option("--all", help="Every paper in the library.")] = False,
    collection: CollectionOpt = None,
    tag: TagOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this .bib file (default: print).")
    ] = None,
) -> None:
    """Export papers as BibTeX under stable citekeys (imported ones kept, others author-year-title).

    arXiv preprints become @misc with eprint, archivePrefix and primaryClass; published papers
    their entry type with DOI, venue and pages.

    \b
    Examples:
      paperlamp export bib --all -o library.bib
      paperlamp export bib --collection "Thesis/Chapter 2" > chapter2.bib
      paperlamp export bib arxiv:1706.03762 10.1038/nature14539
    """
    if not (papers or all_papers or collection or tag):
        fail("name papers, or give --all, --collection or --tag", 2)
    with opened() as assistant:
        selection = Selection(tuple(papers or ()), tuple(collection or ()), tuple(tag or ()))
        chosen = assistant.bibliography.select(selection)
        text = assistant.bibliography.bibtex(chosen)
    if output is None:
        out.print(text, end="", markup=False)
    else:
        write_file(output, text)
        err.print(f"wrote {len(chosen)} entries to {output}")
