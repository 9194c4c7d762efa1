"""Private-use glyphs recovered from the embedded font's glyph names, else from shape and context."""

from __future__ import annotations

import pymupdf

from ingest.fonts import GlyphInfo, glyph_infos, text_for_name
from ingest.glyphs import QUOTE, Site, apply, resolve
from ingest.pdf import read_pdf
from tests.pdfmaker import make_private_glyph_pdf


def test_a_period_mapped_to_private_use_is_read_back_from_the_font(tmp_path):
    text = "The big model reaches 28.4 BLEU on the test set. It trains in 3.5 days."
    path = make_private_glyph_pdf(tmp_path / "pua.pdf", text, {".": 0xE004})
    with pymupdf.open(path) as pdf:  # the text layer really says U+E004, as 1706.03762's does
        assert "28\ue0044" in pdf[0].get_text()
    assert read_pdf(path).blocks[0].text == text


def test_glyph_names_come_from_the_real_embedded_font_program():
    font = pymupdf.Font("helv")  # the Nimbus Sans CFF program MuPDF embeds
    period, fi = font.has_glyph(ord(".")), font.has_glyph(0xFB01)
    infos = glyph_infos(font.buffer, "cff", {period, fi})
    assert (infos[period].name, infos[fi].name) == ("period", "fi")
    assert text_for_name("period") == "." and text_for_name("fi") == "ﬁ"
    assert text_for_name("parenlefttp") == "("  # a piece of a tall TeX delimiter


def site(left: str, right: str, char: str = "\ue000", font: str = "F") -> Site:
    """An occurrence of a private-use glyph."""
    return Site(font, char, left, right)


def test_unnamed_glyphs_are_decided_by_shape_then_context():
    dot = GlyphInfo("", (0.09, 0.0, 0.19, 0.11))
    slash = GlyphInfo("", (0.06, -0.25, 0.44, 0.75))
    quote = GlyphInfo("", (0.15, 0.39, 0.47, 0.69))
    table = resolve(
        [
            site("of 28", "4 BLEU", "\ue004"),
            site("dmodel", "h = 64", "\ue007"),
            site("the so-called ", "fully", "\ue030"),
            site("signi", "cantly less", "\ue001"),
            site("the ", "rst layer", "\ue001"),
            site("cells on a ", "at glass", "\ue002"),
            site("rate d−0", "5 for", "\ue009"),
        ],
        {("F", "\ue004"): dot, ("F", "\ue007"): slash, ("F", "\ue030"): quote},
    )
    assert table == {
        ("F", "\ue004"): ".",
        ("F", "\ue007"): "/",
        ("F", "\ue030"): QUOTE,
        ("F", "\ue001"): "fi",
        ("F", "\ue002"): "fl",  # "flat", not the rarer "fiat"
        ("F", "\ue009"): ".",  # no outline: digits on both sides
    }
    assert apply("a \ue030Rand error\ue030 and", "F", table) == "a “Rand error” and"
    assert apply("x\ue0ffy", "F", table) == "xy"  # nothing known: dropped, never left in the text
