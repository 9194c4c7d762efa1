"""Writes docs/cli.md from the CLI's own --help texts; `--check` fails when the file is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from ui.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    """The Markdown page: the group's help, then each command's (and each sub-group's commands'),
    exactly as `--help` prints them."""
    runner = CliRunner()
    names = [[c.name or (c.callback.__name__ if c.callback else "")] for c in app.registered_commands]
    for group in app.registered_groups:
        names.append([group.name or ""])
        names += [[group.name or "", c.name or ""] for c in group.typer_instance.registered_commands]
    parts = ["# paperlamp command line\n", "Generated from `--help` by `scripts/cli_docs.py`; do not edit.\n"]
    parts.append(f"```\n{_help(runner, [])}\n```\n")
    for name in sorted(names):
        parts.append(f"## paperlamp {' '.join(name)}\n\n```\n{_help(runner, name)}\n```\n")
    return "\n".join(parts)


def _help(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(
        app, [*args, "--help"], prog_name="paperlamp", env={"COLUMNS": "100", "NO_COLOR": "1"}
    )
    if result.exit_code != 0:
        raise SystemExit(f"paperlamp {' '.join(args)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


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
