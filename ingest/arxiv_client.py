"""The arXiv client: search and fetch metadata through the `arxiv` package, download PDFs.

This is the only module that imports `arxiv`, and `requests`, its transport (PDFs are downloaded
with it too). Failures to reach arXiv (or a mirror) become
`SourceUnavailable` with one actionable sentence. A search that fails after some pages arrived
returns those entries in a `SearchResult` whose `error` says why the list is short.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import arxiv
import requests  # arxiv's own transport: its session is tuned here (timeout, feed check)

from ingest.errors import InvalidRequest, SourceUnavailable

__all__ = ["ArxivClient", "ArxivEntry", "SearchResult", "build_query", "parse_arxiv_id"]

_USER_AGENT = "paperlamp (local research assistant; https://github.com/paperlamp)"
_ATOM = "{http://www.w3.org/2005/Atom}"

# New-style ids (YYMM.NNNN, five digits since 2015) and old-style ids (archive[.SC]/YYMMNNN).
_ID_RE = re.compile(
    r"(?:(?P<new>(?P<yymm>\d{4})\.\d{4,5})|(?P<old>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}))"
    r"(?:v(?P<version>[1-9]\d*))?"
)
_PREFIX_RE = re.compile(r"arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", re.IGNORECASE)
_CATEGORY_RE = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?")
_QUERY_SYNTAX = re.compile(r"[\"()\[\]:]")  # characters that would change the arXiv query's structure
_OPERATORS = {"AND", "OR", "ANDNOT", "TO"}


def parse_arxiv_id(text: str) -> tuple[str, int | None]:
    """Split an arXiv id, `arxiv:` reference or arxiv.org URL into (bare id, version or None)."""
    raw = text.strip()
    prefix = _PREFIX_RE.match(raw)
    rest = raw[prefix.end() :] if prefix else raw
    if prefix and rest.lower().endswith(".pdf"):
        rest = rest[:-4]
    match = _ID_RE.fullmatch(rest.rstrip("/") if prefix else rest)
    if match is None or (match["yymm"] and not 1 <= int(match["yymm"][2:]) <= 12):
        raise InvalidRequest(
            f"{text!r} is not an arXiv id; write it like 2401.01234, 2401.01234v2, "
            "arxiv:2401.01234v2 or https://arxiv.org/abs/2401.01234."
        )
    version = int(match["version"]) if match["version"] else None
    return match["new"] or match["old"], version


@dataclass(frozen=True)
class ArxivEntry:
    """One arXiv paper version as the API describes it."""

    arxiv_id: str  # bare id, no version: "2401.01234" or "hep-th/9901001"
    version: int
    title: str
    authors: tuple[str, ...]
    abstract: str
    published: datetime  # first version's submission, UTC
    updated: datetime  # this version's submission, UTC
    categories: tuple[str, ...]
    primary_category: str
    comment: str
    journal_ref: str
    doi: str
    abs_url: str
    pdf_url: str

    @property
    def canonical_id(self) -> str:
        """The versioned reference the library stores, e.g. "arxiv:2401.01234v2"."""
        return f"arxiv:{self.arxiv_id}v{self.version}"


@dataclass(frozen=True)
class SearchResult:
    """A search's entries, newest first; `error` is set when a later page failed and the list is short."""

    entries: tuple[ArxivEntry, ...]
    error: str | None = None

    def __iter__(self) -> Iterator[ArxivEntry]:
        """Iterate over the entries."""
        return iter(self.entries)

    def __len__(self) -> int:
        """The number of entries."""
        return len(self.entries)


