"""Figures of library papers: cropped from the PDF on first request, kept with their captions.

A paper's figures are cropped into `<home>/figures/<sha256>/` with an index of labels, captions
and pages, so they are read back rather than cropped again (removing the paper removes them).
Digests crop into their post's folder with the same function: a folder of crops is always
replaced whole, so a reader never sees half of them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.domain import Paper
from assistant.library.library import Library
from ingest.figures import find_figures, save_figures
from ingest.types import Document, Figure
from models.home import LibraryHome, write_text_atomically

_INDEX = "figures.json"


@dataclass(frozen=True)
class PaperFigure:
    """A figure cropped from a library paper: label, caption, page and the PNG file."""

    label: str
    caption: str
    page: int
    path: Path


class Figures:
    """The figures of the library's papers."""

    def __init__(self, library: Library, home: LibraryHome) -> None:
        self.library = library
        self.home = home

    def of(self, paper: Paper) -> list[PaperFigure]:
        """The paper's figures with captions, cropped from its PDF the first time they are asked for."""
        folder = self.home.figures / paper.sha256
        kept = _read_index(folder)
        if kept is not None:
            return kept
        pdf = self.library.file_of(paper)
        if pdf is None:
            return []
        crop_figures(pdf, folder, index=True)
        return _read_index(folder) or []


def crop_figures(
    pdf: Path, folder: Path, doc: Document | None = None, *, index: bool = False
) -> list[tuple[Figure, Path]]:
    """Crop the PDF's figures into `folder`, which is replaced whole; each figure with its PNG.

    With `index`, the folder also lists the figures (label, caption, page, file) and is kept even
    when there are none, so the search is not made again; without, no figures means no folder.
    """
    found = find_figures(pdf, doc)
    partial = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    saved = save_figures(pdf, found, partial) if found else []
    if index:
        listed = [{"label": f.label, "caption": f.caption, "page": f.page, "file": p.name} for f, p in saved]
        write_text_atomically(partial / _INDEX, json.dumps(listed, ensure_ascii=False, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    if saved or index:
        partial.replace(folder)
    shutil.rmtree(partial, ignore_errors=True)
    return [(figure, folder / png.name) for figure, png in saved]


def _read_index(folder: Path) -> list[PaperFigure] | None:
    try:
        index = json.loads((folder / _INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [PaperFigure(f["label"], f["caption"], int(f["page"]), folder / f["file"]) for f in index]
