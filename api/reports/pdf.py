"""A report document as PDF with fpdf2 (pure Python: nothing to install on the machine).

Charts are drawn with fpdf2's own rectangles and text, so the PDF needs no image library.
The built-in Helvetica covers Latin-1 only; other characters are mapped to their nearest
ASCII form (typographic quotes, dashes, bullets) or to "?" rather than failing the whole
report for one unusual glyph.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from api.reports.document import BarChart, Block, Document, Paragraph, Table

FONT = "Helvetica"
ACCENT = (47, 111, 79)
PLAIN = (183, 196, 207)
TEXT = (29, 39, 49)
MUTED = (91, 107, 121)

LABEL_WIDTH = 55.0  # mm
ROW_HEIGHT = 6.0
BAR_HEIGHT = 4.2
MAX_COLUMN_WEIGHT = 45

_ASCII = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "•": "*",
        "…": "...",
        "→": "->",
        "\u00a0": " ",
    }
)


def latin1(text: str) -> str:
    """`text` in the core font's character set."""
    text = unicodedata.normalize("NFC", text.translate(_ASCII))
    return text.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, f"ClearView - page {self.page_no()}", align="C")


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    pdf.set_font(FONT, "I" if block.muted else "", 10)
    pdf.set_text_color(*(MUTED if block.muted else TEXT))
    pdf.multi_cell(0, 5, latin1(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def column_weights(block: Table) -> tuple[float, ...]:
    """Relative column widths from the longest text of each column, bounded so a short
    column stays readable and a long one cannot squeeze the others to a letter a line."""
    return tuple(
        float(min(max(len(text) for text in column), MAX_COLUMN_WEIGHT) + 4)
        for column in zip(block.columns, *block.rows, strict=True)
    )


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*TEXT)
    # The table fills cells with the current fill colour: not a chart's bar colour.
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=column_weights(block),
        line_height=4.5,
        text_align="LEFT",
        first_row_as_headings=True,
        padding=1,
    ) as table:
        for row in [block.columns, *block.rows]:
            cells = table.row()
            for value in row:
                cells.cell(latin1(value))
    pdf.ln(2)


def _chart(pdf: FPDF, block: BarChart) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*TEXT)
    pdf.cell(0, 6, latin1(block.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    area = pdf.epw - LABEL_WIDTH - 15
    top = block.max_value or 1.0
    pdf.set_font(FONT, size=8.5)
    for bar in block.bars:
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_text_color(*TEXT)
        pdf.set_xy(x, y)
        pdf.cell(LABEL_WIDTH - 2, ROW_HEIGHT, latin1(bar.label[:34]), align="R")
        length = area * bar.value / top
        pdf.set_fill_color(*(ACCENT if bar.highlight else PLAIN))
        if length > 0:
            pdf.rect(x + LABEL_WIDTH, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, length, BAR_HEIGHT, "F")
        pdf.set_xy(x + LABEL_WIDTH + length + 1.5, y)
        pdf.cell(14, ROW_HEIGHT, latin1(block.value_format.format(bar.value)))
        pdf.set_xy(x, y + ROW_HEIGHT)
    if block.legend is not None:
        pdf.ln(1)
        y = pdf.get_y()
        x = pdf.l_margin + LABEL_WIDTH
        for colour, meaning in zip((ACCENT, PLAIN), block.legend, strict=True):
            pdf.set_fill_color(*colour)
            pdf.rect(x, y + 1, 3, 3, "F")
            pdf.set_xy(x + 4, y)
            pdf.set_text_color(*MUTED)
            pdf.cell(45, 5, latin1(meaning))
            x += 50
        pdf.set_xy(pdf.l_margin, y + 6)
    pdf.ln(2)


def _block(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Paragraph):
        _paragraph(pdf, block)
    elif isinstance(block, Table):
        _table(pdf, block)
    else:
        _chart(pdf, block)


def render_pdf(doc: Document) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.set_title(latin1(doc.title))
    pdf.set_creator("ClearView")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.set_text_color(*TEXT)
    pdf.cell(0, 10, latin1(doc.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 6, latin1(doc.subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in doc.sections:
        pdf.ln(4)
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.set_font(FONT, "B", 13)
        pdf.set_text_color(*TEXT)
        pdf.cell(0, 8, latin1(section.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*PLAIN)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(2)
        for block in section.blocks:
            _block(pdf, block)
    return bytes(pdf.output())
