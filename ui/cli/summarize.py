"""`paperlamp summarize`: a library paper's summary from its full text, kept and shared with the app."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markdown import Markdown

from assistant.digests.render import cited_summary_markdown, summary_markdown
from ui.cli.console import (
    BibOpt,
    JsonFlag,
    LangOpt,
    PaperRef,
    err,
    fail,
    opened,
    out,
    print_json,
    progress_bar,
    write_file,
)
from ui.cli.group import app


@app.command()
def summarize(
    paper: PaperRef,
    lang: LangOpt = None,
    as_json: JsonFlag = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Write the summary again even if one is kept.")
    ] = False,
    bib: BibOpt = None,
) -> None:
    """Summarize a library paper from its full text, with page references for every field.

    The summary is kept in the library (the app shows it too) and printed again from there while
    the same model is configured; --fresh writes it anew.

    \b
    Examples:
      paperlamp summarize arxiv:1505.04597v1
      paperlamp summarize sha256:3177f8b7 --lang zh --markdown
      paperlamp summarize arxiv:1706.03762 --markdown --bib refs.bib
    """
    if as_json and markdown:
        fail("give --json or --markdown, not both", 2)
    with opened() as assistant:
        record = assistant.library.get(paper)
        chosen = lang or assistant.settings.lang
        kept = None if fresh else assistant.summaries.reusable(record, chosen)
        if kept is not None:
            when = kept.written_at[:16].replace("T", " ")
            err.print(f"kept summary, written {when} UTC by {kept.summary.model} (--fresh writes it again)")
        else:
            with progress_bar("summarizing") as progress:
                kept = assistant.summaries.write(record, chosen, progress)
        summary = kept.summary
        citekey = assistant.bibliography.citekeys([record])[record.id]
        if bib is not None:
            write_file(bib, assistant.bibliography.bibtex([record]))
    if as_json:
        print_json(summary.to_json())
        return
    if markdown:  # page notes cite the paper, so the summary pastes into a Pandoc manuscript
        out.print(cited_summary_markdown(summary, citekey), markup=False, highlight=False)
        return
    title = f"# {summary.title}" + (f"\n\n{summary.title_translated}" if summary.title_translated else "")
    text = "\n".join([title, "", *summary_markdown(summary)])
    out.print(Markdown(text.replace("<sub>", "").replace("</sub>", "")))
