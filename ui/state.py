"""What the app's pages share: the assistant (built once per process), a lock for model work, errors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st

from assistant.build import Assistant, build_assistant
from assistant.errors import PaperlampError
from assistant.settings import load_settings

T = TypeVar("T")


def build() -> Assistant:
    """The assistant on the same library and settings as the CLI (tests replace this function)."""
    return build_assistant(load_settings())


@st.cache_resource(show_spinner="Opening the library…")
def _cached_assistant() -> Assistant:
    return build()


@st.cache_resource
def model_lock() -> threading.Lock:
    """The process-wide lock for model work and library writes (pages and background jobs)."""
    return threading.Lock()


def assistant() -> Assistant:
    """The process-wide assistant; when it cannot be built, the reason is shown and the page stops."""
    try:
        return _cached_assistant()
    except PaperlampError as exc:
        st.error(f"The library could not be opened: {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def forget_assistant() -> None:
    """Drop the cached assistant, so the next page builds it again (tests, changed settings)."""
    _cached_assistant.clear()


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold the process-wide lock for work that writes the library or runs the generator.

    One process serves every browser tab, and llama.cpp and the catalog's write transactions
    must not run twice at once. While a background job holds it, the page says it is waiting.
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
    """Run an assistant call; a PaperlampError is shown with st.error and None returned."""
    try:
        return call()
    except PaperlampError as exc:
        st.error(str(exc))
        return None
