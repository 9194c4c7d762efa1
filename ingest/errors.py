"""The errors the ingest layer raises, each with a one-sentence reason a person can act on."""


class IngestError(Exception):
    """Base of the ingest layer's errors: the message is one sentence a person can act on."""


class UnreadableInput(IngestError, ValueError):
    """A file or feed that cannot be read; the message is one sentence naming the file and the cause."""


class SourceUnavailable(IngestError, RuntimeError):
    """A remote source (arXiv) could not be reached or answered badly; the message says what to try."""


class InvalidRequest(IngestError, ValueError):
    """An arXiv id, category, date window or client setting that cannot be used as given."""
