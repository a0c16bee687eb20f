"""Employment-style date ranges and the years they cover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_DATE = rf"(?:{_MONTH}\s*,?\s*'?{_YEAR}|(?:0?[1-9]|1[0-2])\s*/\s*{_YEAR}|{_YEAR}\s*/\s*(?:0?[1-9]|1[0-2])(?!\d)|{_YEAR})"
_NOW = r"(?:present|current(?:ly)?|now|today|ongoing|date|till date|to date)"
DATE_RANGE_RE = re.compile(
    rf"(?<![\d/])(?P<start>{_DATE})\s*(?:-|–|—|~|to|until|till|through|thru)\s*(?P<end>{_DATE}|{_NOW})(?![\d/])"
    rf"|(?:since|from)\s+(?P<since>{_DATE})(?![\d/])(?!\s*(?:-|–|—|~|to|until|till|through|thru)\s*\w)",
    re.I,
)


@dataclass(frozen=True)
class _Month:
    year: int
    month: int | None  # None when only the year is given


def _parse_date(raw: str) -> _Month | None:
    raw = raw.strip().lower()
    year_match = re.search(_YEAR, raw)
    if not year_match:
        return None
    year = int(year_match.group())
    month_name = re.match(r"[a-z]{3}", raw)
    if month_name and month_name.group() in _MONTHS:
        return _Month(year, _MONTHS[month_name.group()])
    numeric = re.fullmatch(rf"(\d{{1,2}})\s*/\s*{_YEAR}|{_YEAR}\s*/\s*(\d{{1,2}})", raw)
    if numeric:
        return _Month(year, int(numeric.group(1) or numeric.group(2)))
    return _Month(year, None)


@dataclass
class DateRange:
    start: date
    end: date | None  # the last month worked; None: still going ("Present")
    span: tuple[int, int]  # offsets of the range in the parsed text

    def months(self, today: date) -> tuple[int, int]:
        """[first, past-the-last) as month indexes."""
        last = self.end or today
        return self.start.year * 12 + self.start.month - 1, last.year * 12 + last.month


def find_date_ranges(text: str, offset: int = 0) -> list[DateRange]:
    """Employment-style date ranges: "2019 - 2024", "Jan 2019 – Mar 2021",
    "03/2019 - present", "since 2020". A year-only end is exclusive ("2019 - 2023" is four
    years, as people count it); a month end is inclusive ("Jan - Mar" is three months)."""
    ranges = []
    for m in DATE_RANGE_RE.finditer(text):
        since = m.group("since")
        start = _parse_date(since or m.group("start"))
        if start is None:
            continue
        end_raw = None if since else m.group("end")
        end: date | None = None
        if end_raw is not None and not re.fullmatch(_NOW, end_raw.strip(), re.I):
            parsed = _parse_date(end_raw)
            if parsed is None:
                continue
            if parsed.month is None:
                # a year-only end is exclusive: the last month worked is the December before
                last_year = parsed.year - 1 if parsed.year > start.year else parsed.year
                end = date(last_year, 12, 1)
            else:
                end = date(parsed.year, parsed.month, 1)
        start_date = date(start.year, start.month or 1, 1)
        if end is not None and end < start_date:
            continue
        ranges.append(DateRange(start_date, end, (offset + m.start(), offset + m.end())))
    return ranges


def total_years(ranges: list[DateRange], today: date | None = None) -> float:
    """Years covered by the ranges, overlaps counted once."""
    today = today or date.today()
    spans = sorted(r.months(today) for r in ranges)
    total = 0
    current_start, current_end = None, None
    for first, last in spans:
        last = max(last, first + 1)  # a single month still counts
        if current_end is None or first > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = first, last
        else:
            current_end = max(current_end, last)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return round(total / 12, 2)
