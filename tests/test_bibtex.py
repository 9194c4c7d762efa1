"""BibTeX and CSL-JSON in, BibTeX and Pandoc-cited Markdown out (checked by biber, a real tool)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from assistant.build import Assistant
from assistant.domain import Citation
from assistant.library.bibliography import Selection, pandoc_pages, pandoc_text, suggested_citekey
from ingest.bibtex import pdf_files, read_bib
from ingest.references import BadItem, Reference, arxiv_id_in, bare_arxiv
from tests.papers import enzyme_paper, sensor_paper
from tests.pdfmaker import make_paper_pdf

BIB = """@article{brandt2023petx,
  title = {{PetX}: a Thermostable {PET} Hydrolase from M{\\"u}ller's Soil},
  author = {Brandt, Lena and Reyes, Tomas},
  journal = {Journal of Enzyme Recycling},
  year = {2023},
  volume = {12},
  pages = {101--117},
  doi = {10.5555/petx.2023.001},
  keywords = {enzymes, unread},
  file = {Full Text PDF:papers/enzyme.pdf:application/pdf;Snapshot:papers/page.html:text/html},
}

@inproceedings{natarajan2021loomnet,
  title = {LoomNet},
  author = {Natarajan, Priya and Lind, Oskar},
  booktitle = {Proc. SenSys},
  year = {2021},
  file = {:papers/sensor\\:v2.pdf:PDF},
  groups = {Thesis, Networks},
}

@article{broken2020,
  title = {Never closed,
  author = {Nobody},

@misc{nofile2019,
  title = {Only metadata},
  author = {Some One},
  year = {2019},
}

@misc{vogt2020,
  title = {Length Illusions},
  author = {Vogt, Hanna},
  year = {2020},
  eprint = {2001.01234v2},
  archivePrefix = {arXiv},
  file = {:ILLUSION_PATH:pdf},
}
"""


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    """A .bib in each exporter's file dialect (Zotero, JabRef, Mendeley) and one broken entry."""
    papers = tmp_path / "papers"
    papers.mkdir()
    enzyme_paper(papers)
    sensor_paper(papers, "sensor:v2.pdf")
    (tmp_path / "elsewhere").mkdir()
    illusion = make_paper_pdf(
        tmp_path / "elsewhere" / "illusion.pdf",
        title="Length Illusions in Visual Perception",
        abstract="The arrowheads changed perceived length by 18 percent.",
        sections=[("1 Results", ["The arrowheads changed perceived length by 18 percent in 40 observers."])],
    )
    path = tmp_path / "refs.bib"
    # Mendeley writes absolute paths without their leading "/".
    path.write_text(BIB.replace("ILLUSION_PATH", str(illusion).lstrip("/")), encoding="utf-8")
    return path


def test_read_bib_keeps_citekeys_decodes_latex_and_names_the_broken_entry(bib: Path) -> None:
    snapshot = read_bib(bib)
    items = {i.key: i for i in snapshot.items}
    assert list(items) == ["brandt2023petx", "natarajan2021loomnet", "broken2020", "nofile2019", "vogt2020"]
    broken = items["broken2020"]
    assert isinstance(broken, BadItem)
    assert broken.where == "broken2020 (refs.bib line 22)"
    assert broken.reason == "not valid BibTeX: @article{broken2020,"
    enzyme = items["brandt2023petx"]
    assert isinstance(enzyme, Reference)
    assert enzyme.title == "PetX: a Thermostable PET Hydrolase from Müller's Soil"
    assert enzyme.authors == ("Lena Brandt", "Tomas Reyes")
    assert (enzyme.year, enzyme.pages, enzyme.venue, enzyme.tags) == (
        2023,
        "101-117",
        "Journal of Enzyme Recycling",
        ("enzymes", "unread"),
    )
    assert enzyme.files == (bib.parent / "papers" / "enzyme.pdf",)  # the HTML snapshot is not a PDF
    sensor = items["natarajan2021loomnet"]
    assert isinstance(sensor, Reference)
    assert sensor.files == (bib.parent / "papers" / "sensor:v2.pdf",)  # JabRef's escaped colon
    assert sensor.collections == ("Thesis", "Networks")
    vogt = items["vogt2020"]
    assert isinstance(vogt, Reference)
    assert vogt.arxiv_id == "2001.01234v2"
    assert vogt.files == (bib.parent / "elsewhere" / "illusion.pdf",)  # Mendeley's rootless path
    assert "broken2020" in snapshot.present  # unreadable now is not removed


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("Full Text PDF:/abs/a.pdf:application/pdf", ["/abs/a.pdf"]),
        (
            "Full Text:/abs/a.pdf:application/pdf;Other:/abs/b.pdf:application/pdf",
            ["/abs/a.pdf", "/abs/b.pdf"],
        ),
        (":rel/dir/b.pdf:PDF", ["BIB/rel/dir/b.pdf"]),
        ("plain.pdf", ["BIB/plain.pdf"]),
        (":notes.txt:Text", []),
    ],
)
def test_file_field_dialects(tmp_path: Path, field: str, expected: list[str]) -> None:
    assert [str(p).replace(str(tmp_path), "BIB") for p in pdf_files(field, tmp_path)] == expected


def test_import_bib_adds_pdfs_skips_metadata_only_entries_and_reruns_idempotently(
    assistant: Assistant, bib: Path
) -> None:
    results = {r.key: r for r in assistant.importer.bib(bib)}
    assert {k: r.status for k, r in results.items()} == {
        "brandt2023petx": "added",
        "natarajan2021loomnet": "added",
        "broken2020": "failed",
        "nofile2019": "no-pdf",
        "vogt2020": "added",
    }
    assert (
        results["broken2020"].reason
        == "broken2020 (refs.bib line 22): not valid BibTeX: @article{broken2020,"
    )
    assert results["nofile2019"].reason == "nofile2019 (refs.bib line 26): no PDF attached; skipped"
    keys = assistant.bibliography.citekeys(assistant.library.papers())
    assert sorted(keys.values()) == ["brandt2023petx", "natarajan2021loomnet", "vogt2020"]
    assert {r.status for r in assistant.importer.bib(bib) if r.key != "broken2020"} == {"unchanged", "no-pdf"}
    assert [p.title for p in assistant.library.papers_in(["Networks"])] == ["LoomNet"]


def test_csl_items_without_files_match_library_papers_by_doi(assistant: Assistant, tmp_path: Path) -> None:
    added = next(iter(assistant.library.add([enzyme_paper(tmp_path)])))
    csl = tmp_path / "library.json"
    items = [
        {
            "id": "petx-csl",
            "type": "article-journal",
            "title": "PetX (from CSL)",
            "author": [{"family": "Brandt", "given": "Lena"}, {"literal": "PET Consortium"}],
            "issued": {"date-parts": [[2023, 5]]},
            "DOI": "10.5555/PETX.2023.001",
            "container-title": "Journal of Enzyme Recycling",
            "keyword": "enzymes; review",
        },
        {"id": "unknown", "type": "book", "title": "Not here"},
        "not an item",
    ]
    csl.write_text(json.dumps(items), encoding="utf-8")
    results = {r.key: r for r in assistant.importer.csl(csl)}
    assert {k: r.status for k, r in results.items()} == {
        "petx-csl": "linked",
        "unknown": "no-pdf",
        "item 3": "failed",
    }
    paper = assistant.library.get(added.paper_id)
    assert (paper.title, paper.authors) == ("PetX (from CSL)", ("Lena Brandt", "PET Consortium"))
    assert [p.id for p in assistant.library.papers_in(tags=["Review"])] == [added.paper_id]


def test_citekeys_are_author_year_title_unique_and_kept(assistant: Assistant, tmp_path: Path) -> None:
    first = next(iter(assistant.library.add([enzyme_paper(tmp_path)])))
    twin = make_paper_pdf(
        tmp_path / "twin.pdf",
        title="A Thermostable Enzyme, again",
        authors=("Lena Brandt",),
        abstract="Published 2023.",
        sections=[("1 Results", ["A second enzyme paper by the same author in the same year."])],
    )
    second = next(iter(assistant.library.add([twin])))
    papers = [assistant.library.get(first.paper_id), assistant.library.get(second.paper_id)]
    assert suggested_citekey(papers[0]) == "brandt2023thermostable"
    keys = assistant.bibliography.citekeys(papers)
    assert [keys[p.id] for p in papers] == ["brandt2023thermostable", "brandt2023thermostablea"]
    assistant.library.remove(first.paper_id)
    assert assistant.bibliography.citekeys(papers[1:])[second.paper_id] == "brandt2023thermostablea"


def test_exported_bibtex_is_accepted_by_biber_and_read_back_by_bibtexparser(
    assistant: Assistant, bib: Path, tmp_path: Path
) -> None:
    list(assistant.importer.bib(bib))
    text = assistant.bibliography.bibtex(assistant.bibliography.select(Selection()))
    entries = {e.key: e for e in bibtexparser.parse_string(text).entries}
    assert sorted(entries) == ["brandt2023petx", "natarajan2021loomnet", "vogt2020"]
    petx = {k: f.value for k, f in entries["brandt2023petx"].fields_dict.items()}
    assert entries["brandt2023petx"].entry_type == "article"
    assert petx == {
        "title": "PetX: a Thermostable PET Hydrolase from Müller's Soil",
        "author": "Lena Brandt and Tomas Reyes",
        "year": "2023",
        "doi": "10.5555/petx.2023.001",
        "journal": "Journal of Enzyme Recycling",
        "volume": "12",
        "pages": "101--117",
    }
    assert entries["natarajan2021loomnet"].entry_type == "inproceedings"
    assert entries["natarajan2021loomnet"].fields_dict["booktitle"].value == "Proc. SenSys"
    vogt = {k: f.value for k, f in entries["vogt2020"].fields_dict.items()}
    assert entries["vogt2020"].entry_type == "misc"
    assert (vogt["eprint"], vogt["archiveprefix"], vogt["url"]) == (
        "2001.01234",
        "arXiv",
        "https://arxiv.org/abs/2001.01234v2",
    )
    out = tmp_path / "biber"
    out.mkdir()
    (out / "export.bib").write_text(text, encoding="utf-8")
    biber = shutil.which("biber")
    assert biber, "biber is installed by ./setup.sh --dev (Debian's biber package)"
    run = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "export.bib"], cwd=out, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout
    assert [ln for ln in run.stdout.splitlines() if ln.startswith(("WARN", "ERROR"))] == []
    checked = bibtexparser.parse_file(str(out / "export_bibertool.bib"))
    assert sorted(e.key for e in checked.entries) == sorted(entries)


def test_special_characters_are_escaped_so_biber_reads_them_back(
    assistant: Assistant, tmp_path: Path
) -> None:
    pdf = make_paper_pdf(
        tmp_path / "odd.pdf",
        title="Costs & Benefits of 100% Recall: the #1 Case_Study {Unbalanced",
        authors=("Zoë O'Brien",),
        abstract="Published 2022.",
        sections=[("1 Results", ["Recall costs money."])],
    )
    paper = assistant.library.get(next(iter(assistant.library.add([pdf]))).paper_id)
    text = assistant.bibliography.bibtex([paper])
    (tmp_path / "odd.bib").write_text(text, encoding="utf-8")
    run = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "odd.bib"], cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout
    assert "\\& Benefits of 100\\% Recall: the \\#1 Case\\_Study \\textbraceleft{}Unbalanced" in text
    assert next(iter(bibtexparser.parse_string(text).entries)).key == "obrien2022costs"


