"""A resume's sections, dated experience, contact spans and skills."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ingest.occupations import get_occupations
from ingest.parsing.contacts import Span, blank_spans, find_contacts
from ingest.parsing.dates import (
    DateRange,
    date_range,
    find_date_ranges,
    header_date,
    leading_end,
    lone_date,
    total_years,
)
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


# Verbs that open a line of duties ("Processed and submitted Teacher Retirement reports",
# "Planned the domain migration from 2008 to 2012"): past tense, and the irregular ones.
_IRREGULAR_PAST = _words(
    "led built ran wrote made taught drove sold won grew set kept held began brought "
    "oversaw took gave met sent spent found chose drew"
)


# Words after which an opening "-ing" word is a verb: "Learning the art of sales",
# "Honing current skills" are duties; "Nursing Assistant", "Marketing and sales manager"
# are titles.
_AFTER_GERUND = frozenset(
    [
        "the",
        "a",
        "an",
        "my",
        "our",
        "their",
        "his",
        "her",
        "its",
        "this",
        "these",
        "those",
        "all",
        "each",
        "every",
        "current",
        "new",
    ]
)


def _opens_with_verb(text: str) -> bool:
    """A duty opens with a verb and goes on in lower case ("Trained the staff"); a title
    opening with a participle goes on capitalised ("Registered Nurse")."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words or (len(words) > 1 and not words[1][0].islower()):
        return False
    first = words[0].lower()
    if len(words) > 1 and first.endswith("ing") and words[1] in _AFTER_GERUND:
        return True
    return first in _IRREGULAR_PAST or (len(first) > 4 and first.endswith("ed"))


def _is_title(part: str) -> bool:
    return bool(set(re.findall(r"[a-z]+", part.lower())) & _TITLE_WORDS)


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

    # title words first ("Northwind Traders Leeds, UK Finance Manager": a trader is a
    # known title too), then any known title ("Company Name | Detective")
    if not _is_title(first) and (
        _is_title(second) or (not _names_role(first) and _names_role(second))
    ):
        first, second = second, first
    return first or None, second or None


@dataclass
class _Line:
    raw: str
    offset: int
    ranges: list[DateRange]
    bullet: bool
    # The dates of a line that tells a job in a sentence ("Served as Rehabilitation
    # Counselor from 2016 to 2020, ..."): a job only where no dated job's span holds them.
    told: DateRange | None = None

    @property
    def text(self) -> str:
        return BULLET_RE.sub("", self.raw).strip()

    def header_like(self) -> bool:
        """A short line that can name a title or an employer (not a bullet, not prose)."""
        return not self.bullet and not self.ranges and not _looks_like_sentence(self.text)


_DANGLING_RE = re.compile(r"(?:\s+(?:from|between|during|since|till|until|to|for|in))+$", re.I)
_FIELD_LABEL_RE = re.compile(
    r"^(?:company|employer|organi[sz]ation|designation|title|job title|position|role|"
    r"duration|dates?|period|location)\s*:\s*",
    re.I,
)


