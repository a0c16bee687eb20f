"""Employment-style date ranges and the years they cover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Month names and their common abbreviations in English, German, French, Spanish and
# Portuguese; a prefix of at least three letters is enough ("Sept", "janv.", "Dez").
_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "januar", "jänner", "janvier", "enero", "janeiro"),
    2: ("february", "februar", "février", "fevrier", "febrero", "fevereiro"),
    3: ("march", "märz", "marz", "maerz", "mars", "marzo", "março", "marco"),
    4: ("april", "avril", "abril"),
    5: ("may", "mai", "mayo", "maio"),
    6: ("june", "juni", "juin", "junio", "junho"),
    7: ("july", "juli", "juillet", "julio", "julho"),
    8: ("august", "août", "aout", "agosto"),
    9: ("september", "septembre", "septiembre", "setembro", "setiembre"),
    10: ("october", "oktober", "octobre", "octubre", "outubro"),
    11: ("november", "novembre", "noviembre", "novembro"),
    12: ("december", "dezember", "décembre", "decembre", "diciembre", "dezembro"),
}
# Seasons count from their first month ("Summer 2012" is June 2012).
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def _month_alternatives() -> tuple[str, dict[str, int]]:
    prefixes: dict[str, int] = {}
    for number, words in _MONTH_WORDS.items():
        for word in words:
            for end in range(3, len(word) + 1):
                prefixes.setdefault(word[:end], number)
    # "mar" is March in every language here, "jun"/"jul" likewise; no prefix is ambiguous
    # except "ma" (too short to be used) and "ju" (idem).
    for season, month in _SEASONS.items():
        prefixes[season] = month
    ordered = sorted(prefixes, key=len, reverse=True)
    return "|".join(re.escape(p) for p in ordered), prefixes


_MONTH_ALT, _MONTH_PREFIXES = _month_alternatives()
_MONTH = rf"(?:{_MONTH_ALT})\.?"
_YEAR = r"(?:19[5-9]\d|20\d\d)"
# "March 2016", "Mar. 2016", "Oct-2017", "Jan'19", "März 2016", "03/2019", "2019/03",
# "2019.03", "03.2019", "2019"
_DATE = (
    rf"(?:{_MONTH}\s*(?:[-,/ ]\s*)?(?:'\d\d(?!\d)|’\d\d(?!\d)|{_YEAR})"
    rf"|(?:0?[1-9]|1[0-2])\s*[/.]\s*{_YEAR}"
    rf"|{_YEAR}\s*[/.]\s*(?:0?[1-9]|1[0-2])(?!\d)"
    rf"|{_YEAR})"
)
_NOW = (
    r"(?:present|current(?:ly)?|now|today|ongoing|date|till\s+(?:date|now)|to\s+date|"
    r"heute|jetzt|aktuell|aujourd'hui|aujourd’hui|présent|actualidad|presente|actual|"
    r"atual|atualmente|hoje|hoy)"
)
_SEPARATOR = r"(?:-|–|—|‐|‑|‒|−|－|~|to|until|till|through|thru|bis|à|au|a|hasta|até|ate)"
# Public for readers that mend layouts: one date, and the words for "until now".
DATE_PATTERN = _DATE
NOW_PATTERN = _NOW
DATE_RANGE_RE = re.compile(
    rf"(?<![\d/.\w])(?P<start>{_DATE})\s*{_SEPARATOR}\s*(?P<end>{_DATE}|{_NOW})(?![\d/\w])"
    rf"|(?:since|from|seit|depuis|desde)\s+(?P<since>{_DATE})(?![\d/])(?!\s*{_SEPARATOR}\s*\w)",
    re.I,
)


_TWO_DIGITS_RE = re.compile(r"\d\d")


@dataclass(frozen=True)
class _Month:
    year: int
    month: int | None  # None when only the year is given


def _parse_date(raw: str) -> _Month | None:
    raw = raw.strip().lower()
    two_digit = re.search(r"['’](\d\d)$", raw)
    year_match = re.search(_YEAR, raw)
    if two_digit:
        short = int(two_digit.group(1))
        year = 2000 + short if short <= 40 else 1900 + short
    elif year_match:
        year = int(year_match.group())
    else:
        return None
    word = re.match(r"[^\W\d_]+", raw)
    if word and word.group() in _MONTH_PREFIXES:
        return _Month(year, _MONTH_PREFIXES[word.group()])
    numeric = re.fullmatch(rf"(\d{{1,2}})\s*[/.]\s*{_YEAR}|{_YEAR}\s*[/.]\s*(\d{{1,2}})", raw)
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
    ranges: list[DateRange] = []
    if not _TWO_DIGITS_RE.search(text):
        return ranges  # every range has a year: spare prose the costly pattern
    for m in DATE_RANGE_RE.finditer(text):
        since = m.group("since")
        found = date_range(
            since or m.group("start"),
            None if since else m.group("end"),
            (offset + m.start(), offset + m.end()),
        )
        if found is not None:
            ranges.append(found)
    return ranges


def date_range(start_raw: str, end_raw: str | None, span: tuple[int, int]) -> DateRange | None:
    """The range from two written dates (`end_raw` None or a word for "now": still going),
    or None when either is not a date or the end comes before the start."""
    start = _parse_date(start_raw)
    if start is None:
        return None
    end: date | None = None
    if end_raw is not None and not re.fullmatch(_NOW, end_raw.strip(), re.I):
        parsed = _parse_date(end_raw)
        if parsed is None:
            return None
        if parsed.month is None:
            # a year-only end is exclusive: the last month worked is the December before
            last_year = parsed.year - 1 if parsed.year > start.year else parsed.year
            end = date(last_year, 12, 1)
        else:
            end = date(parsed.year, parsed.month, 1)
    start_date = date(start.year, start.month or 1, 1)
    if end is not None and end < start_date:
        return None
    return DateRange(start_date, end, span)


# A line that is one date and nothing else ("December 2013", "03/2019 -"), and a date or
# "now" word that opens a line ("March 2014 As the finance manager...": the end of a range
# whose start sits on an earlier line; words may be glued to a year, "2012Managed"; a line
# opening with "Currently" is prose).
_LONE_DATE_RE = re.compile(rf"\s*(?P<date>{_DATE})\s*(?:{_SEPARATOR})?\s*", re.I)
_LEADING_END_RE = re.compile(
    rf"\s*(?:{_SEPARATOR}\s+)?(?:(?P<end>{_DATE})(?![\d/])|(?P<now>(?!currently){_NOW})(?!\w))\s*",
    re.I,
)


# A job header ending with one month date and no end ("Category Manager Jan 2016"); a
# preposition before it makes it prose ("Promoted to lead in March 2015").
_HEADER_DATE_RE = re.compile(
    rf"(?<![\w/.])(?<!\bin )(?<!\bon )(?<!\bby )(?<!\bof )(?P<date>{_MONTH}\s*(?:[-,/ ]\s*)?"
    rf"(?:['’]\d\d|{_YEAR})|(?:0?[1-9]|1[0-2])\s*/\s*{_YEAR})\s*$",
    re.I,
)


def header_date(text: str) -> tuple[str, int] | None:
    """The month date that ends a header line with no other date, and where it starts."""
    m = _HEADER_DATE_RE.search(text)
    if m is None or len(re.findall(_YEAR, text)) > 1:
        return None
    return m.group("date"), m.start("date")


def lone_date(text: str) -> str | None:
    """The date when `text` is a date alone on its line, else None."""
    m = _LONE_DATE_RE.fullmatch(text)
    return m.group("date") if m else None


def leading_end(text: str) -> tuple[str, int] | None:
    """A date or "now" word opening `text`, and where the rest of the line starts."""
    m = _LEADING_END_RE.match(text)
    if m is None:
        return None
    return m.group("end") or m.group("now"), m.end()


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
