"""The app's collection and tag filters, Zotero links, and citation downloads (AppTest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from assistant.build import Assistant
from tests.test_app import ENZYME, SENSOR, built, open_page, stocked  # noqa: F401 (fixtures)
from tests.zotero_db import ZoteroLibrary


def _labelled(stocked: Assistant, tmp_path: Path) -> Assistant:  # noqa: F811
    """The two test papers, linked to a Zotero library that files them in collections with tags."""
    z = ZoteroLibrary(tmp_path / "Zotero")
    enzyme = z.item(
        "ENZ00001", fields={"title": ENZYME, "date": "2023"}, collections=["Thesis/Ch 2"], tags=["unread"]
    )
    z.attach(enzyme, "ATTENZ01", tmp_path / "enzyme.pdf")
    sensor = z.item("SEN00002", fields={"title": SENSOR, "date": "2021"}, collections=["Networks"])
    z.attach(sensor, "ATTSEN02", tmp_path / "sensor.pdf")
    assert [r.status for r in stocked.importer.zotero(z.dir)] == ["linked", "linked"]
    return stocked


def _markdown(at: Any) -> list[str]:
    return [cast(Any, e).value for e in at.get("markdown")]


def test_search_filters_by_tag_and_collection(stocked: Assistant, tmp_path: Path) -> None:  # noqa: F811
    _labelled(stocked, tmp_path)
    at = open_page("search")
    at.text_input(key="search_query").input("sensor node battery months enzyme")
    at.multiselect(key="search_tags").set_value(["unread"])
    at.button[0].click().run()
    assert not at.exception
    titles = [m for m in _markdown(at) if m.startswith("**")]
    assert titles and all(ENZYME in t for t in titles)
    at.multiselect(key="search_tags").set_value([])
    at.multiselect(key="search_collections").set_value(["Networks"])
    at.button[0].click().run()
    titles = [m for m in _markdown(at) if m.startswith("**")]
    assert titles and all(SENSOR.split(":")[0] in t for t in titles)


def test_ask_offers_pandoc_markdown_and_bibtex_and_the_paper_links_to_zotero(
    stocked: Assistant,  # noqa: F811
    tmp_path: Path,
) -> None:
    _labelled(stocked, tmp_path)
    at = open_page("ask")
    at.multiselect(key="ask_collections").set_value(["Thesis"]).run()
    at.chat_input[0].set_value("At what temperature is PetX most active?").run()
    assert not at.exception
    labels = [cast(Any, b).proto.label for b in at.get("download_button")]
    assert labels == ["Markdown with [@citekey, p. N]", "BibTeX of the works cited"]
    library = open_page("library")
    enzyme = next(p for p in stocked.library.papers() if p.title == ENZYME)
    library.selectbox(key="library_open").set_value(enzyme.id).run()
    assert not library.exception
    assert "**Zotero:** [zotero://select/library/items/ENZ00001](zotero://select/library/items/ENZ00001)" in (
        _markdown(library)
    )
    assert any("**citekey:** brandt2023thermostable" in m for m in _markdown(library))
