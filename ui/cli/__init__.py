"""The `paperlamp` command line: the group (ui/cli/group.py) and its commands, one module per topic.

Importing the command modules registers their commands on the group.
"""

from ui.cli import (  # noqa: F401
    admin,
    compare,
    digest,
    evaluate,
    library,
    references,
    search,
    serve,
    summarize,
)
from ui.cli.group import app, main

__all__ = ["app", "main"]
