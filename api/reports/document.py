"""A report's layout, independent of the output format: sections of paragraphs, tables and
bar charts. `render.py` builds one from a report's data; `html.py` and `pdf.py` each draw
any document, so a new report needs no format-specific code and the formats agree."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    # Drawn in the accent colour (e.g. "the candidate has this skill"); see the legend.
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, one per row, labelled with their value."""

    title: str
    bars: list[Bar]
    # (meaning of an accent bar, meaning of a plain bar); None when all bars are alike.
    legend: tuple[str, str] | None = None
    value_format: str = "{:g}"

    @property
    def max_value(self) -> float:
        return max((bar.value for bar in self.bars), default=0.0)


Block = Paragraph | Table | BarChart


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    sections: list[Section]
    # Download name without extension ("candidate-report-<id>").
    filename: str
