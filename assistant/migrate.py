"""`paperlamp migrate`: move a library's vectors from the embedded Chroma folder to a Chroma server.

Every collection is copied whole (ids, vectors, documents, metadata) into the library's own
collections on the server, then checked id by id; only then is the server recorded in the
settings file. The embedded folder is left as it was, so a failed or regretted move loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.build import guarded, server_collection
from assistant.errors import BackendUnavailable, BadInput
from assistant.settings import Settings, config_path
from models.errors import BackendError
from models.home import LibraryHome, write_text_atomically
from models.store import ChromaStore, embedded_collections

# (collection, vectors copied so far, vectors in it)
MigrateProgress = Callable[[str, int, int], None]


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


def migrate_to_server(
    settings: Settings,
    home: LibraryHome,
    url: str,
    token: str = "",
    *,
    page: int = 1000,
    progress: MigrateProgress | None = None,
) -> Migration:
    """Copy every embedded collection to the server at `url`, verify it, and record the server."""
    if not url.startswith(("http://", "https://")):
        raise BadInput(f"not a Chroma server address: {url!r} (expected http://host:port)")
    report = progress or (lambda name, done, total: None)
    copied = tuple(
        _copy(
            _open(name, path=home.chroma),
            _open(server_collection(settings, home, name), url=url, token=token),
            page,
            report,
        )
        for name in embedded_collections(home.chroma)
    )
    setting = f'[store]\nchroma_url = "{url}"\n'
    return Migration(url, copied, _record(setting), setting)


def _open(collection: str, **where: Any) -> ChromaStore:
    """A store whose failures, opening or later, come out as BackendUnavailable."""
    try:
        return guarded(ChromaStore(collection, **where))
    except BackendError as exc:
        raise BackendUnavailable(str(exc)) from exc


def _copy(source: ChromaStore, target: ChromaStore, page: int, report: MigrateProgress) -> CopiedCollection:
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
