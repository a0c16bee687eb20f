"""A deterministic resume critique: findings that point at a line, each with a fix.

No LLM: the same text always gives the same findings and score, in milliseconds, so the
candidate gets it immediately and it costs nothing. The checks follow common resume
advice: bullets start with an action verb and show a result in numbers; the usual
sections are there; every listed skill is backed by the experience; the length fits one
or two pages; sentences are short, active and without "I"; jobs have dates; recruiters
can reach the candidate by email.

`critique(text)` is a pure function (CPU-bound: call it through `asyncio.to_thread`).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ingest.parsing import (
    RESUME_INDEX,  # the heading table of `parse_resume`; sections must agree with it
    ExperienceEntry,
    ParsedResume,
    find_date_ranges,
    parse_resume,
    split_sections,
)
from ingest.skills import SkillLexicon, get_lexicon

Severity = Literal["info", "warning", "critical"]
Kind = Literal[
    "weak_bullet",
    "missing_section",
    "unevidenced_skill",
    "length",
    "readability",
    "missing_dates",
    "missing_contact",
]


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    severity: Severity
    line: int | None  # 1-based; None when the finding is about the whole resume
    excerpt: str
    message: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class Critique:
    score: int
    summary: str
    words: int
    pages: float
    findings: list[Finding] = field(default_factory=list)


# --- thresholds (named so the messages and the tests agree on them) -------------------

MIN_WORDS = 150
WORDS_PER_PAGE = 500  # a dense one-column resume page
LINES_PER_PAGE = 55
MAX_PAGES = 2.0
MAX_BULLET_WORDS = 30
MAX_SENTENCE_WORDS = 35
EXCERPT_CHARS = 120
EXPECTED_SECTIONS: dict[str, tuple[Severity, str]] = {
    "experience": (
        "critical",
        "Add an 'Experience' section: each job with title, employer, "
        "dates and 2-5 bullets of what you achieved.",
    ),
    "skills": (
        "warning",
        "Add a 'Skills' section listing the tools and methods your "
        "experience shows, e.g. 'Skills: Python, SQL, Airflow'.",
    ),
    "education": ("warning", "Add an 'Education' section: degree or training, school, year."),
    "summary": (
        "info",
        "Add a 2-3 line 'Summary' at the top: your role, years of experience "
        "and the strengths you want to be hired for.",
    ),
}
# Score penalties; a cap per kind keeps one repeated problem (say, twenty bullets without
# numbers) from hiding every other one.
PENALTY: dict[Severity, int] = {"critical": 15, "warning": 6, "info": 2}
MAX_PENALTY_PER_KIND = 30
_SEVERITY_ORDER: dict[Severity, int] = {"critical": 0, "warning": 1, "info": 2}

# --- action verbs ---------------------------------------------------------------------

# A word list reads better as words than as 180 quoted lines.
_VERBS = frozenset(
    """
    accelerate achieve acquire adapt administer advise advocate align analyse
    analyze architect assemble assess audit author automate balance benchmark boost
    build calculate campaign champion clarify close coach code collaborate compile
    complete conceive conduct configure consolidate construct consult contribute
    convert coordinate create curate cut debug decrease define deliver demonstrate
    deploy design detect develop devise diagnose direct discover document double
    draft drive earn edit eliminate enable engineer enhance establish evaluate
    exceed execute expand expedite facilitate forecast formulate found generate grow
    guide halve handle head hire identify implement improve increase influence
    initiate innovate inspect install instruct integrate interview introduce invent
    investigate launch lead lower maintain manage map market maximise maximize
    measure mentor merge migrate minimise minimize model modernise modernize monitor
    motivate negotiate onboard operate optimise optimize orchestrate organise
    organize outperform overhaul oversee own partner pilot pioneer plan prepare
    present prevent prioritise prioritize process produce program programme promote
    propose prototype provide publish raise rebuild recruit redesign reduce refactor
    remove reorganise reorganize replace report research resolve restructure revamp
    review revise rewrite run save scale schedule secure sell serve set ship
    simplify solve spearhead standardise standardize start streamline strengthen
    structure supervise surpass teach test train transform translate triage
    troubleshoot tune undertake unify upgrade validate win write
    """.split()  # noqa: SIM905
)
_IRREGULAR = {
    "built": "build",
    "rebuilt": "rebuild",
    "led": "lead",
    "drove": "drive",
    "grew": "grow",
    "ran": "run",
    "won": "win",
    "wrote": "write",
    "rewrote": "rewrite",
    "taught": "teach",
    "oversaw": "oversee",
    "sold": "sell",
    "undertook": "undertake",
}
# Openers that describe a duty instead of an achievement, and a verb to replace each.
_WEAK_OPENERS: tuple[tuple[str, str], ...] = (
    ("was responsible for", "Owned"),
    ("were responsible for", "Owned"),
    ("responsible for", "Owned"),
    ("duties included", "Delivered"),
    ("in charge of", "Led"),
    ("tasked with", "Delivered"),
    ("worked on", "Built"),
    ("involved in", "Contributed to"),
    ("participated in", "Contributed to"),
    ("assisted with", "Supported"),
    ("assisted in", "Supported"),
    ("helped with", "Supported"),
    ("helped", "Supported"),
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_METRIC_RE = re.compile(
    r"\d|%|\b(?:twice|double[ds]?|tripled?|halved?|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b",
    re.I,
)
_PASSIVE_CUE_RE = re.compile(
    r"\b(?:(?:was|were)\s+)?responsible\s+for\b|\bduties\s+included\b|\bin\s+charge\s+of\b"
    r"|\btasked\s+with\b",
    re.I,
)
# "was/were <participle>", except participles that report an achievement.
_PASSIVE_RE = re.compile(
    r"\b(?:was|were)\s+(?!(?:promoted|awarded|selected|elected|invited|"
    r"nominated|recogni[sz]ed|hired|named|chosen)\b)([a-z]+ed)\b",
    re.I,
)
_FIRST_PERSON_RE = re.compile(r"\bI\b|\b(?i:me|my|mine|myself)\b")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


def _is_action_verb(word: str) -> bool:
    """Whether `word` is an action verb in base, past, third-person or -ing form."""
    word = word.lower().strip("'’-")
    if word in _VERBS or word in _IRREGULAR:
        return True
    candidates: list[str] = []
    if word.endswith("ied") or word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    if word.endswith("ed"):
        candidates += [word[:-2], word[:-1]]
        if len(word) > 4 and word[-3] == word[-4]:  # shipped -> ship
            candidates.append(word[:-3])
    if word.endswith("ing"):
        candidates += [word[:-3], word[:-3] + "e"]
        if len(word) > 5 and word[-4] == word[-5]:  # running -> run
            candidates.append(word[:-4])
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word.endswith("s"):
        candidates.append(word[:-1])
    return any(c in _VERBS for c in candidates)


def starts_with_action_verb(bullet: str) -> bool:
    """The bullet's first word is an action verb (an adverb such as "Successfully" may
    come before it)."""
    words = _WORD_RE.findall(bullet)[:2]
    if not words:
        return False
    if _is_action_verb(words[0]):
        return True
    return words[0].lower().endswith("ly") and len(words) > 1 and _is_action_verb(words[1])


def has_metric(text: str) -> bool:
    return bool(_METRIC_RE.search(text))


# --- locating lines -------------------------------------------------------------------


class _Lines:
    """The text's lines (cut at "\\n", as editors and the diff count them) and a map
    from character offsets to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self._starts = [0]
        for line in self.lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)

    def number_at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def text(self, number: int) -> str:
        return self.lines[number - 1]

    def excerpt(self, number: int) -> str:
        line = self.text(number).strip()
        return line if len(line) <= EXCERPT_CHARS else line[: EXCERPT_CHARS - 1] + "…"

    def first_containing(self, needle: str, numbers: list[int], after: int = 0) -> int | None:
        for number in numbers:
            if number > after and needle in self.text(number):
                return number
        return None


