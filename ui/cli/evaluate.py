"""`paperlamp eval`: run the project's own pipeline on a benchmark and print a table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.evaluation.answers import BENCHMARKS, eval_home
from assistant.settings import load_settings
from ui.cli.console import JsonFlag, err, fail, opened, out, print_json, progress_bar
from ui.cli.group import app


@app.command("eval")
def evaluate(
    benchmark: Annotated[str, typer.Argument(help="litqa2, qasper or scifact.")],
    data: Annotated[Path, typer.Option("--data", help="The benchmark's folder (or its main file).")],
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Library folder for the benchmark (default: under the library's cache)."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N questions.", min=1)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score paperlamp on a benchmark: retrieval, cited answers, multiple choice, abstention.

    The benchmark's papers are indexed into their own library (kept between runs, never your
    library), then every question runs through search and ask with the configured models.

    \b
    Examples:
      paperlamp eval litqa2 --data ../shared/eval/litqa2
      paperlamp eval qasper --data ../shared/eval/qasper --limit 40 --json
      paperlamp eval scifact --data ../shared/eval/scifact --home bench/results/scifact
    """
    if benchmark not in BENCHMARKS:
        fail(f"unknown benchmark {benchmark!r}; choose one of: {', '.join(BENCHMARKS)}", 2)
    if home is None:
        home = eval_home(load_settings().home, benchmark)
    err.print(f"[dim]benchmark library: {home}[/dim]")
    with opened(home) as assistant, progress_bar(benchmark) as progress:
        tables = assistant.evaluator.run(benchmark, data, limit, progress)
    if as_json:
        print_json([t.to_json() for t in tables])
        return
    for table in tables:
        out.print(table.markdown() + "\n", markup=False)
