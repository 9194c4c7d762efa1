"""`paperlamp digest`: new arXiv papers on a topic, fetched, summarized and posted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from assistant.build import Assistant
from assistant.digests.entries import Digest, DigestRequest, Rank
from assistant.digests.render import digest_json
from assistant.digests.requests import requests_for, window
from assistant.errors import REPORTED, message
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
    max_papers: Annotated[
        int | None, typer.Option("--max", help="At most N full digests; the rest are listed.", min=1)
    ] = None,
    rank: Annotated[
        Rank | None,
        typer.Option(help="library: closest to your library first (default with 5+ papers); newest."),
    ] = None,
    like: Annotated[
        list[str] | None,
        typer.Option(help="Rank by these library papers only (ids, comma-separated or repeated)."),
    ] = None,
    like_collection: Annotated[
        list[str] | None,
        typer.Option(help='Rank by the papers of this collection (and below it), e.g. "Thesis"; repeatable.'),
    ] = None,
    like_tag: Annotated[
        list[str] | None, typer.Option(help="Rank by the papers with this tag; repeatable.")
    ] = None,
    include: Annotated[
        str | None, typer.Option(help="Only papers whose title or abstract matches this regex.")
    ] = None,
    exclude: Annotated[
        str | None, typer.Option(help="Leave out papers whose title or abstract matches this regex.")
    ] = None,
    lang: LangOpt = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the post (default: digests).")
    ] = None,
    all_topics: Annotated[bool, typer.Option("--all", help="Every topic in the settings file.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Digest new arXiv papers on a topic: fetch the window, rank, filter, summarize the best, post.

    The whole date window is fetched and ranked: by similarity to your library (--rank library, the
    default once it holds 5 papers; --like, --like-collection and --like-tag scope it to some
    papers), or newest first. The best
    --max get full digests, each saying which library papers it is close to; the others are listed
    as "also new" with their scores, papers filtered out by --include/--exclude with the reason
    (in --json), and papers already digested under another topic once ("also in"). Writes
    <day>-<topic>.md (Hexo/Jekyll front matter) and .json into --out, figures in a folder beside
    them, and <topic>/feed.xml (Atom) and index.html. A run with nothing new says "no new papers"
    and exits 0; a run killed halfway resumes where it stopped. With --all, each topic gets a log
    line and the exit status is 1 only when a topic failed (safe for cron).

    \b
    Examples:
      paperlamp digest --topic "diffusion models" -c cs.CV -c cs.LG --days 2 --max 5
      paperlamp digest --topic segmentation --include "diffusion|flow matching" --exclude survey
      paperlamp digest --topic thesis -c cs.CV --like arxiv:1505.04597v1,sha256:3177f8b7
      paperlamp digest --topic thesis -c cs.CV --like-collection "Thesis/Chapter 2" --like-tag core
      paperlamp digest --topic segmentation --lang zh --out ~/blog/source/_posts
      paperlamp digest --all
    """
    if all_topics == (topic is not None):
        fail("give --topic NAME or --all (one of them)", 2)
    today = datetime.now().date()
    liked = [ref.strip() for refs in like or [] for ref in refs.split(",") if ref.strip()]
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
        requests = requests_for(
            topics, start, end, max_papers=max_papers, lang=lang, rank=rank, like=liked,
            like_collections=like_collection or (), like_tags=like_tag or (),
            include=include or "", exclude=exclude or "",
        )  # fmt: skip
        if not all_topics:
            with progress_bar(f"digest {requests[0].topic}") as progress:
                result = assistant.digester.post(requests[0], today, folder, progress)
            _report(result, as_json, assistant.digester.figure_links)
            return
        failed = [r.topic for r in requests if not _run_logged(assistant, r, today, folder, as_json)]
        if failed:
            fail(f"{len(failed)} of {len(requests)} topics failed: {', '.join(failed)}")


def _run_logged(
    assistant: Assistant, request: DigestRequest, today: date, folder: Path, as_json: bool
) -> bool:
    """One topic of --all: its result, or one line saying why it failed; whether it succeeded."""
    try:
        with progress_bar(f"digest {request.topic}") as progress:
            result = assistant.digester.post(request, today, folder, progress)
    except REPORTED as exc:
        if as_json:
            print_json({"topic": request.topic, "error": message(exc)})
        line = f"{_stamp()} {escape(request.topic)}: [red]failed:[/red] {escape(message(exc))}"
        err.print(line, soft_wrap=True)  # one line per topic, for the log
        return False
    _report(result, as_json, assistant.digester.figure_links, stamp=_stamp())
    return True


def _stamp() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _report(result: Digest, as_json: bool, figure_links: str, stamp: str = "") -> None:
    if as_json:
        print_json(
            digest_json(result, figure_links)  # the same JSON as the post's twin
            | {"markdown": str(result.markdown_path or ""), "json": str(result.json_path or "")}
        )
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    if as_json:
        return
    prefix = f"{stamp} " if stamp else ""
    listed = _listed_counts(result)
    if not result.new:
        out.print(f"{prefix}{escape(result.request.topic)}: no new papers{listed}")
        return
    for entry in result.entries:
        mark = " (updated)" if entry.status == "updated" else ""
        note = " [abstract only]" if entry.summary.source == "abstract only" else ""
        err.print(f"  {entry.arxiv_id}v{entry.version}{mark}{note} {escape(entry.title[:70])}")
        if entry.reason:
            err.print(f"    [dim]{escape(entry.reason)}[/dim]")
    papers = "paper" if result.new == 1 else "papers"
    out.print(
        f"{prefix}{escape(result.request.topic)}: {result.new} new {papers}{listed} -> {result.markdown_path}"
    )


def _listed_counts(result: Digest) -> str:
    """'' or ' (ranked by your library; 12 also new, 2 filtered out, 1 in other topics)'."""
    counts = [(len(result.also_new), "also new"), (len(result.excluded), "filtered out"),
              (len(result.also_in), "in other topics")]  # fmt: skip
    parts = [f"{n} {what}" for n, what in counts if n]
    how = "ranked by your library" if result.rank == "library" else "newest first"
    return f" ({how}; {', '.join(parts)})" if parts else ""
