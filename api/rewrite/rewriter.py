"""The deterministic rewrite: a resume tailored to a job without a new fact in it.

It never adds a fact. It only
- orders the skills section and each job's bullets by relevance to the job (the job's
  most wanted skill first), which brings the evidence of its required skills forward;
- leads the summary with a line composed only from the resume's facts (its latest title,
  the years its dated jobs cover, the job's skills it evidences), adding a summary
  section when there is none (a critique finding);
- drops weak openers ("Responsible for", "Duties included", "Tasked with") and puts a past
  tense action verb in their place ("Responsible for managing" -> "Managed"), replaces
  weak verbs, filler and a leading "I" (the critique's fixable findings);
- makes headings (capitals, trailing colon) and date ranges ("03/2019 - 2021" next to
  "Jan 2016 – Dec 2018") follow one style, the one the resume uses most.
Contact lines, job headers (apart from their dates' format), education and certifications
keep their words, so employers, titles, dates and degrees cannot change.

`tailor` also says what it changed, and when nothing could change, why.

When a model is configured, the composition root gives the rewrite worker the agent's
LLM chain instead of this text generator; its text must pass the same validator.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from api.rewrite.facts import JobTarget, ResumeFacts, listing, resume_facts, skill_ids_in
from api.rewrite.validator import validate_rewrite

# the parser's heading table: the same sections as it sees
from ingest.parsing import RESUME_INDEX as RESUME_HEADINGS
from ingest.parsing import find_date_ranges, split_sections
from ingest.skills import get_lexicon

__all__ = [
    "OWN_WORDS",
    "JobTarget",
    "Tailored",
    "rewrite_resume",
    "summary_line",
    "tailor",
    "tighten",
    "why_unchanged",
]


# Gerund -> past tense, for "Responsible for managing X" -> "Managed X".
_PAST = {
    "analysing": "Analysed", "analyzing": "Analyzed", "answering": "Answered",
    "assisting": "Assisted", "automating": "Automated", "building": "Built",
    "communicating": "Communicated", "conducting": "Conducted", "configuring": "Configured",
    "coordinating": "Coordinated", "creating": "Created", "delivering": "Delivered",
    "deploying": "Deployed", "designing": "Designed", "developing": "Developed",
    "documenting": "Documented", "ensuring": "Ensured", "handling": "Managed",
    "implementing": "Implemented", "improving": "Improved", "installing": "Installed",
    "leading": "Led", "maintaining": "Maintained", "managing": "Managed",
    "monitoring": "Monitored", "negotiating": "Negotiated", "operating": "Operated",
    "organising": "Organised", "organizing": "Organized", "overseeing": "Oversaw",
    "performing": "Performed", "planning": "Planned", "preparing": "Prepared",
    "processing": "Processed", "producing": "Produced", "providing": "Provided",
    "repairing": "Repaired", "reporting": "Reported", "resolving": "Resolved",
    "reviewing": "Reviewed", "running": "Ran", "scheduling": "Scheduled",
    "selling": "Sold", "serving": "Served", "supervising": "Supervised",
    "supporting": "Supported", "teaching": "Taught", "tracking": "Tracked",
    "troubleshooting": "Troubleshot", "updating": "Updated", "writing": "Wrote",
}  # fmt: skip
# Past tenses that do not end in "-ed", for "I built" -> "Built".
_IRREGULAR_PAST = frozenset(
    """built led ran wrote taught oversaw sold drove grew won made took set cut began
    brought found gave kept met rebuilt rewrote spent""".split()  # noqa: SIM905
)
# Openers that describe a duty instead of an achievement; dropped.
_WEAK_OPENER_RE = re.compile(
    r"^(?:i\s+was\s+|was\s+|my\s+)?(?:responsible\s+for|duties\s+(?:included|include)(?:\s*:)?|"
    r"tasked\s+with|in\s+charge\s+of|role\s+involved|job\s+involved|accountable\s+for)\s+",
    re.I,
)
# Weak verbs at the start of a line -> a stronger one that claims no more.
_VERB_SWAPS = (
    (re.compile(r"^(?:was\s+)?(?:involved\s+in|participated\s+in|took\s+part\s+in)\s+", re.I), "Contributed to "),
    (re.compile(r"^helped\s+(?:to\s+|with\s+)?", re.I), "Supported "),
    (re.compile(r"^assisted\s+(?:with|in)\s+", re.I), "Supported "),
    (re.compile(r"^handled\s+", re.I), "Managed "),
    (re.compile(r"^utili[sz]ed\s+", re.I), "Used "),
    (re.compile(r"^made\s+", re.I), "Created "),
)  # fmt: skip
# Filler inside a line.
_FILLER = (
    (re.compile(r"\b(?:successfully|basically|really|very|various)\s+", re.I), ""),
    (re.compile(r"\bin\s+order\s+to\b", re.I), "to"),
    (re.compile(r"\bon\s+a\s+daily\s+basis\b", re.I), "daily"),
    (re.compile(r"\butili[sz](?:e|ed|ing)\b", re.I), lambda m: _use_form(m.group())),
    (re.compile(r"\s{2,}"), " "),
)
# "I" before a past tense verb: resumes leave the subject out (a critique finding).
_FIRST_PERSON_RE = re.compile(rf"^I\s+(?=(?:\w+ed|{'|'.join(sorted(_IRREGULAR_PAST))})\b)", re.I)
_BULLET_RE = re.compile(r"^(\s*(?:[-*•·▪◦‣>]+|\d{1,2}[.)])\s+)")
_NUMBERED_RE = re.compile(r"^(\s*)\d{1,2}([.)]\s+)")
# Sections whose lines are prose a rewrite may tighten.
_PROSE_SECTIONS = frozenset({"summary", "experience", "other"})


def _use_form(word: str) -> str:
    lower = word.lower()
    use = "use" if lower.endswith("e") else ("used" if lower.endswith("ed") else "using")
    return use.capitalize() if word[:1].isupper() else use


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def tighten(line: str) -> str:
    """One prose line with a stronger opener and without filler (facts unchanged)."""
    m = _BULLET_RE.match(line)
    prefix, body = (m.group(1), line[m.end() :]) if m else ("", line)
    indent = body[: len(body) - len(body.lstrip())]
    body = body.strip()
    if not body:
        return line
    if (pronoun := _FIRST_PERSON_RE.match(body)) is not None:
        body = _capitalise(body[pronoun.end() :])  # "I led" -> "Led"
    weak = _WEAK_OPENER_RE.match(body)
    if weak:
        rest = body[weak.end() :]
        first, _, tail = rest.partition(" ")
        past = _PAST.get(first.lower())
        body = f"{past} {tail}".strip() if past else _capitalise(rest)
    for pattern, replacement in _VERB_SWAPS:
        if pattern.match(body):
            body = pattern.sub(replacement, body, count=1)
            break
    for filler, repl in _FILLER:
        body = filler.sub(repl, body)
    return prefix + indent + _capitalise(body.strip())


def _skill_rank(text: str, wanted: dict[str, int], *, skill_list: bool = True) -> int:
    """Position of the job's most wanted skill this item mentions (len(wanted): none)."""
    ids = skill_ids_in(text, skill_list=skill_list)
    return min((wanted[i] for i in ids if i in wanted), default=len(wanted))


