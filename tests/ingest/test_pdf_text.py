"""Word gaps from glyph positions (ingest.pdf_text), on glyphs laid out by hand."""

from __future__ import annotations

from ingest.pdf_text import Glyph, text_with_word_gaps

# Advances and box widths of a 9.5 pt serif face, in points. A PDF places glyphs by its
# own widths; the box pdfium reports comes from the font program, and an "f" there
# reaches about 2 pt past the advance the PDF uses.
ADVANCE = {"f": 2.4, "o": 4.8, "t": 2.4, "h": 4.8, "e": 4.2, "a": 4.2, "v": 4.8, "r": 3.2}
BOX = {"f": 4.5, "o": 5.1, "t": 2.9, "h": 5.1, "e": 4.6, "a": 4.6, "v": 5.1, "r": 3.5}
SPACE = 2.4  # a quarter of the font size


def lay_out(
    words: list[str], kerning: dict[str, float] | None = None, scale: float = 1.0
) -> tuple[str, list[Glyph | None]]:
    """The characters and glyphs of one line of words set with no space glyph, `scale`
    times as wide (a heading's larger face, whose boxes pdfium may keep short)."""
    raw, x = "", 72.0
    glyphs: list[Glyph | None] = []
    for number, word in enumerate(words):
        if number:
            x += SPACE * scale
        for index, char in enumerate(word):
            raw += char
            width = BOX[char] * scale
            glyphs.append((x, x, 700.0, x + width, 709.5, (char, round(width, 1))))
            x += ADVANCE[char] * scale + (kerning or {}).get(word[index : index + 2], 0.0)
    return raw, glyphs


def test_a_space_the_pdf_leaves_out_after_an_overhanging_glyph_is_found() -> None:
    # "of" + "the": the f's box ends 0.3 pt before the t, under the box-gap threshold
    raw, glyphs = lay_out(["off", "the", "veto", "of", "the", "fee"])
    assert text_with_word_gaps(raw, glyphs) == "off the veto of the fee"


def test_kerned_glyphs_stay_one_word() -> None:
    # "av" kerned by a tenth of the font size makes the a's shortest step, and "ar" (not
    # kerned) looks longer by more than the box-height fraction of a heading's face
    raw, glyphs = lay_out(["avar", "rav", "ova"], kerning={"av": -1.6}, scale=2.0)
    assert text_with_word_gaps(raw, glyphs) == "avar rav ova"
