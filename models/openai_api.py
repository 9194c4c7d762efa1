"""OpenAI-compatible model servers (llama.cpp's server, Ollama, vLLM): a generator and an embedder.

One HTTP client serves both, so timeouts, retries and error messages are the same everywhere:
connect errors and 5xx answers are retried with backoff; a wrong model name is reported with the
names the server does serve (from `/v1/models`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import numpy as np

from models.errors import BackendError
from models.generator import Prompt, TokenCallback


def approximate_tokens(text: str) -> int:
    """A token count for servers that cannot tokenize: one per 3 characters, rounded up.

    English word-piece and BPE tokenizers average about 4 characters a token, so this
    over-counts, and windows and prompts sized with it still fit the real model.
    """
    return math.ceil(len(text) / 3)


class OpenAIClient:
    """JSON and server-sent-event requests to one OpenAI-compatible server, with retries."""

    def __init__(self, url: str, *, api_key: str = "", timeout: float = 120.0, retries: int = 2) -> None:
        if not url.startswith(("http://", "https://")):
            raise BackendError(f"not a model server address: {url!r} (expected http://host:port/v1)")
        root = url.rstrip("/")
        self.root = root.removesuffix("/v1")
        self.base = f"{self.root}/v1"
        self.url = url
        self.retries = retries
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # Connecting should be quick on any network; only the answer itself may take long.
        self._http = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))

    def models(self) -> dict[str, dict[str, Any]]:
        """The models the server serves (`/v1/models`), by name."""
        data = self._send("GET", f"{self.base}/models").json()
        return {str(m.get("id", "")): dict(m) for m in data.get("data", [])}

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to `/v1/<path>` and return the JSON answer."""
        return dict(self._send("POST", f"{self.base}/{path}", body).json())

    def stream(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """POST with `stream: true` and yield each event's JSON; a server that does not stream
        answers with one JSON body, which is yielded whole."""
        request = self._http.build_request("POST", f"{self.base}/{path}", json={**body, "stream": True})
        response = self._with_retries(lambda: self._http.send(request, stream=True))
        try:
            if "text/event-stream" not in response.headers.get("content-type", ""):
                response.read()
                yield dict(response.json())
                return
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    return
                event = json.loads(payload)
                if "error" in event:
                    raise BackendError(f"the model server at {self.url} failed mid-answer: {event['error']}")
                yield event
        except httpx.HTTPError as exc:
            raise BackendError(f"the model server at {self.url} broke off its answer: {exc}") from exc
        finally:
            response.close()

    def try_post(self, url: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """POST once to any address on the server; None when it has no such endpoint or fails."""
        try:
            response = self._http.post(url, json=body)
        except httpx.HTTPError:
            return None
        return dict(response.json()) if response.status_code == 200 else None

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, method: str, url: str, body: dict[str, Any] | None = None) -> httpx.Response:
        response = self._with_retries(lambda: self._http.request(method, url, json=body))
        response.read()
        return response

    def _with_retries(self, send: Any) -> httpx.Response:
        """Send, retrying connect errors and 5xx answers with backoff; other failures are final."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response: httpx.Response = send()
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last:
                    raise BackendError(f"the model server at {self.url} did not answer: {exc}") from exc
            except httpx.TimeoutException as exc:
                raise BackendError(
                    f"the model server at {self.url} took longer than {self._http.timeout.read} s "
                    "(raise timeout_seconds)"
                ) from exc
            except httpx.HTTPError as exc:
                raise BackendError(f"the model server at {self.url} failed: {exc}") from exc
            else:
                if response.status_code < 500 or last:
                    if response.status_code >= 400:
                        raise self._error(response)
                    return response
                response.close()
            time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, response: httpx.Response) -> BackendError:
        response.read()
        text = response.text[:300]
        code = response.status_code
        if code in (401, 403):
            return BackendError(f"the model server at {self.url} refused the API key (HTTP {code}): {text}")
        return _StatusError(f"the model server at {self.url} answered HTTP {code}: {text}", code, text)


class _StatusError(BackendError):
    """An HTTP error answer, kept with its status so a missing model can be told apart."""

    def __init__(self, message: str, status: int, text: str) -> None:
        super().__init__(message)
        self.status = status
        self.text = text


def _served_model(client: OpenAIClient, wanted: str) -> tuple[str, dict[str, Any]]:
    """The model to ask for (the only one served when `wanted` is empty), or a BackendError.

    Asked up front because some servers (llama.cpp's) silently answer with another model when the
    name is wrong.
    """
    entries = client.models()
    if not wanted:
        if not entries:
            raise BackendError(f"the model server at {client.url} serves no models")
        wanted = next(iter(entries))
    if entries and wanted not in entries:
        raise BackendError(
            f"the server at {client.url} has no model {wanted}; it serves: {', '.join(entries)}"
        )
    return wanted, dict(entries.get(wanted, {}))


def _missing_model(client: OpenAIClient, model: str, exc: _StatusError) -> BackendError:
    """A 404 or "model not found" answer as a sentence naming the models the server has."""
    if exc.status != 404 and "model" not in exc.text.lower():
        return exc
    try:
        names = ", ".join(client.models()) or "nothing"
    except BackendError:
        names = "(its /v1/models list did not answer)"
    return BackendError(f"the server at {client.url} has no model {model}; it serves: {names}")


class OpenAIGenerator:
    """A model behind an OpenAI-compatible `/v1/chat/completions` or `/v1/completions` endpoint."""

    def __init__(
        self,
        url: str,
        model: str = "",
        *,
        api_key: str = "",
        api: str = "chat",
        context_tokens: int = 8192,
        temperature: float = 0.0,
        timeout: float = 120.0,
        retries: int = 2,
    ) -> None:
        if api not in ("chat", "completions"):
            raise BackendError(f"server_api must be 'chat' or 'completions', not {api!r}")
        self._client = OpenAIClient(url, api_key=api_key, timeout=timeout, retries=retries)
        self.model, info = _served_model(self._client, model)
        self.name = self.model
        self.api = api
        self.has_chat_template = api == "chat"  # the server applies the model's template
        # vLLM says how long its context is; others don't, so the setting is trusted.
        self.context_tokens = int(info.get("max_model_len") or context_tokens)
        self.temperature = temperature
        self._can_tokenize = True

    def count_tokens(self, text: str) -> int:
        """Model tokens in `text`: llama.cpp's server counts exactly; elsewhere an over-estimate."""
        if self._can_tokenize:
            body = {"input": text, "model": self.model}
            answer = self._client.try_post(f"{self._client.root}/extras/tokenize/count", body)
            if answer is not None and "count" in answer:
                return int(answer["count"])
            self._can_tokenize = False  # no such endpoint (Ollama, vLLM): stop asking
        return approximate_tokens(text)

    def generate(
        self,
        prompt: Prompt,
        *,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        on_token: TokenCallback | None = None,
    ) -> str:
        """The model's continuation, streamed to `on_token` as the server sends it."""
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "temperature": self.temperature,
        }
        if stop:
            body["stop"] = list(stop)
        if self.api == "chat":
            body["messages"] = prompt.as_messages()
        else:
            body["prompt"] = prompt.as_text()
        pieces: list[str] = []
        try:
            for event in self._client.stream(
                "chat/completions" if self.api == "chat" else "completions", body
            ):
                for choice in event.get("choices", []):
                    text = _choice_text(choice)
                    if text:
                        pieces.append(text)
                        if on_token:
                            on_token(text)
        except _StatusError as exc:
            raise _missing_model(self._client, self.model, exc) from exc
        return "".join(pieces)


def _choice_text(choice: dict[str, Any]) -> str:
    """The text of one streamed or whole choice, for either endpoint."""
    if "text" in choice:
        return str(choice["text"] or "")
    part = choice.get("delta") or choice.get("message") or {}
    return str(part.get("content") or "")


class OpenAIEmbedder:
    """An embedding model behind an OpenAI-compatible `/v1/embeddings` endpoint."""

    def __init__(
        self,
        url: str,
        model: str = "",
        *,
        api_key: str = "",
        max_tokens: int = 512,
        batch_size: int = 64,
        timeout: float = 120.0,
        retries: int = 2,
    ) -> None:
        self._client = OpenAIClient(url, api_key=api_key, timeout=timeout, retries=retries)
        self.model, _ = _served_model(self._client, model)
        self.name = self.model
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._dimension = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text (normalised here: not every server does)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            try:
                answer = self._client.post("embeddings", {"model": self.model, "input": batch})
            except _StatusError as exc:
                raise _missing_model(self._client, self.model, exc) from exc
            # The spec gives each vector its input's index; order by it rather than trust the order.
            data = sorted(answer.get("data", []), key=lambda d: int(d.get("index", 0)))
            if len(data) != len(batch):
                raise BackendError(
                    f"the server at {self._client.url} returned {len(data)} vectors for {len(batch)} texts"
                )
            rows.extend(_flat(d["embedding"]) for d in data)
        vectors = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        self._dimension = int(vectors.shape[1])
        return vectors

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """An over-estimate per text: the server's tokenizer is unknown, and one request per
        sentence would make chunking a paper cost thousands of round trips."""
        return [approximate_tokens(t) for t in texts]

    @property
    def dimension(self) -> int:
        """Length of each vector (learnt from one probe embedding if none was made yet)."""
        if not self._dimension:
            self.embed(["dimension probe"])
        return self._dimension


def _flat(embedding: Any) -> list[float]:
    """One vector; llama.cpp's server returns token-level lists for models without pooling."""
    if embedding and isinstance(embedding[0], list):
        return [float(x) for x in np.mean(np.asarray(embedding, dtype=np.float32), axis=0)]
    return [float(x) for x in embedding]


def served_models(url: str, *, api_key: str = "", timeout: float = 10.0) -> list[str]:
    """The model names an OpenAI-compatible server serves, or a BackendError (for doctor)."""
    client = OpenAIClient(url, api_key=api_key, timeout=timeout, retries=0)
    try:
        return list(client.models())
    finally:
        client.close()
