"""BibTeX in and out, with bibtexparser 2.x (a maintained parser; no regular expressions here).

Reading keeps each entry's citekey and line, decodes LaTeX in the text fields (`M{\\"u}ller`
becomes "Müller"), splits names as BibTeX does ("von Last, Jr, First"), and takes the PDF from the
`file` field in each exporter's dialect:

- Zotero / Better BibTeX: `Full Text PDF:/abs/path.pdf:application/pdf`, several joined by `;`;
- JabRef: `:rel/path.pdf:PDF` (`\\:` and `\\;` escape the separators);
- Mendeley: `:home/user/x.pdf:pdf`, an absolute path written without its leading `/`;
- a bare path.

Paths are resolved against the `.bib` file's folder. An entry the parser cannot read becomes a
BadItem naming its line; the rest of the file is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, Field
from pylatexenc.latex2text import LatexNodes2Text

from ingest.errors import UnreadableInput
from ingest.references import BadItem, Reference, Snapshot, arxiv_id_in, year_of

_VERBATIM = {"file", "url", "doi", "eprint", "archiveprefix", "primaryclass", "pdf", "pages"}
_LATEX = LatexNodes2Text(math_mode="verbatim")


@dataclass(frozen=True)
class BibEntry:
    """One entry to write: its type, citekey and fields (plain text; escaped when written)."""

    entry_type: str
    citekey: str
    fields: dict[str, str]


def read_bib(path: Path) -> Snapshot:
    """The entries of a .bib file as References (and a BadItem per entry that cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInput(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    library = bibtexparser.parse_string(text)
    files = {e.key: _field(e, "file") for e in library.entries}  # before any decoding touches `\:`
    library = middlewares.SplitNameParts().transform(middlewares.SeparateCoAuthors().transform(library))
    found: list[tuple[int, Reference | BadItem]] = []
    for entry in library.entries:
        found.append(((entry.start_line or 0) + 1, _reference(entry, files.get(entry.key, ""), path)))
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            reason = f"citekey {block.key!r} is used twice; this entry is ignored"
            found.append((line, BadItem(block.key, f"{block.key} ({path.name} line {line})", reason)))
            continue
        raw = (block.raw or "").strip()
        head = raw.splitlines()[0] if raw else ""
        key = head.partition("{")[2].partition(",")[0].strip() or f"line {line}"
        found.append(
            (line, BadItem(key, f"{key} ({path.name} line {line})", f"not valid BibTeX: {head[:60]}"))
        )
    found.sort(key=lambda pair: pair[0])
    # An entry that cannot be read now is still there: it must not count as removed.
    keys = frozenset(item.key for _, item in found)
    return Snapshot("bib", str(path.resolve()), tuple(item for _, item in found), keys)


def _field(entry: Entry, name: str) -> str:
    for key, field in entry.fields_dict.items():
        if key.lower() == name:
            return field.value if isinstance(field.value, str) else ""
    return ""


def _text(value: object) -> str:
    """A field's text with LaTeX decoded and whitespace collapsed."""
    if not isinstance(value, str):
        return ""
    return " ".join(_LATEX.latex_to_text(value).split())


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_text(value),) if value.strip() else ()
    names = []
    for parts in value if isinstance(value, list) else []:
        words = [*parts.first, *parts.von, *parts.last]
        name = _text(" ".join(words))
        if parts.jr:  # "Jr." after the name, never after a comma: "Last, First" reads otherwise
            name += " " + _text(" ".join(parts.jr))
        if name:
            names.append(name)
    return tuple(names)


def _reference(entry: Entry, file_field: str, bib: Path) -> Reference:
    raw = {k.lower(): f.value for k, f in entry.fields_dict.items()}
    text = {k: (v if k in _VERBATIM else _text(v)) for k, v in raw.items() if isinstance(v, str)}
    eprint = text.get("eprint", "")
    arxiv = f"arXiv:{eprint}" if eprint and text.get("archiveprefix", "arxiv").lower() == "arxiv" else ""
    return Reference(
        key=entry.key,
        where=f"{entry.key} ({bib.name} line {(entry.start_line or 0) + 1})",
        title=text.get("title", ""),
        authors=_names(raw.get("author") or raw.get("editor") or ()),
        year=year_of(text.get("year", "") or text.get("date", "")),
        doi=text.get("doi", "").strip(),
        arxiv_id=arxiv_id_in(arxiv, text.get("url", ""), text.get("doi", "")),
        abstract=text.get("abstract", ""),
        url=text.get("url", ""),
        venue=text.get("journal", "") or text.get("journaltitle", "") or text.get("booktitle", ""),
        item_type=entry.entry_type.lower(),
        pages=text.get("pages", "").replace("--", "-"),
        volume=text.get("volume", ""),
        issue=text.get("number", "") or text.get("issue", ""),
        publisher=text.get("publisher", "") or text.get("institution", "") or text.get("school", ""),
        citekey=entry.key,
        collections=_split(text.get("groups", "") or text.get("mendeley-groups", ""), ","),
        tags=_split(text.get("keywords", ""), ",;"),
        files=tuple(pdf_files(file_field, bib.parent)),
    )


def _split(value: str, separators: str) -> tuple[str, ...]:
    for sep in separators[1:]:
        value = value.replace(sep, separators[0])
    return tuple(dict.fromkeys(p.strip() for p in value.split(separators[0]) if p.strip()))


def pdf_files(value: str, folder: Path) -> list[Path]:
    """The PDFs a `file` field names, in order, in any exporter's dialect (see the module doc)."""
    out: list[Path] = []
    for record in _unescaped_split(value, ";"):
        parts = _unescaped_split(record, ":")
        if len(parts) >= 3:
            path, kind = ":".join(parts[1:-1]), parts[-1]
        elif len(parts) == 2:
            path, kind = parts
        else:
            path, kind = record, ""
        path = path.strip()
        if not path or not ("pdf" in kind.lower() or path.lower().endswith(".pdf")):
            continue
        out.append(_resolve(path, folder))
    return out


def _resolve(path: str, folder: Path) -> Path:
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    relative = folder / candidate
    rooted = Path("/") / candidate  # Mendeley drops the leading "/" of absolute paths
    return rooted if not relative.exists() and rooted.exists() else relative


def _unescaped_split(value: str, sep: str) -> list[str]:
    """Split on `sep` where it is not escaped by a backslash (JabRef's `\\:`, `\\;`)."""
    parts, current, escaped = [], "", False
    for char in value:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def write_bib(entries: Sequence[BibEntry]) -> str:
    """BibTeX for these entries: text fields escaped for LaTeX, identifiers and URLs verbatim."""
    library = bibtexparser.Library()
    for item in entries:
        fields = [
            Field(name, value if name in _VERBATIM else escape_latex(value))
            for name, value in item.fields.items()
            if value
        ]
        library.add(Entry(item.entry_type, item.citekey, fields))
    return bibtexparser.write_string(library)


def escape_latex(text: str) -> str:
    """Text with LaTeX's special characters escaped, so any title or name compiles as written."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\textbackslash{}")
        elif char in "&%$#_":
            out.append("\\" + char)
        elif char in "{}":  # BibTeX counts braces even after a backslash: an unpaired one ends the entry
            out.append("\\textbraceleft{}" if char == "{" else "\\textbraceright{}")
        elif char == "~":
            out.append("\\textasciitilde{}")
        elif char == "^":
            out.append("\\textasciicircum{}")
        else:
            out.append(char)
    return "".join(out)
