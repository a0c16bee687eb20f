"""A report document as one standalone HTML page: inline CSS, charts as inline SVG, no
script, no web font, no outside reference, so it opens offline, prints, and can be sent
as an attachment. Every piece of text is escaped (resume text and job titles are user
input)."""

from __future__ import annotations

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


def _paragraph(block: Paragraph) -> str:
    cls = ' class="muted"' if block.muted else ""
    return f"<p{cls}>{escape(block.text)}</p>"


def _table(block: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _chart(block: BarChart) -> str:
    top = block.max_value or 1.0
    height = ROW_HEIGHT * len(block.bars) + 4
    width = LABEL_WIDTH + BAR_AREA + 60
    parts = [
        f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(block.title)}</title>",
    ]
    for i, bar in enumerate(block.bars):
        y = i * ROW_HEIGHT + 2
        length = BAR_AREA * bar.value / top
        colour = ACCENT if bar.highlight else PLAIN
        value = escape(block.value_format.format(bar.value))
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 2}" text-anchor="end">'
            f"{escape(bar.label[:32])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR_HEIGHT - 2}">{value}</text>'
        )
    parts.append("</svg>")
    legend = ""
    if block.legend is not None:
        yes, no = (escape(x) for x in block.legend)
        legend = (
            f'<div class="legend"><span class="swatch" style="background:{ACCENT}"></span>{yes}'
            f'<span class="swatch" style="background:{PLAIN}"></span>{no}</div>'
        )
    return f"<figure><h3>{escape(block.title)}</h3>{''.join(parts)}{legend}</figure>"


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
