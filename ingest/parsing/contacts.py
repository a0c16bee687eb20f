"""Personal details: where they are, masking them and putting them back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.parsing.dates import DATE_RANGE_RE
from ingest.parsing.sections import RESUME_INDEX


@dataclass(frozen=True)
class Span:
    kind: str  # email | phone | url | linkedin | name | address
    start: int
    end: int


_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"']+|\b(?:[\w-]+\.)*(?:linkedin\.com|github\.com|gitlab\.com)/[^\s<>()\"']+",
    re.I,
)
_PHONE_RE = re.compile(r"(?<![\w/.-])\+?\(?\d[\d \t().-]{7,18}\d(?![\w/-])")
_ADDRESS_RE = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w.'-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|"
    r"Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Square|Sq|Close|Crescent|Parkway|Pkwy|Highway|Hwy)\b\.?"
    r"(?:,?\s*(?:Apt|Suite|Unit|#)\s*[\w-]+)?(?:,\s*[A-Z][\w .'-]{1,40}){0,3}(?:\s+\d{4,5}(?:-\d{4})?)?"
)
_LABELLED_RE = re.compile(
    r"^[#*\s-]*(?P<label>name|full name|address|home address|phone|mobile|tel|telephone)"
    r"\s*[*_]*:\s*[*_]*(?P<value>[^\n]+?)\s*$",
    re.I | re.M,
)
# A "Location:" line is left alone: a city is not an address, and matching uses it.
_LABEL_KINDS = {
    "name": "name",
    "full name": "name",
    "address": "address",
    "home address": "address",
    "phone": "phone",
    "mobile": "phone",
    "tel": "phone",
    "telephone": "phone",
}
_NAME_RE = re.compile(r"^[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]*){1,3}$")


def find_contacts(text: str) -> list[Span]:
    """Where the personal details are, so they can be masked: email, phone, URLs
    (LinkedIn told apart), the name (a 'Name:' line, or the name line at the top) and a
    street address when it is obvious."""
    spans: list[Span] = []
    for m in _EMAIL_RE.finditer(text):
        spans.append(Span("email", m.start(), m.end()))
    for m in _URL_RE.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)]":
            end -= 1
        kind = "linkedin" if "linkedin." in m.group().lower() else "url"
        spans.append(Span(kind, m.start(), end))
    for m in _PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 9 <= len(digits) <= 15 and not DATE_RANGE_RE.search(m.group()):
            spans.append(Span("phone", m.start(), m.end()))
    for m in _ADDRESS_RE.finditer(text):
        spans.append(Span("address", m.start(), m.end()))
    for m in _LABELLED_RE.finditer(text):
        kind = _LABEL_KINDS[m.group("label").lower()]
        if kind == "phone" and len(re.sub(r"\D", "", m.group("value"))) < 7:
            continue
        spans.append(Span(kind, m.start("value"), m.end("value")))
    if not any(s.kind == "name" for s in spans):
        name = _top_name_line(text)
        if name is not None:
            spans.append(name)
    return without_overlaps(spans)


def _top_name_line(text: str) -> Span | None:
    """The first non-empty line when it reads like a person's name ("Jane Q. Doe")."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip().strip("#*_ ").strip()
        if stripped:
            lowered = stripped.lower().rstrip(":")
            if (
                _NAME_RE.match(stripped)
                and lowered not in RESUME_INDEX
                and not any(ch.isdigit() for ch in stripped)
                and "resume" not in lowered
                and "curriculum" not in lowered
            ):
                start = pos + line.index(stripped)
                return Span("name", start, start + len(stripped))
            return None
        pos += len(line)
    return None


def without_overlaps(spans: list[Span]) -> list[Span]:
    # longer spans first at each position: a URL holding an email stays one URL
    spans = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    out: list[Span] = []
    for span in spans:
        if out and span.start < out[-1].end:
            continue
        out.append(span)
    return out


def mask_personal_data(text: str, contacts: list[Span]) -> tuple[str, dict[str, str]]:
    """Replace each contact span with a placeholder ([EMAIL_1], [NAME_1]...).

    The same value always gets the same placeholder, and other verbatim occurrences of a
    masked name are masked too (a name repeated in a footer). Returns the masked text and
    placeholder -> original value, for `restore`.
    """
    spans = list(contacts)
    for span in contacts:
        if span.kind == "name":
            value = text[span.start : span.end]
            for m in re.finditer(re.escape(value), text):
                spans.append(Span("name", m.start(), m.end()))
    spans = without_overlaps(spans)
    mapping: dict[str, str] = {}
    by_value: dict[tuple[str, str], str] = {}
    counters: dict[str, int] = {}
    pieces: list[str] = []
    pos = 0
    for span in spans:
        value = text[span.start : span.end]
        key = (span.kind, value)
        if key not in by_value:
            counters[span.kind] = counters.get(span.kind, 0) + 1
            placeholder = f"[{span.kind.upper()}_{counters[span.kind]}]"
            by_value[key] = placeholder
            mapping[placeholder] = value
        pieces += [text[pos : span.start], by_value[key]]
        pos = span.end
    pieces.append(text[pos:])
    return "".join(pieces), mapping


def restore(text: str, mapping: dict[str, str]) -> str:
    """Put the original values back in place of the placeholders."""
    if not mapping:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group()], text)


def blank_spans(text: str, spans: list[Span]) -> str:
    """`text` with the spans replaced by spaces (same length, offsets unchanged)."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)
