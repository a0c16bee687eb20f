"""A job post's title, required and preferred skills, years, location and terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.parsing.requirements import requirement_phrases
from ingest.parsing.sections import JOB_INDEX, Section, job_sections, list_items
from ingest.skills import SkillLexicon, get_lexicon


@dataclass
class ParsedJob:
    title: str | None
    # The lexicon's canonical names, then the skills it does not know in the post's words
    required_skills: list[str] = field(default_factory=list)
    preferred_skills: list[str] = field(default_factory=list)
    min_years: float | None = None
    location: str | None = None
    remote: bool = False  # remote or hybrid
    work_mode: str | None = None  # remote | hybrid | onsite | None (not stated)
    employment_type: str | None = None  # full-time | part-time | contract | temporary | internship
    required_skill_ids: list[str] = field(default_factory=list)  # the lexicon's only
    preferred_skill_ids: list[str] = field(default_factory=list)
    # Asked for in a requirements list, unknown to the lexicon: compared by their words.
    required_terms: list[str] = field(default_factory=list)
    preferred_terms: list[str] = field(default_factory=list)
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
            mentions = lexicon.extract(line, skill_list=in_list)
            for mention in mentions:
                bucket.setdefault(mention.skill_id, mention.name)
            if in_list and bucket is not mentioned:
                _add_terms(bucket, line, lexicon)
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
    job.required_skills, job.preferred_skills = list(required.values()), list(preferred.values())
    job.required_skill_ids = [k for k in required if not k.startswith(TERM_PREFIX)]
    job.preferred_skill_ids = [k for k in preferred if not k.startswith(TERM_PREFIX)]
    job.required_terms = [v for k, v in required.items() if k.startswith(TERM_PREFIX)]
    job.preferred_terms = [v for k, v in preferred.items() if k.startswith(TERM_PREFIX)]
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


TERM_PREFIX = "term:"


def _add_terms(bucket: dict[str, str], line: str, lexicon: SkillLexicon) -> None:
    """The skills a requirement line names that the lexicon does not know, under their
    words; a phrase naming a skill the lexicon knows, even in part, is the lexicon's."""
    for phrase in requirement_phrases(line):
        known = lexicon.normalise(phrase)
        if known is not None:
            bucket.setdefault(known.id, known.name)
        elif not lexicon.extract(phrase, skill_list=True):
            bucket.setdefault(TERM_PREFIX + " ".join(phrase.lower().split()), phrase)


def _job_title(text: str, sections: Sequence[Section]) -> str | None:
    for section in sections:
        if section.kind == "title":
            items = list_items(section.text)
            if items:
                return items[0]
            if section.heading and section.heading not in JOB_INDEX:
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
            return stripped if len(stripped) <= 80 and stripped.lower() not in JOB_INDEX else None
    return None
