"""Uploaded PDFs into the library: saved to a temporary folder, added by a background job with
progress per file."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from assistant.build import Assistant
from assistant.domain import AddResult
from ui.app import jobs


class Upload(Protocol):
    """What Streamlit's UploadedFile offers that is used here."""

    name: str

    def getvalue(self) -> bytes:
        """The file's bytes."""
        ...


class FileProgress:
    """Turns the library's (label, done, total) byte progress into a fraction per file on the job."""

    def __init__(self, job: jobs.Job, names: Sequence[str], sizes: Sequence[int]) -> None:
        self.job = job
        self.names = list(names)
        self.starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self.sizes = list(sizes)
        self.current = 0
        self.finished: set[int] = set()
        job.items = {name: (0.0, "waiting") for name in self.names}

    def __call__(self, label: str, done: int, total: int) -> None:
        """Move the bar of the file being added (and the job's overall bar)."""
        self.job.progress(label, done, total)
        while self.current < len(self.names) - 1 and not self._is_current(label, done):
            self.current += 1
        i = self.current
        if i in self.finished:  # the library reports a file's end after its result: keep the outcome
            return
        fraction = min(max((done - self.starts[i]) / self.sizes[i], 0.0), 1.0)
        self.job.items[self.names[i]] = (fraction, f"{fraction:.0%}")

    def finish(self, index: int, result: AddResult) -> None:
        """Show a file's outcome on its bar."""
        verb = {"added": "added", "resumed": "finished", "exists": "already in the library"}
        self.finished.add(index)
        self.job.items[self.names[index]] = (1.0, verb.get(result.status, "failed"))

    def _is_current(self, label: str, done: int) -> bool:
        i = self.current
        return label == self.names[i] and self.starts[i] <= done <= self.starts[i] + self.sizes[i]


def start_adding(assistant: Assistant, uploads: Sequence[Upload]) -> jobs.Job:
    """Save the uploads and add them in a background job; its result is one AddResult per file."""
    folder = Path(tempfile.mkdtemp(prefix="paperlamp-upload-"))
    paths = [_save(upload, folder / str(i)) for i, upload in enumerate(uploads)]

    def work(job: jobs.Job) -> list[AddResult]:
        bars = FileProgress(job, [p.name for p in paths], [max(p.stat().st_size, 1) for p in paths])
        results: list[AddResult] = []
        job.result = results  # what was added stays visible even when a backend fails halfway
        try:
            for i, result in enumerate(assistant.library.add(paths, bars)):
                bars.finish(i, result)
                results.append(result)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return results

    count = f"{len(paths)} file{'s' * (len(paths) != 1)}"
    return jobs.start("add", folder.name, f"Adding {count}", work)


def _save(upload: Upload, folder: Path) -> Path:
    """Write an upload under its own name into its own folder (two uploads may share a name)."""
    folder.mkdir()
    path = folder / (Path(upload.name).name or "upload.pdf")
    path.write_bytes(upload.getvalue())
    return path
