"""The library's on-disk layout; every file the library writes goes through this module.

<home>/catalog.sqlite   papers, chunks and the full-text index (models/catalog.py)
<home>/chroma/          the embedded Chroma store (models/store.py)
<home>/papers/          each added PDF, copied in as <sha256>.pdf
<home>/digests/         digest posts, their JSON and figures
<home>/figures/         figures cropped from library papers, by paper
<home>/cache/           assembled model files and other rebuildable things
<home>/config.toml      optional settings file
<home>/library-id       this library's random id, naming its collections on a Chroma server
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WriteFn = Callable[[Path], object]


@dataclass(frozen=True)
class LibraryHome:
    """Paths inside one library folder."""

    root: Path

    @property
    def catalog(self) -> Path:
        """The SQLite catalog."""
        return self.root / "catalog.sqlite"

    @property
    def chroma(self) -> Path:
        """The embedded Chroma folder."""
        return self.root / "chroma"

    @property
    def papers(self) -> Path:
        """Where added PDFs are kept."""
        return self.root / "papers"

    @property
    def digests(self) -> Path:
        """Where digest posts are written by default."""
        return self.root / "digests"

    @property
    def figures(self) -> Path:
        """Where figures cropped from library papers are kept."""
        return self.root / "figures"

    @property
    def cache(self) -> Path:
        """Rebuildable files (assembled bundled models)."""
        return self.root / "cache"

    def create(self) -> LibraryHome:
        """Make the folders; return self."""
        for folder in (self.root, self.papers, self.digests, self.figures, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    def paper_file(self, sha256: str) -> Path:
        """Where a PDF with this content hash is kept."""
        return self.papers / f"{sha256}.pdf"

    def keep_file(self, source: Path, sha256: str) -> Path:
        """Copy a PDF into the library atomically (never a half-written file); return its path."""
        target = self.paper_file(sha256)
        if target.is_file() and target.stat().st_size == source.stat().st_size:
            return target
        write_atomically(target, lambda tmp: shutil.copyfile(source, tmp))
        return target

    def library_id(self) -> str:
        """This library's id, made once at random: two libraries never share a server collection."""
        path = self.root / "library-id"
        if not path.is_file():
            write_text_atomically(path, uuid.uuid4().hex[:12] + "\n")
        return path.read_text(encoding="utf-8").strip()

    def remove_file(self, sha256: str) -> None:
        """Delete a kept PDF and its figures, if present."""
        self.paper_file(sha256).unlink(missing_ok=True)
        shutil.rmtree(self.figures / sha256, ignore_errors=True)

    def sweep_papers(self, kept: set[str], older_than: float = 600.0) -> int:
        """Delete the files in papers/ that no paper owns; how many were deleted.

        A file is owned when its name is `<sha256>.pdf` of a sha in `kept`. Anything else there is
        left over: a PDF copied in for an add that failed, or a copy cut short by a kill. Files
        modified in the last `older_than` seconds are left alone: another process sharing the
        library (through a Chroma server) may be adding them right now.
        """
        swept = 0
        now = time.time()
        for path in self.papers.iterdir() if self.papers.is_dir() else ():
            owned = path.suffix == ".pdf" and path.stem in kept
            if owned or not path.is_file() or now - path.stat().st_mtime < older_than:
                continue
            path.unlink(missing_ok=True)
            swept += 1
        return swept


def write_atomically(target: Path, write: WriteFn) -> None:
    """Run `write(tmp_path)` then rename onto `target`, so readers never see a partial file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(target: Path, text: str) -> None:
    """Write a text file atomically."""
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def append_line(target: Path, line: str) -> None:
    """Append one line to a text file in a single write, so concurrent appends never interleave."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(line.rstrip("\n") + "\n")


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