def _parse_experience(
    section_text: str, offset: int
) -> tuple[list[ExperienceEntry], list[DateRange]]:
    """One job per dated title/employer group. The date range anchors a job; its title
    and employer are the rest of that line and the short lines next to it: before it
    when the first job's header comes before its dates, otherwise just after it. Every
    other line is a bullet of the job it follows. A section with no date at all falls
    back to header lines followed by bullets (undated jobs)."""
    lines: list[_Line] = []
    pos = 0
    for raw in section_text.splitlines(keepends=True):
        text = raw.rstrip("\n")
        if text.strip():
            found = find_date_ranges(text, offset + pos)
            bullet = bool(BULLET_RE.match(text)) and not re.match(r"^\s*\d{1,2}[.)]", text)
            words = len(text.split())
            bare = BULLET_RE.sub("", text) if bullet else text
            in_sentence = found[0] if found and not _HONOUR_RE.search(text) else None
            if (
                found
                and not _ROLE_PREFIX_RE.match(bare)  # "Worked as a ... (2019 - 2021)": a job
                and (
                    _opens_with_verb(text)
                    or (_looks_like_sentence(text) and _SINCE_RE.search(text))
                )
            ):
                found = []  # a duty ("Planned the migration from 2008 to 2012")
            long = words > 16 if not bullet else _words_beside(text, found, offset + pos) > 10
            if found and long:
                # a job header run into its first line of description: "Site Office
                # Administrator E.ON Climate 2006-2010 Responsible for document control...",
                # "- Systems Administrator (2013 - 2016): Managed the company's servers",
                # or the dates opening it under the title line ("November 2014 to
                # Current Company Name Hours worked per week: 40 ...")
                cut = found[0].span[1] - (offset + pos)
                prefix = text[: found[0].span[0] - (offset + pos)]
                if bullet:
                    prefix = BULLET_RE.sub("", prefix)
                # "Company Name From 1989 to 1996 I worked in ...": told in the first person
                first_person = re.match(r"\s*(I|I'?ve|I'?m|we)\b", text[cut:])
                if not first_person and (
                    _inline_header(prefix) or (not bullet and not prefix.strip())
                ):
                    lines.append(_Line(text[:cut], offset + pos, found[:1], False))
                    lines.append(_Line(text[cut:], offset + pos + cut, [], False))
                    pos += len(raw)
                    continue
                found = []  # a date inside a sentence ("Led the 2019-2020 migration")
            if found and _HONOUR_RE.search(text):
                found = []  # "2014-2015 Teacher of the Year Award": an honour, not a job
            lines.append(_Line(text, offset + pos, found, bullet, None if found else in_sentence))
        pos += len(raw)
    lines = _mend_split_ranges(lines)
    if any(line.ranges for line in lines):
        _anchor_header_dates(lines)
    anchors = [i for i, line in enumerate(lines) if line.ranges]
    told = _jobs_told(lines, [lines[i].ranges[0] for i in anchors])
    if not anchors and not told:
        return _parse_undated(lines), []
    before = bool(anchors) and anchors[0] > 0 and lines[anchors[0] - 1].header_like()
    headers: dict[int, list[int]] = {}
    taken: set[int] = set()
    for k, i in enumerate(anchors):
        group: list[int] = []
        if before:
            j = i - 1
            floor = anchors[k - 1] if k else -1
            while j > floor and len(group) < 3 and lines[j].header_like():
                group.insert(0, j)
                j -= 1
        else:
            limit = anchors[k + 1] if k + 1 < len(anchors) else len(lines)
            j = i + 1
            # a line holding nothing but the dates is followed by the whole header line
            longest = 12 if not _header_rest(lines[i]) else 6
            if j < limit and lines[j].header_like() and len(lines[j].text.split()) <= longest:
                group.append(j)
        headers[i] = group
        taken.update(group)
    entries: list[ExperienceEntry] = []
    ranges: list[DateRange] = []
    if anchors and _leading_undated_job(lines, [anchors[0], *headers[anchors[0]]]):
        head = [0, 1] if lines[1].header_like() else [0]
        parts = [lines[j].text for j in head]
        started = None
        if len(parts) > 1 and (opening := leading_end(parts[1])) is not None:
            # "February 2014 Company Name - City": a start month, and no end said
            month = date_range(opening[0], opening[0], (0, 0))
            started = month.start if month is not None else None
            parts[1] = parts[1][opening[1] :]
        title, employer = _title_and_employer([_clean_header(p) for p in parts])
        entries.append(ExperienceEntry(title, employer, started, None))
        taken.update(head)
    for i, line in enumerate(lines):
        if i in told:
            entry, rng = told[i]
            ranges.append(rng)
            entries.append(entry)
        elif i in headers:
            rng = line.ranges[0]
            ranges.append(rng)
            parts = [_header_rest(line)] + [_clean_header(lines[j].text) for j in headers[i]]
            title, employer = _title_and_employer([p for p in parts if p])
            entries.append(
                ExperienceEntry(title, employer, rng.start, rng.end, current=rng.end is None)
            )
        elif i not in taken and entries:
            if _undated_job(lines, i, taken):
                title, employer = _split_title_employer(_clean_header(line.text))
                entries.append(ExperienceEntry(title, employer, None, None))
            else:
                entries[-1].bullets.append(line.text)
    return entries, ranges


# "... as a Java Developer Consultant role in Jersey City", "as an iOS/Android Technical
# Writer from 2014-2019", "as a Sr Java .NET Developer, I ...": the role a sentence names,
# up to where it goes on about it.
_TOLD_ROLE_RE = re.compile(
    r"\bas\s+(?:an?\s+|the\s+)?(?P<role>(?:[^,.;:()]|\.(?=\S))+?)\s*"
    r"(?=\b(?:at|in|for|with|from|between|during|since|where|role|handling|until|till)\b|"
    r"[,;:()]|\.(?!\S)|\s[-–—]\s|$)",
    re.I,
)
_TOLD_LEAD_RE = re.compile(
    r"^(?:\d{1,2}[.)]\s*|\d+\+?\s+years?\s+(?:of\s+)?|(?:the\s+)?role\s+of\s+)", re.I
)
# Where a header run into its description ends: "Emergency Dispatcher – Leveraged ...",
# "ECM Architect: effectively balanced ...", "Presentation Specialist @ Warren NJ: ...".
_TOLD_HEAD_RE = re.compile(r"\s[-–—]\s|:\s|\.\s|[-–—]\s(?=[A-Z])|\s+for\s+")


