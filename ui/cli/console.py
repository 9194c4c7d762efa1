"""Shared pieces of the command line: consoles, the error boundary, JSON, progress bars, rendering.

The error boundary is here and nowhere else: `ErrorBoundary` is the group every command runs in,
and turns any error of assistant/errors.py's REPORTED list (settings included) into one line on
stderr and exit status 1; `batch` does the same for each line of a batch file, so the batch goes
on and then exits 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import rich.progress
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from typer.core import TyperGroup

from assistant.build import Assistant, build_assistant
from assistant.domain import Answer, Hit, Lang, Progress
from assistant.errors import REPORTED, BadInput, message
from assistant.settings import load_settings

out = Console(highlight=False, soft_wrap=True)  # no hard wraps: output is read by scripts and tests too
err = Console(stderr=True, highlight=False)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
PaperRef = Annotated[str, typer.Argument(help="Paper id, id prefix, arXiv id or DOI.")]
CollectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--collection",
        help='Only papers in this collection (a path: "Thesis/Chapter 2"; subcollections too); '
        "repeatable: in any of them.",
    ),
]
TagOpt = Annotated[
    list[str] | None, typer.Option("--tag", help="Only papers with this tag; repeatable: with any of them.")
]
BibOpt = Annotated[
    Path | None, typer.Option("--bib", help="Also write the works cited as BibTeX to this .bib file.")
]
LangOpt = Annotated[Lang | None, typer.Option("--lang", help="Language of the prose: en or zh.")]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line to stderr and exit non-zero."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)  # one line, however narrow
    raise typer.Exit(code)


class ErrorBoundary(TyperGroup):
    """The command group: a REPORTED error from any command becomes one line and exit status 1."""

    def list_commands(self, ctx: Any) -> list[str]:  # ctx: the click Context typer vendors
        """The commands in alphabetical order (as `--help` lists them), whichever module made them."""
        return sorted(super().list_commands(ctx))

    def invoke(self, ctx: Any) -> Any:
        """Run the command, translating what a person should read instead of a traceback."""
        try:
            return super().invoke(ctx)
        except REPORTED as exc:
            fail(message(exc))


@contextmanager
def opened(home: Path | None = None) -> Iterator[Assistant]:
    """The assistant built from settings (on `home` if given), closed when the command is done."""
    assistant = build_assistant(load_settings() if home is None else load_settings(home=home))
    try:
        yield assistant
    finally:
        assistant.close()


def write_file(path: Path, text: str) -> None:
    """Write a file the user asked for; BadInput (one line) when it cannot be written."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from exc


def batch(
    rows: Sequence[dict[str, Any]],
    run: Callable[[dict[str, Any]], dict[str, Any]],
    failed: Callable[[dict[str, Any], str], dict[str, Any]],
) -> None:
    """One JSON line per row: `run(row)`, or `failed(row, message)` when it raised a REPORTED
    error; the rows after a failed one still run, and the command then exits 1."""
    failures = 0
    for row in rows:
        try:
            line = run(row)
        except REPORTED as exc:
            failures += 1
            line = failed(row, message(exc))
        print_json(line)
    if failures:
        fail(f'{failures} of {len(rows)} lines failed; each says why under "error"')


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A progress callback drawing a bar with ETA on a terminal, and silent otherwise."""
    if not err.is_terminal:
        yield lambda name, done, total: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with rich.progress.Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=1)

        def update(name: str, done: int, total: int) -> None:
            bar.update(task, description=f"{label} {escape(name)[:40]}", completed=done, total=total)

        yield update


def render_hits(hits: list[Hit]) -> None:
    """Search results for people."""
    if not hits:
        out.print("No matching passages.")
        return
    for rank, hit in enumerate(hits, start=1):
        where = f"p. {hit.page}" + (f"-{hit.page_end}" if hit.page_end != hit.page else "")
        out.print(
            f"[bold]{rank}. {escape(hit.title)}[/bold]  [dim]{where} · {escape(hit.section)}"
            f" · {hit.paper_id[:19]} · score {hit.score:.3f}[/dim]"
        )
        text = hit.text if len(hit.text) < 400 else hit.text[:400] + "…"
        out.print(f"   {escape(text)}\n")


def render_answer(answer: Answer) -> None:
    """An answer and its citations for people."""
    if answer.note:
        err.print(f"[yellow]note:[/yellow] {escape(answer.note)}")
    out.print(escape(answer.answer))
    if answer.abstained and answer.closest:
        out.print("\n[dim]Closest passages:[/dim]")
        for hit in answer.closest:
            out.print(f"  [dim]- {escape(hit.title)}, p. {hit.page}: {escape(hit.text[:160])}…[/dim]")
    if answer.citations:
        out.print()
        table = Table("n", "paper", "page", "quote", show_lines=False, box=None)
        for c in answer.citations:
            page = f"{c.page} (OCR)" if c.ocr else str(c.page)
            table.add_row(f"[{c.n}]", escape(c.title[:50]), page, escape(c.quote))
        out.print(table)


def read_jsonl(path: Path, key: str) -> list[dict[str, Any]]:
    """Lines of a JSON-lines file, each an object with `key`; BadInput names the bad line."""
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path.name} line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get(key), str):
            raise BadInput(f'{path.name} line {number}: needs a "{key}" string')
        rows.append(row)
    return rows
