"""Adding papers: idempotence, bad input, interrupted adds, removal and repair (real PyMuPDF + Chroma)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.build import Assistant
from assistant.errors import BadInput, NotFound
from tests.papers import enzyme_paper, sensor_paper
from tests.pdfmaker import make_encrypted_pdf, make_scanned_pdf, make_truncated_pdf


def _counts(assistant: Assistant) -> tuple[int, int, int]:
    lib = assistant.library
    return len(lib.papers()), lib.catalog.chunk_count(), lib.store.count()


def test_add_reads_metadata_and_stores_every_chunk(assistant: Assistant, tmp_path: Path) -> None:
    [result] = assistant.library.add([enzyme_paper(tmp_path)])
    assert result.status == "added"
    assert result.title == "A Thermostable Enzyme that Degrades PET Plastic"
    assert result.paper_id.startswith("sha256:")
    paper = assistant.library.get(result.paper_id)
    assert paper.authors == ("Lena Brandt", "Tomas Reyes")
    assert paper.doi == "10.5555/petx.2023.001"
    assert paper.year == 2023
    assert paper.pages == result.pages == 1
    assert _counts(assistant) == (1, result.chunks, result.chunks)
    sections = {c.section for c in assistant.library.chunks(paper.id)}
    assert "2 Results" in sections
    assert not any("References" in s for s in sections)
    kept = assistant.library.file_of(paper)
    assert kept is not None
    assert kept.read_bytes() == (tmp_path / "enzyme.pdf").read_bytes()


def test_adding_the_same_pdf_again_changes_nothing(assistant: Assistant, tmp_path: Path) -> None:
    pdf = enzyme_paper(tmp_path)
    copy = tmp_path / "copy-of-enzyme.pdf"
    shutil.copy(pdf, copy)
    first = list(assistant.library.add([pdf]))
    before = _counts(assistant)
    again = list(assistant.library.add([pdf, copy]))
    assert [r.status for r in first] == ["added"]
    assert [r.status for r in again] == ["exists", "exists"]
    assert {r.paper_id for r in again} == {first[0].paper_id}
    assert _counts(assistant) == before


def test_folders_are_searched_recursively(assistant: Assistant, tmp_path: Path) -> None:
    nested = tmp_path / "lib" / "2021"
    nested.mkdir(parents=True)
    enzyme_paper(tmp_path / "lib")
    sensor_paper(nested)
    (tmp_path / "lib" / "notes.txt").write_text("not a paper")
    results = list(assistant.library.add([tmp_path / "lib"]))
    assert sorted(Path(r.path).name for r in results) == ["enzyme.pdf", "sensor.pdf"]
    assert all(r.status == "added" for r in results)


def test_bad_files_get_one_line_reasons_and_the_batch_goes_on(assistant: Assistant, tmp_path: Path) -> None:
    good = enzyme_paper(tmp_path)
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.pdf").write_text("just some notes, not a PDF at all")
    make_truncated_pdf(sensor_paper(tmp_path, "cut.pdf"))
    make_encrypted_pdf(tmp_path / "locked.pdf")
    make_scanned_pdf(tmp_path / "scan.pdf")
    names = ["empty.pdf", "notes.pdf", "cut.pdf", "locked.pdf", "scan.pdf", "missing.pdf"]
    results = list(assistant.library.add([tmp_path / n for n in names] + [good]))
    reasons = {Path(r.path).name: r.reason for r in results if not r.ok}
    assert set(reasons) == set(names)
    for name, reason in reasons.items():
        assert reason.startswith(name + ": ")
        assert "\n" not in reason
    assert "empty" in reasons["empty.pdf"]
    assert "not a PDF" in reasons["notes.pdf"]
    assert "encrypted" in reasons["locked.pdf"] or "password" in reasons["locked.pdf"]
    assert "no text layer" in reasons["scan.pdf"]
    assert "no such file" in reasons["missing.pdf"]
    assert results[-1].status == "added"
    assert len(assistant.library.papers()) == 1


def test_oversized_file_is_refused_before_reading(assistant: Assistant, tmp_path: Path) -> None:
    assistant.library.max_pdf_bytes = 1000
    [result] = assistant.library.add([enzyme_paper(tmp_path)])
    assert result.status == "failed"
    assert "over the 0 MB limit" in result.reason or "limit" in result.reason


def test_an_add_interrupted_mid_embedding_is_finished_by_the_next_run(
    assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = enzyme_paper(tmp_path)
    lib = assistant.library
    lib.batch_size = 1  # one vector per write, so the interruption falls between writes
    real_add = lib.store.add
    calls = {"n": 0}

    def add_then_die(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C after the first vector was stored
        real_add(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lib.store, "add", add_then_die)
    with pytest.raises(KeyboardInterrupt):
        list(lib.add([pdf]))
    assert lib.papers() == []  # pending: invisible to list and search
    assert lib.store.count() == 1
    assert assistant.searcher.search("PetX enzyme", 5) == []

    monkeypatch.setattr(lib.store, "add", real_add)
    [result] = lib.add([pdf])
    assert result.status == "resumed"
    assert _counts(assistant) == (1, result.chunks, result.chunks)
    assert assistant.searcher.search("PetX enzyme temperature", 3)[0].paper_id == result.paper_id


def test_remove_deletes_record_chunks_vectors_and_file(assistant: Assistant, tmp_path: Path) -> None:
    [kept] = assistant.library.add([sensor_paper(tmp_path)])
    [gone] = assistant.library.add([enzyme_paper(tmp_path)])
    removed = assistant.library.remove(gone.paper_id[:15])
    assert removed.id == gone.paper_id
    assert [p.id for p in assistant.library.papers()] == [kept.paper_id]
    assert _counts(assistant) == (1, kept.chunks, kept.chunks)
    assert not assistant.home.paper_file(removed.sha256).exists()
    with pytest.raises(NotFound, match="no paper"):
        assistant.library.get(gone.paper_id)


def test_repair_finishes_removals_and_drops_orphan_vectors(assistant: Assistant, tmp_path: Path) -> None:
    [a] = assistant.library.add([enzyme_paper(tmp_path)])
    [b] = assistant.library.add([sensor_paper(tmp_path)])
    assistant.library.catalog.set_status(a.paper_id, "removing")  # killed mid-removal
    assistant.library.catalog.delete_paper(b.paper_id)  # vectors left without a record
    report = assistant.library.repair()
    assert report == {
        "removals_finished": 1,
        "orphan_vectors": b.chunks,
        "orphan_files": 0,  # b's PDF is left while it is new: another process may be adding it
        "pending_papers": 0,
    }
    assert _counts(assistant) == (0, 0, 0)


def test_ambiguous_and_empty_references_are_refused(assistant: Assistant, tmp_path: Path) -> None:
    list(assistant.library.add([enzyme_paper(tmp_path), sensor_paper(tmp_path)]))
    with pytest.raises(BadInput, match="names 2 papers"):
        assistant.library.get("sha256:")
    with pytest.raises(BadInput, match="paper id is needed"):
        assistant.library.get("  ")
    paper = assistant.library.get("10.5555/PETX.2023.001")
    assert paper.title.startswith("A Thermostable Enzyme")


def test_documents_are_added_in_groups_and_only_once(assistant: Assistant) -> None:
    from assistant.library.library import DocumentItem
    from ingest.types import Block, Document, PaperMeta

    def item(n: int) -> DocumentItem:
        text = f"Abstract number {n} studies topic{n} in depth. It reports result {n}."
        doc = Document((Block(1, text, (0, 0, 0, 0), section="Abstract"),), 1)
        return DocumentItem(doc, PaperMeta(title=f"Doc {n}"), f"{n:064x}", f"doc{n}", paper_id=f"corpus:{n}")

    results = list(assistant.library.add_documents([item(n) for n in range(5)], group=2))
    assert [(r.paper_id, r.status, r.chunks) for r in results] == [
        (f"corpus:{n}", "added", 1) for n in range(5)
    ]
    assert _counts(assistant) == (5, 5, 5)
    again = list(assistant.library.add_documents([item(1), item(5)]))
    assert [r.status for r in again] == ["exists", "added"]
    assert assistant.searcher.search("topic3", 1)[0].paper_id == "corpus:3"


def _opened_elsewhere(folder: Path) -> tuple[int, str]:
    """Whether another process may open the embedded store: its exit code and one-line reason."""
    import subprocess
    import sys

    opener = (
        "import sys; from pathlib import Path; from models.store import ChromaStore; "
        "from models.errors import BackendError\n"
        "try:\n    ChromaStore('probe', path=Path(sys.argv[1])).close()\n"
        "except BackendError as exc:\n    sys.exit(str(exc))\n"
    )
    done = subprocess.run([sys.executable, "-c", opener, str(folder)], capture_output=True, text=True)
    return done.returncode, done.stderr.strip()


def test_a_second_process_is_refused_the_embedded_store_until_the_first_lets_go(
    assistant: Assistant,
) -> None:
    """Two processes writing one embedded Chroma folder corrupt it; the second is told who holds it."""
    from models.store import ChromaStore

    assert assistant.library.store.count() == 0  # this process now holds the folder
    same_process = ChromaStore("probe", path=assistant.home.chroma)  # shared within a process
    same_process.close()

    code, message = _opened_elsewhere(assistant.home.chroma)
    assert code == 1
    assert len(message.splitlines()) == 1
    assert f"in use by process {os.getpid()}" in message
    assert "PAPERLAMP_CHROMA_URL" in message

    assistant.library.close()
    assert _opened_elsewhere(assistant.home.chroma) == (0, "")


def test_an_idle_store_is_let_go_and_reopened_on_the_next_use(assistant: Assistant, tmp_path: Path) -> None:
    library = assistant.library
    list(library.add([enzyme_paper(tmp_path)]))
    before = assistant.searcher.search("enzyme temperature", k=3)
    assert not library.release_store(idle_seconds=3600)  # used a moment ago: kept
    assert _opened_elsewhere(assistant.home.chroma)[0] == 1
    assert library.release_store(idle_seconds=0)
    assert not library.release_store(idle_seconds=0)  # nothing left to let go
    assert _opened_elsewhere(assistant.home.chroma) == (0, "")  # another process may use it now
    assert assistant.searcher.search("enzyme temperature", k=3) == before  # reopened, nothing lost
    assert _opened_elsewhere(assistant.home.chroma)[0] == 1


def test_a_pdf_with_nothing_to_index_is_not_kept(assistant: Assistant, tmp_path: Path) -> None:
    import pymupdf

    pdf = pymupdf.open()  # a page of references only: readable, but nothing in it is indexed
    page = pdf.new_page()
    page.insert_text((72, 72), "References", fontname="hebo", fontsize=14)
    for n in range(6):
        line = f"[{n + 1}] A. Author. An earlier paper on topic {n}. Journal of Things, 2019."
        page.insert_text((72, 100 + 14 * n), line, fontname="helv", fontsize=10)
    pdf.save(tmp_path / "refs.pdf")
    [result] = assistant.library.add([tmp_path / "refs.pdf"])
    assert (result.status, result.reason) == ("failed", "refs.pdf: no text could be read from it")
    assert list(assistant.home.papers.iterdir()) == []


def test_repair_sweeps_pdfs_no_paper_owns(assistant: Assistant, tmp_path: Path) -> None:
    import time

    [added] = assistant.library.add([enzyme_paper(tmp_path)])
    own = assistant.home.paper_file(assistant.library.get(added.paper_id).sha256)
    papers = assistant.home.papers
    left_over = papers / f"{'f' * 64}.pdf"  # copied in for an add that then failed
    cut_short = papers / f".{'e' * 64}.pdf.x1y2.tmp"  # a copy a kill interrupted
    being_added = papers / f"{'d' * 64}.pdf"  # another process's add, a moment ago
    for path in (left_over, cut_short, being_added):
        path.write_bytes(b"%PDF-1.7 no paper owns this")
    hour_ago = time.time() - 3600
    for path in (own, left_over, cut_short):
        os.utime(path, (hour_ago, hour_ago))
    report = assistant.library.repair()
    assert report["orphan_files"] == 2
    assert sorted(p.name for p in papers.iterdir()) == sorted([own.name, being_added.name])
    assert assistant.library.repair()["orphan_files"] == 0
