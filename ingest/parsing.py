"""Resume and job parsing: sections, dated experience, contact details, skills.

Rule-based and deterministic on purpose: the same text always parses the same way, it
runs in well under a millisecond per page, and every field can be traced to the line it
came from. Input is the plain text of `ingest.loaders` (Markdown headings allowed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ingest.skills import SkillLexicon, get_lexicon

# --- sections ------------------------------------------------------------------


def _phrases(spec: str) -> tuple[str, ...]:
    return tuple(spec.split("|"))


_RESUME_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": _phrases(
        "summary|professional summary|career summary|profile|professional profile|about|"
        "about me|objective|career objective|personal statement|overview|"
        "executive summary|personal profile|introduction"
    ),
    "experience": _phrases(
        "experience|experiences|work experience|professional experience|employment|"
        "employment history|work history|career history|relevant experience|"
        "professional background|positions held|work"
    ),
    "education": _phrases(
        "education|education and training|academic background|academic qualifications|"
        "qualifications|education & training|training|academic history"
    ),
    "skills": _phrases(
        "skills|technical skills|key skills|core skills|core competencies|competencies|"
        "skills and abilities|skills & abilities|areas of expertise|expertise|"
        "technologies|tools|tools and technologies|tech stack|skills summary|"
        "professional skills|it skills|computer skills|abilities"
    ),
    "certifications": _phrases(
        "certifications|certification|certificates|licenses|licences|"
        "licenses and certifications|licenses & certifications|"
        "certifications and licenses|accreditations|professional certifications|courses|"
        "courses and certifications"
    ),
    "languages": _phrases("languages|language skills|spoken languages"),
    "contact": _phrases(
        "personal information|personal details|contact|contact information|"
        "contact details|personal info"
    ),
    "other": _phrases(
        "projects|publications|awards|honors|honours|interests|hobbies|references|"
        "volunteer experience|volunteering|activities|achievements"
    ),
}
_JOB_HEADINGS: dict[str, tuple[str, ...]] = {
    "title": _phrases("job title|title|position|role"),
    "required": _phrases(
        "requirements|required skills|required qualifications|minimum qualifications|"
        "basic qualifications|must have|must haves|must-have|what you need|"
        "what you'll need|what you will need|qualifications|skills|required experience|"
        "required experiences|requiredd experience|you have|who you are|"
        "what we're looking for|what we are looking for|key skills|essential skills|"
        "experience|skills and experience|skills & experience|your profile|"
        "knowledge, skills and abilities|technical skills|key requirements"
    ),
    "preferred": _phrases(
        "preferred qualifications|preferred skills|preferred|nice to have|nice to haves|"
        "nice-to-have|bonus|bonus points|pluses|desired skills|desirable|"
        "desired qualifications|good to have|recommended skills|recommended experience|"
        "additional qualifications|preferred experience|extra credit"
    ),
    "responsibilities": _phrases(
        "responsibilities|key responsibilities|what you'll do|what you will do|duties|"
        "the role|role description|your role|day to day"
    ),
    "summary": _phrases(
        "job summary|summary|about the role|about us|overview|job description|"
        "description|about the job"
    ),
    "benefits": _phrases("benefits|what we offer|perks|compensation|salary"),
}

_HEADING_CLEAN_RE = re.compile(r"^[\s#*_=>|-]*|[\s#*_=:|-]*$")
_SPACES_RE = re.compile(r"\s+")
# Longest line that can be a heading of its own; a "Label: content" line has its colon
# within the first _LABEL_MAX characters.
_HEADING_MAX = 60
_LABEL_MAX = 50


def _heading_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {h: kind for kind, headings in table.items() for h in headings}


_RESUME_INDEX = _heading_index(_RESUME_HEADINGS)
_JOB_INDEX = _heading_index(_JOB_HEADINGS)


@dataclass
class Section:
    kind: str  # a key of the heading table, "other" or "preamble"
    heading: str
    start: int  # offset of the first character of the body
    end: int
    text: str


def split_sections(text: str, index: dict[str, str]) -> list[Section]:
    """Cut `text` at heading lines. A heading is a known heading phrase on a line of its
    own (Markdown '#', bold or a trailing ':' allowed) or an unknown Markdown heading; a
    known phrase followed by ':' and content ("Skills: Python, SQL") opens a section whose
    body starts after the colon."""
    sections: list[Section] = []
    current = Section("preamble", "", 0, 0, "")
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped or (
            len(stripped) > _HEADING_MAX
            and not stripped.startswith("#")
            and ":" not in stripped[:_LABEL_MAX]
        ):
            pos += len(line)  # fast path: blank lines and long prose lines head nothing
            continue
        heading = _HEADING_CLEAN_RE.sub("", stripped).lower().rstrip(":").strip()
        heading = _SPACES_RE.sub(" ", heading)
        kind = index.get(heading) if len(stripped) <= _HEADING_MAX else None
        body_start = pos + len(line)
        if kind is None and stripped.startswith("#"):
            kind = "other" if heading else None
        if kind is None and ":" in stripped[:_LABEL_MAX]:
            label, _, rest = stripped.partition(":")
            label_key = _HEADING_CLEAN_RE.sub("", label).lower().strip()
            if label_key in index and rest.strip() and not stripped.startswith(("-", "*", "•")):
                kind, heading = index[label_key], label_key
                body_start = pos + line.index(":") + 1
        if kind is not None:
            current.end = pos
            sections.append(current)
            current = Section(kind, heading, body_start, body_start, "")
        pos += len(line)
    current.end = pos
    sections.append(current)
    for section in sections:
        section.text = text[section.start : section.end]
    return [s for s in sections if s.text.strip() or s.kind != "preamble"]


_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦‣>]+|\d{1,2}[.)])\s+")


def job_sections(text: str) -> list[Section]:
    """The sections of a job posting (kinds: title, required, preferred, responsibilities,
    summary, benefits, other, preamble)."""
    return split_sections(text, _JOB_INDEX)


def _items(block: str) -> list[str]:
    """Non-empty lines of a block without their bullets or numbering."""
    out = []
    for line in block.splitlines():
        line = _BULLET_RE.sub("", line).strip().strip("*_").strip()
        if line:
            out.append(line)
    return out


# --- dates -----------------------------------------------------------------------

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_DATE = rf"(?:{_MONTH}\s*,?\s*'?{_YEAR}|(?:0?[1-9]|1[0-2])\s*/\s*{_YEAR}|{_YEAR}\s*/\s*(?:0?[1-9]|1[0-2])(?!\d)|{_YEAR})"
_NOW = r"(?:present|current(?:ly)?|now|today|ongoing|date|till date|to date)"
_RANGE_RE = re.compile(
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
    for m in _RANGE_RE.finditer(text):
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


# --- contacts ----------------------------------------------------------------------


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
        if 9 <= len(digits) <= 15 and not _RANGE_RE.search(m.group()):
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
    return _without_overlaps(spans)


def _top_name_line(text: str) -> Span | None:
    """The first non-empty line when it reads like a person's name ("Jane Q. Doe")."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip().strip("#*_ ").strip()
        if stripped:
            lowered = stripped.lower().rstrip(":")
            if (
                _NAME_RE.match(stripped)
                and lowered not in _RESUME_INDEX
                and not any(ch.isdigit() for ch in stripped)
                and "resume" not in lowered
                and "curriculum" not in lowered
            ):
                start = pos + line.index(stripped)
                return Span("name", start, start + len(stripped))
            return None
        pos += len(line)
    return None