@dataclass
class _Layout:
    """Which lines belong to which section kind, and which lines are headings."""

    by_kind: dict[str, list[int]]
    headings: set[int]


def _layout(text: str, lines: _Lines) -> _Layout:
    by_kind: dict[str, list[int]] = {}
    headings: set[int] = set()
    for section in split_sections(text, RESUME_INDEX):
        first = lines.number_at(section.start)
        if section.kind != "preamble":
            # The heading is the line before the body, or the body's own line for an
            # inline heading ("Skills: Python, SQL").
            inline = section.start > 0 and text[section.start - 1] != "\n"
            if not inline:
                headings.add(first - 1)
        if section.end > section.start:
            last = lines.number_at(section.end - 1)
            by_kind.setdefault(section.kind, []).extend(range(first, last + 1))
    return _Layout(by_kind, headings)


# --- checks ---------------------------------------------------------------------------


_Located = list[tuple[ExperienceEntry, int | None, list[tuple[str, int | None]]]]


def _entry_lines(entries: list[ExperienceEntry], lines: _Lines, numbers: list[int]) -> _Located:
    """Each experience entry with its header line and its bullets' lines, found in order
    through the experience sections (the parser keeps text, not positions)."""
    located: _Located = []
    cursor = 0
    for entry in entries:
        header: int | None = None
        for number in numbers:
            if number <= cursor:
                continue
            line = lines.text(number)
            if entry.start is not None and find_date_ranges(line):
                header = number
                break
            if entry.start is None and any(p and p in line for p in (entry.title, entry.employer)):
                header = number
                break
        cursor = header or cursor
        bullets: list[tuple[str, int | None]] = []
        for bullet in entry.bullets:
            found = lines.first_containing(bullet, numbers, after=cursor)
            cursor = found or cursor
            bullets.append((bullet, found))
        located.append((entry, header, bullets))
    return located


