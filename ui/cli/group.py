"""The `paperlamp` command group: one Typer app, people-friendly output, `--json` for scripts."""

from __future__ import annotations

import typer

from ui.cli.console import ErrorBoundary

app = typer.Typer(
    name="paperlamp",
    cls=ErrorBoundary,
    help="A local-first research assistant for scientific papers: keep a library of PDFs, "
    "search it, and get answers with citations you can check. Nothing leaves your machine.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def main() -> None:
    """Entry point of the `paperlamp` command."""
    app()