def _without_overlaps(spans: list[Span]) -> list[Span]:
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
    spans = _without_overlaps(spans)
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


# --- resume ---------------------------------------------------------------------------


@dataclass
class ExperienceEntry:
    title: str | None
    employer: str | None
    start: date | None
    end: date | None  # None with current=True means "Present"
    current: bool = False
    bullets: list[str] = field(default_factory=list)


@dataclass
class ParsedResume:
    summary: str = ""
    experience: list[ExperienceEntry] = field(default_factory=list)
    education: list[str] = field(default_factory=list)
    skills_listed: list[str] = field(default_factory=list)  # the Skills section's items, as written
    certifications: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    contacts: list[Span] = field(default_factory=list)
    years_experience: float = 0.0
    skills: list[str] = field(default_factory=list)  # canonical names, first mention first
    skill_ids: list[str] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # kind -> raw text (joined)


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


_TITLE_WORDS = _words(
    "engineer developer manager analyst designer consultant specialist administrator "
    "admin director officer lead assistant associate technician scientist architect "
    "coordinator nurse teacher intern accountant representative supervisor head vp "
    "president executive programmer tester clerk agent advisor adviser worker operator "
    "instructor editor writer researcher owner founder partner chef driver sales cashier "
    "mechanic electrician"
)
_ROLE_PREFIX_RE = re.compile(
    r"^(?:worked|working|experience|role|profession|function|position|served|employed)\s+(?:as|at)\s+(?:an?\s+)?",
    re.I,
)
_SEPARATOR_RE = re.compile(r"\s+(?:at|@)\s+|\s*[|,]\s*|\s+[-–—]\s+")