def _stable_by_rank(
    items: list[str], wanted: dict[str, int], *, skill_list: bool = True
) -> list[str]:
    ranks = [_skill_rank(item, wanted, skill_list=skill_list) for item in items]
    ranked = sorted(range(len(items)), key=lambda i: (ranks[i], i))
    return [items[i] for i in ranked]


def reorder_skills(block: str, wanted: dict[str, int]) -> str:
    """The skills section with the job's skills first: item lines are reordered (and
    renumbered if numbered); a single comma-separated line has its items reordered."""
    lines = block.split("\n")
    item_idx = [i for i, line in enumerate(lines) if line.strip()]
    if not item_idx:
        return block
    if len(item_idx) == 1:
        i = item_idx[0]
        label, sep, rest = lines[i].rpartition(":")
        head, items_text = (label + sep, rest) if sep and len(label) < 40 else ("", lines[i])
        parts = [p.strip() for p in items_text.split(",")]
        if len(parts) > 1:
            lead = items_text[: len(items_text) - len(items_text.lstrip())]
            lines[i] = head + lead + ", ".join(_stable_by_rank(parts, wanted))
        return "\n".join(lines)
    ordered = _stable_by_rank([lines[i] for i in item_idx], wanted)
    numbered = all(_NUMBERED_RE.match(lines[i]) for i in item_idx)
    for n, (i, line) in enumerate(zip(item_idx, ordered, strict=True), start=1):
        lines[i] = _NUMBERED_RE.sub(rf"\g<1>{n}\g<2>", line, count=1) if numbered else line
    return "\n".join(lines)