def _bullet_finding(bullet: str, line: int | None, lines: _Lines) -> Finding | None:
    verb = starts_with_action_verb(bullet)
    metric = has_metric(bullet)
    if verb and metric:
        return None
    excerpt = lines.excerpt(line) if line else bullet[:EXCERPT_CHARS]
    if not verb:
        low = bullet.lower()
        opener = next((pair for pair in _WEAK_OPENERS if low.startswith(pair[0])), None)
        if opener is not None:
            rest = bullet[len(opener[0]) :].strip()
            suggestion = (
                f"Replace '{bullet[: len(opener[0])]}' with a verb and add a result: "
                f"'{opener[1]} {rest}, <result with a number, e.g. cutting costs by 20%>'"
            )
        else:
            suggestion = "Start with a strong verb and add a result: 'Built X that cut Y by Z%'"
        problem = "does not start with an action verb" + ("" if metric else " and has no number")
        return Finding(
            "weak_bullet",
            "warning" if not metric else "info",
            line,
            excerpt,
            f"This bullet {problem}: it reads as a duty, not an achievement.",
            suggestion,
        )
    return Finding(
        "weak_bullet",
        "info",
        line,
        excerpt,
        "This bullet has no number: say how much, how many or how fast.",
        f"Add a measurable result: '{bullet.rstrip('.')}, <e.g. for 40 users / saving 5 h a "
        "week / 30% faster>'",
    )


def _experience_findings(located: _Located, lines: _Lines) -> list[Finding]:
    findings: list[Finding] = []
    for entry, header, bullets in located:
        if entry.start is None and header is not None:
            findings.append(
                Finding(
                    "missing_dates",
                    "warning",
                    header,
                    lines.excerpt(header),
                    "This job has no dates; recruiters read gaps and undated jobs as "
                    "something hidden.",
                    f"Add start and end: '{lines.text(header).strip()} "
                    "(<Mon YYYY> - <Mon YYYY or Present>)'",
                )
            )
        for bullet, line in bullets:
            if (finding := _bullet_finding(bullet, line, lines)) is not None:
                findings.append(finding)
    return findings


def _section_findings(parsed: ParsedResume, lexicon: SkillLexicon) -> list[Finding]:
    """A section is missing only when neither its heading nor its content is there; a
    heading with nothing under it is said to be empty."""
    findings: list[Finding] = []
    for kind, (severity, suggestion) in EXPECTED_SECTIONS.items():
        body = parsed.sections.get(kind)
        if body is not None and body.strip():
            continue
        if body is None and _content_of_kind(kind, parsed, lexicon):
            continue
        message = (
            f"No '{kind.capitalize()}' section found."
            if body is None
            else f"The '{kind.capitalize()}' heading has nothing under it."
        )
        findings.append(Finding("missing_section", severity, None, "", message, suggestion))
    return findings


# A line naming a degree, or outside the jobs a school too: education written under
# another heading (a job's employer may well be a university).
_DEGREE = (
    r"bachelor|master|associate of|b\.?\s?sc|m\.?\s?sc|b\.a\.|m\.a\.|mba|ph\.?d|"
    r"doctorate|diploma|degree"
)
_DEGREE_RE = re.compile(rf"\b(?:{_DEGREE})\b", re.I)
_EDUCATION_RE = re.compile(rf"\b(?:{_DEGREE}|university|college|high school|ged)\b", re.I)
# Fewest skills named on short lines (a list under "Highlights", "Expertise") that make a
# skills list without a "Skills" heading.
MIN_LISTED_SKILLS = 3
# Words of a line that reads as a summary paragraph before the first section heading.
MIN_SUMMARY_WORDS = 20