def _split_title_employer(header: str) -> tuple[str | None, str | None]:
    header = _ROLE_PREFIX_RE.sub("", header.strip(" \t-–—|,:*_()")).strip()
    if not header:
        return None, None
    m = _SEPARATOR_RE.search(header)
    if m is None:
        return header, None
    first, second = header[: m.start()].strip(), header[m.end() :].strip(" -–—|,")
    if m.group().strip() in ("at", "@"):
        return first or None, second or None

    def is_title(part: str) -> bool:
        return bool(set(re.findall(r"[a-z]+", part.lower())) & _TITLE_WORDS)

    if not is_title(first) and is_title(second):
        first, second = second, first
    return first or None, second or None


def _parse_experience(
    section_text: str, offset: int
) -> tuple[list[ExperienceEntry], list[DateRange]]:
    entries: list[ExperienceEntry] = []
    ranges: list[DateRange] = []
    lines: list[tuple[str, int]] = []
    pos = 0
    for line in section_text.splitlines(keepends=True):
        lines.append((line.rstrip("\n"), offset + pos))
        pos += len(line)
    pending_header: str | None = None
    for raw, line_offset in lines:
        line = raw.strip()
        if not line:
            continue
        found = find_date_ranges(raw, line_offset)
        is_bullet = bool(_BULLET_RE.match(raw)) and not re.match(r"^\s*\d{1,2}[.)]", raw)
        if found:
            rng = found[0]
            ranges.append(rng)
            local = (rng.span[0] - line_offset, rng.span[1] - line_offset)
            header = (raw[: local[0]] + " " + raw[local[1] :]).strip()
            header = _BULLET_RE.sub("", header).strip(" \t-–—|,:()[]*_")
            if not re.search(r"[A-Za-z]", header) and pending_header:
                header = pending_header
            if not header and entries and entries[-1].start is None:
                entries.pop()  # the dateless entry was this one's header line
            title, employer = _split_title_employer(header)
            if (
                entries
                and entries[-1].start is None
                and pending_header
                and header == pending_header
            ):
                entries.pop()
            entries.append(
                ExperienceEntry(
                    title=title,
                    employer=employer,
                    start=rng.start,
                    end=rng.end,
                    current=rng.end is None,
                )
            )
            pending_header = None
        elif is_bullet and entries:
            entries[-1].bullets.append(_BULLET_RE.sub("", raw).strip())
            pending_header = None
        else:
            # a header line whose dates follow on the next line, or a plain bullet
            if (
                entries
                and entries[-1].start is not None
                and pending_header is None
                and _looks_like_sentence(line)
            ):
                entries[-1].bullets.append(_BULLET_RE.sub("", raw).strip())
                continue
            pending_header = _BULLET_RE.sub("", line).strip()
            title, employer = _split_title_employer(pending_header)
            entries.append(ExperienceEntry(title=title, employer=employer, start=None, end=None))
    return entries, ranges


