"""The deterministic rewrite: stronger verbs, tighter phrasing, the job's skills first.

It never adds a fact. It only
- drops weak openers ("Responsible for", "Duties included", "Tasked with") and puts a past
  tense action verb in their place ("Responsible for managing" -> "Managed"),
- replaces weak verbs and removes filler ("successfully", "in order to" -> "to"),
- reorders the skills section so that the skills the job asks for (and the resume lists)
  come first.
Headings, contact lines, dated lines (job headers), education and certifications are
left exactly as written, so employers, titles, dates and degrees cannot change.

When a model is configured, the composition root gives the rewrite worker the agent's
LLM chain instead of this text generator; its text must pass the same validator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# the parser's heading table: the same sections as it sees
from ingest.parsing import RESUME_INDEX as RESUME_HEADINGS
from ingest.parsing import find_date_ranges, split_sections
from ingest.skills import get_lexicon


@dataclass(frozen=True, slots=True)
class JobTarget:
    """The parts of a job a rewrite aims at (no ORM object crosses into a thread)."""

    title: str
    description: str = ""
    required_skills: list[str] = field(default_factory=list)
    preferred_skills: list[str] = field(default_factory=list)

    @classmethod
    def from_job(cls, job: Any) -> JobTarget:
        return cls(
            title=job.title,
            description=job.description or "",
            required_skills=list(job.required_skills or []),
            preferred_skills=list(job.preferred_skills or []),
        )

    def skill_ids(self) -> list[str]:
        """The job's skills, most wanted first: required, preferred, then the text's."""
        lexicon = get_lexicon()
        ids: dict[str, None] = {}
        for name in [*self.required_skills, *self.preferred_skills]:
            skill = lexicon.normalise(name)
            if skill is not None:
                ids.setdefault(skill.id, None)
        for mention in lexicon.extract(f"{self.title}\n{self.description}"):
            ids.setdefault(mention.skill_id, None)
        return list(ids)


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


def _skill_rank(text: str, wanted: dict[str, int]) -> int:
    """Position of the job's most wanted skill this item mentions (len(wanted): none)."""
    ids = [m.skill_id for m in get_lexicon().extract(text, skill_list=True)]
    return min((wanted[i] for i in ids if i in wanted), default=len(wanted))


def _stable_by_rank(items: list[str], wanted: dict[str, int]) -> list[str]:
    ranked = sorted(enumerate(items), key=lambda pair: (_skill_rank(pair[1], wanted), pair[0]))
    return [item for _, item in ranked]


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


def _sections(text: str) -> Iterable[tuple[str, int, int]]:
    """(kind, start, end) of each section body, in order, covering only bodies."""
    for section in split_sections(text, RESUME_HEADINGS):
        yield section.kind, section.start, section.end


def rewrite_resume(source_text: str, job: JobTarget) -> str:
    """A tighter version of `source_text` aimed at `job` (deterministic, facts unchanged)."""
    wanted = {skill_id: rank for rank, skill_id in enumerate(job.skill_ids())}
    out: list[str] = []
    cursor = 0
    for kind, start, end in _sections(source_text):
        out.append(source_text[cursor:start])  # the heading line(s), verbatim
        body = source_text[start:end]
        if kind == "skills":
            body = reorder_skills(body, wanted)
        elif kind in _PROSE_SECTIONS:
            body = _prose(body)
        elif kind == "preamble":
            # Before any heading: the name and contact lines, or a resume without headings;
            # only its bullet points are prose for sure.
            body = _prose(body, bullets_only=True)
        out.append(body)
        cursor = end
    out.append(source_text[cursor:])
    return "".join(out)
