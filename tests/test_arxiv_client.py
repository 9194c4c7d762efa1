"""The arXiv client against a loopback replay: parsing, paging, date windows, retries, PDFs."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import ingest.arxiv_client as arxiv_client
from ingest.arxiv_client import ArxivClient, ArxivEntry, SearchResult, build_query, parse_arxiv_id
from ingest.errors import SourceUnavailable
from tests.arxiv_server import ArxivReplay, Reply, replay_server, tiny_pdf

CV_LG = "(cat:cs.CV OR cat:cs.LG)"
TAIL = "; try again later, or set PAPERLAMP_ARXIV_API_URL to a reachable mirror."


@pytest.fixture
def replay() -> Iterator[ArxivReplay]:
    """A running replay; the test fails if a fixture went unused or a request matched nothing."""
    yield from replay_server()


def client(replay: ArxivReplay, **overrides: Any) -> ArxivClient:
    """A client on the replay with no pauses, short timeouts and two entries a page."""
    settings: dict[str, Any] = {"delay_seconds": 0.0, "timeout": 2.0, "page_size": 2, "num_retries": 3}
    settings.update(overrides)
    return ArxivClient(replay.api_url, **settings)


def paper(arxiv_id: str, day: int, **fields: Any) -> dict[str, Any]:
    """A feed entry published on 2024-01-<day>."""
    return {"id": arxiv_id, "published": datetime(2024, 1, day, 12, 0, tzinfo=UTC), **fields}


def ids(entries: SearchResult | list[ArxivEntry]) -> list[str]:
    return [e.canonical_id for e in entries]


def host(replay: ArxivReplay) -> str:
    return replay.base_url.removeprefix("http://")


# --- search: parsing, query, order -------------------------------------------------------------


def test_search_parses_every_field_and_sends_the_query(replay: ArxivReplay) -> None:
    full = paper(
        "2401.05678",
        20,
        version=2,
        updated=datetime(2024, 1, 22, 9, 30, 5, tzinfo=UTC),
        title="Diffusion Models\n  for Segmentation",
        summary="  We propose a\n   new model.\n",
        authors=[("Ada Lovelace", ["Analytical Engines Ltd"]), "Alan Turing"],
        categories=["cs.LG", "cs.CV"],
        primary_category="cs.CV",
        comment="12 pages, 3 figures",
        journal_ref="CVPR 2024",
        doi="10.1234/abc.5678",
    )
    replay.on_query(
        replay.feed([full, paper("2401.01234", 3)]),
        search_query=f"(all:diffusion AND all:segmentation) AND {CV_LG}",
    )

    result = client(replay, page_size=100).search("diffusion segmentation", ["cs.CV", "cs.LG"])

    assert result.error is None
    assert ids(result) == ["arxiv:2401.05678v2", "arxiv:2401.01234v1"]
    assert result.entries[0] == ArxivEntry(
        arxiv_id="2401.05678",
        version=2,
        title="Diffusion Models for Segmentation",
        authors=("Ada Lovelace", "Alan Turing"),
        abstract="We propose a new model.",
        published=datetime(2024, 1, 20, 12, 0, tzinfo=UTC),
        updated=datetime(2024, 1, 22, 9, 30, 5, tzinfo=UTC),
        categories=("cs.LG", "cs.CV"),
        primary_category="cs.CV",
        comment="12 pages, 3 figures",
        journal_ref="CVPR 2024",
        doi="10.1234/abc.5678",
        abs_url=f"{replay.base_url}/abs/2401.05678v2",
        pdf_url=f"{replay.base_url}/pdf/2401.05678v2",
    )
    older = result.entries[1]
    assert (older.comment, older.journal_ref, older.doi) == ("", "", "")
    assert replay.queries() == [
        {
            "search_query": f"(all:diffusion AND all:segmentation) AND {CV_LG}",
            "id_list": "",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": "0",
            "max_results": "20",  # page size capped at max_results
        }
    ]


def test_build_query_spells_arxiv_syntax() -> None:
    assert build_query("vision transformer") == "(all:vision AND all:transformer)"
    assert build_query(categories=["cs.CV"]) == "cat:cs.CV"
    assert (
        build_query('"robust" (AND) x:y', ["hep-th"])
        == "(all:robust AND all:and AND all:x AND all:y) AND cat:hep-th"
    )
    assert (
        build_query("gan", ["cs.CV", "cs.LG"], since=date(2024, 1, 10), until=date(2024, 1, 16))
        == f"all:gan AND {CV_LG} AND submittedDate:[202401100000 TO 202401162359]"
    )
    assert build_query(until=date(2024, 2, 1)) == "submittedDate:[199101010000 TO 202402012359]"
    with pytest.raises(
        ValueError, match=r"^'cs CV' is not an arXiv category; write it like cs.CV or hep-th\.$"
    ):
        build_query("x", ["cs CV"])
    with pytest.raises(ValueError, match=r"needs a query, categories or an `until` date"):
        build_query("  ", since=date(2024, 1, 1))
    with pytest.raises(ValueError, match=r"since 2024-02-01 is after until 2024-01-01"):
        build_query("x", since=date(2024, 2, 1), until=date(2024, 1, 1))


def test_date_window_drops_newer_and_stops_paging_at_older(replay: ArxivReplay) -> None:
    q = f"all:gan AND {CV_LG} AND submittedDate:[202401100000 TO 202401162359]"
    # The replay ignores the date clause, so it serves entries on both sides of the window.
    replay.on_query(replay.feed([paper("2401.00020", 20), paper("2401.00015", 15)], total=8), search_query=q)
    replay.on_query(
        replay.feed([paper("2401.00012", 12), paper("2401.00005", 5)], total=8, start=2),
        search_query=q,
        start=2,
    )
    # No fixture at start=4: asking for it would be an unmatched request and a partial result.

    result = client(replay).search(
        "gan", ["cs.CV", "cs.LG"], since=date(2024, 1, 10), until=date(2024, 1, 16), max_results=10
    )

    assert result.error is None
    assert ids(result) == ["arxiv:2401.00015v1", "arxiv:2401.00012v1"]
    assert [q["start"] for q in replay.queries()] == ["0", "2"]


def test_since_alone_stops_paging_without_a_date_clause(replay: ArxivReplay) -> None:
    replay.on_query(
        replay.feed([paper("2401.00009", 9), paper("2401.00002", 2)], total=50), search_query="cat:cs.CV"
    )
    result = client(replay).search(categories=["cs.CV"], since=date(2024, 1, 5))
    assert ids(result) == ["arxiv:2401.00009v1"]
    assert len(replay.requests) == 1


def test_max_results_is_honoured_across_pages(replay: ArxivReplay) -> None:
    q = "all:x"
    replay.on_query(replay.feed([paper("2401.00009", 9), paper("2401.00008", 8)], total=10), search_query=q)
    replay.on_query(
        replay.feed([paper("2401.00007", 7), paper("2401.00006", 6)], total=10, start=2),
        search_query=q,
        start=2,
    )
    result = client(replay).search("x", max_results=3)
    assert ids(result) == ["arxiv:2401.00009v1", "arxiv:2401.00008v1", "arxiv:2401.00007v1"]
    assert [(q["start"], q["max_results"]) for q in replay.queries()] == [("0", "2"), ("2", "2")]
    assert isinstance(result, SearchResult) and len(result) == 3 and result.error is None


def test_an_empty_answer_is_an_empty_complete_result(replay: ArxivReplay) -> None:
    replay.on_query(replay.feed([]), search_query="all:nothing")
    result = client(replay).search("nothing")
    assert result == SearchResult(entries=(), error=None)


def test_requests_are_paced_by_delay_seconds(replay: ArxivReplay) -> None:
    replay.on_query(replay.feed([paper("2401.00009", 9)], total=2), search_query="all:x")
    replay.on_query(replay.feed([paper("2401.00008", 8)], total=2, start=1), search_query="all:x", start=1)
    started = time.monotonic()
    result = client(replay, delay_seconds=0.3, page_size=1).search("x")
    assert len(result) == 2
    assert time.monotonic() - started >= 0.3


# --- get and ids -------------------------------------------------------------------------------


def test_get_accepts_every_id_spelling(replay: ArxivReplay) -> None:
    entries = [paper("2401.01234", 3), paper("2401.05678", 4, version=2), paper("hep-th/9901001", 5)]
    replay.on_query(replay.feed(entries), id_list="2401.01234,2401.05678v2,hep-th/9901001v1")
    got = client(replay, page_size=10).get(
        [
            "2401.01234",
            "arxiv:2401.05678v2",
            "https://arxiv.org/abs/hep-th/9901001v1",
            "https://arxiv.org/abs/2401.01234",  # the same paper twice is asked for once
        ]
    )
    assert ids(got) == ["arxiv:2401.01234v1", "arxiv:2401.05678v2", "arxiv:hep-th/9901001v1"]
    assert replay.queries()[0]["search_query"] == ""
    assert replay.queries()[0]["max_results"] == "3"


def test_get_of_nothing_asks_nothing(replay: ArxivReplay) -> None:
    assert client(replay).get([]) == []
    assert replay.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("2401.01234v2", ("2401.01234", 2)),
        ("0704.0001v1", ("0704.0001", 1)),
        ("arxiv:2401.01234v2", ("2401.01234", 2)),
        ("arXiv:2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/abs/2401.01234", ("2401.01234", None)),
        ("http://arxiv.org/abs/2401.01234v3", ("2401.01234", 3)),
        ("https://arxiv.org/pdf/2401.01234v2.pdf", ("2401.01234", 2)),
        ("  hep-th/9901001v1 ", ("hep-th/9901001", 1)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
    ],
)
def test_parse_arxiv_id_accepts(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "2401.123",
        "2413.01234",
        "2401.01234v0",
        "2401.01234v",
        "arxiv:",
        "https://example.org/abs/2401.01234",
    ],
)
def test_parse_arxiv_id_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_arxiv_id(text)
    assert str(caught.value) == (
        f"{text!r} is not an arXiv id; write it like 2401.01234, 2401.01234v2, "
        "arxiv:2401.01234v2 or https://arxiv.org/abs/2401.01234."
    )


def test_get_rejects_garbage_before_asking(replay: ArxivReplay) -> None:
    with pytest.raises(ValueError, match="'nope' is not an arXiv id"):
        client(replay).get(["2401.01234", "nope"])
    assert replay.requests == []


# --- failures ----------------------------------------------------------------------------------


def test_two_503s_then_success(replay: ArxivReplay) -> None:
    replay.on_query(
        Reply.error(503), Reply.error(503), replay.feed([paper("2401.00001", 1)]), search_query="all:x"
    )
    assert ids(client(replay).search("x")) == ["arxiv:2401.00001v1"]
    assert len(replay.requests) == 3


def test_always_503_raises_after_the_retries(replay: ArxivReplay) -> None:
    replay.on_query(Reply.error(503), search_query="all:x")
    with pytest.raises(SourceUnavailable) as caught:
        client(replay).search("x")
    assert str(caught.value) == f"arXiv at {host(replay)} answered badly: HTTP 503 (tried 4 times){TAIL}"
    assert len(replay.requests) == 4


def test_retries_back_off(replay: ArxivReplay, monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(arxiv_client, "time", SimpleNamespace(sleep=pauses.append))
    replay.on_query(Reply.error(503), search_query="all:x")
    with pytest.raises(SourceUnavailable):
        client(replay, delay_seconds=0.05).search("x")
    assert pauses == [0.05, 0.1, 0.2]


def test_a_client_error_is_not_retried(replay: ArxivReplay) -> None:
    replay.on_query(Reply.error(400), search_query="all:x")
    with pytest.raises(SourceUnavailable, match=r"answered badly: HTTP 400 \(tried once\)"):
        client(replay).search("x")
    assert len(replay.requests) == 1


def test_an_arxiv_error_entry_is_reported_not_retried(replay: ArxivReplay) -> None:
    error_feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>"
        "<summary>incorrect id format for 1234</summary></entry></feed>"
    )
    replay.on_query(error_feed, search_query="all:x")
    with pytest.raises(SourceUnavailable) as caught:
        client(replay).search("x")
    assert str(caught.value) == (
        f"arXiv at {host(replay)} answered badly: it reported an error: "
        f"incorrect id format for 1234 (tried once){TAIL}"
    )


def test_a_closed_port_fails_fast() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as caught:
        ArxivClient(f"http://127.0.0.1:{port}/api/query", delay_seconds=0, num_retries=2).search("x")
    assert time.monotonic() - started < 2
    assert str(caught.value) == (
        f"arXiv at 127.0.0.1:{port} did not answer: the connection was refused or the host is "
        f"unreachable (tried 3 times){TAIL}"
    )


def test_a_stalled_server_times_out(replay: ArxivReplay) -> None:
    replay.on_query(Reply.hang(10), search_query="all:x")
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as caught:
        client(replay, timeout=0.2, num_retries=1).search("x")
    assert time.monotonic() - started < 2
    assert (
        str(caught.value)
        == f"arXiv at {host(replay)} did not answer: no answer within 0.2 s (tried 2 times){TAIL}"
    )


@pytest.mark.parametrize(
    ("reply", "cause"),
    [
        (Reply.malformed(), "the answer is not valid XML"),
        (Reply(body=b"<html><body>Rate exceeded</body></html>"), "the answer is not an Atom feed"),
    ],
)
def test_a_feed_that_is_not_one_raises(replay: ArxivReplay, reply: Reply, cause: str) -> None:
    replay.on_query(reply, search_query="all:x")
    with pytest.raises(SourceUnavailable, match=f"answered badly: {cause}.*tried 2 times"):
        client(replay, num_retries=1).search("x")


def test_a_later_page_failing_returns_what_arrived(replay: ArxivReplay) -> None:
    replay.on_query(
        replay.feed([paper("2401.00009", 9), paper("2401.00008", 8)], total=6), search_query="all:x"
    )
    replay.on_query(Reply.error(502), search_query="all:x", start=2)
    result = client(replay, num_retries=1).search("x")
    assert ids(result) == ["arxiv:2401.00009v1", "arxiv:2401.00008v1"]
    assert result.error is not None
    assert result.error == f"arXiv at {host(replay)} answered badly: HTTP 502 (tried 2 times){TAIL}"


def test_an_empty_later_page_is_retried_where_it_broke(replay: ArxivReplay) -> None:
    first = replay.feed([paper("2401.00009", 9), paper("2401.00008", 8)], total=3)
    replay.on_query(first, search_query="all:x")
    replay.on_query(
        replay.feed([], total=3, start=2),  # arXiv sometimes answers a page with nothing
        replay.feed([paper("2401.00007", 7)], total=3, start=2),
        search_query="all:x",
        start=2,
    )
    result = client(replay).search("x")
    assert result.error is None
    assert ids(result) == ["arxiv:2401.00009v1", "arxiv:2401.00008v1", "arxiv:2401.00007v1"]
    assert [q["start"] for q in replay.queries()] == ["0", "2", "2"]


def test_an_always_empty_later_page_is_a_partial_result(replay: ArxivReplay) -> None:
    replay.on_query(
        replay.feed([paper("2401.00009", 9), paper("2401.00008", 8)], total=3), search_query="all:x"
    )
    replay.on_query(replay.feed([], total=3, start=2), search_query="all:x", start=2)
    result = client(replay, num_retries=2).search("x")
    assert len(result) == 2
    assert result.error is not None and "a page of results came back empty (tried 3 times)" in result.error


# --- PDFs --------------------------------------------------------------------------------------


def an_entry(replay: ArxivReplay) -> ArxivEntry:
    """The entry 2401.01234v2 as the replay describes it."""
    replay.on_query(replay.feed([paper("2401.01234", 3, version=2)]), id_list="2401.01234v2")
    return client(replay).get(["2401.01234v2"])[0]


def test_download_pdf_writes_the_exact_bytes(replay: ArxivReplay, tmp_path: Path) -> None:
    pdf = tiny_pdf("Hello")
    entry = an_entry(replay)
    replay.on_pdf("2401.01234v2", pdf)
    dest = tmp_path / "papers" / "2401.01234v2.pdf"
    assert client(replay).download_pdf(entry, dest) == dest
    assert dest.read_bytes() == pdf
    assert sorted(p.name for p in dest.parent.iterdir()) == ["2401.01234v2.pdf"]


def test_pdf_url_template_points_downloads_at_a_mirror(replay: ArxivReplay, tmp_path: Path) -> None:
    replay.on_query(replay.feed([paper("hep-th/9901001", 5)]), id_list="hep-th/9901001")
    mirror = client(replay, pdf_url_template=replay.base_url + "/pdf/{id}v{version}.pdf")
    entry = mirror.get(["hep-th/9901001"])[0]
    assert entry.pdf_url == f"{replay.base_url}/pdf/hep-th/9901001v1.pdf"  # not the feed's own link
    pdf = tiny_pdf("mirrored")
    replay.on_pdf("hep-th/9901001v1.pdf", pdf)
    assert mirror.download_pdf(entry, tmp_path / "p.pdf").read_bytes() == pdf


def test_download_pdf_retries_then_succeeds(replay: ArxivReplay, tmp_path: Path) -> None:
    entry = an_entry(replay)
    pdf = tiny_pdf()
    replay.on_pdf("2401.01234v2", Reply.error(503), Reply.hang(10), pdf)
    dest = client(replay, timeout=0.2).download_pdf(entry, tmp_path / "a.pdf")
    assert dest.read_bytes() == pdf
    assert [r.path for r in replay.requests].count("/pdf/2401.01234v2") == 3


def test_download_pdf_rejects_a_body_that_is_not_a_pdf(replay: ArxivReplay, tmp_path: Path) -> None:
    entry = an_entry(replay)
    replay.on_pdf(
        "2401.01234v2", Reply(body=b"<html>PDF is being generated</html>", content_type="text/html")
    )
    dest = tmp_path / "a.pdf"
    with pytest.raises(SourceUnavailable) as caught:
        client(replay, num_retries=1).download_pdf(entry, dest)
    assert str(caught.value) == (
        f"arXiv at {host(replay)} did not deliver the PDF of arxiv:2401.01234v2: "
        f"the answer is not a PDF (tried 2 times){TAIL}"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_failed_download_leaves_the_old_file_alone(replay: ArxivReplay, tmp_path: Path) -> None:
    entry = an_entry(replay)
    replay.on_pdf("2401.01234v2", Reply.error(503))
    dest = tmp_path / "a.pdf"
    dest.write_bytes(b"%PDF-old")
    with pytest.raises(SourceUnavailable, match=r"HTTP 503 \(tried 3 times\)"):
        client(replay, num_retries=2).download_pdf(entry, dest)
    assert dest.read_bytes() == b"%PDF-old"
    assert list(tmp_path.iterdir()) == [dest]


def test_a_download_cut_short_leaves_no_partial_file(replay: ArxivReplay, tmp_path: Path) -> None:
    entry = an_entry(replay)
    pdf = tiny_pdf()
    replay.on_pdf("2401.01234v2", Reply(body=pdf, content_type="application/pdf", cut_after=100))
    with pytest.raises(
        SourceUnavailable, match=r"did not deliver the PDF of arxiv:2401.01234v2: .*tried 2 times"
    ):
        client(replay, num_retries=1).download_pdf(entry, tmp_path / "a.pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_pdf_is_not_retried(replay: ArxivReplay, tmp_path: Path) -> None:
    entry = an_entry(replay)
    replay.on_pdf("2401.01234v2", Reply.error(404))
    with pytest.raises(SourceUnavailable, match=r"HTTP 404 \(tried once\)"):
        client(replay).download_pdf(entry, tmp_path / "a.pdf")
    assert list(tmp_path.iterdir()) == []


# --- no network ----------------------------------------------------------------------------------


def test_only_loopback_sockets_are_opened(replay: ArxivReplay, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    real_connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> None:
        seen.append(address)
        if address[0] != "127.0.0.1":
            raise OSError(f"refused to leave the machine: {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    replay.on_query(replay.feed([paper("2401.00001", 1)]), search_query="all:x")
    assert len(client(replay).search("x")) == 1
    assert seen and all(address[0] == "127.0.0.1" for address in seen)  # type: ignore[index]


def test_building_a_client_opens_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sockets(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened at construction time")

    monkeypatch.setattr(socket.socket, "connect", no_sockets)
    monkeypatch.setattr(socket, "getaddrinfo", no_sockets)
    built = ArxivClient()
    assert built.query_url_format == "https://export.arxiv.org/api/query?{}"
    assert ArxivClient("http://127.0.0.1:1/q").query_url_format == "http://127.0.0.1:1/q?{}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_url": "export.arxiv.org/api/query"}, "is not an http(s) address"),
        ({"pdf_url_template": "http://h/pdf/{paper}"}, "is not a PDF address template"),
        ({"timeout": 0}, "timeout > 0"),
        ({"page_size": 0}, "page_size >= 1"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ArxivClient(**kwargs)
