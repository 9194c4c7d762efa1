"""CLI commands about the installation itself: doctor and the bundled demo."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from assistant.doctor import diagnose
from ui.cli import app
from ui.console import JsonFlag, opened, out, print_json


@app.command()
def doctor(
    quick: Annotated[bool, typer.Option(help="Don't load the models.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show versions, where things live, which models and stores are in use, and check them.

    Exit status 1 when a check fails.

    Example:
      paperlamp doctor --json
    """
    with opened() as assistant:
        checks = diagnose(assistant, load_models=not quick)
    if as_json:
        print_json([{"name": c.name, "value": c.value, "ok": c.ok} for c in checks])
    else:
        for check in checks:
            mark = "[green]ok[/green]" if check.ok else "[red]!![/red]"
            out.print(f"{mark} {check.name:>18}  {escape(check.value)}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
