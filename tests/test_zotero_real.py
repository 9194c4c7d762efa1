"""Importing a database Zotero itself wrote, not one shaped after its schema by these tests.

The database is papis-zotero 0.4.0's test fixture (written by Zotero 6.0.26, userdata schema
121, the schema Zotero 7 still reads these tables with): `setup.sh --dev` downloads its source
from PyPI into the user's cache, never into this repository. Its storage PDFs are one-line
placeholders, so the test puts PDFs it makes in their place, under the names Zotero gave them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.build import Assistant
from tests.pdfmaker import make_paper_pdf


def zotero_fixture() -> Path:
    """Where `setup.sh --dev` unpacks the Zotero-written database and its storage folder."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "paperlamp" / "zotero-papis-zotero-0.4.0"


@pytest.fixture
def real_zotero(tmp_path: Path) -> Path:
    source = zotero_fixture()
    if not (source / "zotero.sqlite").is_file():
        pytest.skip(f"no Zotero-written database in {source}: run ./setup.sh --dev (it needs PyPI)")
    data = tmp_path / "Zotero"
    shutil.copytree(source, data)
    for n, placeholder in enumerate(sorted(data.glob("storage/*/*.pdf"))):
        placeholder.unlink()
        make_paper_pdf(
            placeholder,
            title=f"Placeholder {n} printed on the PDF",
            authors=("Someone Else",),
            abstract=f"Study {n} measured {n + 3} quantities in {10 * (n + 1)} runs.",
            sections=[("1 Results", [f"Run {n} gave a residual of {n}.5 percent after {n + 2} steps."])],
        )
    return data


def test_a_database_zotero_wrote_imports_with_its_metadata_and_is_never_written(
    assistant: Assistant, real_zotero: Path
) -> None:
    database = real_zotero / "zotero.sqlite"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        versions = dict(db.execute("SELECT schema, version FROM version").fetchall())
        written_by = db.execute("SELECT value FROM settings WHERE key = 'lastVersion'").fetchone()[0]
    assert (versions["userdata"], written_by) == (121, "6.0.26.SOURCE.f68dc7c90")
    before = hashlib.sha256(database.read_bytes()).hexdigest()

    results = {r.key: r for r in assistant.importer.zotero(real_zotero)}
    assert {k: r.status for k, r in results.items()} == {
        "GPPHXHHH": "added",
        "X8H6TF8V": "added",
        "I6RNZ53Q": "added",
        "EWM83WCB": "no-pdf",
        "IH8J2JJP": "added",
    }
    assert results["EWM83WCB"].reason == "item EWM83WCB: no PDF attached; skipped"
    papers = {k: assistant.library.get(r.paper_id) for k, r in results.items() if r.paper_id}
    euler = papers["X8H6TF8V"]
    assert (euler.title, euler.authors, euler.year, euler.doi) == (
        "The Euler equations as a differential inclusion",
        ("Camillo De Lellis", "László Székelyhidi"),
        2009,
        "10.4007/annals.2009.170.1417",
    )
    assert euler.extra["bib"] == {
        "item_type": "journalArticle",
        "venue": "Annals of Mathematics",
        "url": "http://annals.math.princeton.edu/2009/170-3/p09",
        "pages": "1417-1436",
        "volume": "170",
        "issue": "3",
    }
    assert euler.extra["zotero"]["link"] == "zotero://select/library/items/X8H6TF8V"
    assert [(p.authors, p.year, p.doi) for k, p in sorted(papers.items()) if k != "X8H6TF8V"] == [
        (("Nathanaël Schaeffer",), 2013, "10.1002/ggge.20071"),
        (("Gerd Grubb",), 2015, "10.1016/j.aim.2014.09.018"),
        (("Magnus Svärd", "Jan Nordström"), 2014, "10.1016/j.jcp.2014.02.031"),
    ]
    keys = assistant.bibliography.citekeys(list(papers.values()))
    assert keys[euler.id] == "delellis2009euler"  # the family name's particle is kept
    assert "author = {De Lellis, Camillo and László Székelyhidi}" in assistant.bibliography.bibtex([euler])

    again = list(assistant.importer.zotero(real_zotero))
    assert sorted(r.status for r in again) == ["no-pdf", "unchanged", "unchanged", "unchanged", "unchanged"]
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
