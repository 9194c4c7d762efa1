"""The checks a PDF file passes before anything hashes, copies or reads it, with their messages."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import UnreadableInput


def check_pdf_file(path: Path, max_bytes: int) -> int:
    """The file's size; UnreadableInput naming the file when it is plainly not a PDF to read.

    Every way a PDF enters the library (a file added, an arXiv download) passes here first, so a
    file that is missing, empty or over the size limit is refused in the same words, before it is
    hashed or copied into the library. Whether the bytes are a readable PDF is the reader's call
    (ingest/pdf.py).
    """
    if not path.exists():
        raise UnreadableInput(f"{path.name}: no such file")
    if not path.is_file():
        raise UnreadableInput(f"{path.name}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableInput(f"{path.name}: the file is empty")
    if size > max_bytes:
        raise UnreadableInput(
            f"{path.name}: {size / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB limit "
            "(raise max_pdf_mb to accept it)"
        )
    return size
