"""Importing a Zotero library: a Zotero 7-shaped database and storage folder with real PDFs."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.build import Assistant
from assistant.library.imports import ImportResult
from assistant.retrieval.search import SearchFilter
from ingest.errors import UnreadableInput
from tests.fakes import HashingEmbedder
from tests.papers import enzyme_paper, sensor_paper
from tests.pdfmaker import make_paper_pdf
from tests.zotero_db import ZoteroLibrary

NON_ASCII_TITLE = "Über die Müller-Lyer-Täuschung: 錯視の研究"


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it embeds (to prove an update embeds nothing)."""

    def __init__(self) -> None:
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().embed(texts)


@pytest.fixture
def embedder(assistant: Assistant) -> CountingEmbedder:
    counting = CountingEmbedder()
    assistant.library._embedder_factory = lambda: counting
    return counting


def _illusion_paper(folder: Path, name: str = "illusion.pdf", extra: str = "") -> Path:
    return make_paper_pdf(
        folder / name,
        title="Length Illusions in Visual Perception",
        authors=("Hanna Vogt",),
        abstract="We measure the Mueller-Lyer illusion in 40 observers." + extra,
        sections=[("1 Results", ["The arrowheads changed perceived length by 18 percent." + extra])],
    )


@pytest.fixture
def zotero(tmp_path: Path) -> tuple[ZoteroLibrary, dict[str, int]]:
    """A Zotero library with the cases a real one has: imported, linked and base-relative files, two
    PDFs on one item, a non-ASCII title, a trashed item, an item without a PDF, a missing file."""
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    z = ZoteroLibrary(tmp_path / "Zotero")
    ids = {}
    ids["ENZ00001"] = z.item(
        "ENZ00001",
        fields={
            "title": "PetX: a thermostable PET hydrolase",
            "date": "2023-05-02 2023-05-02",
            "DOI": "10.5555/petx.2023.001",
            "publicationTitle": "Journal of Enzyme Recycling",
            "volume": "12",
            "pages": "101-117",
            "abstractNote": "Zotero's abstract.",
        },
        authors=[("Lena", "Brandt"), ("Tomas", "Reyes")],
        collections=["Thesis/Chapter 2"],
        tags=["unread", "enzymes"],
    )
    z.attach(ids["ENZ00001"], "ATTENZ01", enzyme_paper(pdfs))
    ids["SEN00002"] = z.item(
        "SEN00002",
        "conferencePaper",
        fields={"title": "LoomNet", "date": "2021", "proceedingsTitle": "Proc. SenSys"},
        authors=[("Priya", "Natarajan"), ("", "The LoomNet Consortium")],
        collections=["Thesis"],
    )
    z.attach(ids["SEN00002"], "ATTSEN02", linked=str(sensor_paper(pdfs)))
    ids["ILL00003"] = z.item("ILL00003", fields={"title": NON_ASCII_TITLE, "date": "2020-00-00 2020"})
    base = tmp_path / "linked-base"
    base.mkdir()
    _illusion_paper(base)
    z.attach(ids["ILL00003"], "ATTILL03", linked="attachments:illusion.pdf")
    z.attach(ids["ILL00003"], "ATTILL04", _illusion_paper(pdfs, "supplement.pdf", " Supplement."))
    ids["TRA00004"] = z.item("TRA00004", fields={"title": "Trashed"})
    z.attach(ids["TRA00004"], "ATTTRA04", _illusion_paper(pdfs, "trashed.pdf", " Trash."))
    z.trash(ids["TRA00004"])
    ids["NOP00005"] = z.item("NOP00005", fields={"title": "A book without a PDF"})
    ids["MIS00006"] = z.item("MIS00006", fields={"title": "Missing file"})
    z.attach(ids["MIS00006"], "ATTMIS06", None, name="gone.pdf")
    return z, ids


def _by_key(results: Sequence[ImportResult]) -> dict[str, ImportResult]:
    return {r.key: r for r in results}


