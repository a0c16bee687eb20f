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
# A step this much longer (in line heights) than a glyph's advance within words holds a
# space (a space is a quarter to a third of the font size; kerning stays under a tenth).
SPACE_STEP = 0.15
# pdfium's marks for a hyphen it removed at the end of a line.
_JOINED_HYPHEN = frozenset("\x02\ufffe")


def open_pdf(data: bytes) -> Any:
    import pypdfium2

    return pypdfium2.PdfDocument(data)


def page_text(page: Any) -> str:
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        raw = textpage.get_text_range(0, count)
        if len(raw) != count:  # characters outside the BMP: indexes no longer line up
            return str(raw)
        # raw calls with reused buffers: this runs once per character
        x, y, rect = ctypes.c_double(), ctypes.c_double(), pdfium_c.FS_RECTF()
        char_origin, loose_box = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetLooseCharBox
        raw_page = textpage.raw
        glyphs: list[Glyph | None] = []
        for index, char in enumerate(raw):
            if char.isspace() or char in _JOINED_HYPHEN:
                glyphs.append(None)
                continue
            char_origin(raw_page, index, x, y)
            loose_box(raw_page, index, rect)
            # a glyph of one font at one size: the character and its box width
            key = (char, round(rect.right - rect.left, 1))
            glyphs.append((x.value, rect.left, rect.bottom, rect.right, rect.top, key))
        return text_with_word_gaps(raw, glyphs)
    finally:
        textpage.close()


# origin x; loose box left, bottom, right, top; (character, box width)
Glyph = tuple[float, float, float, float, float, tuple[str, float]]


def text_with_word_gaps(raw: str, glyphs: list[Glyph | None]) -> str:
    """pdfium's characters with a space wherever the glyph positions show a word gap
    (`glyphs[i]` is None for a space or a removed hyphen)."""
    advances = _advances(raw, glyphs)
    out: list[str] = []
    previous: int | None = None  # index of the last glyph of the line so far
    for index, char in enumerate(raw):
        if char in "\r\n":
            if char == "\n":
                out.append("\n")
            previous = None
            continue
        if char in _JOINED_HYPHEN:
            continue  # a word hyphenated over two lines, joined back by pdfium
        current = glyphs[index]
        if current is None:  # a space
            out.append(" ")
            previous = None
            continue
        if previous is not None and _word_gap(glyphs[previous], current, advances):
            out.append(" ")
        out.append(char)
        previous = index
    return "".join(out)


def _same_line(a: Glyph, b: Glyph) -> bool:
    return min(a[4], b[4]) > max(a[2], b[2])


def _advances(raw: str, glyphs: list[Glyph | None]) -> dict[tuple[str, float], float]:
    """Each glyph's advance on the page: the shortest step from its origin to the next
    glyph's on the same line. Some glyph boxes reach well past their advance (an "f" in
    many fonts), so the box gap to the next word stays tiny where the PDF draws no space
    ("ofthe"); the step between origins still shows the space's width."""
    advances: dict[tuple[str, float], float] = {}
    for index in range(len(raw) - 1):
        glyph, after = glyphs[index], glyphs[index + 1]
        if glyph is None or after is None or not _same_line(glyph, after):
            continue
        step = after[0] - glyph[0]
        if 0 < step < advances.get(glyph[5], step + 1):
            advances[glyph[5]] = step
    return advances


def _word_gap(
    before: Glyph | None,
    glyph: Glyph,
    advances: dict[tuple[str, float], float],
) -> bool:
    """Whether a word gap lies between two glyphs: on one line, the boxes are further
    apart than a fraction of the line height, or the origins are a space further apart
    than the first glyph's advance."""
    if before is None or not _same_line(before, glyph):
        return False
    height = max(glyph[4] - glyph[2], before[4] - before[2], 1.0)
    if glyph[1] - before[3] > WORD_GAP * height:
        return True
    advance = advances.get(before[5])
    if advance is None:
        return False
    # kerning shortens a wide glyph's step by a tenth of the font size at most ("av" in
    # "Navarro"), a fraction of its advance; a space lengthens even a narrow glyph's by half
    return glyph[0] - before[0] - advance > max(SPACE_STEP * height, advance / 4)


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