def _looks_like_sentence(line: str) -> bool:
    return len(line.split()) > 8 or line.endswith(".")


def parse_resume(
    text: str, *, today: date | None = None, lexicon: SkillLexicon | None = None
) -> ParsedResume:
    """Sections, dated experience, contact spans and canonical skills of a resume."""
    lexicon = lexicon or get_lexicon()
    today = today or date.today()
    sections = split_sections(text, _RESUME_INDEX)
    result = ParsedResume(contacts=find_contacts(text))
    joined: dict[str, list[str]] = {}
    ranges: list[DateRange] = []
    for section in sections:
        joined.setdefault(section.kind, []).append(section.text.strip())
        if section.kind == "summary":
            result.summary = " ".join(_items(section.text))
        elif section.kind == "experience":
            entries, found = _parse_experience(section.text, section.start)
            result.experience += entries
            ranges += found
        elif section.kind == "education":
            result.education += _items(section.text)
        elif section.kind == "skills":
            for item in _items(section.text):
                label, sep, rest = item.partition(":")
                parts = re.split(r"\s*[,;|•·]\s*", rest if sep and len(label) < 40 else item)
                result.skills_listed += [p.strip(" .") for p in parts if p.strip(" .")]
        elif section.kind == "certifications":
            result.certifications += _items(section.text)
        elif section.kind == "languages":
            result.languages += [
                p.strip(" .")
                for i in _items(section.text)
                for p in re.split(r"[,;|]", i)
                if p.strip(" .")
            ]
    if not any(s.kind == "experience" for s in sections):
        # no heading: count dated lines outside education and certifications
        for section in sections:
            if section.kind not in ("education", "certifications", "contact"):
                ranges += find_date_ranges(section.text, section.start)
    result.sections = {kind: "\n\n".join(parts) for kind, parts in joined.items()}
    result.years_experience = total_years(ranges, today)

    seen: dict[str, str] = {}
    # an email address is not a skill, nor is a placeholder left by masking ("[LINKEDIN_1]")
    masked = _PLACEHOLDER_RE.sub(
        lambda m: " " * len(m.group()), _blank_spans(text, result.contacts)
    )
    for section in sections:
        body = masked[section.start : section.end]
        for mention in lexicon.extract(body, skill_list=section.kind == "skills"):
            seen.setdefault(mention.skill_id, mention.name)
    result.skill_ids = list(seen)
    result.skills = list(seen.values())
    return result


_PLACEHOLDER_RE = re.compile(r"\[[A-Z]+_\d+\]")


def _blank_spans(text: str, spans: list[Span]) -> str:
    """`text` with the spans replaced by spaces (same length, offsets unchanged)."""
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)


# --- job --------------------------------------------------------------------------------


@dataclass
class ParsedJob:
    title: str | None
    required_skills: list[str] = field(default_factory=list)  # canonical names
    preferred_skills: list[str] = field(default_factory=list)
    min_years: float | None = None
    location: str | None = None
    remote: bool = False  # remote or hybrid
    work_mode: str | None = None  # remote | hybrid | onsite | None (not stated)
    employment_type: str | None = None  # full-time | part-time | contract | temporary | internship
    required_skill_ids: list[str] = field(default_factory=list)
    preferred_skill_ids: list[str] = field(default_factory=list)
    mentioned_skills: list[str] = field(default_factory=list)  # named elsewhere (duties, summary)