def _content_of_kind(kind: str, parsed: ParsedResume, lexicon: SkillLexicon) -> bool:
    """Whether the resume holds content of `kind` under another heading (or none): dated
    jobs, a list of skills, a line naming a degree or school, an opening paragraph. The
    critique must not call missing what the person wrote."""
    elsewhere = [
        text
        for other, text in parsed.sections.items()
        if other not in (kind, "experience", "contact")
    ]
    lines = [line.strip() for text in elsewhere for line in text.splitlines() if line.strip()]
    if kind == "experience":
        return any(e.start for e in parsed.experience)
    if kind == "skills":
        short = "\n".join(line for line in lines if len(line.split()) <= 6)
        return len(lexicon.find_skills(short, skill_list=True)) >= MIN_LISTED_SKILLS
    if kind == "education":
        jobs = parsed.sections.get("experience", "")
        return any(_EDUCATION_RE.search(line) for line in lines) or bool(_DEGREE_RE.search(jobs))
    if kind == "summary":
        opening = parsed.sections.get("preamble", "")
        return any(len(line.split()) >= MIN_SUMMARY_WORDS for line in opening.splitlines())
    return False


def _skill_findings(
    parsed: ParsedResume, lines: _Lines, layout: _Layout, lexicon: SkillLexicon
) -> list[Finding]:
    experience = "\n".join(lines.text(n) for n in layout.by_kind.get("experience", []))
    if not experience.strip():
        return []  # the missing section is the finding; every skill would be "unproven"
    evidenced = {skill.id for skill in lexicon.find_skills(experience)}

    def written_in_experience(*names: str) -> bool:
        # The lexicon reads prose strictly (is "Spark" a skill or a verb?); a skill the
        # candidate listed and then wrote again in their experience counts as shown.
        return any(
            re.search(rf"(?<!\w){re.escape(name)}(?!\w)", experience, re.I) for name in names
        )

    skill_lines = layout.by_kind.get("skills", [])
    findings: list[Finding] = []
    reported: set[str] = set()
    for item in parsed.skills_listed:
        skill = lexicon.normalise(item)
        if skill is None or skill.id in evidenced or skill.id in reported:
            continue
        if written_in_experience(item, skill.name):
            continue
        reported.add(skill.id)
        line = lines.first_containing(item, skill_lines)
        findings.append(
            Finding(
                "unevidenced_skill",
                "warning",
                line,
                item,
                f"'{item}' is listed as a skill but none of your experience shows it.",
                f"Add a bullet where you used {skill.name}, e.g. 'Used {skill.name} to <what> "
                f"for <whom>, <result>', or drop it from the list.",
            )
        )
    return findings


def _length_findings(words: int, pages: float) -> list[Finding]:
    if words < MIN_WORDS:
        return [
            Finding(
                "length",
                "warning",
                None,
                "",
                f"The resume is short ({words} words); recruiters look for evidence of "
                "what you did.",
                f"Aim for at least {MIN_WORDS} words: 3-5 bullets per recent job with "
                "results, plus skills and education.",
            )
        ]
    if pages > MAX_PAGES:
        return [
            Finding(
                "length",
                "warning",
                None,
                "",
                f"The resume runs to about {pages:g} pages; most are read in under a minute.",
                f"Cut to {MAX_PAGES:g} pages: keep the last 10 years in detail, one line per "
                "older job, and drop bullets without a result.",
            )
        ]
    return []


def _voice_finding(line: str, number: int, excerpt: str) -> Finding | None:
    if (cue := _PASSIVE_CUE_RE.search(line)) is not None:
        return Finding(
            "readability",
            "warning",
            number,
            excerpt,
            f"'{cue.group()}' describes a duty, not what you did.",
            "Say what you did and what came of it: 'Owned the reporting, cutting month-end "
            "close from 5 to 2 days'.",
        )
    if (passive := _PASSIVE_RE.search(line)) is not None:
        return Finding(
            "readability",
            "info",
            number,
            excerpt,
            f"Passive voice ('{passive.group()}') hides who did the work.",
            f"Make yourself the subject: '{passive.group(1).capitalize()} ...' instead of "
            f"'... {passive.group()}'.",
        )
    return None


