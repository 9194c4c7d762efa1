"""The errors the ingest layer raises, each with a one-sentence reason a person can act on."""


class UnreadableInput(ValueError):
    """A file or feed that cannot be read; the message is one sentence naming the file and the cause."""


class SourceUnavailable(RuntimeError):
    """A remote source (arXiv) could not be reached or answered badly; the message says what to try."""
