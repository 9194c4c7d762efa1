"""The errors a person is shown, and the one list of them the front ends catch.

Code raises typed errors whose message is one sentence a person can act on, and nothing in
between catches one only to raise another. The types come from three places:

- the use cases raise PaperlampError and its subclasses below;
- the adapters raise their own, from their own methods: models.errors.BackendError (a model or
  store could not be loaded or did not answer) and ingest.errors.IngestError (an unreadable file,
  arXiv unreachable, a request it cannot serve). The layers forbid models/ and ingest/ to import
  assistant/, so their errors cannot be PaperlampErrors; BackendUnavailable below is simply the
  adapters' BackendError under the name the use cases use;
- the settings raise pydantic's ValidationError or SettingsFileError (assistant/settings.py).

REPORTED lists them all. The command line (ui/cli/console.py) and the app (ui/app/state.py) each
catch REPORTED in one place and show `message(exc)`: a line, never a traceback. Anything else is a
bug, and is let through to be seen as one.
"""

from __future__ import annotations

from assistant.settings import SETTINGS_ERRORS, describe_settings_error
from ingest.errors import IngestError
from models.errors import BackendError


class PaperlampError(Exception):
    """Base of the errors the use cases raise; the message is one sentence a person can act on."""


class BadInput(PaperlampError):
    """A file, id, question or option that cannot be used as given."""


class NotFound(PaperlampError):
    """A paper or other named thing is not in the library."""


BackendUnavailable = BackendError  # a model, store or server that could not be loaded or reached

REPORTED: tuple[type[Exception], ...] = (PaperlampError, BackendError, IngestError, *SETTINGS_ERRORS)


def message(exc: Exception) -> str:
    """The one line a person reads for one of the REPORTED errors."""
    if isinstance(exc, SETTINGS_ERRORS):
        return describe_settings_error(exc)
    return " ".join(str(exc).splitlines()) or type(exc).__name__
