"""House rules that keep the code base honest: each third-party library lives in one module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "ingest", "models", "ui")

# library -> the only module(s) allowed to import it
OWNERS = {
    "pymupdf": {"ingest/pdf.py"},
    "fitz": set(),
    "chromadb": {"models/store.py"},
    "llama_cpp": {"models/generator.py"},
    "sentence_transformers": {"models/embedder.py"},
    "arxiv": {"ingest/arxiv_client.py"},
    "sqlite3": {"models/catalog.py"},
    "fontTools": {"ingest/fonts.py"},
    "spellchecker": {"ingest/glyphs.py"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_each_third_party_library_is_imported_in_one_module() -> None:
    users: dict[str, set[str]] = {name: set() for name in OWNERS}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(path) & set(OWNERS):
                users[name].add(path.relative_to(ROOT).as_posix())
    assert users == OWNERS


def test_streamlit_only_under_ui() -> None:
    outside = [
        path.relative_to(ROOT).as_posix()
        for package in ("assistant", "ingest", "models")
        for path in (ROOT / package).rglob("*.py")
        if "streamlit" in _imports(path)
    ]
    assert outside == []
