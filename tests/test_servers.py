"""The real servers on loopback: `chroma run` and llama.cpp's OpenAI-compatible server, started from
this project's environment, with add, search, ask, migrate and the errors people meet."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.build import build_assistant
from assistant.demo import sample_papers
from assistant.errors import BackendUnavailable
from assistant.settings import load_settings
from models.errors import BackendError
from models.generator import Prompt, bundled_gguf_path
from models.openai_api import OpenAIEmbedder, OpenAIGenerator
from ui.cli import app

pytestmark = [pytest.mark.servers, pytest.mark.slow]

BIN = Path(sys.executable).parent
ALIAS = "gemma-3-270m"
QUERIES = (
    "battery lifetime of the sensor nodes",
    "PET hydrolase melting temperature",
    "block-sparse attention",
)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(
    command: list[str], log: Path, ready: Callable[[], bool], seconds: float = 90.0
) -> subprocess.Popen:
    """Start a server and wait (bounded) until `ready()`; kill it and fail if it never is."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if ready():
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(process)
    pytest.fail(f"{command[0]} did not come up in {seconds:.0f} s:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    """End a server started here, by its pid."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _answers(url: str) -> Callable[[], bool]:
    return lambda: httpx.get(url, timeout=2).status_code == 200


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on a free loopback port, for the session."""
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(folder / "db"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = serve(command, folder / "log.txt", _answers(f"{url}/api/v2/heartbeat"))
    yield url
    stop(process)


def _llama_server(folder: Path, *extra: str) -> tuple[str, subprocess.Popen]:
    gguf = bundled_gguf_path(folder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", ALIAS]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", *extra]
    return url, serve(command, folder / "log.txt", _answers(f"{url}/v1/models"))


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server with the bundled Gemma 3 270M, for the session."""
    url, process = _llama_server(tmp_path_factory.mktemp("llama-server"))
    yield url
    stop(process)


@pytest.fixture
def on_servers(monkeypatch: pytest.MonkeyPatch, chroma_url: str, llm_url: str) -> None:
    """Settings pointing at both servers (the bundled model is a base model: completions API)."""
    monkeypatch.setenv("PAPERLAMP_CHROMA_URL", chroma_url)
    monkeypatch.setenv("PAPERLAMP_LLM_URL", llm_url)
    monkeypatch.setenv("PAPERLAMP_LLM__SERVER_API", "completions")
    monkeypatch.setenv("PAPERLAMP_LLM__CONTEXT_TOKENS", "4096")


def _search(assistant, k: int = 5) -> list[list[tuple[str, float]]]:  # type: ignore[no-untyped-def]
    return [[(h.chunk_id, round(h.score, 5)) for h in assistant.searcher.search(q, k)] for q in QUERIES]


def test_add_search_and_ask_run_through_both_servers(
    on_servers: None, real_embedder, chroma_url: str
) -> None:  # type: ignore[no-untyped-def]
    assistant = build_assistant(load_settings(), embedder=real_embedder)
    try:
        results = list(assistant.library.add(sample_papers()))
        assert [r.status for r in results] == ["added", "added", "added"]
        store = assistant.library.store
        assert store.location == chroma_url
        assert store.collection == f"lib-{assistant.home.library_id()}-chunks-all-MiniLM-L6-v2-384"
        windows = [
            w
            for p in assistant.library.papers()
            for w in assistant.library.windows(assistant.library.chunks(p.id))
        ]
        assert store.ids() == {w.id for w in windows}
        assert not assistant.home.chroma.exists()  # nothing went to the embedded store
        [top] = assistant.searcher.search("battery lifetime of the sensor nodes", 1)
        assert top.title.startswith("DuskMAC")
        answer = assistant.asker.ask("At what temperature is GleP most active?")
        assert assistant.asker.generator.name == ALIAS
        assert not answer.abstained
        assert answer.citations
        assert {c.title[:4] for c in answer.citations} == {"GleP"}
        texts = {c.id: c.text for c in assistant.library.chunks(answer.citations[0].paper_id)}
        assert all(c.quote in texts[c.chunk_id] for c in answer.citations)
    finally:
        assistant.close()


def test_the_server_streams_and_counts_tokens(llm_url: str, real_generator) -> None:  # type: ignore[no-untyped-def]
    generator = OpenAIGenerator(llm_url, api="completions", context_tokens=4096)
    pieces: list[str] = []
    text = generator.generate(
        Prompt("Name three colours.", cue="Colours:"), max_tokens=24, on_token=pieces.append
    )
    assert len(pieces) > 1
    assert "".join(pieces) == text
    assert generator.name == ALIAS
    # llama.cpp's server tokenizes with the model's own tokenizer (its count includes the BOS token),
    # rather than the chars/3 estimate (9 here)
    text = "Hello there, how are you?"
    assert generator.count_tokens(text) == real_generator.count_tokens(text) + 1 == 8


def test_a_wrong_model_name_lists_what_the_server_serves(
    llm_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BackendError) as raised:
        OpenAIGenerator(llm_url, "llama-3-70b")
    assert str(raised.value) == f"the server at {llm_url} has no model llama-3-70b; it serves: {ALIAS}"
    monkeypatch.setenv("PAPERLAMP_LLM_URL", llm_url)
    monkeypatch.setenv("PAPERLAMP_LLM__SERVER_MODEL", "llama-3-70b")
    assistant = build_assistant(load_settings())
    with pytest.raises(BackendUnavailable, match="has no model llama-3-70b; it serves: gemma-3-270m"):
        assistant.asker.generator  # noqa: B018


def test_servers_that_are_down_are_named(monkeypatch: pytest.MonkeyPatch, real_embedder) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    monkeypatch.setenv("PAPERLAMP_CHROMA_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("PAPERLAMP_LLM_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("PAPERLAMP_LLM__RETRIES", "1")
    assistant = build_assistant(load_settings(), embedder=real_embedder)
    with pytest.raises(BackendUnavailable) as store_error:
        assistant.library.store  # noqa: B018
    assert str(store_error.value).startswith(f"Chroma server at http://127.0.0.1:{port} did not answer: ")
    with pytest.raises(BackendUnavailable) as model_error:
        assistant.asker.generator  # noqa: B018
    assert str(model_error.value).startswith(
        f"the model server at http://127.0.0.1:{port}/v1 did not answer: "
    )
    result = CliRunner().invoke(app, ["doctor", "--quick", "--json"])
    assert result.exit_code == 1
    failed = {c["name"] for c in json.loads(result.stdout) if not c["ok"]}
    assert failed == {"chroma server", "model server"}


def test_migrate_keeps_every_paper_and_chunk(chroma_url: str, real_embedder, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    embedded = build_assistant(load_settings(), embedder=real_embedder)
    list(embedded.library.add(sample_papers()))
    before_ids = embedded.library.store.ids()
    before = _search(embedded)
    papers = [p.id for p in embedded.library.papers()]
    embedded.close()

    result = CliRunner().invoke(app, ["migrate", "--to", chroma_url, "--json"])
    assert result.exit_code == 0, result.output
    # The migration closed the embedded store it read: another process may take its folder now.
    holder = "import sys; from pathlib import Path; from models.store import hold_folder; "
    holder += "hold_folder(Path(sys.argv[1])).release()"
    taken = subprocess.run([sys.executable, "-c", holder, str(isolated_home / "chroma")], capture_output=True)
    assert taken.returncode == 0, taken.stderr
    report = json.loads(result.stdout)
    assert report["collections"][0]["vectors"] == len(before_ids)
    assert report["config"] == str(isolated_home.parent / "no-config.toml")
    assert Path(report["config"]).read_text() == f'[store]\nchroma_url = "{chroma_url}"\n'

    moved = build_assistant(load_settings(), embedder=real_embedder)
    try:
        assert moved.settings.store.chroma_url == chroma_url
        assert moved.library.store.location == chroma_url
        assert [p.id for p in moved.library.papers()] == papers
        assert moved.library.store.ids() == before_ids
        assert _search(moved) == before
        assert moved.library.repair()["orphan_vectors"] == 0
    finally:
        moved.close()


def test_repair_on_a_shared_server_leaves_other_libraries_alone(
    on_servers: None, real_embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    first = build_assistant(load_settings(), embedder=real_embedder)
    list(first.library.add(sample_papers()[:1]))
    theirs = first.library.store.count()
    monkeypatch.setenv("PAPERLAMP_HOME", str(tmp_path / "second"))
    second = build_assistant(load_settings(), embedder=real_embedder)
    try:
        # the second library's catalog owns none of the first's papers, yet repairs nothing of theirs
        assert second.library.repair()["orphan_vectors"] == 0
        assert first.library.store.count() == theirs
        assert second.library.store.collection != first.library.store.collection
    finally:
        first.close()
        second.close()


def test_an_openai_compatible_embedding_server_embeds_and_searches(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, process = _llama_server(tmp_path_factory.mktemp("embedding-server"), "--embedding", "true")
    try:
        # llama-cpp-python's server embeds one text per request (one sequence per batch)
        embedder = OpenAIEmbedder(url, ALIAS, batch_size=1)
        vectors = embedder.embed(["soil moisture sensors", "PET hydrolase"])
        assert vectors.shape == (2, 640)
        assert [round(float(v @ v), 4) for v in vectors] == [1.0, 1.0]
        monkeypatch.setenv("PAPERLAMP_EMBEDDING_URL", url)
        monkeypatch.setenv("PAPERLAMP_EMBEDDING__BATCH_SIZE", "1")
        assistant = build_assistant(load_settings())
        try:
            results = list(assistant.library.add(sample_papers()[:1]))
            assert results[0].status == "added"
            assert assistant.library.store.collection == f"chunks-{ALIAS}-640"
            [top] = assistant.searcher.search("duty cycling", 1)
            assert top.paper_id == results[0].paper_id
        finally:
            assistant.close()
    finally:
        stop(process)


def test_a_chroma_server_gone_mid_session_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(tmp_path / "db"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = serve(command, tmp_path / "log.txt", _answers(f"{url}/api/v2/heartbeat"))
    try:
        monkeypatch.setenv("PAPERLAMP_CHROMA_URL", url)
        assistant = build_assistant(load_settings(), embedder=real_embedder)
        list(assistant.library.add(sample_papers()[:1]))
        assert len(assistant.searcher.search("duty cycling", 3)) == 3
    finally:
        stop(process)
    with pytest.raises(BackendUnavailable) as raised:
        assistant.searcher.search("duty cycling", 3)
    assert str(raised.value).startswith(f"Chroma server at {url} did not answer: ")
    assistant.close()
