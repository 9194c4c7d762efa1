"""CLI commands about the installation itself: doctor, migrate to a Chroma server, and the demo."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assistant.build import Assistant, build_assistant
from assistant.demo import check_answer, sample_papers, sample_questions
from assistant.settings import load_settings
from ui.cli.console import JsonFlag, opened, out, print_json, progress_bar
from ui.cli.group import app


@app.command()
def doctor(
    quick: Annotated[bool, typer.Option(help="Don't load the models.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show versions, where things live, which models and stores are in use, and check them.

    Exit status 1 when a check fails.

    \b
    Example:
      paperlamp doctor --json
    """
    with opened() as assistant:
        checks = assistant.doctor.diagnose(load_models=not quick)
    if as_json:
        print_json([{"name": c.name, "value": c.value, "ok": c.ok} for c in checks])
    else:
        for check in checks:
            mark = "[green]ok[/green]" if check.ok else "[red]!![/red]"
            out.print(f"{mark} {check.name:>18}  {escape(check.value)}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command()
def migrate(
    to: Annotated[str, typer.Option("--to", help="The Chroma server, e.g. http://127.0.0.1:8000.")],
    token: Annotated[str, typer.Option(help="Token for the server, if it wants one.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Copy the library's vectors from the embedded store to a Chroma server, verify, and switch to it.

    Every collection is copied whole into this library's own collections on the server and checked
    id by id; then the server is written to the settings file. The embedded store is left untouched.

    \b
    Example:
      paperlamp migrate --to http://127.0.0.1:8000
    """
    with opened() as assistant, progress_bar("copying vectors") as progress:
        moved = assistant.migration.to_server(to, token, progress=progress)
    if as_json:
        print_json(
            {
                "url": moved.url,
                "collections": [asdict(c) for c in moved.collections],
                "config": str(moved.config) if moved.config else None,
            }
        )
        return
    for c in moved.collections:
        out.print(f"copied {c.vectors} vectors: {escape(c.source)} -> {escape(c.target)}")
    if moved.config:
        out.print(f"recorded the server in {escape(str(moved.config))}")
    else:
        out.print("the settings file already has a [store] table; put these lines in it:")
        out.print(escape(moved.setting))
    if token:
        out.print("[dim]the token is not written to the file: set PAPERLAMP_CHROMA_TOKEN[/dim]")


@app.command()
def demo(
    home: Annotated[
        Path | None,
        typer.Option(
            help="Library folder for the demo (default: a 'paperlamp-demo' folder beside the library)."
        ),
    ] = None,
) -> None:
    """Run the main job on the bundled defaults: build a library from the demo papers, search it, ask it.

    Uses only what the install brought: the demo PDFs, all-MiniLM-L6-v2 and Gemma 3 270M.

    \b
    Example:
      paperlamp demo
    """
    target = home or load_settings().home.parent / "paperlamp-demo"
    started = time.perf_counter()
    assistant = build_assistant(load_settings(home=target))
    try:
        out.print(f"[bold]paperlamp demo[/bold] · library at {escape(str(target))}\n")
        _demo_add(assistant)
        _demo_search(assistant)
        wrong = _demo_ask(assistant)
    finally:
        assistant.close()
    out.print(f"\n[dim]done in {time.perf_counter() - started:.0f} s. Explore this library with:[/dim]")
    out.print(f'  PAPERLAMP_HOME="{escape(str(target))}" .venv/bin/paperlamp search "enzyme temperature"')
    if wrong:
        raise typer.Exit(1)


def _demo_add(assistant: Assistant) -> None:
    out.print("[bold]1. Adding the demo papers[/bold] (read, chunk, embed, store)")
    with progress_bar("adding") as progress:
        for result in assistant.library.add(sample_papers(), progress):
            state = result.status if result.ok else f"failed: {result.reason}"
            out.print(
                f"   {escape(result.title)} [dim]({state}, {result.pages} pages, "
                f"{result.chunks} chunks)[/dim]"
            )


def _demo_search(assistant: Assistant) -> None:
    query = "battery lifetime of the sensor nodes"
    out.print(f"\n[bold]2. Searching[/bold] for “{query}”")
    for hit in assistant.searcher.search(query, 3):
        out.print(f"   p. {hit.page} · {escape(hit.title[:60])} · {escape(hit.text[:90])}…")


def _demo_ask(assistant: Assistant) -> int:
    """Ask the demo questions, check each answer, and return how many were wrong."""
    out.print(
        "\n[bold]3. Asking[/bold] (Gemma 3 270M via llama.cpp; every answer checked against its source)"
    )
    samples = sample_questions()
    wrong = 0
    for sample in samples:
        answer = assistant.asker.ask(sample.question)
        out.print(f"\n   [bold]Q:[/bold] {escape(sample.question)}")
        out.print(f"   [bold]A:[/bold] {escape(answer.answer)}")
        if answer.table_cell:
            out.print("      [dim](a cell of the paper's table, by its row and column)[/dim]")
        elif answer.quoted:
            out.print("      [dim](the paper's own words, quoted)[/dim]")
        for c in answer.citations:  # the whole quote: the answer's figure may be at its end
            out.print(f"      [dim][{c.n}] {escape(c.title[:50])}, p. {c.page}: “{escape(c.quote)}”[/dim]")
        checked = check_answer(sample, answer)
        wrong += not checked.right
        mark = "[green]right[/green]" if checked.right else "[bold red]WRONG[/bold red]"
        out.print(f"   {mark}: {escape(checked.reason)}")
    verdict = "[green]all right[/green]" if not wrong else f"[bold red]{wrong} wrong[/bold red]"
    out.print(f"\n   {len(samples) - wrong}/{len(samples)} answers right ({verdict})")
    return wrong
