"""What a per-paper summary is made of: fields and lists with their page references, and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from assistant.domain import Lang


@dataclass(frozen=True)
class Field:
    """One summary field: its text and the pages it drew on; `quoted` when taken verbatim from the paper.

    `original` is the English a Chinese field was translated from (a quote stays a quote in it).
    """

    text: str
    pages: tuple[int, ...] = ()
    quoted: bool = False
    original: str = ""

    def to_json(self) -> dict[str, Any]:
        """The field as a JSON-ready dict."""
        return {
            "text": self.text,
            "pages": list(self.pages),
            "quoted": self.quoted,
            "original": self.original,
        }


@dataclass(frozen=True)
class Points:
    """A list field (takeaways, method steps, keywords) and the pages it drew on."""

    items: tuple[str, ...]
    pages: tuple[int, ...] = ()
    quoted: bool = False
    original: tuple[str, ...] = ()  # the English items, when the items were translated

    def to_json(self) -> dict[str, Any]:
        """The list as a JSON-ready dict."""
        return {
            "items": list(self.items),
            "pages": list(self.pages),
            "quoted": self.quoted,
            "original": list(self.original),
        }


@dataclass(frozen=True)
class PaperSummary:
    """What a paper is about, field by field, each with its page references."""

    paper_id: str
    title: str
    lang: Lang
    source: str  # "full text" or "abstract only"
    one_line: Field
    takeaways: Points
    keywords: Points
    background: Field
    past_methods: Field
    method: Field
    method_steps: Points
    tasks_results: Field
    conclusion_significance: Field
    conclusion_innovation: Field
    conclusion_performance: Field
    conclusion_workload: Field
    title_translated: str = ""
    model: str = ""
    seconds: float = field(default=0.0, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The summary as a JSON-ready dict."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            data[f.name] = value.to_json() if isinstance(value, Field | Points) else value
        data["seconds"] = round(self.seconds, 2)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaperSummary:
        """Rebuild a summary saved with `to_json`."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if isinstance(value, dict) and "items" in value:
                original = tuple(value.get("original", ()))
                value = Points(tuple(value["items"]), tuple(value["pages"]), bool(value["quoted"]), original)
            elif isinstance(value, dict):
                value = Field(
                    value["text"], tuple(value["pages"]), bool(value["quoted"]), value.get("original", "")
                )
            if value is not None:
                values[f.name] = value
        return cls(**values)


def page_note(pages: Sequence[int]) -> str:
    """A small page reference: "(p. 3)", "(p. 3, 4)", or "" without pages."""
    if not pages:
        return ""
    return f"(p. {', '.join(str(p) for p in pages)})"
