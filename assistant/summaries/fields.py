"""What a per-paper summary is made of: fields and list items, each saying whose words it is, and JSON.

Every field and every list item is one `Field`: the text shown, who wrote it (`by`: "paper" for
the paper's own sentence quoted verbatim, "model" for the model's shortening or joining of the
paper's sentences, "note" for paperlamp's own remark such as "this is a review"), and the paper's
sentences it stands on, each with its page. Provenance is per item, never per list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from assistant.domain import Lang

By = Literal["paper", "model", "note"]


@dataclass(frozen=True)
class Quote:
    """One sentence of the paper, verbatim, and the page it is on."""

    text: str
    page: int


@dataclass(frozen=True)
class Field:
    """One summary field or list item: its text, whose words they are, and the sentences behind it.

    `translation` is its Chinese in a Chinese summary: the text itself stays as written (a quote
    stays verbatim), so a reader can always check it against the paper.
    """

    text: str
    by: By = "paper"
    quotes: tuple[Quote, ...] = ()
    translation: str = ""

    @property
    def quoted(self) -> bool:
        """True when the text is the paper's own words, verbatim."""
        return self.by == "paper"

    @property
    def pages(self) -> tuple[int, ...]:
        """The pages of the sentences it stands on, in order."""
        return tuple(sorted({q.page for q in self.quotes}))

    def to_json(self) -> dict[str, Any]:
        """The field as a JSON-ready dict."""
        return {
            "text": self.text,
            "by": self.by,
            "pages": list(self.pages),
            "quotes": [{"text": q.text, "page": q.page} for q in self.quotes],
            "translation": self.translation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Field:
        """Rebuild a field saved with `to_json`."""
        quotes = tuple(Quote(q["text"], int(q["page"])) for q in data.get("quotes", ()))
        return cls(data["text"], data["by"], quotes, data.get("translation", ""))


@dataclass(frozen=True)
class Points:
    """A list field (takeaways, method steps, keywords): items, each with its own provenance."""

    units: tuple[Field, ...] = ()

    @property
    def items(self) -> tuple[str, ...]:
        """The items' texts."""
        return tuple(u.text for u in self.units)

    @property
    def pages(self) -> tuple[int, ...]:
        """Every page the items stand on."""
        return tuple(sorted({p for u in self.units for p in u.pages}))

    def to_json(self) -> dict[str, Any]:
        """The list as a JSON-ready dict."""
        return {"items": [u.to_json() for u in self.units], "pages": list(self.pages)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Points:
        """Rebuild a list saved with `to_json`."""
        return cls(tuple(Field.from_json(u) for u in data["items"]))


@dataclass(frozen=True)
class PaperSummary:
    """What a paper is about, field by field, each with its provenance and pages."""

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
    # The row of a results table stating the paper's own result (summaries.tablerows), if any.
    results_table: Field = Field("", "note")
    kind: str = "empirical"  # or "review": a paper without experiments of its own
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
        """Rebuild a summary saved with `to_json` (KeyError or TypeError when it is another shape)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if isinstance(value, dict):
                value = Points.from_json(value) if "items" in value else Field.from_json(value)
            if value is not None:
                values[f.name] = value
        return cls(**values)


def page_note(pages: Sequence[int]) -> str:
    """A small page reference: "(p. 3)", "(p. 3, 4)", or "" without pages."""
    if not pages:
        return ""
    return f"(p. {', '.join(str(p) for p in pages)})"
