"""What an embedded font program says about its glyphs: names and outline boxes; the only fontTools user.

PDF producers that cannot map a glyph to Unicode give it a private-use code point, but the font
program they embedded still holds the glyph's name ("period", "fi") when it is a name-keyed CFF or
TrueType font, and always holds its outline, whose box tells a baseline dot from a raised quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

from fontTools import agl
from fontTools.cffLib import CFFFontSet
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

# Pieces of big delimiters in TeX's extension fonts: "parenlefttp" is the top of a tall "(".
_PIECE = re.compile(r"(tp|bt|ex|mid|big|bigg|Big|Bigg|display|text)+$")
_NAMELESS = re.compile(r"^(\.notdef|cid\d+|g\d+|glyph\d+|uni[EF][0-9A-F]{3}|u[EF][0-9A-F]{3}|index\d+)$")


@dataclass(frozen=True)
class GlyphInfo:
    """A glyph's name (empty when the font gives none) and its outline box in em units."""

    name: str
    box: tuple[float, float, float, float] | None  # x0, y0 (below baseline < 0), x1, y1


def glyph_infos(buffer: bytes, kind: str, gids: set[int]) -> dict[int, GlyphInfo]:
    """Names and boxes of the given glyph ids in a font program ("cff", "cid", "ttf", "otf")."""
    try:
        if kind in ("cff", "cid"):
            return _cff_infos(buffer, gids)
        if kind in ("ttf", "otf"):
            return _sfnt_infos(buffer, gids)
    except Exception:  # a broken or unusual font program only means the glyph stays unknown
        return {}
    return {}


def _cff_infos(buffer: bytes, gids: set[int]) -> dict[int, GlyphInfo]:
    """Glyph infos from a bare CFF program (name-keyed or CID-keyed)."""
    fonts = CFFFontSet()
    fonts.decompile(BytesIO(buffer), None)
    top = fonts[fonts.fontNames[0]]
    return _from_charstrings(top, top.getGlyphOrder(), gids)


def _from_charstrings(top, order: list[str], gids: set[int]) -> dict[int, GlyphInfo]:
    """Glyph infos read off a CFF top dict's charstrings."""
    matrix = getattr(top, "FontMatrix", None) or [0.001]
    scale = matrix[0] or 0.001
    out = {}
    for gid in gids:
        if not 0 <= gid < len(order):
            continue
        name = order[gid]
        # A width-only moveto is not ink; counting it would put every glyph on the baseline.
        pen = BoundsPen(None, ignoreSinglePoints=True)
        top.CharStrings[name].draw(pen)
        box = tuple(v * scale for v in pen.bounds) if pen.bounds else None
        out[gid] = GlyphInfo("" if _NAMELESS.match(name) else name, box)  # type: ignore[arg-type]
    return out


def _sfnt_infos(buffer: bytes, gids: set[int]) -> dict[int, GlyphInfo]:
    """Glyph infos from a TrueType or OpenType font."""
    font = TTFont(BytesIO(buffer), lazy=True)
    order = font.getGlyphOrder()
    if "CFF " in font:
        return _from_charstrings(font["CFF "].cff.topDictIndex[0], order, gids)
    units = font["head"].unitsPerEm or 1000
    glyf = font.get("glyf", None)
    out = {}
    for gid in gids:
        if not 0 <= gid < len(order):
            continue
        name = order[gid]
        box = None
        if glyf is not None and hasattr(glyf[name], "xMin"):
            g = glyf[name]
            box = (g.xMin / units, g.yMin / units, g.xMax / units, g.yMax / units)
        out[gid] = GlyphInfo("" if _NAMELESS.match(name) else name, box)
    return out


def text_for_name(name: str) -> str:
    """The characters a glyph name stands for ("period" -> ".", "f_i" -> "fi"), or "" if unknown."""
    base = name.split(".")[0]
    text = agl.toUnicode(base)
    if not text or _private(text):
        text = agl.toUnicode(_PIECE.sub("", base))  # a piece of a tall delimiter reads as it
    return "" if _private(text) else text


def _private(text: str) -> bool:
    """True if any character is in a private-use area."""
    return any(0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000 for c in text)
