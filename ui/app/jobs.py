"""Long work off the page: adds, fetches, digests, summaries and comparisons run in background threads.

The threads live in one process-wide registry (st.cache_resource), not in a page run, so a user can
leave a page and come back to find the work still running or finished. Each job records its
progress, its result or a readable error; pages draw it from a fragment that polls while it runs.
Model and library writes stay serialized: a job holds the app's model lock while it works.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import streamlit as st

from assistant.errors import REPORTED, message
from ui.app import state
from ui.app.widgets import md_escape

JobState = Literal["waiting", "running", "done", "failed"]
POLL_SECONDS = 1.0
_log = logging.getLogger("paperlamp.ui")


@dataclass
class Job:
    """One piece of background work: what it is, how far it got, and how it ended."""

    id: str
    kind: str  # "add", "fetch", "digest", "summary", "compare"
    key: str  # what it works on (a paper id, a topic): one running job per kind and key
    title: str
    started: float = field(default_factory=time.time)
    state: JobState = "waiting"
    label: str = "waiting for other work to finish"
    done: int = 0
    total: int = 0
    steps: list[str] = field(default_factory=list)  # each distinct progress label, in order
    items: dict[str, tuple[float, str]] = field(default_factory=dict)  # per file: fraction, text
    result: Any = None
    error: str = ""
    finished: float | None = None
    dismissed: bool = False

    @property
    def active(self) -> bool:
        """Still waiting or running."""
        return self.state in ("waiting", "running")

    @property
    def fraction(self) -> float:
        """Share of the work done, 0 to 1."""
        if self.state == "done":
            return 1.0
        return min(max(self.done / self.total, 0.0), 1.0) if self.total else 0.0

    def progress(self, label: str, done: int, total: int) -> None:
        """The assistant's (label, done, total) progress callback."""
        self.label, self.done, self.total = label, done, total
        if label and label != "done" and (not self.steps or self.steps[-1] != label):
            self.steps.append(label)

    def elapsed(self) -> float:
        """Seconds since the job was started (until it finished)."""
        return (self.finished or time.time()) - self.started


class Jobs:
    """The process's jobs, newest last; each runs in its own daemon thread."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._guard = threading.Lock()
        self._ids = itertools.count(1)

    def start(
        self, kind: str, key: str, title: str, work: Callable[[Job], Any], lock: threading.Lock | None
    ) -> Job:
        """Run `work(job)` in a thread (holding `lock`); a running job of the same kind and key is reused."""
        with self._guard:
            for job in self._jobs.values():
                if job.kind == kind and job.key == key and job.active:
                    return job
            job = Job(f"{kind}-{next(self._ids)}", kind, key, title)
            thread = threading.Thread(target=self._run, args=(job, work, lock), name=job.id, daemon=True)
            self._jobs[job.id] = job
            self._threads[job.id] = thread
        thread.start()
        return job

    def _run(self, job: Job, work: Callable[[Job], Any], lock: threading.Lock | None) -> None:
        try:
            if lock is None:
                job.state = "running"
                job.result = work(job)
            else:
                with lock:
                    job.state, job.label = "running", "starting"
                    job.result = work(job)
            job.state = "done"
        except REPORTED as exc:
            job.error, job.state = message(exc), "failed"
        except Exception as exc:  # the job's last guard: a sentence for the page, the traceback to the log
            _log.exception("job %s (%s) failed", job.id, job.title)
            job.error = f"Something went wrong ({type(exc).__name__}: {exc}). Details are in the log."
            job.state = "failed"
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        """A job by id."""
        return self._jobs.get(job_id)

    def of(self, kinds: Iterable[str], key: str | None = None) -> list[Job]:
        """Jobs of these kinds (and key, when given), newest first."""
        wanted = set(kinds)
        found = [j for j in self._jobs.values() if j.kind in wanted and (key is None or j.key == key)]
        return found[::-1]

    def latest(self, kind: str, key: str | None = None) -> Job | None:
        """The newest job of a kind (and key)."""
        return next(iter(self.of([kind], key)), None)

    def active(self) -> list[Job]:
        """Jobs waiting or running, oldest first."""
        return [j for j in self._jobs.values() if j.active]

    def wait(self, job: Job, timeout: float = 60.0) -> bool:
        """Block until the job ends (tests and shutdown); whether it did within `timeout`."""
        thread = self._threads.get(job.id)
        if thread is not None:
            thread.join(timeout)
        return not job.active


@st.cache_resource
def registry() -> Jobs:
    """The process-wide job registry."""
    return Jobs()


def start(kind: str, key: str, title: str, work: Callable[[Job], Any]) -> Job:
    """Start background work that needs the model lock (every job here writes or generates)."""
    return registry().start(kind, key, title, work, state.model_lock())


def follow(jobs: list[Job], draw: Callable[[Job], None]) -> None:
    """Draw jobs in a fragment that polls while any is active; when one ends, the whole page reruns."""
    ids = [j.id for j in jobs]
    was_active = {j.id for j in jobs if j.active}

    @st.fragment(run_every=POLL_SECONDS if was_active else None)
    def panel() -> None:
        now = [j for j in (registry().get(i) for i in ids) if j is not None]
        if any(j.id in was_active and not j.active for j in now):
            st.rerun()  # the page shows the results outside the fragment
        for job in now:
            draw(job)

    panel()


def progress_box(job: Job, show_steps: bool = True) -> None:
    """A job's title, bar, per-file bars and step list while it is active; its error when it failed."""
    if job.state == "failed":
        st.error(f"{job.title}: {job.error}")
        return
    if not job.active:
        return
    with st.container(border=True):
        st.markdown(f"**{job.title}** · {job.elapsed():.0f} s")
        st.progress(job.fraction, text=job.label or "starting")
        for name, (fraction, text) in list(job.items.items()):
            st.progress(fraction, text=f"{name}: {text}")
        if show_steps and len(job.steps) > 1:
            lines = [f"- ✓ {md_escape(s)}" for s in job.steps[:-1]] + [f"- … {md_escape(job.steps[-1])}"]
            st.markdown("\n".join(lines[-12:]))
