"""Reading one library paper beyond its metadata: its figures and its summary, both kept once made.

Figures are cropped on first request into `<home>/figures/<sha256>/` with an index of labels,
captions and pages (removing the paper removes the folder). A summary is written on request and
kept as `<home>/cache/summaries/<sha256>-<lang>.json`, so it is read back instead of generated again
(by the app, and by `paperlamp summarize` while the same model is configured).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.build import Assistant, configured_model_name
from assistant.domain import Paper
from assistant.errors import BadInput
from assistant.summarize import Progress, summarizer_for
from assistant.summary_fields import PaperSummary
from assistant.summary_prompts import Lang
from ingest.errors import UnreadableInput
from ingest.figures import find_figures, save_figures
from models.home import LibraryHome, write_text_atomically

_INDEX = "figures.json"


@dataclass(frozen=True)
class PaperFigure:
    """A figure cropped from a library paper: label, caption, page and the PNG file."""

    label: str
    caption: str
    page: int
    path: Path


@dataclass(frozen=True)
class KeptSummary:
    """A paper's summary as kept in the library, and when it was written."""

    summary: PaperSummary
    written_at: str


def paper_figures(assistant: Assistant, paper: Paper) -> list[PaperFigure]:
    """The paper's figures with captions, cropped from its PDF the first time they are asked for."""
    folder = assistant.home.figures / paper.sha256
    kept = _read_index(folder)
    if kept is not None:
        return kept
    pdf = assistant.library.file_of(paper)
    if pdf is None:
        return []
    try:
        found = find_figures(pdf)
        partial = folder.with_name(f".{folder.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        saved = save_figures(pdf, found, partial) if found else []
    except UnreadableInput as exc:
        raise BadInput(str(exc)) from exc
    index = [{"label": f.label, "caption": f.caption, "page": f.page, "file": p.name} for f, p in saved]
    write_text_atomically(partial / _INDEX, json.dumps(index, ensure_ascii=False, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)  # whole or not at all: a reader never sees half the crops
    return _read_index(folder) or []


def _read_index(folder: Path) -> list[PaperFigure] | None:
    try:
        index = json.loads((folder / _INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [PaperFigure(f["label"], f["caption"], int(f["page"]), folder / f["file"]) for f in index]


def summary_file(home: LibraryHome, paper: Paper, lang: Lang) -> Path:
    """Where a paper's summary in `lang` is kept."""
    return home.cache / "summaries" / f"{paper.sha256}-{lang}.json"


def kept_summary(home: LibraryHome, paper: Paper, lang: Lang) -> KeptSummary | None:
    """The paper's kept summary in `lang`, or None (never written, or unreadable)."""
    try:
        data = json.loads(summary_file(home, paper, lang).read_text(encoding="utf-8"))
        summary = PaperSummary.from_json(data["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return KeptSummary(summary, str(data.get("written_at", ""))) if summary.paper_id == paper.id else None


def reusable_summary(assistant: Assistant, paper: Paper, lang: Lang) -> KeptSummary | None:
    """The kept summary when the configured model wrote it (another model's is written anew)."""
    kept = kept_summary(assistant.home, paper, lang)
    model = configured_model_name(assistant.settings)
    return kept if kept is not None and model is not None and kept.summary.model == model else None


def summarize_and_keep(
    assistant: Assistant, paper: Paper, lang: Lang, progress: Progress | None = None
) -> KeptSummary:
    """Write the paper's summary from its full text (as `paperlamp summarize` does) and keep it."""
    summary = summarizer_for(assistant).summarize(paper, lang, progress)
    written_at = datetime.now(UTC).isoformat(timespec="seconds")
    data = {"written_at": written_at, "summary": summary.to_json()}
    write_text_atomically(summary_file(assistant.home, paper, lang), json.dumps(data, ensure_ascii=False))
    return KeptSummary(summary, written_at)
