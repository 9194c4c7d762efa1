"""Table questions answered from one cell: the row the question names, under the column it names.

"What BLEU does ConvS2S Ensemble reach on EN-FR?" is answered by a table, and a sentence near the
table that shares the question's words ("the big transformer model outperforms ...") is the wrong
evidence. So before any model is asked, the table rows among the evidence are read as cells: a row
is named by its label and its text cells ("ChemProt", "Biomed"), a column by its header. A cell
scores the row's and the column's words the question holds, less the words it does not (so
"AMDCN (without perspective)" beats "AMDCN" for a question saying "without perspective"); forms of
a word and abbreviations count ("params", "MAE" for "mean absolute error", "FR" for French). The
best cell must beat every cell giving another value, or name more of the question's words in its
table's caption as well; a figure counts only under a column the question names, or in a table of
one figure column. The answer is that cell, and its citation quotes the whole row, each cell named
by its column, so the reader checks the value, its row and its column in one line. Anything less
certain (two cells tied, a question naming no row or no column) goes to the model and the
sentence checks of choose.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answers.slots import YES_NO_START
from assistant.domain import Hit
from ingest.chunking import table_head, table_rows
from ingest.text import FUNCTION_WORDS

_TOKEN = re.compile(r"[^\W_]+")
_CITATION = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_FIGURE = re.compile(r"\d")
# Words that name nothing in a row or a column; "with" and "no" do: "AMDCN (with perspective)".
_UNNAMING = FUNCTION_WORDS - {"with", "no", "not"}
# Words of a question that ask rather than name a row or a column.
_ASKING = _UNNAMING | frozenset(
    """many much value values reach reaches reached obtain obtains obtained achieve achieves
    achieved get gets report reports reported give gives table tables result results score""".split()
)
_YEAR = re.compile(r"\((?:19|20)\d\d\)")  # "(2022)" after a method's name cites it, not names it
_LABEL = re.compile(r"(?:Table|TABLE|Tab\.)\s*\w+")
# Two-letter language codes of translation tables ("EN-FR"), matched by the language's name.
_LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "ro": "romanian",
    "zh": "chinese",
    "ja": "japanese",
    "es": "spanish",
    "it": "italian",
    "ru": "russian",
    "cs": "czech",
    "ar": "arabic",
    "ko": "korean",
}


@dataclass(frozen=True)
class Cell:
    """A table cell that answers a question, with the row it is quoted by."""

    value: str  # the cell as printed ("41.29", "84.59 ± 0.93")
    column: str  # its header ("BLEU EN-FR")
    label: str  # the row's first cell ("ConvS2S Ensemble [9]")
    table: str  # "Table 2", or "" when the caption names none
    row: str  # the whole row line, verbatim in the passage: the citation's quote
    passage: int  # index of the passage among the evidence

    def answer(self) -> str:
        """The answer text: the value, then where the table puts it."""
        where = f"{self.table}, " if self.table else ""
        label = " ".join(_CITATION.sub("", self.label).split()) or self.label
        return f"{self.value} ({where}row “{label}”, column “{self.column}”)"


@dataclass(frozen=True)
class _Row:
    label: str
    names: tuple[str, ...]  # the text cells that name the row (its label first)
    figures: tuple[tuple[str, str], ...]  # (column, value) of each cell holding a figure
    line: str
    caption: str
    passage: int
    columns: int  # how many columns the table has


def tokens(text: str) -> list[str]:
    """Lowercase word and number tokens; "GPT-4o" is "gpt", "4o" and "Recall@100" is "recall", "100"."""
    return [t.casefold() for t in _TOKEN.findall(_CITATION.sub(" ", text))]


def parse_rows(hit: Hit, passage: int) -> list[_Row]:
    """A table passage's rows split back into cells by the header names they carry."""
    if hit.kind != "table":
        return []
    caption, header = table_head(hit.text)
    names = sorted({h for h in header[1:] if h}, key=len, reverse=True)  # longest first: "BLEU EN-FR"
    rows = []
    for line in table_rows(hit.text):
        label, texts, figures = "", [], []
        for i, part in enumerate(line.split(" | ")):
            column = next((n for n in names if part.startswith(n + " ")), None)
            if column is None:
                if i == 0:
                    label = part
                else:
                    texts.append(part)
                continue
            value = part[len(column) + 1 :].strip()
            (figures.append((column, value)) if _FIGURE.search(value) else texts.append(value))
        rows.append(
            _Row(
                label,
                tuple(n for n in (label, *texts) if n),
                tuple(figures),
                line,
                caption,
                passage,
                len(header),
            )
        )
    return rows