def _bullet_runs(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) of each run of two or more bullets in a row; a bullet's indented
    continuation lines belong to it."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if not _BULLET_RE.match(lines[i]) or find_date_ranges(lines[i]):
            i += 1
            continue
        start = i
        while i < len(lines) and _BULLET_RE.match(lines[i]) and not find_date_ranges(lines[i]):
            i += 1
            while i < len(lines) and lines[i][:1].isspace() and lines[i].strip():
                if _BULLET_RE.match(lines[i]):
                    break
                i += 1
        if i - start > 1:
            runs.append((start, i))
    return runs


def reorder_bullets(block: str, wanted: dict[str, int]) -> str:
    """Each job's bullets with those showing the job's most wanted skills first (the jobs
    themselves keep their order)."""
    lines = block.split("\n")
    for start, end in _bullet_runs(lines):
        items: list[list[str]] = []
        for line in lines[start:end]:
            if _BULLET_RE.match(line):
                items.append([line])
            else:
                items[-1].append(line)
        texts = ["\n".join(item) for item in items]
        ordered = _stable_by_rank(texts, wanted, skill_list=False)
        lines[start:end] = "\n".join(ordered).split("\n")
    return "\n".join(lines)


def _prose(block: str, *, bullets_only: bool = False) -> str:
    out = []
    for line in block.split("\n"):
        # A dated line is a job header (title, employer, dates): never touched.
        keep = (
            not line.strip()
            or find_date_ranges(line)
            or (bullets_only and not _BULLET_RE.match(line))
        )
        out.append(line if keep else tighten(line))
    return "\n".join(out)


# --- one style for headings and dates -------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ENGLISH_MONTH_RE = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$",
    re.I,
)
_NOW_WORDS = frozenset({"present", "current", "currently", "now", "today", "ongoing"})
_RANGE_PARTS_RE = re.compile(r"^(?P<start>.+?)\s*(?:-|–|—|to|until|through)\s*(?P<end>.+)$", re.I)
_NUMERIC_MONTH_RE = re.compile(r"^(\d{1,2})\s*[/.]\s*(\d{4})$|^(\d{4})\s*[/.]\s*(\d{1,2})$")


def _one_date(raw: str) -> str | None:
    """'March 2019', '03/2019', '2019.03' -> 'Mar 2019'; '2019' as is; None if unsure."""
    raw = raw.strip()
    if re.fullmatch(r"\d{4}", raw):
        return raw
    if raw.lower() in _NOW_WORDS:
        return "Present"
    numeric = _NUMERIC_MONTH_RE.match(raw)
    if numeric:
        month = int(numeric.group(1) or numeric.group(4))
        year = numeric.group(2) or numeric.group(3)
        return f"{_MONTHS[month - 1]} {year}" if 1 <= month <= 12 else None
    word = re.fullmatch(r"([A-Za-z]+\.?)[\s,-]*(\d{4})", raw)
    if word and _ENGLISH_MONTH_RE.match(word.group(1)):
        return f"{_MONTHS[_month_index(word.group(1))]} {word.group(2)}"
    return None


