"""`paperlamp migrate`: move a library's vectors from the embedded Chroma folder to a Chroma server.

Every collection is copied whole (ids, vectors, documents, metadata) into the library's own
collections on the server, then checked id by id; only then is the server recorded in the
settings file. The embedded folder is left as it was, so a failed or regretted move loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.domain import Progress, no_progress
from assistant.errors import BackendUnavailable, BadInput
from assistant.settings import config_path
from models.home import LibraryHome, write_text_atomically
from models.store import ChromaStore, embedded_collections, server_collection


@dataclass(frozen=True)
class CopiedCollection:
    """One collection moved: its embedded name, its name on the server, and its vector count."""

    source: str
    target: str
    vectors: int


@dataclass(frozen=True)
class Migration:
    """What a migration copied, and where the server was recorded (None: the file already had one)."""

    url: str
    collections: tuple[CopiedCollection, ...]
    config: Path | None
    setting: str


class StoreMigration:
    """Moves this library's vectors from its embedded store to a Chroma server."""

    def __init__(self, home: LibraryHome, namespace: Callable[[], str]) -> None:
        self.home = home
        self._namespace = namespace  # this library's collection prefix on a server

    def to_server(
        self, url: str, token: str = "", *, page: int = 1000, progress: Progress = no_progress
    ) -> Migration:
        """Copy every embedded collection to the server at `url`, verify it, and record the server.

        Both stores are closed once their collection is copied (or has failed): the embedded one
        holds the library folder's lock, which every other process needs to open the library.
        """
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"not a Chroma server address: {url!r} (expected http://host:port)")
        copied = []
        for name in embedded_collections(self.home.chroma):
            source = ChromaStore(name, path=self.home.chroma)
            try:
                target = ChromaStore(server_collection(self._namespace(), name), url=url, token=token)
                try:
                    copied.append(_copy(source, target, page, progress))
                finally:
                    target.close()
            finally:
                source.close()
        setting = f'[store]\nchroma_url = "{url}"\n'
        return Migration(url, tuple(copied), _record(setting), setting)


def _copy(source: ChromaStore, target: ChromaStore, page: int, report: Progress) -> CopiedCollection:
    """Copy one collection page by page (upserts, so a rerun after a failure just finishes it)."""
    wanted = source.ids()
    foreign = target.ids() - wanted
    if foreign:
        raise BadInput(
            f"the server's collection {target.collection} already holds {len(foreign)} vectors this "
            "library does not have; set store.namespace to give this library its own collections"
        )
    total = len(wanted)
    for offset in range(0, total, page):
        ids, vectors, documents, metadatas = source.page(offset, page)
        target.add(ids, vectors, documents, metadatas)
        report(source.collection, min(offset + page, total), total)
    stored = target.ids()
    if stored != wanted or target.count() != total:
        raise BackendUnavailable(
            f"the copy of {source.collection} is incomplete ({len(wanted - stored)} of {total} vectors "
            "missing on the server); run migrate again"
        )
    return CopiedCollection(source.collection, target.collection, total)


def _record(setting: str) -> Path | None:
    """Add the server to the settings file, unless the file already has a [store] table."""
    path = config_path()
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if "[store]" in text:
        return None  # editing someone's TOML table in place could break it; the CLI prints the lines
    write_text_atomically(path, (text.rstrip("\n") + "\n\n" if text.strip() else "") + setting)
    return path
