"""The vector store: a Protocol, and the Chroma implementation (embedded on disk, or a server).

Chroma is always opened with `embedding_function=None` (its default would download a model) and
with telemetry off: nothing here phones home. Vectors are L2-normalised, so cosine distance is
used and similarity is `1 - distance`.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from models.errors import BackendError

# Chroma reads these when it is imported; set them first so nothing is ever sent anywhere.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("CHROMA_TELEMETRY", "False")

Metadata = Mapping[str, str | int | float | bool]


@dataclass(frozen=True)
class VectorHit:
    """A stored vector's id and its cosine similarity to the query."""

    id: str
    similarity: float


class VectorStore(Protocol):
    """Keeps chunk vectors by id and finds the nearest ones: what the library and search use."""

    collection: str  # the store's name for this library's vectors of one embedding model
    location: str  # where the vectors live: a folder, or a server's address

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        """Insert or replace vectors by id."""
        ...

    def query(self, vector: np.ndarray, k: int, paper_ids: Sequence[str] | None = None) -> list[VectorHit]:
        """The k nearest vectors, optionally only those of some papers."""
        ...

    def ids(self, paper_id: str | None = None) -> set[str]:
        """Every stored id (of one paper, or all)."""
        ...

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are stored."""
        ...

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete vectors by id."""
        ...

    def delete_paper(self, paper_id: str) -> None:
        """Delete every vector of one paper."""
        ...

    def count(self) -> int:
        """How many vectors are stored."""
        ...

    def close(self) -> None:
        """Let go of the store (an embedded one's folder is free for other processes after)."""
        ...


def collection_name(embedder_name: str, dimension: int) -> str:
    """A Chroma collection name per embedding model, so vectors of two models never mix."""
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", embedder_name).strip("-_")[:40] or "model"
    return f"chunks-{slug}-{dimension}"


def server_collection(namespace: str, name: str) -> str:
    """The collection `name` on a Chroma server, prefixed by the library's namespace: a shared
    server never mixes (or repairs away) another library's vectors."""
    return f"{namespace}-{name}"


class ChromaStore:
    """Chunk vectors in Chroma, embedded in a folder or on a Chroma server."""

    def __init__(self, collection: str, *, path: Path | None = None, url: str = "", token: str = "") -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        where = url or str(path)
        self._lock: FolderLock | None = None
        self._closed = False
        try:
            if url:
                self.client = _http_client(chromadb, url, token, chroma_settings)
            else:
                if path is None:
                    raise BackendError("an embedded Chroma store needs a folder")
                path.mkdir(parents=True, exist_ok=True)
                self._lock = hold_folder(path)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            collection_obj = self.client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except BackendError:
            self._release_lock()
            raise
        except Exception as exc:
            self._release_lock()
            if url:
                raise _server_error(url, exc) from exc
            raise BackendError(f"cannot open the Chroma store at {where}: {exc}") from exc
        self._collection = collection_obj
        self._url = url
        self.location = where
        self.collection = collection

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """Run calls on the collection; a server's failures (gone mid-session, refusing) become
        BackendError naming it. An embedded store's errors are bugs, and pass as they are."""
        try:
            yield
        except Exception as exc:
            if not self._url or isinstance(exc, BackendError):
                raise
            raise _server_error(self._url, exc) from exc

    def close(self) -> None:
        """Close the client; the last embedded store of a folder in this process unlocks it.

        Chroma stops a folder's in-process system with its last client, so a later open reads
        what other processes wrote meanwhile instead of a stale index.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self.client.close()
        finally:
            self._release_lock()

    def _release_lock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        """Insert or replace vectors by id (upsert, so a resumed add never duplicates)."""
        if not ids:
            return
        with self._answering():
            self._collection.upsert(
                ids=list(ids),
                embeddings=np.asarray(vectors, dtype=np.float32),
                documents=list(documents),
                metadatas=[dict(m) for m in metadatas],
            )

    def query(self, vector: np.ndarray, k: int, paper_ids: Sequence[str] | None = None) -> list[VectorHit]:
        """The k nearest vectors, optionally only those of some papers."""
        if k <= 0 or (paper_ids is not None and not paper_ids):
            return []
        where: dict[str, Any] | None = None
        if paper_ids is not None:
            where = {"paper_id": {"$in": list(paper_ids)}}
        with self._answering():
            result = self._collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                where=where,
                include=["distances"],
            )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [VectorHit(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def ids(self, paper_id: str | None = None) -> set[str]:
        """Every stored id (of one paper, or all)."""
        where = {"paper_id": paper_id} if paper_id else None
        found: set[str] = set()
        offset, page = 0, 5000
        while True:
            with self._answering():
                batch = self._collection.get(where=where, include=[], limit=page, offset=offset)
            found.update(batch["ids"])
            if len(batch["ids"]) < page:
                return found
            offset += page

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are stored (looked up by id, which stays fast as the store grows)."""
        found: set[str] = set()
        for start in range(0, len(ids), 5000):
            with self._answering():
                found.update(self._collection.get(ids=list(ids[start : start + 5000]), include=[])["ids"])
        return found

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete vectors by id."""
        for start in range(0, len(ids), 5000):
            with self._answering():
                self._collection.delete(ids=list(ids[start : start + 5000]))

    def delete_paper(self, paper_id: str) -> None:
        """Delete every vector of one paper."""
        with self._answering():
            self._collection.delete(where={"paper_id": paper_id})

    def count(self) -> int:
        """How many vectors are stored."""
        with self._answering():
            return int(self._collection.count())

    def page(self, offset: int, limit: int) -> tuple[list[str], np.ndarray, list[str], list[Metadata]]:
        """Up to `limit` stored vectors from `offset`, with documents and metadata (for copying)."""
        with self._answering():
            batch = self._collection.get(
                include=["embeddings", "documents", "metadatas"], limit=limit, offset=offset
            )
        vectors = np.asarray(batch["embeddings"], dtype=np.float32)
        return list(batch["ids"]), vectors, list(batch["documents"]), list(batch["metadatas"])


def _server_error(url: str, exc: Exception) -> BackendError:
    """A Chroma client failure as one sentence that names the server."""
    detail = str(exc) or type(exc).__name__
    return BackendError(f"Chroma server at {url} did not answer: {detail}")


def embedded_collections(path: Path) -> list[str]:
    """The collections in an embedded Chroma folder (none when there is no folder)."""
    if not path.is_dir():
        return []
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(
        anonymized_telemetry=False, allow_reset=False
    )  # as ChromaStore's, or Chroma refuses
    lock = hold_folder(path)
    try:
        client: Any = chromadb.PersistentClient(path=str(path), settings=settings)  # its type omits close()
        try:
            return sorted(c.name for c in client.list_collections())
        finally:
            client.close()
    finally:
        lock.release()


def chroma_heartbeat(url: str, token: str = "") -> str:
    """Ask a Chroma server whether it is up; its version, or a BackendError."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        client = _http_client(chromadb, url, token, ChromaSettings(anonymized_telemetry=False))
        client.heartbeat()
        return str(client.get_version())
    except BackendError:
        raise
    except Exception as exc:
        raise _server_error(url, exc) from exc


