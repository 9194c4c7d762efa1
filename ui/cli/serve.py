"""`paperlamp ui`: start the Streamlit app on this machine only, with nothing sent anywhere."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import load_settings
from ui.cli.console import err
from ui.cli.group import app

APP_FILE = Path(__file__).resolve().parent.parent / "app" / "main.py"


def streamlit_command(port: int, max_upload_mb: int = 200) -> list[str]:
    """The `streamlit run` command line: loopback only, headless, no usage statistics, no dev mode."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.maxUploadSize",
        str(max_upload_mb),
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


@app.command("ui")
def ui_command(
    port: Annotated[
        int, typer.Option(help="Port on 127.0.0.1 to serve the app on.", min=1, max=65535)
    ] = 8501,
) -> None:
    """Start the app in your browser: library, digests, search, answers and comparison, all local.

    It serves on 127.0.0.1 (never the network), uses the same library and settings as the other
    commands, and sends no usage statistics. Stop it with Ctrl-C.

    \b
    Example:
      paperlamp ui --port 8600
    """
    settings = load_settings()
    err.print(f"paperlamp app on http://127.0.0.1:{port} (library: {settings.home}); Ctrl-C stops it")
    sys.stderr.flush()
    # This process becomes Streamlit, so a signal that stops `paperlamp ui` (Ctrl-C, a service
    # manager's SIGTERM, a test's terminate()) stops the app itself: a child would outlive it.
    command = streamlit_command(port, settings.max_pdf_mb)
    os.execv(command[0], command)
