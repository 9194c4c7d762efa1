"""Tables found on a page from its rules, its words and its "Table N" captions (plain values only).

Kept apart from pdf.py, which alone calls PyMuPDF: this module only reads the words, rules and
blocks it hands over. A paper's table is drawn with horizontal rules (LaTeX's booktabs, a grid's
lines) and has a caption; PyMuPDF's own `find_tables()` needs vertical lines too, so it finds
none of the rule-only tables most papers print (measured in bench/tables.py). Here a table is a
stack of rules of one width next to a "Table N" caption; its rows are the lines of words between
the top and bottom rules; its columns are the x-ranges the rows' phrases fill; its header is what
lies above the first rule inside, a spanning header ("BLEU" over "EN-DE" and "EN-FR") named into
every column it spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.glyphs import PRIVATE
from ingest.layout import Rect

Word = tuple[float, float, float, float, str]  # x0, y0, x1, y1, text
# "Table 2: ...", or a long table's "Table 2 – continued from previous page" / "Table 2 (cont.)".
CAPTION = re.compile(
    r"^\s*(?:Table|TABLE|Tab\.)\s*([0-9]+|[IVX]+)\s*(?:[:.]|(?P<continued>[–—-]?\s*\(?(?i:continued\b|cont\.)))"
)
_SAME_EDGE = 5.0  # rules whose ends are this close belong to one table
_CAPTION_GAP = 45.0  # points between a table's outer rule and its caption


@dataclass(frozen=True)
class Table:
    """A table of a paper: its caption, column names and rows of cells, on one page."""

    label: str  # "Table 2"
    caption: str
    page: int
    bbox: Rect
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def row_lines(self) -> list[str]:
        """Each row as one line: its first cell, then every other filled cell named by its column."""
        return [row_line(self.header, row) for row in self.rows]

    def markdown(self) -> str:
        """The caption, the header as a Markdown table head, then one named-cell row per line."""
        head = "| " + " | ".join(h or " " for h in self.header) + " |"
        rule = "|" + "|".join(" --- " for _ in self.header) + "|"
        return "\n".join([self.caption, head, rule, *(f"| {line} |" for line in self.row_lines())])


def with_glyphs(table: Table, by_char: dict[str, str]) -> Table:
    """A table with the private-use glyphs of its cells replaced as the body text's are."""
    if not by_char:
        return table

    def fix(text: str) -> str:
        return PRIVATE.sub(lambda m: by_char.get(m[0], m[0]), text)

    header = tuple(fix(h) for h in table.header)
    rows = tuple(tuple(fix(c) for c in row) for row in table.rows)
    return replace(table, caption=fix(table.caption), header=header, rows=rows)


def join_continued(tables: list[Table]) -> list[Table]:
    """A table continued on a later page ("Table 2 – continued") takes its first part's caption,
    so each page's rows are found and cited under what the table is about. A continuation is
    kept only under the header its first part has (a long table repeats it on each page): one
    without, or whose first part was not read, stays the page's body text."""
    first: dict[str, Table] = {}
    joined = []
    for table in tables:
        caption = CAPTION.match(table.caption)
        if not (caption and caption["continued"]):
            first.setdefault(table.label, table)
        elif table.label in first and table.header == first[table.label].header:
            table = replace(table, caption=f"{first[table.label].caption} (continued)")
        else:
            continue
        joined.append(table)
    return joined


def in_table(page: int, bbox: Rect, tables: list[Table]) -> bool:
    """Whether a block's centre lies inside one of its page's tables (its cells are the table's)."""
    x, y = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    return any(t.page == page and t.bbox[0] <= x <= t.bbox[2] and t.bbox[1] <= y <= t.bbox[3] for t in tables)


def row_line(header: tuple[str, ...], row: tuple[str, ...]) -> str:
    """'Transformer (big) | BLEU EN-DE 28.4 | ...': a row's filled cells, each named by its column."""
    cells = [row[0]] if row and row[0] else []
    for name, cell in zip(header[1:], row[1:], strict=False):
        if cell:
            cells.append(f"{name} {cell}" if name else cell)
    return " | ".join(cells)


def find_tables(
    page: int, words: list[Word], rules: list[Rect], captions: list[tuple[Rect, str]]
) -> list[Table]:
    """The captioned tables of one page, from its words, its horizontal rules and its caption blocks."""
    groups = _rule_groups(rules, captions)
    # A paper sets its captions on one side of its tables; on a page where a caption sits between
    # two tables, the side that gives more tables a caption (then the closer one) is that side.
    sides = [_claims(groups, captions, side) for side in ("above", "below")]
    claimed = max(sides, key=lambda c: (len(c), -sum(min(g for g, _ in near) for near in c.values())))
    tables = []
    for caption, near in claimed.items():
        # Rules drawn per column, or of slightly different widths, beside one caption are one
        # table: the groups level with the nearest one. A figure's gridlines on the caption's
        # other side are not.
        _, nearest = min(near, key=lambda n: n[0])
        parts = [nearest]
        others = [g for _, g in near if g is not nearest]
        grown = True
        while grown:  # a table ruled in parts stacked one on the next is one table too
            top, bottom = min(g[0][1] for g in parts), max(g[-1][1] for g in parts)
            level = [g for g in others if g[0][1] <= bottom + 3 and g[-1][1] >= top - 3]
            parts += level
            others = [g for g in others if g not in level]
            grown = bool(level)
        box = _box([r for g in parts for r in g])
        full = {r for g in parts for r in g if box[1] + 1 < r[1] < box[3] - 1}
        inside = [w for w in words if _within(w, box)]
        partial = [
            r for r in rules if box[1] + 1 < r[1] < box[3] - 1 and _overlaps_x(r, box) and r not in full
        ]
        table = _read_grid(page, box, inside, sorted(full), partial, caption)
        if table is not None:
            tables.append(table)
    return tables


