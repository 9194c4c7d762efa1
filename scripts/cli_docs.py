"""Writes docs/cli.md from the CLI's own --help texts; `--check` fails when the file is stale."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import typer

from ui.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    """The Markdown page: the group's help, then each command's."""
    command = typer.main.get_command(app)
    parts = ["# paperlamp command line\n", "Generated from `--help` by `scripts/cli_docs.py`; do not edit.\n"]
    with click.Context(command, info_name="paperlamp", terminal_width=100) as ctx:
        parts.append(f"```\n{command.get_help(ctx)}\n```\n")
        assert isinstance(command, click.Group)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            with click.Context(sub, info_name=f"paperlamp {name}", parent=ctx, terminal_width=100) as sub_ctx:
                parts.append(f"## paperlamp {name}\n\n```\n{sub.get_help(sub_ctx)}\n```\n")
    return "\n".join(parts)


def main() -> int:
    """Write the page, or with --check compare it."""
    text = render()
    if "--check" in sys.argv:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run .venv/bin/python scripts/cli_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