def build_query(
    query: str = "",
    categories: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> str:
    """The arXiv `search_query` for free text, categories and a submission-date window."""
    words = _QUERY_SYNTAX.sub(" ", query).split()
    # A bare AND/OR inside the user's text would become an operator; lower case keeps it a word.
    terms = [f"all:{w.lower() if w in _OPERATORS else w}" for w in words]
    for cat in categories:
        if not _CATEGORY_RE.fullmatch(cat):
            raise InvalidRequest(f"{cat!r} is not an arXiv category; write it like cs.CV or hep-th.")
    if since and until and since > until:
        raise InvalidRequest(f"The date window is empty: since {since} is after until {until}.")
    parts = []
    if terms:
        parts.append(terms[0] if len(terms) == 1 else "(" + " AND ".join(terms) + ")")
    if categories:
        cats = [f"cat:{c}" for c in categories]
        parts.append(cats[0] if len(cats) == 1 else "(" + " OR ".join(cats) + ")")
    if until is not None:
        # Without this arXiv would page through everything newer than `until` first.
        low = (since or date(1991, 1, 1)).strftime("%Y%m%d")
        parts.append(f"submittedDate:[{low}0000 TO {until.strftime('%Y%m%d')}2359]")
    if not parts:
        raise InvalidRequest("An arXiv search needs a query, categories or an `until` date.")
    return " AND ".join(parts)


class _BadAnswer(Exception):
    """The server answered, but not with something usable; `retry` says whether asking again may help."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter that gives every request a timeout and never retries on its own."""

    def __init__(self, timeout: float) -> None:
        super().__init__(max_retries=0)
        self._timeout = timeout

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def,override]
        """Send with our timeout; arxiv passes none, and requests' default is to wait forever."""
        kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def _check_feed(response: requests.Response, *args: object, **kwargs: object) -> None:
    """Reject a 200 answer that is not an arXiv Atom feed (arxiv would read it as "no results")."""
    if response.status_code != 200:
        return  # arxiv raises its own HTTPError for these
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError as err:
        raise _BadAnswer(f"the answer is not valid XML ({err})") from err
    if root.tag != f"{_ATOM}feed":
        raise _BadAnswer(f"the answer is not an Atom feed (root element {root.tag!r})")
    for entry in root.iter(f"{_ATOM}entry"):
        # arXiv reports query errors as a feed holding one entry with an /api/errors id.
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            summary = " ".join((entry.findtext(f"{_ATOM}summary") or "unknown error").split())
            raise _BadAnswer(f"it reported an error: {summary}", retry=False)


def _cause(err: BaseException, timeout: float) -> str:
    """A few words on why a request failed."""
    if isinstance(err, arxiv.HTTPError):
        return f"HTTP {err.status}"
    if isinstance(err, arxiv.UnexpectedEmptyPageError):
        return "a page of results came back empty"
    if isinstance(err, requests.Timeout) or _stalled(err):
        return f"no answer within {timeout:g} s"
    if isinstance(err, requests.ConnectionError):
        return "the connection was refused or the host is unreachable"
    if isinstance(err, _BadAnswer):
        return str(err)
    return type(err).__name__


def _stalled(err: BaseException) -> bool:
    """Whether a download stopped because the server went quiet mid-body: requests reports that
    as a ConnectionError wrapping urllib3's read timeout, not as a Timeout."""
    return isinstance(err, requests.ConnectionError) and "timed out" in str(err).lower()


def _worth_retrying(err: BaseException) -> bool:
    """Client errors (4xx other than 408/429) and arXiv-reported query errors will not heal."""
    if isinstance(err, _BadAnswer):
        return err.retry
    if isinstance(err, arxiv.HTTPError):
        return err.status >= 500 or err.status in (408, 429)
    return True


_FEED_ERRORS = (arxiv.ArxivError, requests.RequestException, _BadAnswer)