def _box(rules: list[Rect]) -> Rect:
    return (
        min(r[0] for r in rules),
        min(r[1] for r in rules),
        max(r[2] for r in rules),
        max(r[3] for r in rules),
    )


def _rule_groups(rules: list[Rect], captions: list[tuple[Rect, str]]) -> list[list[Rect]]:
    """Rules stacked with the same left and right ends, split where a caption sits between two."""
    groups: list[list[Rect]] = []
    for rule in sorted(rules, key=lambda r: (r[1], r[0])):
        for group in groups:
            first = group[0]
            if abs(first[0] - rule[0]) < _SAME_EDGE and abs(first[2] - rule[2]) < _SAME_EDGE:
                group.append(rule)
                break
        else:
            groups.append([rule])
    out = []
    for group in groups:
        part = [group[0]]
        for rule in group[1:]:
            between = any(part[-1][3] < c[1] < rule[1] and _overlaps_x(c, rule) for c, _ in captions)
            if between:
                out.append(part)
                part = []
            part.append(rule)
        out.append(part)
    return [g for g in out if len(g) >= 2 and g[-1][1] - g[0][1] > 12]


def _overlaps_x(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.3 * min(a[2] - a[0], b[2] - b[0])


def _claims(
    groups: list[list[Rect]], captions: list[tuple[Rect, str]], side: str
) -> dict[tuple[str, str], list[tuple[float, list[Rect]]]]:
    """Each caption with the rule groups it is next to on `side`, with their gaps."""
    claimed: dict[tuple[str, str], list[tuple[float, list[Rect]]]] = {}
    for group in groups:
        found = _caption(_box(group), captions, side)
        if found is not None:
            claimed.setdefault(found[1], []).append((found[0], group))
    return claimed


def _caption(box: Rect, captions: list[tuple[Rect, str]], side: str) -> tuple[float, tuple[str, str]] | None:
    """(gap, (label, caption text)) of the caption just `side` ("above", "below") a table's rules."""
    best: tuple[float, tuple[str, str]] | None = None
    for rect, text in captions:
        below = rect[1] >= box[3] - 2
        if not _overlaps_x(rect, box) or below != (side == "below"):
            continue
        gap = rect[1] - box[3] if below else box[1] - rect[3]
        if -2 <= gap <= _CAPTION_GAP and (best is None or gap < best[0]):
            match = CAPTION.match(text)
            if match:
                best = (gap, (f"Table {match.group(1)}", " ".join(text.split())))
    return best


def _within(word: Word, box: Rect) -> bool:
    x = (word[0] + word[2]) / 2
    y = (word[1] + word[3]) / 2
    return box[0] - 2 <= x <= box[2] + 2 and box[1] < y < box[3]


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines by their vertical centre, top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: ((w[1] + w[3]) / 2, w[0])):
        centre = (word[1] + word[3]) / 2
        if lines and abs(centre - _centre(lines[-1])) < 0.4 * (word[3] - word[1]):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w[0]) for line in lines]


def _centre(line: list[Word]) -> float:
    return sum((w[1] + w[3]) / 2 for w in line) / len(line)


def _phrases(line: list[Word]) -> list[Word]:
    """A line's words joined into phrases where the gap between them is a word space, not a column."""
    out: list[Word] = []
    for word in line:
        height = word[3] - word[1]
        if out and word[0] - out[-1][2] < 0.45 * height:
            last = out[-1]
            out[-1] = (last[0], min(last[1], word[1]), word[2], max(last[3], word[3]), f"{last[4]} {word[4]}")
        else:
            out.append(word)
    return out


def _columns(lines: list[list[Word]]) -> list[tuple[float, float]]:
    """The x-ranges the phrases of the fuller body rows fill, left to right."""
    counts = [len(line) for line in lines]
    full = [line for line in lines if len(line) >= 0.6 * max(counts)]
    spans = sorted((p[0], p[2]) for line in full for p in line)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + 1:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _column_of(phrase: Word, columns: list[tuple[float, float]]) -> list[int]:
    """The columns a phrase covers (a spanning header covers several); the nearest when none."""
    covered = [i for i, (a, b) in enumerate(columns) if min(b, phrase[2]) - max(a, phrase[0]) > 0]
    if covered:
        return covered
    centre = (phrase[0] + phrase[2]) / 2
    return [min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))]