def _jobs_told(
    lines: list[_Line], dated: list[DateRange]
) -> dict[int, tuple[ExperienceEntry, DateRange]]:
    """Lines that tell a job in a sentence, by index: each line's dates, and the role it
    names, where no dated job's span holds those dates (under a dated job, a sentence with
    dates is one of its duties: "Led the 2019-2020 migration")."""

    def held(rng: DateRange) -> bool:
        end = rng.end or date.max
        return any(d.start <= rng.start and end <= (d.end or date.max) for d in dated)

    told: dict[int, tuple[ExperienceEntry, DateRange]] = {}
    for i, line in enumerate(lines):
        rng = line.told
        if rng is None or held(rng):
            continue
        title, employer = _told_role(line, rng)
        if title is not None:
            entry = ExperienceEntry(title, employer, rng.start, rng.end, current=rng.end is None)
            told[i] = (entry, rng)
    return told


def _told_role(line: _Line, rng: DateRange) -> tuple[str | None, str | None]:
    """The role (and employer) a sentence with dates names: what it worked "as" ("Served as
    Rehabilitation Counselor from 2016 to 2020"), else the words before its dates when
    they are a header ("Radiation therapist at XYZ Hospital (2013-2015): Delivered..."), or
    the head of them ("Emergency Dispatcher – Leveraged time sensitivity... (2004 - 2010)"),
    or the words after dates that open the line ("2014 – 2017: Credit Risk Analyst - Top
    US Bank. Concurrently worked..."); nothing when it names no role ("Planned the
    migration from 2008 to 2012")."""
    text = line.raw
    before = text[: rng.span[0] - line.offset]
    prefix = _TOLD_LEAD_RE.sub("", _ROLE_PREFIX_RE.sub("", _clean_header(before)))
    said_as = _TOLD_ROLE_RE.search(before) or _TOLD_ROLE_RE.search(text)
    after = _clean_header(re.split(r"[.;]\s", text[rng.span[1] - line.offset :])[0])
    candidates = [
        (said_as.group("role") if said_as else "", False),
        (prefix, True),
        *((part, True) for part in _TOLD_HEAD_RE.split(prefix)[:3]),
        ("" if prefix else after, True),
    ]
    for candidate, header in candidates:
        candidate = _TOLD_LEAD_RE.sub("", candidate.strip())
        size = len(candidate.split())
        # what one worked "as", capitalised, is a title even where the lexicon lacks it
        named = not header and size <= 5 and candidate[:1].isupper()
        if 1 <= size <= 8 and (named or _names_role(candidate)):
            return _split_title_employer(candidate) if header else (candidate, None)
    return None, None


def _names_role(text: str) -> bool:
    """A title word, or a known job title (the occupation lexicon: "Couriers and
    messengers", "Woodworker")."""
    return _is_title(text) or get_occupations().link(text) is not None


def _same_jobs_once(entries: list[ExperienceEntry]) -> list[ExperienceEntry]:
    """One entry per job where the document writes a job twice: the same dates and a
    title that holds the other's words, both naming a role (a section repeated by the
    builder, a job restated in prose under its header). Two roles held over the same span
    stay two."""

    def words(entry: ExperienceEntry) -> set[str]:
        return set(re.findall(r"[a-z]+", (entry.title or "").lower()))

    kept: list[ExperienceEntry] = []
    for entry in entries:
        same = next(
            (
                k
                for k in kept
                if entry.start is not None
                and (k.start, k.end) == (entry.start, entry.end)
                and _is_title(entry.title or "")
                and _is_title(k.title or "")
                and (words(entry) <= words(k) or words(k) <= words(entry))
            ),
            None,
        )
        if same is None:
            kept.append(entry)
        else:
            same.bullets += [b for b in entry.bullets if b not in same.bullets]
    return kept


