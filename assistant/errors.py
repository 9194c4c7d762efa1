"""The errors the front ends catch: each carries one sentence a person can act on."""


class PaperlampError(Exception):
    """Base of every error paperlamp reports to a person."""


class BadInput(PaperlampError):
    """A file, id, question or option that cannot be used as given."""


class NotFound(PaperlampError):
    """A paper or other named thing is not in the library."""


class BackendUnavailable(PaperlampError):
    """A model, store or remote source could not be loaded or reached."""