def _line_findings(lines: _Lines, layout: _Layout, bullet_lines: set[int]) -> list[Finding]:
    findings: list[Finding] = []
    for number, raw in enumerate(lines.lines, start=1):
        line = raw.strip()
        if not line or number in layout.headings:
            continue
        excerpt = lines.excerpt(number)
        # A bullet without a leading verb has its weak_bullet finding, which covers voice.
        voice_checked = number not in bullet_lines or starts_with_action_verb(line)
        if voice_checked and (voice := _voice_finding(line, number, excerpt)) is not None:
            findings.append(voice)
        if (pronoun := _FIRST_PERSON_RE.search(line)) is not None:
            findings.append(
                Finding(
                    "readability",
                    "info",
                    number,
                    excerpt,
                    f"First person ('{pronoun.group()}'): resumes leave the subject out.",
                    "Drop the pronoun and start with the verb: 'Led ...' rather than 'I led ...'.",
                )
            )
        limit = MAX_BULLET_WORDS if number in bullet_lines else MAX_SENTENCE_WORDS
        longest = max(len(s.split()) for s in _SENTENCE_END_RE.split(line))
        if longest > limit:
            findings.append(
                Finding(
                    "readability",
                    "info",
                    number,
                    excerpt,
                    f"A {longest}-word {'bullet' if number in bullet_lines else 'sentence'} "
                    "is hard to scan.",
                    f"Split it or cut it to under {limit} words: keep the verb, the object "
                    "and the result.",
                )
            )
    return findings


def _contact_findings(parsed: ParsedResume, lines: _Lines) -> list[Finding]:
    if any(span.kind == "email" for span in parsed.contacts):
        return []
    first = next((n for n, raw in enumerate(lines.lines, start=1) if raw.strip()), 1)
    return [
        Finding(
            "missing_contact",
            "critical",
            first,
            lines.excerpt(first),
            "No email address: a recruiter who likes the resume cannot reach you.",
            "Add an email under your name, e.g. 'Sam Lee | sam.lee@example.org | Berlin'.",
        )
    ]


def _score(findings: list[Finding]) -> int:
    per_kind: Counter[str] = Counter()
    for finding in findings:
        per_kind[finding.kind] += PENALTY[finding.severity]
    lost = sum(min(total, MAX_PENALTY_PER_KIND) for total in per_kind.values())
    return max(0, 100 - lost)


def _summary(score: int, findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    if not findings:
        return f"{score}/100: no problems found."
    head = (
        f"{score}/100: {counts['critical']} critical, {counts['warning']} warnings, "
        f"{counts['info']} notes."
    )
    top = min(findings, key=lambda f: _SEVERITY_ORDER[f.severity])
    return f"{head} Fix first: {top.message}"


def estimate_pages(text: str) -> float:
    """Printed pages, from words or from lines, whichever is more (rounded to a half)."""
    words = len(text.split())
    lines = sum(1 for line in text.split("\n") if line.strip())
    pages = max(words / WORDS_PER_PAGE, lines / LINES_PER_PAGE)
    return max(0.5, math.ceil(pages * 2) / 2)


def critique(text: str, *, lexicon: SkillLexicon | None = None) -> Critique:
    """Findings, score and summary for a resume's text."""
    lexicon = lexicon or get_lexicon()
    parsed = parse_resume(text, lexicon=lexicon)
    lines = _Lines(text)
    layout = _layout(text, lines)
    words = len(text.split())
    pages = estimate_pages(text)
    located = _entry_lines(parsed.experience, lines, layout.by_kind.get("experience", []))
    bullet_lines = {n for _entry, _header, bullets in located for _b, n in bullets if n}
    findings = [
        *_contact_findings(parsed, lines),
        *_section_findings(parsed, lexicon),
        *_length_findings(words, pages),
        *_experience_findings(located, lines),
        *_skill_findings(parsed, lines, layout, lexicon),
        *_line_findings(lines, layout, bullet_lines),
    ]
    # Whole-resume findings first, then by line, most severe first within a line.
    findings.sort(key=lambda f: (f.line or 0, _SEVERITY_ORDER[f.severity]))
    score = _score(findings)
    return Critique(score, _summary(score, findings), words, pages, findings)
