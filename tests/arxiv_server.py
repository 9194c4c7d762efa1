"""A loopback stand-in for arXiv: scripted Atom feeds at /api/query and PDFs at /pdf/<id>.

Tests register what each request should get (`on_query`, `on_pdf`), including failures before
success, then point an `ArxivClient` at `replay.api_url`. Every request is recorded; fixtures that
were never requested and requests that matched nothing are reported, so a test can insist on both
being empty (as arxiv.py's own tests fail on unused fixtures).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pymupdf

# The query parameters that pick a feed; sortBy, sortOrder and max_results are recorded only.
_KEY_PARAMS = ("search_query", "id_list", "start")


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, body, and how long to stall first (to provoke client timeouts)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/atom+xml; charset=utf-8"
    stall_seconds: float = 0.0
    cut_after: int | None = None  # send only this many body bytes, then drop the connection

    @classmethod
    def error(cls, status: int = 503) -> Reply:
        """An HTTP error with a short text body."""
        return cls(status=status, body=f"error {status}".encode(), content_type="text/plain")

    @classmethod
    def hang(cls, seconds: float = 5.0) -> Reply:
        """Say nothing for `seconds` (or until the server closes), then answer 503."""
        return cls(status=503, body=b"too late", content_type="text/plain", stall_seconds=seconds)

    @classmethod
    def malformed(cls) -> Reply:
        """A 200 answer whose XML is cut off mid-entry."""
        return cls(body=b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>')


@dataclass(frozen=True)
class Request:
    """A request the server saw: its path and its query parameters (one value each)."""

    path: str
    params: Mapping[str, str]
    user_agent: str


@dataclass
class _Route:
    replies: list[Reply]
    served: int = 0

    def next_reply(self) -> Reply:
        """Replies in order; the last one repeats."""
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


@dataclass
class ArxivReplay:
    """A threaded HTTP server on 127.0.0.1 (port 0) replaying registered feeds and PDFs."""

    requests: list[Request] = field(default_factory=list)
    unmatched: list[Request] = field(default_factory=list)
    _routes: dict[tuple[str, ...], _Route] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    def __enter__(self) -> ArxivReplay:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True  # a stalled handler must not hold up shutdown
        # A short poll interval keeps shutdown (which waits for the next poll) from costing 0.5 s a test.
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        if self._server is None:
            raise RuntimeError("ArxivReplay is not running; use it as a context manager.")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """The address to give ArxivClient as api_url."""
        return f"{self.base_url}/api/query"

    @property
    def pdf_template(self) -> str:
        """A pdf_url_template pointing at this server."""
        return self.base_url + "/pdf/{id}v{version}"

    def on_query(
        self,
        *replies: Reply | str,
        search_query: str = "",
        id_list: str = "",
        start: int = 0,
        or_query: str = "",
    ) -> None:
        """Answer /api/query with these parameters with the replies in order (a str is a 200 feed);
        `or_query` is another search that the same route answers, used if either is asked (a date
        window the app computes later, after midnight)."""
        route = _Route([_as_reply(r) for r in replies])
        for query in {search_query, or_query} - {""} or {search_query}:
            self._routes[("/api/query", query, id_list, str(start))] = route

    def on_pdf(self, name: str, *replies: Reply | bytes) -> None:
        """Answer /pdf/<name> (e.g. "2401.01234v2") with the replies in order (bytes are a 200 PDF)."""
        self._routes[(f"/pdf/{name}",)] = _Route([_as_reply(r) for r in replies])

    def feed(self, entries: Sequence[Mapping[str, Any]], total: int | None = None, start: int = 0) -> str:
        """An Atom feed of these entries whose links point at this server."""
        return atom_feed(entries, total_results=total, start=start, base_url=self.base_url)

    def unused(self) -> list[tuple[str, ...]]:
        """Registered routes that were never requested."""
        return [key for key, route in self._routes.items() if route.served == 0]

    def queries(self) -> list[Mapping[str, str]]:
        """The parameters of every /api/query request, in order."""
        return [r.params for r in self.requests if r.path == "/api/query"]

    def _answer(self, path: str, params: dict[str, str], user_agent: str) -> Reply:
        request = Request(path, params, user_agent)
        key = (path, *(params.get(p, "0" if p == "start" else "") for p in _KEY_PARAMS))
        with self._lock:
            self.requests.append(request)
            route = self._routes.get(key if path == "/api/query" else (path,))
            if route is None:
                self.unmatched.append(request)
                return Reply(status=404, body=f"no fixture for {key}".encode(), content_type="text/plain")
            return route.next_reply()


def _as_reply(reply: Reply | str | bytes) -> Reply:
    if isinstance(reply, Reply):
        return reply
    if isinstance(reply, str):
        return Reply(body=reply.encode())
    return Reply(body=reply, content_type="application/pdf")


def _handler_for(replay: ArxivReplay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            reply = replay._answer(unquote(url.path), params, self.headers.get("User-Agent", ""))
            if reply.stall_seconds and replay._closing.wait(reply.stall_seconds):
                return  # the server is closing: drop the connection without an answer
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body[: reply.cut_after])
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout) before we answered

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest output clean

    return Handler


def _stamp(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    entries: Sequence[Mapping[str, Any]],
    *,
    total_results: int | None = None,
    start: int = 0,
    base_url: str = "http://127.0.0.1",
) -> str:
    """A feed shaped like export.arxiv.org's: opensearch paging counts and arxiv: extension elements.

    Entry keys: id (bare), version, title, summary, authors (names or (name, [affiliations])),
    published, updated (datetime or RFC 3339 text), categories (first is primary unless
    primary_category is given), comment, journal_ref, doi.
    """
    total = len(entries) if total_results is None else total_results
    body = "".join(_atom_entry(e, base_url) for e in entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        f'  <link href="{base_url}/api/query" rel="self" type="application/atom+xml"/>\n'
        '  <title type="html">ArXiv Query: replay</title>\n'
        "  <id>http://arxiv.org/api/replay</id>\n"
        "  <updated>2024-01-10T00:00:00-05:00</updated>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"{body}</feed>\n"
    )


def _atom_entry(e: Mapping[str, Any], base_url: str) -> str:
    ref = f"{e['id']}v{e.get('version', 1)}"
    cats = list(e.get("categories", ["cs.CV"]))
    primary = e.get("primary_category", cats[0])
    authors = ""
    for author in e.get("authors", ["Ada Lovelace"]):
        name, affiliations = (author, []) if isinstance(author, str) else author
        affs = "".join(f"<arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations)
        authors += f"    <author><name>{escape(name)}</name>{affs}</author>\n"
    extras = ""
    for key in ("comment", "journal_ref", "doi"):
        if e.get(key):
            extras += f"    <arxiv:{key}>{escape(e[key])}</arxiv:{key}>\n"
    if e.get("doi"):
        extras += f'    <link title="doi" href={quoteattr("https://doi.org/" + e["doi"])} rel="related"/>\n'
    categories = "".join(f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n' for c in cats)
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{ref}</id>\n"
        f"    <updated>{_stamp(e.get('updated', e.get('published', '2024-01-02T18:00:00Z')))}</updated>\n"
        f"    <published>{_stamp(e.get('published', '2024-01-02T18:00:00Z'))}</published>\n"
        f"    <title>{escape(e.get('title', 'A Paper'))}</title>\n"
        f"    <summary>{escape(e.get('summary', 'An abstract.'))}</summary>\n"
        f"{authors}{extras}"
        f'    <link href="{base_url}/abs/{ref}" rel="alternate" type="text/html"/>\n'
        f'    <link title="pdf" href="{base_url}/pdf/{ref}" rel="related" type="application/pdf"/>\n'
        f'    <arxiv:primary_category term="{primary}" scheme="http://arxiv.org/schemas/atom"/>\n'
        f"{categories}"
        "  </entry>\n"
    )


def tiny_pdf(text: str = "Hello arXiv") -> bytes:
    """A one-page PDF holding `text`."""
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    data = doc.tobytes()
    doc.close()
    return data


def replay_server() -> Iterator[ArxivReplay]:
    """Generator for a pytest fixture: a running replay that fails the test on unused fixtures
    or on requests no fixture matched."""
    with ArxivReplay() as replay:
        yield replay
        if replay.unused():
            raise AssertionError(f"fixtures never requested: {replay.unused()}")
        if replay.unmatched:
            raise AssertionError(f"requests no fixture matched: {replay.unmatched}")
