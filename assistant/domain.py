"""Domain values passed between the use cases and the front ends, and the types they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from models.catalog import Paper, StoredChunk

__all__ = ["AddResult", "Answer", "Citation", "Hit", "Lang", "Paper", "Progress", "StoredChunk"]

Lang = Literal["en", "zh"]  # the languages paperlamp writes prose in
# A progress callback: (what is being done, how much is done, out of how much).
Progress = Callable[[str, int, int], None]


def no_progress(label: str, done: int, total: int) -> None:
    """A progress callback that ignores every update."""


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with where it comes from and how well it matched."""

    chunk_id: str
    paper_id: str
    title: str
    doi: str
    source: str
    page: int
    page_end: int
    section: str
    text: str
    score: float
    dense: float = 0.0  # cosine similarity to the query (0 when only lexical search found it)
    lexical: float = 0.0  # BM25 score (0 when only dense search found it)
    year: int | None = None
    page_starts: tuple[tuple[int, int], ...] = field(default=(), repr=False)  # see StoredChunk
    ocr_pages: tuple[int, ...] = field(default=(), repr=False)  # the paper's pages read by OCR
    kind: str = "text"  # "table": the passage is a table's caption and rows (see StoredChunk)

    def page_of(self, quote: str) -> int:
        """The page a verbatim quote of the passage is on (its first page when that is unknown)."""
        at = self.text.find(quote)
        pages = [page for offset, page in self.page_starts if 0 <= offset <= at]
        return pages[-1] if pages else self.page

    def to_json(self) -> dict[str, Any]:
        """The hit as a JSON-ready dict."""
        data = asdict(self)
        data.pop("page_starts")
        data.pop("ocr_pages")
        return data


@dataclass(frozen=True)
class Citation:
    """A numbered reference from an answer to a verbatim span of a library passage."""

    n: int
    paper_id: str
    title: str
    doi: str
    source: str
    page: int
    quote: str
    chunk_id: str = ""
    # The quote is verbatim of Tesseract's reading of a scanned page, not of a PDF text layer.
    ocr: bool = False

    def to_json(self) -> dict[str, Any]:
        """The citation as a JSON-ready dict (`"ocr": true` only on a quote read by OCR)."""
        data = asdict(self)
        if not self.ocr:
            data.pop("ocr")
        return data


Rejected = tuple[tuple[str, str], ...]  # (a candidate answer the model wrote, why it was turned down)
EXTRACTIVE = "extractive"  # the `model` of an answer that quotes the paper's own sentence
TABLE_CELL = "table cell"  # the `model` of an answer read from a table's row and column, no model


@dataclass(frozen=True)
class Answer:
    """An answer with its citations, or an abstention with the closest passages."""

    question: str
    answer: str
    citations: tuple[Citation, ...]
    abstained: bool
    closest: tuple[Hit, ...] = ()
    id: str | None = None
    model: str = ""
    note: str = ""  # a hint for the reader, e.g. that the question is not in a language the models read
    rejected: Rejected = ()  # the model's candidate answers the checks turned down, and why

    @property
    def quoted(self) -> bool:
        """Whether the answer is the paper's own words (its sentence or table cell), not the model's."""
        return self.model in (EXTRACTIVE, TABLE_CELL)

    @property
    def table_cell(self) -> bool:
        """Whether the answer is a cell of a table, read by its row and column, with no model."""
        return self.model == TABLE_CELL

    def to_json(self) -> dict[str, Any]:
        """The answer in the documented JSON shape."""
        data: dict[str, Any] = {} if self.id is None else {"id": self.id}
        data |= {
            "question": self.question,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "abstained": self.abstained,
            "quoted": self.quoted,
        }
        if self.table_cell:
            data["table_cell"] = True
        if self.closest:
            data["closest"] = [h.to_json() for h in self.closest]
        if self.note:
            data["note"] = self.note
        return data


AddStatus = Literal["added", "resumed", "exists", "failed"]


@dataclass(frozen=True)
class AddResult:
    """What happened to one file given to `add`."""

    path: str
    status: AddStatus
    paper_id: str = ""
    title: str = ""
    pages: int = 0
    chunks: int = 0
    reason: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the file is now in the library."""
        return self.status != "failed"

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        data = asdict(self)
        data.pop("extra")
        data["seconds"] = round(self.seconds, 3)
        return data