def test_import_takes_zotero_metadata_files_collections_and_tags(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, _ = zotero
    results = _by_key(list(assistant.importer.zotero(z.dir, base_dir=tmp_path / "linked-base")))
    assert {k: r.status for k, r in results.items()} == {
        "ENZ00001": "added",
        "SEN00002": "added",
        "ILL00003": "added",
        "NOP00005": "no-pdf",
        "MIS00006": "failed",
    }
    assert results["MIS00006"].reason == f"item MIS00006: {z.dir / 'storage/ATTMIS06/gone.pdf'}: no such file"
    assert results["NOP00005"].reason == "item NOP00005: no PDF attached; skipped"
    assert results["ILL00003"].reason == "2 PDFs, indexed illusion.pdf"
    enzyme = assistant.library.get(results["ENZ00001"].paper_id)
    assert (enzyme.title, enzyme.authors, enzyme.year, enzyme.doi, enzyme.abstract) == (
        "PetX: a thermostable PET hydrolase",
        ("Lena Brandt", "Tomas Reyes"),
        2023,
        "10.5555/petx.2023.001",
        "Zotero's abstract.",
    )
    assert enzyme.extra["zotero"] == {
        "key": "ENZ00001",
        "library_id": 1,
        "link": "zotero://select/library/items/ENZ00001",
    }
    assert enzyme.extra["bib"] == {
        "item_type": "journalArticle",
        "venue": "Journal of Enzyme Recycling",
        "pages": "101-117",
        "volume": "12",
    }
    sensor = assistant.library.get(results["SEN00002"].paper_id)
    assert sensor.authors == ("Priya Natarajan", "The LoomNet Consortium")
    illusion = assistant.library.get(results["ILL00003"].paper_id)
    assert illusion.title == NON_ASCII_TITLE
    assert sorted(p.title for p in assistant.library.papers_in(["Thesis"])) == ["LoomNet", enzyme.title]
    assert [p.title for p in assistant.library.papers_in(["Thesis/Chapter 2"], ["UNREAD"])] == [enzyme.title]
    assert assistant.library.papers_in(["Thesis/Chapter"]) == []  # a path, not a prefix of a name
    either = assistant.library.papers_in(["Thesis/Chapter 2", "Nowhere"], ["no-such-tag", "enzymes"])
    assert [p.id for p in either] == [enzyme.id]  # any of the collections, any of the tags
    assert len(assistant.library.papers()) == 3  # the trashed item never came in


def test_search_and_ask_filter_by_collection_and_tag(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, _ = zotero
    list(assistant.importer.zotero(z.dir, base_dir=tmp_path / "linked-base"))
    everywhere = {h.title for h in assistant.searcher.search("percent length battery enzyme", 20)}
    assert len(everywhere) == 3
    in_thesis = assistant.searcher.search(
        "percent length battery enzyme", 20, SearchFilter(collections=("Thesis",))
    )
    assert {h.title for h in in_thesis} == {"PetX: a thermostable PET hydrolase", "LoomNet"}
    tagged = assistant.searcher.search("enzyme battery", 20, SearchFilter(tags=("enzymes",)))
    assert {h.title for h in tagged} == {"PetX: a thermostable PET hydrolase"}
    assert assistant.searcher.search("enzyme", 5, SearchFilter(tags=("no-such-tag",))) == []


def test_import_works_while_zotero_holds_its_database_locked_and_never_writes_it(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, _ = zotero
    before = hashlib.sha256(z.path.read_bytes()).hexdigest()
    running = sqlite3.connect(z.path, isolation_level=None)  # Zotero: exclusive locking mode
    running.execute("PRAGMA locking_mode = EXCLUSIVE")
    running.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite3.connect(z.path, timeout=0).execute("SELECT count(*) FROM items").fetchone()
        results = list(assistant.importer.zotero(z.dir, base_dir=tmp_path / "linked-base"))
    finally:
        running.execute("ROLLBACK")
        running.close()
    assert sum(r.status == "added" for r in results) == 3
    assert hashlib.sha256(z.path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in z.dir.iterdir()) == ["storage", "zotero.sqlite"]  # no journal left


def test_rerun_changes_nothing_and_changed_metadata_updates_without_embedding(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, ids = zotero
    base = tmp_path / "linked-base"
    first = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))
    vectors = assistant.library.store.count()
    embedded = embedder.embedded
    again = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))
    assert {k: r.status for k, r in again.items() if r.status != "unchanged"} == {
        "NOP00005": "no-pdf",
        "MIS00006": "failed",
    }
    z.set_field(ids["ENZ00001"], "title", "PetX, renamed in Zotero")
    z.tag(ids["ENZ00001"], "read")
    z.add_to_collection(ids["SEN00002"], "Reading group")
    third = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))
    assert (third["ENZ00001"].status, third["SEN00002"].status, third["ILL00003"].status) == (
        "updated",
        "updated",
        "unchanged",
    )
    assert embedder.embedded == embedded  # no PDF read or embedded again
    assert assistant.library.store.count() == vectors
    enzyme = first["ENZ00001"].paper_id
    assert assistant.library.get(enzyme).title == "PetX, renamed in Zotero"
    assert [p.id for p in assistant.library.papers_in(tags=["read"])] == [enzyme]
    assert [p.title for p in assistant.library.papers_in(["Reading group"])] == ["LoomNet"]
    hits = assistant.searcher.search("renamed", 3, SearchFilter(paper_ids=(enzyme,)), fusion="lexical")
    assert hits and hits[0].chunk_id == f"{enzyme}#0"  # the keyword index knows the new title