def _acronyms(text: str) -> set[str]:
    """The abbreviations a text writes in capitals ("MAE", "IoU", "EN"), lowercase."""
    return {t.casefold() for t in _TOKEN.findall(text) if t.isalpha() and sum(c.isupper() for c in t) >= 2}


def _initials(words: Sequence[str]) -> set[str]:
    """The first letters of every run of two to five words: "mean absolute error" gives "mae"."""
    return {
        "".join(w[0] for w in words[i : i + n])
        for n in range(2, 6)
        for i in range(len(words) - n + 1)
        if not any(w.isdigit() for w in words[i : i + n])
    }


class _Asked:
    """The question's words a row or a column can be named by, with the abbreviations they make."""

    def __init__(self, question: str) -> None:
        every = tokens(question)
        self.words = [w for w in every if w not in _ASKING]
        self.initials = _initials(every)  # "intersection over union" answers to "IoU"
        self.acronyms = _acronyms(question)  # "MAE" answers to "mean absolute error"

    def held(self, names: Sequence[str]) -> tuple[int, int]:
        """(how many of the names' words the question holds, how many it does not)."""
        text = " ".join(_YEAR.sub(" ", n) for n in names)
        named = [t for t in tokens(text) if t not in _UNNAMING]
        abbreviated = _acronyms(text) & self.initials
        held = sum(t in abbreviated or self._holds(t) for t in named)
        if not held and self.acronyms & _initials(named):  # the name spells out the question's "MAE"
            return 1, 0
        return held, len(named) - held

    def covered(self, context: Sequence[str]) -> int:
        """How many of the question's words a row's table names, in its caption, the row or the column."""
        named = [t for c in context for t in tokens(c)]
        spelled = self.acronyms & _initials(named)
        return sum(
            w in spelled or any(_same(w, t) if len(t) >= 4 else w == t for t in named) for w in self.words
        )

    def _holds(self, token: str) -> bool:
        if token in _LANGUAGES and _LANGUAGES[token] in self.words:
            return True
        if token.isdigit() or len(token) < 4:
            return token in self.words
        return any(_same(token, a) for a in self.words if len(a) >= 4)


def _stem(word: str) -> str:
    """A word without its commonest endings: "parameters" "parameter", "summarization" "summariz"."""
    for ending in ("ations", "ation", "ities", "ity", "ing", "ers", "er", "ies", "es", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _same(a: str, b: str) -> bool:
    """Forms of one word, or a word and its abbreviation ("params"); not "summary", "summarization"."""
    x, y = sorted((_stem(a), _stem(b)), key=len)
    return x == y or (len(x) >= 5 and y.startswith(x))  # not "with" for "without"


def lookup(question: str, evidence: Sequence[Hit]) -> Cell | None:
    """The one table cell among the evidence that the question names by row and column, or None.

    A row counts the words of its label and text cells the question holds, less those it does
    not; a column its header's the same way. The best row and column together must be named
    better than any other pair giving another value; a row's figure counts only under a column
    the question names, or in a table of one figure column.
    """
    first = tokens(question)[:1]
    if not first or first[0] in YES_NO_START:
        return None
    asked = _Asked(question)
    best: dict[tuple[str, str, str], tuple[int, _Row]] = {}
    for i, hit in enumerate(evidence):
        for row in parse_rows(hit, i):
            row_held, row_other = asked.held(row.names)
            if not row_held:
                continue
            for column, value in row.figures:
                held, other = asked.held([column])
                if not held and row.columns > 2:
                    continue
                score = row_held + held - row_other - other
                key = (row.label, column, value)  # one row may sit in two passages
                if key not in best or best[key][0] < score:
                    best[key] = (score, row)
    if not best:
        return None
    top = max(score for score, _ in best.values())
    cells = {k: r for k, (score, r) in best.items() if score == top}
    if len({k[2] for k in cells}) > 1:
        # Named as well: the table naming more of the question's words in its caption, row and
        # column tells them apart ("PPO" against "imitation", "mean absolute error" over "upscale").
        covered = {k: asked.covered([r.caption, *r.names, k[1]]) for k, r in cells.items()}
        cells = {k: r for k, r in cells.items() if covered[k] == max(covered.values())}
        if len({k[2] for k in cells}) > 1:
            return None
    (label, column, value), row = next(iter(cells.items()))
    match = _LABEL.match(row.caption)
    return Cell(value, column, label or row.names[0], match[0] if match else "", row.line, row.passage)