def _read_grid(
    page: int,
    box: Rect,
    words: list[Word],
    inner: list[Rect],
    partial: list[Rect],
    caption: tuple[str, str],
) -> Table | None:
    """The header and rows of the words between a table's rules; None when it is no grid."""
    lines = [_phrases(line) for line in _lines(words)]
    if len(lines) < 2:
        return None
    # The header ends at the first rule inside the table; without one it is the first line.
    split = min((r[1] for r in inner), default=None)
    head = [ln for ln in lines if split is not None and _centre(ln) < split] or lines[:1]
    body = lines[len(head) :]
    if not body:
        return None
    columns = _columns(body)
    if len(columns) < 2:
        return None
    names: list[list[str]] = [[] for _ in columns]
    covered = [[_column_of(_spread(phrase, partial, line), columns) for phrase in line] for line in head]
    leaves = {i for cols in covered[-1] for i in cols} if len(head) > 1 else set()
    for n, line in enumerate(head[:-1]):
        # Columns named on a line between this one and the last go on a name wrapped over lines.
        between = {i for cols in (c for ln in covered[n + 1 : -1] for c in ln) for i in cols}
        for k, phrase in enumerate(line):
            cols = covered[n][k]
            if 0 in cols or between & set(cols) or not leaves & set(cols) or _wraps(phrase, head[n + 1]):
                continue
            # A group name above the column names, spread over the columns it is centred on.
            taken = between | {i for j, other in enumerate(covered[n]) if j != k for i in other}
            covered[n][k] = _centred_span(phrase, cols, columns, taken)
    for line, cols_of in zip(head, covered, strict=True):
        for phrase, cols in zip(line, cols_of, strict=True):
            for i in cols:
                names[i].append(phrase[4])
    rows: list[list[str]] = []
    for line in body:
        cells: list[list[str]] = [[] for _ in columns]
        for phrase in line:
            cells[_column_of(phrase, columns)[0]].append(phrase[4])
        row = [" ".join(c) for c in cells]
        if rows and _continues(rows[-1], row):
            rows[-1][0] = (
                rows[-1][0][:-1] + row[0] if rows[-1][0].endswith("-") else f"{rows[-1][0]} {row[0]}"
            )
            continue
        rows.append(row)
    return Table(
        label=caption[0],
        caption=caption[1],
        page=page,
        bbox=box,
        header=tuple(" ".join(n) for n in names),
        rows=tuple(tuple(r) for r in rows),
    )


def _wraps(phrase: Word, below: list[Word]) -> bool:
    """Whether a header phrase goes on in a phrase under it at least as wide: one name over two lines."""
    width = phrase[2] - phrase[0]
    return any(min(b[2], phrase[2]) - max(b[0], phrase[0]) >= 0.8 * width for b in below)


def _centred_span(
    phrase: Word, cols: list[int], columns: list[tuple[float, float]], taken: set[int]
) -> list[int]:
    """The widest run of columns a group name is centred over ("Full" over P, R and F1), when no
    rule is drawn under it: the run holds the columns it covers, no other name's, nor the first
    (the row labels'), and its middle is within a few points of the name's."""
    centre = (phrase[0] + phrase[2]) / 2
    best = cols
    for a in range(max(min(cols), 1), 0, -1):
        for b in range(max(cols), len(columns)):
            run = range(a, b + 1)
            if taken & set(run):
                break
            middle = (columns[a][0] + columns[b][1]) / 2
            width = columns[b][1] - columns[a][0]
            if abs(middle - centre) <= max(3.0, 0.08 * width) and len(run) > len(best):
                best = list(run)
    return best


def _spread(phrase: Word, partial: list[Rect], line: list[Word]) -> Word:
    """A spanning header as wide as the partial rule drawn under it (LaTeX's \\cmidrule); a rule
    drawn in one piece under two names is shared between them, up to halfway between the two."""
    below = [
        r
        for r in partial
        if -3 <= r[1] - phrase[3] < 8 and r[0] - 2 <= (phrase[0] + phrase[2]) / 2 <= r[2] + 2
    ]
    if not below:
        return phrase
    rule = min(below, key=lambda r: r[1])
    left = max(
        [(p[2] + phrase[0]) / 2 for p in line if p[2] <= phrase[0] and p[2] > rule[0]], default=rule[0] + 1
    )
    right = min(
        [(phrase[2] + p[0]) / 2 for p in line if p[0] >= phrase[2] and p[0] < rule[2]], default=rule[2] - 1
    )
    return (left, phrase[1], right, phrase[3], phrase[4])


def _continues(previous: list[str], row: list[str]) -> bool:
    """A line holding only a first cell after a row whose first cell breaks off: its wrapped rest."""
    return bool(row[0]) and not any(row[1:]) and previous[0].endswith(("-", ",", "(", "and", "with"))