class ArxivClient:
    """Searches arXiv (or a mirror at `api_url`) politely and downloads PDFs; opens nothing until asked."""

    def __init__(
        self,
        api_url: str = "https://export.arxiv.org/api/query",
        *,
        pdf_url_template: str | None = None,
        delay_seconds: float = 3.0,
        num_retries: int = 3,
        timeout: float = 30.0,
        page_size: int = 100,
    ) -> None:
        """Remember the settings; retries wait delay_seconds, then twice that, and so on."""
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidRequest(f"{api_url!r} is not an http(s) address for the arXiv API.")
        if pdf_url_template:
            try:
                pdf_url_template.format(id="2401.01234", version=1)
            except (KeyError, IndexError, ValueError) as err:
                raise InvalidRequest(
                    f"{pdf_url_template!r} is not a PDF address template; "
                    "use {id} and {version}, e.g. http://host/pdf/{id}v{version}."
                ) from err
        if delay_seconds < 0 or num_retries < 0 or timeout <= 0 or page_size < 1:
            raise InvalidRequest("delay_seconds and num_retries must be >= 0, timeout > 0, page_size >= 1.")
        self.api_url = api_url
        self.query_url_format = api_url + "?{}"
        self.pdf_url_template = pdf_url_template or None  # settings use "" for "not set"
        self.delay_seconds = delay_seconds
        self.num_retries = num_retries
        self.timeout = timeout
        self.page_size = page_size
        self._host = parts.netloc
        self._client = self._arxiv_client()
        self._last_pdf_request = float("-inf")

    def _arxiv_client(self) -> arxiv.Client:
        """An arxiv.Client aimed at our api_url, with a timeout and a feed check; retries are ours."""
        client = arxiv.Client(page_size=self.page_size, delay_seconds=self.delay_seconds, num_retries=0)
        client.query_url_format = self.query_url_format  # per instance: the class keeps arXiv's own
        session = requests.Session()  # building a session opens no connection
        adapter = _TimeoutAdapter(self.timeout)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.hooks["response"].append(_check_feed)
        # arxiv 4 has no timeout setting and issues session.get() without one; a stalled server
        # would block forever, so we hand it a session whose adapter always sets one.
        client._session = session
        return client

    def search(
        self,
        query: str = "",
        categories: Sequence[str] = (),
        since: date | None = None,
        until: date | None = None,
        max_results: int = 20,
    ) -> SearchResult:
        """Newest-first entries matching the text and any category, published within [since, until].

        Raises SourceUnavailable if not even the first page arrived; if a later page failed after
        its retries, returns what arrived with `error` set.
        """
        if max_results < 1:
            return SearchResult(())
        search = arxiv.Search(
            query=build_query(query, categories, since, until),
            max_results=None,  # we stop ourselves: the date filter may drop entries
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        # Tuned per call (no bigger pages than needed), so one instance serves one thread at a time.
        self._client.page_size = min(self.page_size, max_results)
        found: list[ArxivEntry] = []
        try:
            for result in self._results(search):
                entry = self._to_entry(result)
                if entry is None:
                    continue
                day = entry.published.date()
                if since is not None and day < since:
                    break  # sorted newest first: everything after this is older still
                if until is not None and day > until:
                    continue
                found.append(entry)
                if len(found) >= max_results:
                    break  # before asking for the next item, so no extra page is fetched
        except SourceUnavailable as err:
            if not found:
                raise
            return SearchResult(tuple(found), error=str(err))
        return SearchResult(tuple(found))

    def get(self, ids: Sequence[str]) -> list[ArxivEntry]:
        """The entries for these ids (any spelling parse_arxiv_id accepts), in arXiv's order.

        Unversioned ids give the latest version; ids arXiv does not know are left out. Any failure
        raises SourceUnavailable: a lookup is small enough to simply ask again.
        """
        wanted: list[str] = []
        for text in ids:
            bare, version = parse_arxiv_id(text)
            key = f"{bare}v{version}" if version else bare
            if key not in wanted:
                wanted.append(key)
        if not wanted:
            return []
        search = arxiv.Search(id_list=wanted, max_results=len(wanted))
        self._client.page_size = min(self.page_size, len(wanted))
        entries = (self._to_entry(r) for r in self._results(search))
        return [e for e in entries if e is not None]

    def _results(self, search: arxiv.Search) -> Iterator[arxiv.Result]:
        """Yield a search's results page by page; a failing page is retried, with backoff, in place."""
        offset = failures = 0
        while True:
            fresh = True
            try:
                for result in self._client.results(search, offset=offset):
                    fresh, failures = False, 0
                    offset += 1
                    yield result
                if failures and offset and fresh:
                    # Resumed mid-way, so arxiv treats this as a first page and an empty one as
                    # the end; but the earlier pages promised more results.
                    raise _BadAnswer("a page of results came back empty")
                return
            except _FEED_ERRORS as err:
                failures += 1
                if failures > self.num_retries or not _worth_retrying(err):
                    answered = isinstance(err, arxiv.HTTPError | arxiv.UnexpectedEmptyPageError | _BadAnswer)
                    what = "answered badly" if answered else "did not answer"
                    raise SourceUnavailable(self._message(self._host, what, err, failures)) from err
                time.sleep(self.delay_seconds * 2 ** (failures - 1))

    def _message(self, host: str, what: str, err: BaseException, tries: int) -> str:
        """The one sentence a person reads when arXiv let us down."""
        times = "once" if tries == 1 else f"{tries} times"
        return (
            f"arXiv at {host} {what}: {_cause(err, self.timeout)} (tried {times}); "
            "try again later, or set PAPERLAMP_ARXIV_API_URL to a reachable mirror."
        )

    def _to_entry(self, result: arxiv.Result) -> ArxivEntry | None:
        """Our entry for an arxiv Result, or None for one without a readable versioned id."""
        try:
            arxiv_id, version = parse_arxiv_id(result.entry_id)
        except ValueError:
            return None
        if version is None:
            return None  # arXiv ids in feeds always carry a version; without one we cannot cite it
        ref = f"{arxiv_id}v{version}"
        abs_url = next((link.href for link in result.links if link.rel == "alternate"), "")
        if self.pdf_url_template:
            pdf_url = self.pdf_url_template.format(id=arxiv_id, version=version)
        else:
            pdf_url = result.pdf_url or f"https://arxiv.org/pdf/{ref}"
        categories = tuple(result.categories)
        return ArxivEntry(
            arxiv_id=arxiv_id,
            version=version,
            title=_squash(result.title),
            authors=tuple(_squash(a.name) for a in result.authors),
            abstract=_squash(result.summary),
            published=result.published,
            updated=result.updated,
            categories=categories,
            primary_category=result.primary_category or (categories[0] if categories else ""),
            comment=_squash(result.comment),
            journal_ref=_squash(result.journal_ref),
            doi=_squash(result.doi),
            abs_url=abs_url or f"https://arxiv.org/abs/{ref}",
            pdf_url=pdf_url,
        )

    def download_pdf(self, entry: ArxivEntry, dest: Path) -> Path:
        """Download the entry's PDF to dest (atomically, checked to be a PDF) and return dest."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        failures = 0
        with requests.Session() as http:
            http.headers["User-Agent"] = _USER_AGENT
            while True:
                try:
                    self._download_once(http, entry.pdf_url, dest)
                    return dest
                except (requests.RequestException, _BadAnswer) as err:
                    failures += 1
                    if failures > self.num_retries or not _worth_retrying(err):
                        host = urlsplit(entry.pdf_url).netloc
                        what = f"did not deliver the PDF of {entry.canonical_id}"
                        raise SourceUnavailable(self._message(host, what, err, failures)) from err
                    time.sleep(self.delay_seconds * 2 ** (failures - 1))

    def _download_once(self, http: requests.Session, url: str, dest: Path) -> None:
        """One attempt: stream into a hidden temporary file beside dest, then rename it into place."""
        self._pace()
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with (
                os.fdopen(fd, "wb") as out,
                http.get(url, stream=True, timeout=self.timeout, allow_redirects=True) as response,
            ):
                if response.status_code != 200:
                    retry = response.status_code >= 500 or response.status_code in (408, 429)
                    raise _BadAnswer(f"HTTP {response.status_code}", retry=retry)
                head = b""
                for chunk in response.iter_content(chunk_size=1 << 16):
                    if len(head) < 5:
                        head += chunk[:5]
                        if len(head) >= 5 and not head.startswith(b"%PDF-"):
                            raise _BadAnswer("the answer is not a PDF")
                    out.write(chunk)
                if not head.startswith(b"%PDF-"):
                    raise _BadAnswer("the answer is not a PDF")
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)  # a no-op after os.replace; removes a half-written file

    def _pace(self) -> None:
        """Wait until delay_seconds have passed since the last PDF request (arXiv etiquette)."""
        wait = self._last_pdf_request + self.delay_seconds - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_pdf_request = time.monotonic()


def _squash(text: str | None) -> str:
    """Collapse the hard line breaks and runs of spaces arXiv leaves in titles and abstracts."""
    return " ".join((text or "").split())
