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


def may_hide_text(page: Any, *, near_white: float, min_font_pt: float) -> bool:
    """Whether any text object of the page could be unseeable: white or near-white ink,
    an invisible render mode, (almost) transparent, under `min_font_pt`, squeezed flat or
    off the page. A cheap, conservative look through pdfium: a page it clears has no
    hidden text; a page it flags goes through the exact content-stream interpreter of
    `ingest.pdf_hidden` (which also knows white text on a dark band is legitimate).
    Raw pdfium calls: pages from some builders hold one text object per glyph."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    margin = 20.0
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    size = ctypes.c_float()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    matrix = pdfium_c.FS_MATRIX()
    white = near_white * 255

    def hidden(obj: Any) -> bool:
        mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
        if mode in (3, 7):  # invisible, and clip-only
            return True
        if mode in (1, 5):  # stroke only: the stroke colour is what shows
            got = pdfium_c.FPDFPageObj_GetStrokeColor(obj, r, g, b, a)
        else:
            got = pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
        if got and (min(r.value, g.value, b.value) >= white or a.value <= 13):
            return True
        if pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            lo, bo, ri, to = left.value, bottom.value, right.value, top.value
            if lo < -margin or ri > width + margin or bo < -margin or to > height + margin:
                return True
            # squeezed flat (horizontal scaling): a tall, hair-thin box (glyph bounds are
            # tight, so a lone "|" is flagged too; that only costs the exact check)
            if to - bo > min_font_pt and ri - lo < 0.1 * (to - bo):
                return True
        return bool(
            pdfium_c.FPDFTextObj_GetFontSize(obj, size)
            and pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
            and size.value * (matrix.c**2 + matrix.d**2) ** 0.5 < min_font_pt
        )

    def walk(count: int, get: Any, depth: int) -> bool:
        for index in range(count):
            obj = get(index)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT and hidden(obj):
                return True
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
                inner = pdfium_c.FPDFFormObj_CountObjects(obj)
                if walk(
                    inner, lambda i, form=obj: pdfium_c.FPDFFormObj_GetObject(form, i), depth + 1
                ):
                    return True
        return False

    raw_page = page.raw
    return walk(
        pdfium_c.FPDFPage_CountObjects(raw_page),
        lambda i: pdfium_c.FPDFPage_GetObject(raw_page, i),
        0,
    )