def test_pandoc_citations_replace_markers() -> None:
    cites = (
        Citation(1, "sha256:a", "A", "", "a.pdf", 3, "q1"),
        Citation(2, "sha256:b", "B", "", "b.pdf", 7, "q2"),
    )
    keys = {"sha256:a": "brandt2023petx", "sha256:b": "lind2021loomnet"}
    text = pandoc_text("PetX works at 42 C. [1] Nodes last 19 months. [2] Both hold. [1]", cites, keys)
    assert text == (
        "PetX works at 42 C [@brandt2023petx, p. 3]. Nodes last 19 months [@lind2021loomnet, p. 7]."
        " Both hold [@brandt2023petx, p. 3]."
    )


@pytest.mark.parametrize(
    ("text", "found", "work"),
    [
        ("https://arxiv.org/abs/1706.03762v7", "1706.03762v7", "1706.03762"),
        ("arXiv:2401.01234", "2401.01234", "2401.01234"),
        ("10.48550/arXiv.2401.01234", "2401.01234", "2401.01234"),
        ("http://arxiv.org/pdf/hep-th/9901001v2", "hep-th/9901001v2", "hep-th/9901001"),
        ("https://doi.org/10.1000/xyz", "", ""),
    ],
)
def test_arxiv_ids_named_in_urls_fields_and_dois(text: str, found: str, work: str) -> None:
    assert (arxiv_id_in(text), bare_arxiv(found)) == (found, work)


def test_summary_page_notes_become_pandoc_citations() -> None:
    text = "PetX degrades PET. <sub>(p. 3)</sub> It is stable. <sub>(p. 4, 7) *quoted*</sub> (p. x)"
    assert pandoc_pages(text, "brandt2023petx") == (
        "PetX degrades PET. <sub>[@brandt2023petx, p. 3]</sub> It is stable."
        " <sub>[@brandt2023petx, pp. 4, 7] *quoted*</sub> (p. x)"
    )
