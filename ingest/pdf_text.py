"""A PDF page's text with words apart, by pdfium.

pdfium orders the characters in reading order and is fast, but where a PDF draws no space
glyph between words (many resume builders and LaTeX do not) its text runs the words
together. Spaces are put back from the glyph positions: a horizontal gap between two
characters of the same line wider than a fraction of the font height is a word gap.
"""

from __future__ import annotations

from typing import Any

# A gap wider than this fraction of the line height between the advance boxes of two
# characters on one line separates two words (letter spacing stays well below it).
WORD_GAP = 0.08
# pdfium's marks for a hyphen it removed at the end of a line.
_JOINED_HYPHEN = frozenset("\x02\ufffe")


def open_pdf(data: bytes) -> Any:
    import pypdfium2

    return pypdfium2.PdfDocument(data)


def page_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        raw = textpage.get_text_range(0, count)
        if len(raw) != count:  # characters outside the BMP: indexes no longer line up
            return str(raw)
        out: list[str] = []
        previous: tuple[float, float, float] | None = None  # right, bottom, top
        for index, char in enumerate(raw):
            if char in "\r\n":
                if char == "\n":
                    out.append("\n")
                previous = None
                continue
            if char in _JOINED_HYPHEN:
                continue  # a word hyphenated over two lines, joined back by pdfium
            if char.isspace():
                out.append(" ")
                previous = None
                continue
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            if previous is not None:
                p_right, p_bottom, p_top = previous
                height = max(top - bottom, p_top - p_bottom, 1.0)
                same_line = min(top, p_top) > max(bottom, p_bottom)
                if same_line and left - p_right > WORD_GAP * height:
                    out.append(" ")
            out.append(char)
            previous = (right, bottom, top)
        return "".join(out)
    finally:
        textpage.close()