def _month_index(word: str) -> int:
    return next(i for i, m in enumerate(_MONTHS) if word.lower().startswith(m.lower()))


def normalise_dates(text: str) -> str:
    """Every employment range written one way ("Mar 2019 - Present"); a resume with a
    range this cannot read for sure (another language, a two-digit year) is left as is."""
    ranges = find_date_ranges(text)
    rewritten: list[tuple[tuple[int, int], str]] = []
    for found in ranges:
        raw = text[found.span[0] : found.span[1]]
        parts = _RANGE_PARTS_RE.match(raw)
        start = _one_date(parts.group("start")) if parts else None
        end = _one_date(parts.group("end")) if parts else None
        if start is None or end is None:
            return text  # one style or none: never a mix of old and new
        rewritten.append((found.span, f"{start} - {end}"))
    out, cursor = [], 0
    for (begin, finish), value in rewritten:
        out += [text[cursor:begin], value]
        cursor = finish
    return "".join(out) + text[cursor:]


def _heading_style(line: str) -> tuple[str, bool] | None:
    """(case, trailing colon) of a heading line of its own; None for Markdown or a line
    this should not touch."""
    words = line.strip()
    if not words or words.startswith(("#", "*", "_", "=", "-")):
        return None
    colon = words.endswith(":")
    bare = words.rstrip(":").strip()
    letters = [c for c in bare if c.isalpha()]
    if not letters:
        return None
    if all(c.isupper() for c in letters):
        return "upper", colon
    if all(w[:1].isupper() for w in bare.split() if w[:1].isalpha() and len(w) > 3):
        return "title", colon
    return "other", colon


def _restyle(line: str, case: str, colon: bool) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    bare = line.strip().rstrip(":").strip()
    if case == "upper":
        bare = bare.upper()
    elif case == "title":
        bare = " ".join(
            w if len(w) <= 3 and n else w[:1].upper() + w[1:].lower()
            for n, w in enumerate(bare.split())
        )
    return indent + bare + (":" if colon else "")


# --- what the rewrite may say of its own ----------------------------------------------

# Every word the rewrite can add that the source did not have: the verbs it puts in place
# of weak openers, the summary line's fixed words, and the dates' months and "Present".
# A test holds the output to the source's words plus these.
OWN_WORDS = frozenset(
    {
        *(verb.lower() for verb in _PAST.values()),
        *"contributed to supported managed used use using created daily".split(),  # noqa: SIM905
        *"summary with years of experience skilled in and present".split(),  # noqa: SIM905
        *(month.lower() for month in _MONTHS),
    }
)


# --- the summary line -----------------------------------------------------------------

MAX_SUMMARY_SKILLS = 4


def summary_line(facts: ResumeFacts, job: JobTarget | None = None) -> str | None:
    """One sentence from the resume's facts alone: its latest title, the years its dated
    jobs cover, and the skills it evidences (those the job wants first). None when the
    resume gives too little to say anything."""
    shown = facts.shown_ids()
    wanted = [i for i in (facts.evidenced(job) if job is not None else []) if i in shown]
    others = [i for i in shown if i not in wanted]
    # Only skills the resume spells out itself: a canonical name would be new words.
    written = [i for i in [*wanted, *others] if i in facts.written]
    skills = facts.skill_names(written[:MAX_SUMMARY_SKILLS])
    parts: list[str] = []
    if facts.title:
        years = f" with {facts.years} years of experience" if facts.years >= 1 else ""
        parts.append(f"{facts.title}{years}")
    elif facts.years >= 1:
        parts.append(f"{facts.years} years of experience")
    if skills:
        parts.append(f"skilled in {listing(skills)}")
    if not parts:
        return None
    sentence = ", ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."