_PREFERRED_CUE_RE = re.compile(
    r"\b(?:preferred|preferably|nice[- ]to[- ]have|a plus|is a plus|are a plus|plus\b(?! \d)|bonus|"
    r"desirable|desired|ideally|advantage|advantageous|good to have|would be great|helpful|"
    r"not required|optional)",
    re.I,
)
_REQUIRED_CUE_RE = re.compile(
    r"\b(?:required|requires?|must|mandatory|essential|minimum|at least|need to have|you have|proven)\b",
    re.I,
)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "a": 1,
    "an": 1,
}
_NUM = r"(?:\d{1,2}(?:\.\d)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_YEARS_RE = re.compile(
    rf"\b(?P<n>{_NUM})(?:\s*\(\d{{1,2}}\))?\s*(?:\+|plus)?\s*(?:-|–|to)?\s*(?:{_NUM}\s*)?\+?\s*"
    rf"(?:years?|yrs?)\.?(?:'|’)?\s*(?:\+\s*)?"
    rf"(?=(?:of\s+)?(?:\w+\s+){{0,3}}?(?:experience|exp\b|working|work|in|as|with|of|professional|relevant|hands-on))",
    re.I,
)
# "... as an analyst for 5 years." and "Experience as a stonemason: 2 years" count when
# the clause is about experience
_FOR_YEARS_RE = re.compile(
    rf"(?:\bfor\s+(?:the\s+(?:last|past)\s+)?|:\s*)(?P<n>{_NUM})\s*\+?\s*(?:years?|yrs?)\b",
    re.I,
)
_EXPERIENCE_WORD_RE = re.compile(r"\b(?:experience|worked|working|as an?|as)\b", re.I)
_CLAUSE_RE = re.compile(r"(?<=[.;!?])\s+")
_REMOTE_NEG_RE = re.compile(
    r"\b(?:not|no|non)[- ](?:a\s+)?(?:remote|wfh)\b|\bon[- ]?site only\b|\bin[- ]office only\b",
    re.I,
)
_REMOTE_RE = re.compile(
    r"\b(?:remote|work(?:ing)? from home|wfh|telecommut\w*|distributed team|anywhere)\b", re.I
)
_HYBRID_RE = re.compile(r"\bhybrid\b", re.I)
_ONSITE_RE = re.compile(r"\b(?:on[- ]?site|in[- ]office|in[- ]person)\b", re.I)
_EMPLOYMENT_RE = [
    ("full-time", re.compile(r"\bfull[- ]?time\b|\bpermanent\b", re.I)),
    ("part-time", re.compile(r"\bpart[- ]?time\b", re.I)),
    ("contract", re.compile(r"\bcontract(?:or)?\b|\bfreelance\b|\bfixed[- ]term\b", re.I)),
    ("temporary", re.compile(r"\btemporary\b|\btemp\b|\bseasonal\b", re.I)),
    ("internship", re.compile(r"\binternship\b|\bintern\b|\btrainee\b", re.I)),
]
_LOCATION_RE = re.compile(
    r"^[#*\s-]*(?:location|based in|office location|job location|work location)\s*[*_]*:\s*[*_]*(?P<v>[^\n]+?)\s*$",
    re.I | re.M,
)
_TYPE_RE = re.compile(
    r"^[#*\s-]*(?:employment type|job type|contract type|type)\s*[*_]*:\s*[*_]*(?P<v>[^\n]+?)\s*$",
    re.I | re.M,
)


def _number(raw: str) -> float:
    raw = raw.lower()
    return float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)


def _mentions_years(line: str) -> bool:
    # both year patterns need "year(s)" or "yr(s)": a substring test spares most clauses
    # the costly patterns
    low = line.lower()
    return "year" in low or "yr" in low


