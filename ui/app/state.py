"""What the app's pages share: the assistant (built once per process), a lock for model work, errors.

The app shows errors in three places, all with assistant/errors.py's REPORTED list and
`message()`: `attempt` for a page's calls, `assistant` for building it (settings errors
included), and the job runner (ui/app/jobs.py) for background work. Anything else is a bug; it
reaches the page's last guard (ui/app/main.py), which logs its traceback.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

import streamlit as st

from assistant.build import Assistant, build_assistant
from assistant.errors import REPORTED, message
from assistant.settings import load_settings

T = TypeVar("T")


def build() -> Assistant:
    """The assistant on the same library and settings as the CLI (tests replace this function)."""
    return build_assistant(load_settings())


@st.cache_resource(show_spinner="Opening the library…")
def _cached_assistant() -> Assistant:
    built = build()
    _watch_idle(built, model_lock())
    return built


@st.cache_resource
def model_lock() -> threading.Lock:
    """The process-wide lock for model work and library writes (pages and background jobs)."""
    return threading.Lock()


def assistant() -> Assistant:
    """The process-wide assistant; when it cannot be built, the reason is shown and the page stops."""
    try:
        return _cached_assistant()
    except REPORTED as exc:
        st.error(f"The library could not be opened: {message(exc)}")
        st.stop()
        raise  # unreachable: st.stop() raises


def release_if_idle(assistant: Assistant, lock: threading.Lock) -> bool:
    """Let go of the embedded vector store once it has gone unused for `store.app_idle_seconds`
    and no job holds the work lock; whether it was let go. The next search or job reopens it.

    Embedded Chroma allows one process per folder: without this, an open app would refuse
    `paperlamp add` and every other vector command for as long as it runs.
    """
    idle = assistant.settings.store.app_idle_seconds
    if idle <= 0 or assistant.settings.store.chroma_url or not lock.acquire(blocking=False):
        return False
    try:
        return assistant.library.release_store(idle)
    finally:
        lock.release()


def _watch_idle(assistant: Assistant, lock: threading.Lock) -> None:
    """Check for idleness a few times per idle period, for as long as the assistant exists."""
    idle = assistant.settings.store.app_idle_seconds
    if idle <= 0:
        return
    ref = weakref.ref(assistant)

    def watch() -> None:
        while True:
            time.sleep(max(1.0, min(5.0, idle / 4)))
            current = ref()
            if current is None:
                return
            with suppress(Exception):  # a failed close is retried; the app must not die of it
                release_if_idle(current, lock)
            del current

    threading.Thread(target=watch, name="paperlamp-store-idle", daemon=True).start()


def forget_assistant() -> None:
    """Drop the cached assistant, so the next page builds it again (tests, changed settings)."""
    _cached_assistant.clear()


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold the process-wide lock for work that writes the library or runs the generator.

    One process serves every browser tab: one llama.cpp model answers one request at a time, and
    an add or removal should not interleave with another job's repair of the store. (The catalog
    needs no lock: each thread has its own SQLite connection.) While a background job holds it,
    the page says it is waiting.
    """
    lock = model_lock()
    if not lock.acquire(blocking=False):
        with st.spinner("Waiting for the running job (adding, digest, summary or comparison) to finish…"):
            lock.acquire()
    try:
        yield
    finally:
        lock.release()


def attempt(call: Callable[[], T]) -> T | None:
    """Run an assistant call; a REPORTED error is shown with st.error and None returned."""
    try:
        return call()
    except REPORTED as exc:
        st.error(message(exc))
        return None