# --- the rewrite ----------------------------------------------------------------------


@dataclass
class Tailored:
    """A rewrite and what it did; `unchanged` says why when it could change nothing."""

    text: str
    changes: list[str] = field(default_factory=list)
    unchanged: str = ""


def _sections(text: str) -> Iterable[tuple[str, int, int]]:
    """(kind, start, end) of each section body, in order, covering only bodies."""
    for section in split_sections(text, RESUME_HEADINGS):
        yield section.kind, section.start, section.end


def _with_summary(body: str, line: str, inline: bool) -> str:
    """The summary body led by `line` (unless it already says it); a line an earlier
    rewrite composed for another job is replaced, not stacked."""
    if line.rstrip(".").lower() in body.lower():
        return body
    lead = body[: len(body) - len(body.lstrip())]
    rest = body[len(lead) :]
    first, sep, after = rest.partition(". " if inline else "\n")
    if _same_lead(first, line):
        rest = after if sep else ""
    if inline:  # "Summary: ..." on one line
        return f" {line} {rest}".rstrip(" ") if rest.strip() else f" {line}{rest}"
    return f"{lead}{line}\n{rest}"


def _same_lead(sentence: str, line: str) -> bool:
    """`sentence` was composed like `line`: the same words up to "skilled in"."""
    head = line.split(", skilled in", 1)[0] if ", skilled in" in line else "Skilled in"
    return sentence.startswith(head) and "skilled in" in sentence.lower()


def _headings(text: str) -> str:
    """Every heading line of its own in the style most of them use."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for kind, start, _end in _sections(text):
        if kind != "preamble" and start > 0 and text[start - 1] == "\n":
            region_end = start - 1
            line_start = text.rfind("\n", cursor, region_end) + 1
            if text[line_start:region_end].strip() and "\n" not in text[cursor:line_start].strip():
                spans.append((line_start, region_end))
        cursor = start
    styles = [s for s in (_heading_style(text[a:b]) for a, b in spans) if s is not None]
    if len(styles) < 2:
        return text
    case_votes = Counter(case for case, _ in styles if case != "other")
    colon = Counter(c for _, c in styles).most_common(1)[0][0]
    case = case_votes.most_common(1)[0][0] if case_votes else "title"
    out, cursor = [], 0
    for a, b in spans:
        line = text[a:b]
        restyled = _restyle(line, case, colon) if _heading_style(line) else line
        out += [text[cursor:a], restyled]
        cursor = b
    return "".join(out) + text[cursor:]


def _heading_like(text: str, name: str) -> str:
    """A new heading in the resume's own heading style."""
    styles = []
    for _kind, start, _end in _sections(text):
        line_start = text.rfind("\n", 0, max(0, start - 1)) + 1
        style = _heading_style(text[line_start : max(line_start, start - 1)])
        if style is not None:
            styles.append(style)
    case, colon = Counter(styles).most_common(1)[0][0] if styles else ("title", False)
    return _restyle(name, case, colon)


