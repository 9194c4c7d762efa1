"""Uploaded PDFs into the library: saved to a temporary folder, added with a progress bar per file."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import streamlit as st

from assistant.domain import AddResult
from assistant.errors import PaperlampError
from ui import state


class Upload(Protocol):
    """What Streamlit's UploadedFile offers that is used here."""

    name: str

    def getvalue(self) -> bytes:
        """The file's bytes."""
        ...


class FileBars:
    """Turns the library's (label, done, total) byte progress into one progress bar per file."""

    def __init__(self, names: Sequence[str], sizes: Sequence[int]) -> None:
        self.names = list(names)
        self.starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self.sizes = list(sizes)
        self.bars = [st.progress(0.0, text=f"{name}: waiting") for name in names]
        self.current = 0

    def __call__(self, label: str, done: int, total: int) -> None:
        """Move the bar of the file being added."""
        while self.current < len(self.names) - 1 and not self._is_current(label, done):
            self.current += 1
        i = self.current
        fraction = min(max((done - self.starts[i]) / self.sizes[i], 0.0), 1.0)
        self.bars[i].progress(fraction, text=f"{self.names[i]}: {fraction:.0%}")

    def finish(self, index: int, result: AddResult) -> None:
        """Show a file's outcome on its bar."""
        verb = {"added": "added", "resumed": "finished", "exists": "already in the library"}
        text = verb.get(result.status, "failed")
        self.bars[index].progress(1.0, text=f"{self.names[index]}: {text}")

    def _is_current(self, label: str, done: int) -> bool:
        i = self.current
        return label == self.names[i] and self.starts[i] <= done <= self.starts[i] + self.sizes[i]


def add_uploads(uploads: Sequence[Upload]) -> list[AddResult]:
    """Add uploaded PDFs to the library, showing progress; one result per file that was tried."""
    assistant = state.assistant()
    results: list[AddResult] = []
    with tempfile.TemporaryDirectory(prefix="paperlamp-upload-") as folder:
        paths = [_save(upload, Path(folder) / str(i)) for i, upload in enumerate(uploads)]
        plural = "s" * (len(paths) != 1)
        with st.status(f"Adding {len(paths)} file{plural}…", expanded=True) as status:
            bars = FileBars([p.name for p in paths], [max(p.stat().st_size, 1) for p in paths])
            try:
                with state.exclusive():
                    for i, result in enumerate(assistant.library.add(paths, bars)):
                        bars.finish(i, result)
                        results.append(result)
            except PaperlampError as exc:  # a backend failed: what was added stays added
                st.error(str(exc))
            added = sum(r.ok for r in results)
            failed = len(paths) - added
            status.update(
                label=f"Added {added} of {len(paths)} file{plural}",
                state="error" if failed else "complete",
                expanded=bool(failed),
            )
    return results


def _save(upload: Upload, folder: Path) -> Path:
    """Write an upload under its own name into its own folder (two uploads may share a name)."""
    folder.mkdir()
    path = folder / (Path(upload.name).name or "upload.pdf")
    path.write_bytes(upload.getvalue())
    return path