def test_items_removed_or_trashed_in_zotero_are_reported_then_pruned(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, ids = zotero
    base = tmp_path / "linked-base"
    first = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))
    z.trash(ids["ENZ00001"])
    z.delete(ids["SEN00002"])
    reported = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))
    assert (reported["ENZ00001"].status, reported["SEN00002"].status) == ("gone", "gone")
    assert reported["ENZ00001"].reason == "item ENZ00001: in the trash; --prune removes it from the library"
    assert len(assistant.library.papers()) == 3
    pruned = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base, prune=True)))
    assert (pruned["ENZ00001"].status, pruned["SEN00002"].status) == ("removed", "removed")
    assert [p.id for p in assistant.library.papers()] == [first["ILL00003"].paper_id]
    assert assistant.library.store.ids(first["ENZ00001"].paper_id) == set()
    assert "ENZ00001" not in _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))


def test_dry_run_and_collection_selection(
    assistant: Assistant, embedder: CountingEmbedder, zotero: tuple[ZoteroLibrary, dict[str, int]]
) -> None:
    z, _ = zotero
    planned = _by_key(list(assistant.importer.zotero(z.dir, collections=["Thesis"], dry_run=True)))
    assert {k: r.status for k, r in planned.items()} == {"ENZ00001": "added", "SEN00002": "added"}
    assert assistant.library.papers() == [] and embedder.embedded == 0
    chosen = _by_key(list(assistant.importer.zotero(z.dir, tags=["Enzymes"])))
    assert {k: r.status for k, r in chosen.items()} == {"ENZ00001": "added"}
    # Items outside the selection are not "gone": they are still in Zotero.
    rest = list(assistant.importer.zotero(z.dir, collections=["Thesis"]))
    assert {r.key: r.status for r in rest} == {"ENZ00001": "unchanged", "SEN00002": "added"}


def test_attachments_path_without_base_dir_is_one_reason(
    assistant: Assistant, embedder: CountingEmbedder, zotero: tuple[ZoteroLibrary, dict[str, int]]
) -> None:
    z, _ = zotero
    results = _by_key(list(assistant.importer.zotero(z.dir)))
    # The second PDF (an imported file) still brings the item in; the reason names the first.
    assert results["ILL00003"].status == "added"
    assert results["ILL00003"].reason == (
        "skipped linked file 'illusion.pdf' is relative to Zotero's linked attachment base directory;"
        " give it with --base-dir (Zotero: Settings > Advanced > Files and Folders)"
    )
    assert assistant.library.get(results["ILL00003"].paper_id).source == "supplement.pdf"