def tailor(source_text: str, job: JobTarget, *, summary: bool = True) -> Tailored:
    """`source_text` aimed at `job` (deterministic, facts unchanged), with what changed."""
    facts = resume_facts(source_text)
    wanted = {skill_id: rank for rank, skill_id in enumerate(job.skill_ids())}
    line = summary_line(facts, job) if summary else None
    done: Counter[str] = Counter()  # what each step changed, for the candidate's notes
    out: list[str] = []
    cursor = 0
    kinds: set[str] = set()
    first_heading: int | None = None
    for kind, start, end in _sections(source_text):
        kinds.add(kind)
        if kind not in ("preamble", "contact") and first_heading is None:
            first_heading = len("".join(out))  # a section's heading line starts here
        out.append(source_text[cursor:start])  # the heading line(s), verbatim
        body = source_text[start:end]
        if kind == "skills":
            body = _step(done, "reordered", reorder_skills, body, wanted)
        elif kind in _PROSE_SECTIONS:
            if kind == "experience":
                body = _step(done, "reordered", reorder_bullets, body, wanted)
            body = _step(done, "tightened", _prose, body)
            if kind == "summary" and line:
                inline = start > 0 and source_text[start - 1] != "\n"
                body = _step(done, "summary", _with_summary, body, line, inline)
        elif kind == "preamble":
            # Before any heading: the name and contact lines, or a resume without headings;
            # only its bullet points are prose for sure.
            body = _step(done, "tightened", _prose, body, bullets_only=True)
        out.append(body)
        cursor = end
    out.append(source_text[cursor:])
    text = "".join(out)
    if "summary" not in kinds and line and first_heading is not None and facts.has_a_role:
        heading = _heading_like(text, "Summary")
        text = f"{text[:first_heading]}{heading}\n{line}\n\n{text[first_heading:]}"
        done["summary"] += 1
    if done["summary"] and validate_rewrite(source_text, text):
        # The line's words read differently in a summary than where the resume has them
        # ("C/C++ Developer" names the skill C in prose): without it rather than wrong.
        return tailor(source_text, job, summary=False)
    text = _step(done, "dates", normalise_dates, text)
    text = _step(done, "headings", _headings, text)
    changes = _notes(done, facts, job, line)
    unchanged = "" if text != source_text else why_unchanged(facts, job)
    return Tailored(text, changes, unchanged)


def _step(
    done: Counter[str], name: str, change: Callable[..., str], text: str, *args: Any, **kw: Any
) -> str:
    """`change(text, ...)`, counted in `done` when it changed something."""
    changed = change(text, *args, **kw)
    done[name] += changed != text
    return changed


def _notes(done: Counter[str], facts: ResumeFacts, job: JobTarget, line: str | None) -> list[str]:
    """What the rewrite did, in the order a reader meets it."""
    shown = facts.skill_names(facts.evidenced(job)[:MAX_SUMMARY_SKILLS])
    notes = []
    if done["summary"] and line:
        notes.append(f'led the summary with a line made only of your resume\'s facts: "{line}"')
    if done["reordered"]:
        focus = f"what shows {listing(shown)}" if shown else "the job's skills"
        notes.append(f"put {focus} first in your skills and bullets")
    if done["tightened"]:
        notes.append('tightened wording: action verbs first, filler and a leading "I" dropped')
    if done["dates"]:
        notes.append("wrote every date range the same way")
    if done["headings"]:
        notes.append("gave every heading the same style")
    return notes


def why_unchanged(facts: ResumeFacts, job: JobTarget) -> str:
    """Why a rewrite for `job` can change nothing, in words the candidate can act on."""
    if not facts.skill_ids and not facts.bullets:
        return (
            "your resume gives me no skills or bullet points to reorder or tighten; add an "
            "Experience section with bullets and a Skills section, then ask again"
        )
    wanted = job.skill_ids()
    if not set(wanted) & set(facts.skill_ids):
        names = get_lexicon()
        asked = [s.name for s in (names.get(i) for i in wanted[:5]) if s is not None]
        return (
            f"your resume shows none of the skills this job asks for ({listing(asked) or 'none named'}), "
            "so there is nothing to bring forward, and I never add skills you have not shown"
        )
    return (
        "your resume already puts the job's skills first, its bullets start with action "
        "verbs, and its headings and dates follow one style"
    )


def rewrite_resume(source_text: str, job: JobTarget) -> str:
    """A tailored version of `source_text` aimed at `job` (deterministic, facts unchanged)."""
    return tailor(source_text, job).text
