"""The one error the ingest layer raises: input that cannot be read, with a reason a person can act on."""


class UnreadableInput(ValueError):
    """A file or feed that cannot be read; the message is one sentence naming the file and the cause."""