_SINCE_RE = re.compile(r"\b(?:since|seit|depuis|desde)\b", re.I)
_HONOUR_RE = re.compile(
    r"\b(?:awards?|awarded|prize|honou?rs?|winner|scholarship|dean's list|medal|finalist)\b",
    re.I,
)
_SMALL_WORDS = _words("a an and at for in of on the to with & -")


def _inline_header(prefix: str) -> bool:
    """Whether the words before a date range in a long line name a job: a few words, no
    sentence end, with a title word or in title case ("Public Health Campaign Volunteer,"),
    not the start of a sentence ("Led the 2019-2020 migration of ...")."""
    words = prefix.split()
    if not 1 <= len(words) <= 12 or prefix.rstrip().endswith((".", ";")):
        return False
    if not words[0][:1].isupper():
        return False
    if _is_title(prefix):
        return True
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    capitalised = [w for w in content if w[:1].isupper()]
    return len(capitalised) >= 3 and len(capitalised) >= 0.8 * len(content)


def _header_rest(line: _Line) -> str:
    """The header words of an anchor line: the line without its date range."""
    rng = line.ranges[0]
    local = (rng.span[0] - line.offset, rng.span[1] - line.offset)
    before, after = _clean_header(line.raw[: local[0]]), _clean_header(line.raw[local[1] :])
    # the dates stood between two parts ("Company Name October 2014 to Current Overnight
    # Pharmacy Technician"): they stay two
    return " | ".join(part for part in (before, after) if part)


def _mend_split_ranges(lines: list[_Line]) -> list[_Line]:
    """Resume builders that set the dates in a column beside the job print the start above
    the header line and the end below it ("December 2013" / "Company  City  Finance
    Manager" / "March 2014 As the finance manager..."). The start's line gets the whole
    range, and the end is taken off its line (what is left there is body text)."""
    out = list(lines)
    for i, line in enumerate(out):
        start = None if line.ranges or line.bullet else lone_date(line.text)
        if start is None:
            continue
        for j in (i + 1, i + 2):
            if j >= len(out) or out[j].ranges or out[j].bullet:
                break
            middle = out[i + 1]
            if j == i + 2 and (
                middle.ranges or middle.text.endswith(".") or len(middle.text.split()) > 14
            ):
                break  # a header line (employer, place and title: often more than 8 words)
            found = leading_end(out[j].text)
            if found is None:
                continue
            end, cut = found
            rng = date_range(start, end, (line.offset, line.offset + len(line.raw)))
            if rng is None:
                break
            line.ranges = [rng]
            after = out[j].raw.index(out[j].text) + cut
            rest = out[j].raw[after:]
            out[j] = _Line(rest, out[j].offset + after, [], False)
            break
    return [line for line in out if line.raw.strip()]


def _anchor_header_dates(lines: list[_Line]) -> None:
    """Among dated jobs, a header line that ends with a single month date and no end
    ("Category Brand Manager Jan 2016") is a job too: the most recent one runs to now (its
    end was left off, or lost in the layout), any other covers that month."""
    found: list[tuple[int, str, int]] = []
    for i, line in enumerate(lines):
        if line.ranges or line.bullet or _looks_like_sentence(line.text):
            continue
        if len(line.text.split()) > 10:
            continue
        hit = header_date(line.raw)
        if hit is not None:
            found.append((i, *hit))
    if not found:
        return
    latest = max(r.start for line in lines for r in line.ranges)
    for i, raw, at in found:
        line = lines[i]
        span = (line.offset + at, line.offset + at + len(raw))
        rng = date_range(raw, None, span)
        if rng is None:
            continue
        if rng.start < latest:
            rng = DateRange(rng.start, rng.start, span)
        line.ranges = [rng]


def _leading_undated_job(lines: list[_Line], first_job: list[int]) -> bool:
    """A job without dates before the first dated one: its title opens the section and
    duties follow before the first dated job's header ("Electronic Health Record
    Optimization Specialist / Company Name - City / Assist primary care practices..."),
    unless that job restates the dated one's title ("Senior Exercise Specialist & Sports
    and Recreation Coordinator" over "Senior Specialist & Coordinator 07/2013 to ...").
    `first_job`: the first dated job's anchor line, then its header lines."""
    first = min(first_job)
    if first < 2:
        return False
    head = lines[0]
    if not head.header_like() or not _is_title(head.text) or _opens_with_verb(head.text):
        return False
    mine = set(re.findall(r"[a-z]+", head.text.lower()))
    for j in first_job:
        words = _header_rest(lines[j]) if lines[j].ranges else lines[j].text
        theirs = set(re.findall(r"[a-z]+", words.lower())) & _TITLE_WORDS
        if theirs and theirs <= mine:
            return False
    return any(not line.header_like() for line in lines[1:first])