def parse_job(
    text: str,
    title: str | None = None,
    *,
    lexicon: SkillLexicon | None = None,
    sections: Sequence[Section] | None = None,
) -> ParsedJob:
    """Title, required and preferred skills, minimum years, location, remote and
    employment type of a job posting. `sections`: `job_sections(text)`, when the caller
    has them already."""
    lexicon = lexicon or get_lexicon()
    sections = list(sections) if sections is not None else job_sections(text)
    has_requirement_sections = any(s.kind in ("required", "preferred") for s in sections)
    if title is None:
        title = _job_title(text, sections)
    job = ParsedJob(title=title)

    required: dict[str, str] = {}
    preferred: dict[str, str] = {}
    mentioned: dict[str, str] = {}
    years: list[float] = []
    for section in sections:
        # requirement lists are skill lists; "Required Experience" paragraphs are prose
        in_list = section.kind in ("required", "preferred") and "experience" not in section.heading
        # cues apply to their clause: "Spanish is a plus; Epic experience preferred."
        clauses = (c for line in section.text.splitlines() for c in _CLAUSE_RE.split(line))
        for line in clauses:
            if not line.strip():
                continue
            preferred_cue = bool(_PREFERRED_CUE_RE.search(line))
            required_cue = bool(_REQUIRED_CUE_RE.search(line))
            if section.kind == "preferred":
                bucket = required if required_cue and not preferred_cue else preferred
            elif section.kind == "required":
                bucket = preferred if preferred_cue else required
            elif preferred_cue:
                bucket = preferred
            elif required_cue or (not has_requirement_sections and section.kind != "benefits"):
                bucket = required
            else:
                bucket = mentioned
            if section.kind == "title":
                continue
            for mention in lexicon.extract(line, skill_list=in_list):
                bucket.setdefault(mention.skill_id, mention.name)
            if (
                not preferred_cue
                and section.kind not in ("benefits", "summary")
                and _mentions_years(line)
            ):
                years += [_number(m.group("n")) for m in _YEARS_RE.finditer(line)]
                if _EXPERIENCE_WORD_RE.search(line):
                    years += [_number(m.group("n")) for m in _FOR_YEARS_RE.finditer(line)]
    for skill_id in required:
        preferred.pop(skill_id, None)
        mentioned.pop(skill_id, None)
    for skill_id in preferred:
        mentioned.pop(skill_id, None)
    job.required_skill_ids, job.required_skills = list(required), list(required.values())
    job.preferred_skill_ids, job.preferred_skills = list(preferred), list(preferred.values())
    job.mentioned_skills = list(mentioned.values())
    plausible = [y for y in years if 0 < y <= 40]
    job.min_years = max(plausible) if plausible else None

    location = _LOCATION_RE.search(text)
    job.location = location.group("v").strip(" .") if location else None
    if _REMOTE_NEG_RE.search(text):
        job.work_mode = "onsite"
    elif _HYBRID_RE.search(text):
        job.work_mode = "hybrid"
    elif _REMOTE_RE.search(text) or (job.location and _REMOTE_RE.search(job.location)):
        job.work_mode = "remote"
    elif _ONSITE_RE.search(text):
        job.work_mode = "onsite"
    job.remote = job.work_mode in ("remote", "hybrid")
    labelled = _TYPE_RE.search(text)
    for source in ([labelled.group("v")] if labelled else []) + [text]:
        kind = next((name for name, rx in _EMPLOYMENT_RE if rx.search(source)), None)
        if kind:
            job.employment_type = kind
            break
    return job


def _job_title(text: str, sections: Sequence[Section]) -> str | None:
    for section in sections:
        if section.kind == "title":
            items = _items(section.text)
            if items:
                return items[0]
            if section.heading and section.heading not in _JOB_INDEX:
                return section.heading
    m = re.search(
        r"^[#*\s-]*(?:job title|title|position|role)\s*[*_]*:\s*[*_]*(?P<v>[^\n]+?)\s*$",
        text,
        re.I | re.M,
    )
    if m:
        return m.group("v").strip()
    for line in text.splitlines():
        stripped = line.strip().strip("#*_ ").strip()
        if stripped:
            return stripped if len(stripped) <= 80 and stripped.lower() not in _JOB_INDEX else None
    return None
