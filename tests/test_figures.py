"""find_figures / save_figures on PDFs with drawn figures and captions made by tests/pdfmaker.py."""

from __future__ import annotations

import pymupdf
import pytest

from ingest.figures import find_figures, save_figures
from tests.pdfmaker import FigureSpec, figure_rect, make_paper_pdf

TEXT = "Lamps make reading easier, as shown in Figure 2 and in many other studies. " * 6
WIDE = FigureSpec("Figure 1: Bars of light across the page.", page=1, top=420, full_width=True)
COLUMN = FigureSpec("Fig. 2. A raster image in the right column.", page=2, top=120,
                    column=1, raster=True)  # fmt: skip


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """A two-column paper with a wide vector figure on page 1 and a column image on page 2."""
    return make_paper_pdf(
        tmp_path_factory.mktemp("fig") / "figs.pdf",
        abstract="We study lamps. " * 20,
        sections=[("1 Introduction", [TEXT] * 4), ("2 Results", [TEXT] * 8)],
        two_column=True,
        figures=[WIDE, COLUMN],
    )


def near(a, b, tol=6.0):
    """True if two rects agree within tol points on every side."""
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def test_captions_anchor_figures_with_their_regions(paper):
    figures = find_figures(paper)
    assert [f.label for f in figures] == ["Figure 1", "Figure 2"]
    wide, column = figures
    assert wide.caption == "Figure 1: Bars of light across the page."
    assert (wide.page, column.page) == (1, 2)
    assert near(wide.bbox, figure_rect(WIDE, two_column=True))
    assert near(column.bbox, figure_rect(COLUMN, two_column=True))
    assert column.caption.startswith("Fig. 2. A raster image")


def test_running_text_mentions_are_not_captions(paper):
    figures = find_figures(paper)
    assert len(figures) == 2  # the two real captions, so the check below is not vacuous
    assert all(not f.caption.startswith("Lamps") for f in figures)


def test_save_figures_writes_decodable_pngs(paper, tmp_path):
    saved = save_figures(paper, find_figures(paper), tmp_path / "out")
    assert [p.name for _, p in saved] == ["fig-1.png", "fig-2.png"]
    for fig, png in saved:
        pix = pymupdf.Pixmap(str(png))
        assert pix.width == pytest.approx(2 * (fig.bbox[2] - fig.bbox[0]), abs=3)


def test_degenerate_regions_are_skipped(paper, tmp_path):
    from ingest.types import Figure

    tiny = Figure("Figure 9", "Figure 9: x", 1, (10, 10, 12, 12))
    assert save_figures(paper, [tiny], tmp_path) == []