def _http_client(chromadb: Any, url: str, token: str, settings: Any) -> Any:
    """A Chroma HTTP client for `url` (http[s]://host:port), with an optional token header."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise BackendError(f"not a Chroma server address: {url!r} (expected http://host:port)")
    # Chroma's token auth reads one of two headers depending on how the server is configured (and
    # proxies in front of it usually want Bearer); sending both works with either.
    headers = {"X-Chroma-Token": token, "Authorization": f"Bearer {token}"} if token else None
    return chromadb.HttpClient(
        host=parsed.hostname,
        port=parsed.port or (443 if parsed.scheme == "https" else 80),
        ssl=parsed.scheme == "https",
        headers=headers,
        settings=settings,
    )


class FolderLock:
    """This process's hold on an embedded Chroma folder, shared by every store opened on it here."""

    _held: ClassVar[dict[Path, tuple[int, int]]] = {}  # folder -> (lock file descriptor, holders)
    _guard = threading.Lock()

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def release(self) -> None:
        """Drop this hold; the last one in the process unlocks the folder."""
        with FolderLock._guard:
            fd, holders = FolderLock._held.pop(self.folder, (-1, 0))
            if holders > 1:
                FolderLock._held[self.folder] = (fd, holders - 1)
            elif fd >= 0:
                os.close(fd)  # closing the descriptor drops the flock


def hold_folder(folder: Path) -> FolderLock:
    """Claim an embedded Chroma folder for this process, or say which process has it.

    Embedded Chroma keeps its index in memory per process, so two processes writing one folder
    corrupt it. Within a process Chroma shares one client per folder, so holds here are counted.
    The operating system drops the lock when the process ends, however it ends.
    """
    folder = folder.resolve()
    with FolderLock._guard:
        if folder in FolderLock._held:
            fd, holders = FolderLock._held[folder]
            FolderLock._held[folder] = (fd, holders + 1)
            return FolderLock(folder)
        lock_path = folder.with_name(folder.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 300).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise BackendError(
                f"the library's vector store is in use by {owner}; stop that process, or share the "
                "library through a Chroma server (PAPERLAMP_CHROMA_URL)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()} ({_this_program()})".encode())
        FolderLock._held[folder] = (fd, 1)
        return FolderLock(folder)


def _this_program() -> str:
    """What this process is, in words a user recognises in a message about the lock."""
    if "streamlit" in sys.modules:
        return "the paperlamp app"
    program = Path(sys.argv[0]).name if sys.argv else "python"
    words = [a for a in sys.argv[1:3] if not a.startswith("-")] if program == "paperlamp" else []
    return " ".join([program, *words])