def test_the_same_pdf_is_one_paper_and_another_file_of_a_work_is_recorded_not_indexed(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, _ = zotero
    folder_pdf = tmp_path / "downloads" / "petx.pdf"  # the very file Zotero holds, under another name
    folder_pdf.parent.mkdir()
    shutil.copyfile(z.dir / "storage" / "ATTENZ01" / "enzyme.pdf", folder_pdf)
    added = next(iter(assistant.library.add([folder_pdf])))
    journal = z.item("JNL00007", fields={"title": "PetX (journal version)", "DOI": "10.5555/PETX.2023.001"})
    z.attach(journal, "ATTJNL07", _illusion_paper(tmp_path / "pdfs", "journal.pdf", " Journal."))
    results = _by_key(list(assistant.importer.zotero(z.dir, base_dir=tmp_path / "linked-base")))
    assert results["ENZ00001"].status == "linked"
    assert results["ENZ00001"].paper_id == added.paper_id
    assert assistant.library.get(added.paper_id).title == "PetX: a thermostable PET hydrolase"  # Zotero wins
    assert results["JNL00007"].status == "same-work"
    assert results["JNL00007"].paper_id == added.paper_id
    assert results["JNL00007"].reason == (
        f"another file of {added.paper_id} (same DOI or arXiv id); recorded, not indexed"
    )
    assert len(assistant.library.papers()) == 3
    roles = {s.key: s.role for s in assistant.library.sources(added.paper_id)}
    assert roles == {"ENZ00001": "metadata", "JNL00007": "file"}
    # The first item owns the metadata: the second never overwrote the title.
    assert assistant.library.get(added.paper_id).title == "PetX: a thermostable PET hydrolase"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: None, "has no zotero.sqlite"),
        (lambda d: (d / "zotero.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x01" * 50), "corrupt"),
        (
            lambda d: sqlite3.connect(d / "zotero.sqlite").execute("CREATE TABLE moz_places (id INT)"),
            "has no table items: not a Zotero 5-7 database",
        ),
    ],
    ids=["no-database", "truncated", "other-schema"],
)
def test_unreadable_data_folders_say_why(tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "Zotero"
    folder.mkdir()
    make(folder)
    from ingest.zotero import read_zotero

    with pytest.raises(UnreadableInput, match=reason):
        read_zotero(folder)


def test_a_zotero_version_with_a_renamed_column_is_refused_in_one_sentence(
    zotero: tuple[ZoteroLibrary, dict[str, int]],
) -> None:
    z, _ = zotero
    db = sqlite3.connect(z.path)
    db.execute("ALTER TABLE itemAttachments RENAME COLUMN parentItemID TO sourceItemID")  # Zotero 4
    db.commit()
    db.close()
    from ingest.zotero import read_zotero

    with pytest.raises(UnreadableInput, match="table itemAttachments lacks parentItemID"):
        read_zotero(z.dir)


def test_a_pdf_replaced_in_zotero_replaces_the_paper(
    assistant: Assistant,
    embedder: CountingEmbedder,
    zotero: tuple[ZoteroLibrary, dict[str, int]],
    tmp_path: Path,
) -> None:
    z, _ = zotero
    base = tmp_path / "linked-base"
    old = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))["ENZ00001"].paper_id
    stored = z.dir / "storage" / "ATTENZ01" / "enzyme.pdf"
    make_paper_pdf(
        stored,
        title="A Thermostable Enzyme that Degrades PET Plastic",
        abstract="The corrected version.",
        sections=[("1 Results", ["PetX is most active at 45 degrees Celsius after the correction."])],
    )
    result = _by_key(list(assistant.importer.zotero(z.dir, base_dir=base)))["ENZ00001"]
    assert result.status == "updated"
    assert result.reason == "its PDF changed; the new one replaces the old"
    assert result.paper_id != old
    ids = {p.id for p in assistant.library.papers()}
    assert result.paper_id in ids and old not in ids
    assert assistant.library.store.ids(old) == set()
    paper = assistant.library.get(result.paper_id)
    assert (paper.title, paper.extra["zotero"]["key"]) == ("PetX: a thermostable PET hydrolase", "ENZ00001")
    assert [p.id for p in assistant.library.papers_in(["Thesis/Chapter 2"])] == [result.paper_id]
