"""CLI commands about papers from arXiv and per-paper summaries: digest, fetch, summarize."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markdown import Markdown
from rich.markup import escape

from assistant.digest import Digest, DigestRequest, digester_for, window
from assistant.digest_render import digest_json, summary_markdown, write_digest
from assistant.reading import reusable_summary, summarize_and_keep
from assistant.settings import Topic
from ui.cli import app
from ui.console import JsonFlag, PaperRef, err, fail, opened, out, print_json, progress_bar

LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of the prose: en or zh.")]


def _lang(value: str | None, default: str) -> Literal["en", "zh"]:
    lang = value or default
    if lang not in ("en", "zh"):
        fail(f"--lang must be en or zh, not {lang!r}", 2)
    return lang  # type: ignore[return-value]


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
        topics = settings.topics if all_topics else [Topic(name=topic or "", query=query or topic or "")]
        requests = [
            DigestRequest(
                t.name,
                t.query or t.name,
                tuple(t.categories if all_topics else category or ()),
                start,
                end,
                max_papers=max_papers or (t.max_papers if all_topics else 5),
                lang=_lang(lang, t.lang if all_topics else settings.lang),
            )
            for t in topics
        ]
        digester = digester_for(assistant)
        folder = (out_dir or assistant.home.digests).expanduser()
        for request in requests:
            with progress_bar(f"digest {request.topic}") as progress:
                result = digester.run(request, today, folder, progress)
            _report(write_digest(result, folder) if result.new else result, as_json)


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
        results = digester_for(assistant).fetch(ids, progress)
    for result in results:
        if as_json:
            print_json(result.to_json())
        elif result.ok:
            verb = "added" if result.status == "added" else "already in library"
            err.print(f"[green]{verb}[/green] {escape(result.title)} [dim]({result.paper_id})[/dim]")
        else:
            err.print(f"[red]failed[/red] {escape(result.reason)}")
    if any(not r.ok for r in results):
        raise typer.Exit(1)


@app.command()
def summarize(
    paper: PaperRef,
    lang: LangOpt = None,
    as_json: JsonFlag = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Write the summary again even if one is kept.")
    ] = False,
) -> None:
    """Summarize a library paper from its full text, with page references for every field.

    The summary is kept in the library (the app shows it too) and printed again from there while
    the same model is configured; --fresh writes it anew.

    \b
    Examples:
      paperlamp summarize arxiv:1505.04597v1
      paperlamp summarize sha256:3177f8b7 --lang zh --markdown
    """
    if as_json and markdown:
        fail("give --json or --markdown, not both", 2)
    with opened() as assistant:
        record = assistant.library.get(paper)
        chosen = _lang(lang, assistant.settings.lang)
        kept = None if fresh else reusable_summary(assistant, record, chosen)
        if kept is not None:
            when = kept.written_at[:16].replace("T", " ")
            err.print(f"kept summary, written {when} UTC by {kept.summary.model} (--fresh writes it again)")
        else:
            with progress_bar("summarizing") as progress:
                kept = summarize_and_keep(assistant, record, chosen, progress)
        summary = kept.summary
    if as_json:
        print_json(summary.to_json())
        return
    title = f"# {summary.title}" + (f"\n\n{summary.title_translated}" if summary.title_translated else "")
    text = "\n".join([title, "", *summary_markdown(summary)])
    if markdown:
        out.print(text, markup=False, highlight=False)
    else:
        out.print(Markdown(text.replace("<sub>", "").replace("</sub>", "")))
