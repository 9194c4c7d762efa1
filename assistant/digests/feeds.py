"""Delivery beside the posts: an Atom feed per topic and an index page of every past day.

`<digests>/<topic>/feed.xml` holds one entry per day's post (newest first), made with feedgen,
the only module that imports it; `<digests>/index.html` lists every topic's days with links to
each post and feed. A post is linked by `post_url` (a template such as
"https://blog.example/{year}/{month}/{day}/{name}/", Hexo's default permalink) or, without one, by
its Markdown file beside the feed.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, time
from pathlib import Path

from feedgen.feed import FeedGenerator

from assistant.digests.entries import Digest, DigestRequest
from assistant.digests.render import past_digests, read_digest
from models.home import write_text_atomically

_POSTED_AT = time(8, 0)  # the hour the post's front matter gives every day


def post_link(digest: Digest, post_url: str, relative_to: str = "") -> str:
    """Where a day's post is read: the template filled in, else its Markdown file."""
    if not post_url:
        return f"{relative_to}{digest.name}.md"
    day = digest.day
    return post_url.format(
        year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}", name=digest.name
    )


def write_feed(folder: Path, request: DigestRequest, post_url: str = "") -> Path:
    """Write `<folder>/<topic>/feed.xml`: an Atom entry per past day of the topic."""
    posts = [p for p in map(read_digest, past_digests(folder)) if p.request.slug == request.slug]
    feed = FeedGenerator()
    feed.id(f"urn:paperlamp:digest:{request.slug}")
    feed.title(f"arXiv digest: {request.topic}")
    feed.author({"name": "paperlamp"})
    feed.link(href="feed.xml", rel="self")
    feed.link(href="../index.html", rel="alternate")
    feed.subtitle(f"New arXiv papers on {request.topic}, ranked and summarized locally by paperlamp.")
    feed.language(request.lang)
    feed.updated(_stamp(posts[0]) if posts else datetime.now(UTC))
    for post in reversed(posts):  # feedgen puts the last added first
        entry = feed.add_entry()
        entry.id(f"urn:paperlamp:digest:{request.slug}:{post.day.isoformat()}")
        entry.title(f"arXiv digest: {post.request.topic}, {post.day.isoformat()}")
        entry.link(href=post_link(post, post_url, "../"), rel="alternate")
        entry.published(_stamp(post))
        entry.updated(_stamp(post))
        entry.summary(_summary(post))
        entry.content(_content(post), type="html")
    target = folder / request.slug / "feed.xml"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(target, feed.atom_str(pretty=True).decode("utf-8"))
    return target


def write_index(folder: Path, post_url: str = "") -> Path:
    """Write `<folder>/index.html`: every topic's past days, newest first, with links."""
    rows = []
    for path in past_digests(folder):
        post = read_digest(path)
        titles = "; ".join(html.escape(e.title) for e in post.entries[:3])
        more = f" and {len(post.entries) - 3} more" if len(post.entries) > 3 else ""
        rows.append(
            f'<tr><td>{post.day.isoformat()}</td><td><a href="{html.escape(post.request.slug)}/feed.xml">'
            f"{html.escape(post.request.topic)}</a></td><td>{len(post.entries)}</td>"
            f'<td><a href="{html.escape(post_link(post, post_url))}">{titles or "(none)"}</a>{more}</td></tr>'
        )
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>arXiv digests</title></head>\n'
        "<body><h1>arXiv digests</h1>\n<table><thead><tr><th>day</th><th>topic (feed)</th><th>papers</th>"
        "<th>post</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></body></html>\n"
    )
    target = folder / "index.html"
    write_text_atomically(target, page)
    return target


def _stamp(post: Digest) -> datetime:
    return datetime.combine(post.day, _POSTED_AT, UTC)


def _summary(post: Digest) -> str:
    count = len(post.entries)
    return f"{count} paper{'s' if count != 1 else ''}: " + "; ".join(e.title for e in post.entries)


def _content(post: Digest) -> str:
    """The day's papers as HTML: title and link, why it was picked, its one-line summary."""
    items = []
    for e in post.entries:
        why = f"<br><em>{html.escape(e.reason)}</em>" if e.reason else ""
        line = html.escape(e.summary.one_line.text)
        items.append(
            f'<li><a href="{html.escape(e.paper_url)}">{html.escape(e.title)}</a>{why}<br>{line}</li>'
        )
    also = f"<p>{len(post.also_new)} more new papers are listed in the post.</p>" if post.also_new else ""
    return f"<ol>{''.join(items)}</ol>{also}"
