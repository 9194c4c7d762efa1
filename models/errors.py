"""Errors raised by model and store adapters."""


class BackendError(RuntimeError):
    """A model or store could not be loaded or did not answer; the message says which and why."""
