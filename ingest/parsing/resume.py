"""A resume's sections, dated experience, contact spans and skills."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ingest.parsing.contacts import Span, blank_spans, find_contacts
from ingest.parsing.dates import DateRange, find_date_ranges, total_years
from ingest.parsing.sections import BULLET_RE, RESUME_INDEX, list_items, split_sections
from ingest.skills import SkillLexicon, get_lexicon


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
        is_bullet = bool(BULLET_RE.match(raw)) and not re.match(r"^\s*\d{1,2}[.)]", raw)
        if found:
            rng = found[0]
            ranges.append(rng)
            local = (rng.span[0] - line_offset, rng.span[1] - line_offset)
            header = (raw[: local[0]] + " " + raw[local[1] :]).strip()
            header = BULLET_RE.sub("", header).strip(" \t-–—|,:()[]*_")
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
            entries[-1].bullets.append(BULLET_RE.sub("", raw).strip())
            pending_header = None
        else:
            # a header line whose dates follow on the next line, or a plain bullet
            if (
                entries
                and entries[-1].start is not None
                and pending_header is None
                and _looks_like_sentence(line)
            ):
                entries[-1].bullets.append(BULLET_RE.sub("", raw).strip())
                continue
            pending_header = BULLET_RE.sub("", line).strip()
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
    sections = split_sections(text, RESUME_INDEX)
    result = ParsedResume(contacts=find_contacts(text))
    joined: dict[str, list[str]] = {}
    ranges: list[DateRange] = []
    for section in sections:
        joined.setdefault(section.kind, []).append(section.text.strip())
        if section.kind == "summary":
            result.summary = " ".join(list_items(section.text))
        elif section.kind == "experience":
            entries, found = _parse_experience(section.text, section.start)
            result.experience += entries
            ranges += found
        elif section.kind == "education":
            result.education += list_items(section.text)
        elif section.kind == "skills":
            for item in list_items(section.text):
                label, sep, rest = item.partition(":")
                parts = re.split(r"\s*[,;|•·]\s*", rest if sep and len(label) < 40 else item)
                result.skills_listed += [p.strip(" .") for p in parts if p.strip(" .")]
        elif section.kind == "certifications":
            result.certifications += list_items(section.text)
        elif section.kind == "languages":
            result.languages += [
                p.strip(" .")
                for i in list_items(section.text)
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
    masked = _PLACEHOLDER_RE.sub(lambda m: " " * len(m.group()), blank_spans(text, result.contacts))
    for section in sections:
        body = masked[section.start : section.end]
        for mention in lexicon.extract(body, skill_list=section.kind == "skills"):
            seen.setdefault(mention.skill_id, mention.name)
    result.skill_ids = list(seen)
    result.skills = list(seen.values())
    return result


_PLACEHOLDER_RE = re.compile(r"\[[A-Z]+_\d+\]")
