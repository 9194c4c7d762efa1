"""The row of a results table that states the paper's own headline result (summaries, compare).

A summary quotes sentences, never scraps of a table read as text. A table read as rows is another
matter: one row with its cells named by their columns ("Transformer (big) | BLEU EN-DE 28.4") is a
unit a reader can check, and it is often where the paper's result is stated most exactly. The row
chosen is the paper's own: it holds a number the chosen results sentences state, or its label
names what the paper builds ("PaSa", "U-Net", "ours"); a row whose label cites another paper
("ByteNet [18]", "Zhou et al.") never is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.chunking import table_rows
from ingest.text import numbers

_LABEL = re.compile(r"^\s*(Table\s+[A-Z]?\d+)", re.I)
_CITES = re.compile(r"\[\d|\bet al\b", re.I)
_OURS = re.compile(r"\b(?:ours|our (?:method|model|system|approach)|proposed)\b", re.I)
# "The Transformer achieves", "PaSa-7b outperforms": the name a results sentence gives its subject.
_SUBJECT = re.compile(
    r"\b([A-Z][\w.+-]*[\w+])\s+(?:achieves?|outperforms?|obtains?|reaches|improves?|attains?|yields?"
    r"|surpass(?:es)?|beats?|scores?)\b"
)
_RESULTS = re.compile(
    r"\b(?:results?|performance|comparison|compared|accuracy|scores?|evaluation|achiev\w*|outperform\w*"
    r"|bleu|f1|error|precision|recall|ranking)\b",
    re.I,
)


@dataclass(frozen=True)
class ResultRow:
    """One row of a table passage: its table's label and caption, the row as the passage holds it
    (cells named by their columns, verbatim), its page and its place in the table."""

    table: str  # "Table 2"
    caption: str
    line: str
    page: int
    position: int = 0

    @property
    def text(self) -> str:
        """The row as shown: "Table 2: Transformer (big) | BLEU EN-DE 28.4"."""
        return f"{self.table}: {self.line}"


def headline_row(
    tables: Sequence[tuple[str, int]], names: Sequence[str], claims: Sequence[str]
) -> ResultRow | None:
    """The paper's own result row among its table passages (text, page), or None.

    `names` are what the paper builds ("PaSa" in "PaSa: An LLM Agent"); `claims` the results
    sentences already chosen, whose numbers a row corroborating them holds.
    """
    stated = {n for c in claims for n in numbers(c) if _specific(n)}
    subjects = {m[1] for c in claims for m in _SUBJECT.finditer(c)} - {"We", "It", "This", "Our", "The"}
    best: tuple[tuple[int, int, int, int], ResultRow] | None = None
    for row in (r for text, page in tables for r in _rows(text, page)):
        label, _, cells = row.line.partition(" | ")
        if _CITES.search(label):
            continue  # another paper's entry in a comparison
        # 2: the row is the subject of a results sentence; 1: it names what the paper builds.
        own = (
            2
            if any(_starts(label, n) for n in subjects)
            else int(_OURS.search(label) is not None or any(_names(n, label) for n in names))
        )
        shared = len({n for n in numbers(cells) if _specific(n)} & stated)
        if not shared and not (own and _RESULTS.search(row.caption)):
            continue
        rank = (shared, own, len(numbers(cells)), row.position)
        if best is None or rank > best[0]:
            best = (rank, row)
    return None if best is None else best[1]


def _specific(number: str) -> bool:
    """A number specific enough to tie a row to a sentence: "28.4", "0.92", "1024", not "8" or "12"."""
    return "." in number or len(number.lstrip("-")) >= 3


def _names(name: str, label: str) -> bool:
    """Whether a row label names the paper's system ("u-net" for "U-Net", "PaSa-7b" for "PaSa")."""
    return re.search(rf"(?<!\w){re.escape(name)}(?![a-z])", label, re.I) is not None


def _starts(label: str, name: str) -> bool:
    """Whether a row label is that name, maybe with a variant in brackets: "Transformer (big)"."""
    return re.match(rf"{re.escape(name)}(?![\w-])", label, re.I) is not None


def _rows(text: str, page: int) -> list[ResultRow]:
    """A table passage's rows: its first line is the caption, then its head, then `| row |` lines."""
    caption = text.split("\n", 1)[0]
    match = _LABEL.match(caption)
    table = match[1] if match else "Table"
    rows = table_rows(text)
    return [ResultRow(table, caption, line, page, i) for i, line in enumerate(rows) if " | " in line]
