"""A report document as one standalone HTML page: inline CSS, charts as inline SVG, no
script, no web font, no outside reference, so it opens offline, prints, and can be sent
as an attachment. Every piece of text is escaped (resume text and job titles are user
input)."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from api.reports.document import BarChart, Block, Document, Paragraph, Table

ACCENT = "#2f6f4f"
PLAIN = "#b7c4cf"

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#1d2731;margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin:0}
.subtitle{color:#5b6b79;margin:.2rem 0 1.5rem}
h2{font-size:1.2rem;border-bottom:2px solid #e3e8ec;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1rem;margin:.8rem 0 .3rem}
.muted{color:#5b6b79}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d5dde3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f5f7}
.legend{font-size:.85rem;color:#5b6b79}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem;vertical-align:middle}
svg text{font-family:inherit;font-size:12px;fill:#1d2731}
@media print{body{margin:0}}
""".strip()

LABEL_WIDTH = 200
BAR_AREA = 380
ROW_HEIGHT = 22
BAR_HEIGHT = 14
CHART_WIDTH = LABEL_WIDTH + BAR_AREA + 60
TITLE_HEIGHT = 26
LEGEND_HEIGHT = 20
CHART_GAP = 14
IMAGE_MAX_BARS = 15
SVG_CSS = (
    "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "font-size:12px;fill:#1d2731}text.title{font-size:14px;font-weight:600}"
    "text.legend{fill:#5b6b79}"
)


def _paragraph(block: Paragraph) -> str:
    cls = ' class="muted"' if block.muted else ""
    return f"<p{cls}>{escape(block.text)}</p>"


def _table(block: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _bars(block: BarChart, top_y: float = 0.0) -> list[str]:
    """The bars of a chart as SVG elements, from `top_y` down (shared by the page and the
    standalone chart image, so both draw the same picture)."""
    top = block.max_value or 1.0
    parts = []
    for i, bar in enumerate(block.bars):
        y = top_y + i * ROW_HEIGHT + 2
        length = BAR_AREA * bar.value / top
        colour = ACCENT if bar.highlight else PLAIN
        value = escape(block.value_format.format(bar.value))
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 2:g}" text-anchor="end">'
            f"{escape(bar.label[:32])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y:g}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR_HEIGHT - 2:g}">{value}</text>'
        )
    return parts


def _chart(block: BarChart) -> str:
    height = ROW_HEIGHT * len(block.bars) + 4
    parts = [
        f'<svg role="img" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}">',
        f"<title>{escape(block.title)}</title>",
        *_bars(block),
        "</svg>",
    ]
    legend = ""
    if block.legend is not None:
        yes, no = (escape(x) for x in block.legend)
        legend = (
            f'<div class="legend"><span class="swatch" style="background:{ACCENT}"></span>{yes}'
            f'<span class="swatch" style="background:{PLAIN}"></span>{no}</div>'
        )
    return f"<figure><h3>{escape(block.title)}</h3>{''.join(parts)}{legend}</figure>"


def charts(doc: Document) -> list[BarChart]:
    return [b for s in doc.sections for b in s.blocks if isinstance(b, BarChart)]


def chart_svg(doc: Document, max_bars: int = IMAGE_MAX_BARS) -> str | None:
    """The document's charts, stacked, as one standalone SVG image (title, bars, legend;
    its own font rules, nothing outside): what the chat shows inline, so each chart keeps
    its first `max_bars` bars (the most asked skills, the best candidates) and says how
    many more the PDF has. None: the document has no chart."""
    found = charts(doc)
    if not found:
        return None
    parts: list[str] = []
    y = 0.0
    for chart in found:
        block = replace(chart, bars=chart.bars[:max_bars])
        parts.append(
            f'<text class="title" x="0" y="{y + TITLE_HEIGHT - 8:g}">{escape(block.title)}</text>'
        )
        y += TITLE_HEIGHT
        parts.extend(_bars(block, y))
        y += ROW_HEIGHT * len(block.bars) + 4
        if len(chart.bars) > max_bars:
            more = len(chart.bars) - max_bars
            parts.append(
                f'<text class="legend" x="{LABEL_WIDTH}" y="{y + 12:g}">'
                f"and {more} more in the full report</text>"
            )
            y += LEGEND_HEIGHT
        if block.legend is not None:
            x = LABEL_WIDTH
            for colour, meaning in zip((ACCENT, PLAIN), block.legend, strict=True):
                parts.append(
                    f'<rect x="{x}" y="{y + 4:g}" width="10" height="10" fill="{colour}"/>'
                    f'<text class="legend" x="{x + 14}" y="{y + 13:g}">{escape(meaning)}</text>'
                )
                x += 190
            y += LEGEND_HEIGHT
        y += CHART_GAP
    height = round(y)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_WIDTH}" '
        f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}">'
        f"<title>{escape(doc.title)}</title><style>{SVG_CSS}</style>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(parts)}</svg>\n'
    )


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Table):
        return _table(block)
    return _chart(block)


def render_html(doc: Document) -> str:
    body = "".join(
        f"<section><h2>{escape(s.heading)}</h2>{''.join(_block(b) for b in s.blocks)}</section>"
        for s in doc.sections
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title)}</title><style>{CSS}</style></head>"
        f'<body><header><h1>{escape(doc.title)}</h1><p class="subtitle">'
        f"{escape(doc.subtitle)}</p></header>{body}</body></html>\n"
    )
