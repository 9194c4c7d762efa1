"""`paperlamp digest`: new arXiv papers on a topic, fetched, summarized and posted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assistant.digests.entries import Digest
from assistant.digests.render import digest_json
from assistant.digests.requests import requests_for, window
from assistant.settings import Topic
from ui.cli.console import JsonFlag, LangOpt, err, fail, opened, out, print_json, progress_bar
from ui.cli.group import app


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--since {value!r} is not a date; write it like 2024-01-31", 2)


@app.command()
def digest(
    topic: Annotated[str | None, typer.Option(help="Topic name (also the post's name).")] = None,
    query: Annotated[str | None, typer.Option(help="Words to search arXiv for (default: the topic).")] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", "-c", help="arXiv category, e.g. cs.CV; repeatable.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Papers submitted since YYYY-MM-DD.")] = None,
    days: Annotated[int | None, typer.Option(help="Papers of the last N days (default 7).")] = None,
    max_papers: Annotated[int | None, typer.Option("--max", help="At most N papers.", min=1)] = None,
    lang: LangOpt = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the post (default: digests).")
    ] = None,
    all_topics: Annotated[bool, typer.Option("--all", help="Every topic in the settings file.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Digest new arXiv papers on a topic: fetch, add to the library, summarize, write a post.

    Writes <day>-<topic>.md (Hexo/Jekyll front matter) and .json into --out, figures in a folder
    beside them. Papers already digested for the topic are skipped; a run with nothing new says
    "no new papers" and exits 0. A run killed halfway resumes where it stopped.

    \b
    Examples:
      paperlamp digest --topic "diffusion models" -c cs.CV -c cs.LG --days 2 --max 5
      paperlamp digest --topic segmentation --lang zh --out ~/blog/source/_posts
      paperlamp digest --all
    """
    if all_topics == (topic is not None):
        fail("give --topic NAME or --all (one of them)", 2)
    today = datetime.now().date()
    with opened() as assistant:
        start, end = window(_day(since), days, today)
        settings = assistant.settings
        if all_topics and not settings.topics:
            fail("no topics in the settings file; add [[topics]] with a name and a query", 2)
        if all_topics:
            topics = settings.topics
        else:
            name = topic or ""
            topics = [Topic(name=name, query=query or name, categories=category or [], lang=settings.lang)]
        folder = (out_dir or assistant.home.digests).expanduser()
        for request in requests_for(topics, start, end, max_papers=max_papers, lang=lang):
            with progress_bar(f"digest {request.topic}") as progress:
                result = assistant.digester.post(request, today, folder, progress)
            _report(result, as_json)


def _report(result: Digest, as_json: bool) -> None:
    if as_json:
        print_json(
            digest_json(result)
            | {"markdown": str(result.markdown_path or ""), "json": str(result.json_path or "")}
        )
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    if as_json:
        return
    if not result.new:
        out.print(f"{escape(result.request.topic)}: no new papers")
        return
    for entry in result.entries:
        mark = " (updated)" if entry.status == "updated" else ""
        note = " [abstract only]" if entry.summary.source == "abstract only" else ""
        err.print(f"  {entry.arxiv_id}v{entry.version}{mark}{note} {escape(entry.title[:70])}")
    papers = "paper" if result.new == 1 else "papers"
    out.print(f"{escape(result.request.topic)}: {result.new} new {papers} -> {result.markdown_path}")