def _undated_job(lines: list[_Line], i: int, taken: set[int]) -> bool:
    """A job without dates among dated ones: a short line naming a title, between the
    bullets of the job before and its own ("Analyst at Beta AG")."""
    line = lines[i]
    if not line.header_like() or not _is_title(line.text) or i + 1 >= len(lines):
        return False
    if _opens_with_verb(line.text):
        return False  # a duty that names a role ("Trained the teacher assistants")

    def body(j: int) -> bool:
        return j not in taken and not lines[j].ranges and not lines[j].header_like()

    return body(i - 1) and body(i + 1)


def _clean_header(text: str) -> str:
    text = re.sub(r"^\s*#+\s+", "", text)  # a Markdown heading's marks
    text = BULLET_RE.sub("", text).strip(" \t-–—|,:;()[]*_·•")
    text = _FIELD_LABEL_RE.sub("", text).strip(" \t-–—|,:;()[]*_·•")
    # the words that led to its dates ("Animal caretakers from 2017 - 2022")
    text = _DANGLING_RE.sub("", text).strip(" \t-–—|,:;()[]*_·•")
    return text if re.search(r"[^\W\d_]", text) else ""


def _title_and_employer(parts: list[str]) -> tuple[str | None, str | None]:
    if not parts:
        return None, None
    title, employer = _split_title_employer(parts[0])
    if len(parts) > 1:
        other_title, _ = _split_title_employer(parts[1])
        if employer is None:
            if not _is_title(title or "") and _is_title(other_title or ""):
                return other_title, title
            return title, other_title
        if not _names_role(title or "") and _names_role(parts[1]):
            # "Health Care Administrator" over "April 2015 to May 2017 Company Name - City,
            # State": the role is the line beside the dates, the employer on theirs
            role, where = _split_title_employer(parts[1])
            if where and _names_role(role or ""):  # "Logistics Coordinator — Redline"
                return role, where
            whole = len(parts[1].split()) <= 8
            return (parts[1] if whole else other_title), title
    return title, employer


def _parse_undated(lines: list[_Line]) -> list[ExperienceEntry]:
    """Header lines followed by their bullets, when no line of the section has dates."""
    entries: list[ExperienceEntry] = []
    in_header = False  # the last line was a header line of the last entry
    for line in lines:
        if (line.bullet and entries) or (entries and _looks_like_sentence(line.text)):
            entries[-1].bullets.append(line.text)
            in_header = False
        elif line.header_like():
            if in_header:  # "Job Title" / "Company" / "Location": one job's header lines
                if entries[-1].employer is None:
                    entries[-1].employer = _clean_header(line.text) or None
                continue
            title, employer = _split_title_employer(_clean_header(line.text) or line.text)
            entries.append(ExperienceEntry(title=title, employer=employer, start=None, end=None))
            in_header = True
    return entries


def _words_beside(text: str, found: list[DateRange], start: int) -> int:
    """Words of a line outside its dates (a bulleted job, "- Retail sales workers
    (2019 - 2023)", is as long as its title, not its title and its dates)."""
    kept = text
    for rng in reversed(found):
        kept = kept[: rng.span[0] - start] + " " + kept[rng.span[1] - start :]
    return len(re.findall(r"[^\W\d_]+", kept))


def _looks_like_sentence(line: str) -> bool:
    # words ("&" is "and"), not the separators between them ("Pastry Chef Company Name -
    # City , State" is a header of eight words)
    words = sum(1 for token in line.split() if token == "&" or any(c.isalnum() for c in token))
    return words > 8 or line.endswith(".")


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
    experience: list[tuple[list[ExperienceEntry], bool]] = []  # entries, dated section
    for section in sections:
        joined.setdefault(section.kind, []).append(section.text.strip())
        if section.kind == "summary":
            result.summary = " ".join(list_items(section.text))
        elif section.kind == "experience":
            entries, found = _parse_experience(section.text, section.start)
            experience.append((entries, bool(found)))
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
    # An experience section without any date next to dated ones holds highlights
    # ("Relevant Experience: Reporting, Training"), not undated jobs.
    any_dated = any(dated for _entries, dated in experience)
    for entries, dated in experience:
        if dated or not any_dated:
            result.experience += entries
    result.experience = _same_jobs_once(result.experience)
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
