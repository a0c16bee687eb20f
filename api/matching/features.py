"""What the scorer sees of a job and of a resume.

A resume is scored only through `clean_resume_text`: names, contact details, pronouns,
birth dates, ages and other protected attributes are removed *before* anything is parsed,
embedded or counted, so two resumes that differ only in those details have identical
features and therefore bit-identical scores.

Features are small, plain and JSON-serialisable: a job's features travel in the vector
index's metadata (no SQL row per pooled job at query time), a resume's likewise for
employer search.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from api.matching import lexical
from core.models import Job
from ingest.instructions import is_injection
from ingest.occupations import OccupationLexicon, get_occupations
from ingest.parsing import (
    find_contacts,
    job_sections,
    mask_personal_data,
    parse_job,
    parse_resume,
)
from ingest.skills import SkillLexicon, get_lexicon

# Bumped whenever featurisation or the filter metadata beside it changes meaning; stored
# with indexed features (4: employment types and seniority for the match filters; 5: an
# O*NET code beside a role only when O*NET knows as much of its title as ESCO, and no
# role from one generic word; 6: the occupation table's curated everyday words, "nurse",
# "developer", name a role again).
FEATURES_VERSION = 6
# Longest text accepted by the API (real resumes are long; the body limit is far above).
MAX_TEXT_CHARS = 100_000
# The embedding model reads 256 word pieces; passing it more text only costs tokenising.
EMBED_CHARS = 6_000
# Rarity of a job skill the lexicon does not know: the lexicon's median IDF, since we know
# nothing about it. And a floor, so that very common skills still count a little.
UNKNOWN_SKILL_WEIGHT = 0.8
MIN_SKILL_WEIGHT = 0.2
# How much a skill the resume only *lists* counts against one it shows in a sentence about
# the work: a list costs nothing to write (or to paste from the job ad), a described use
# is evidence. (Chosen on the development half of the real-data benchmark; ADR 0003.)
LISTED_SKILL_CREDIT = 0.5
# Roles read from a resume for its occupation: the headline and the most recent entries.
RECENT_ROLES = 3
# A headline is a short first line ("Staff Nurse", "SENIOR ACCOUNTANT").
HEADLINE_MAX_WORDS = 6


# --- resume text cleaning (fairness) ---------------------------------------------------------

# A line that states a protected attribute ("Date of birth: ...", "Gender: female").
_PERSONAL_LABEL_RE = re.compile(
    r"^[\W_]*(?:date\s+of\s+birth|birth\s*date|birthday|d\.?o\.?b\.?|born|age|gender|sex|"
    r"marital\s+status|family\s+status|nationality|citizenship|religion|ethnicity|race|"
    r"pronouns?|photo(?:graph)?|place\s+of\s+birth|children|height|weight)\b\s*(?::|-|–|\s\d)",
    re.I,
)
# ... or mentions one in passing ("I was born in 1990", "34 years old").
_PERSONAL_PHRASE_RE = re.compile(
    r"\b(?:date\s+of\s+birth|born\s+(?:on|in)\s|\d{1,2}\s*(?:years?|yrs?)\s+old|years\s+of\s+age|"
    r"\d{1,2}\s*y/?o\b)",
    re.I,
)
_PLACEHOLDER_RE = re.compile(r"\[[A-Z]+_\d+\]")
# International numbers the contact finder leaves (too few digits for it, "+1 555 0100").
_LOOSE_PHONE_RE = re.compile(r"\+\d[\d\s().-]{5,}\d")
# A short line holding a masked contact detail is a contact line: nothing in it says
# anything about the work, and what is left of it ("Tel.", separators) varies per person.
_CONTACT_LINE_MAX = 120
_PRONOUNS = {
    "he": "they",
    "she": "they",
    "him": "them",
    "his": "their",
    "her": "their",
    "hers": "theirs",
    "himself": "themself",
    "herself": "themself",
    "mr": "mx",
    "mrs": "mx",
    "ms": "mx",
    "miss": "mx",
}
_PRONOUN_RE = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.I)


def _neutral(match: re.Match[str]) -> str:
    word = match.group(1)
    neutral = _PRONOUNS[word.lower()]
    if word.isupper() and len(word) > 1:
        return neutral.upper()
    return neutral.capitalize() if word[0].isupper() else neutral


def clean_resume_text(text: str) -> str:
    """The resume as the scorer may see it: contact details and the name masked (every
    part of the name, wherever it recurs), contact lines, protected-attribute lines and
    instructions aimed at the ranker dropped, pronouns and titles made neutral."""
    # First, so an injected line above the name cannot pass for it and unmask the name.
    text = "\n".join(line for line in text.splitlines() if not is_injection(line.strip()))
    # A first line that is, as a whole, a known job title ("STAFF ACCOUNTANT") is the
    # resume's headline, not a name: masking it would blank that title in every line.
    contacts = [
        span
        for span in find_contacts(text)
        if span.kind != "name" or not get_occupations().is_title(text[span.start : span.end])
    ]
    masked, mapping = mask_personal_data(text, contacts)
    for placeholder, value in mapping.items():
        if placeholder.startswith("[NAME_"):
            for part in re.findall(r"[^\W\d_][\w'’-]+", value):
                masked = re.sub(rf"\b{re.escape(part)}\b", placeholder, masked)
    lines = []
    for line in masked.splitlines():
        stripped = line.strip()
        if _PLACEHOLDER_RE.search(stripped) and len(stripped) <= _CONTACT_LINE_MAX:
            continue
        if _PERSONAL_LABEL_RE.search(stripped) or _PERSONAL_PHRASE_RE.search(stripped):
            continue
        lines.append(line.rstrip())
    cleaned = "\n".join(lines)
    cleaned = _LOOSE_PHONE_RE.sub(" ", cleaned)
    cleaned = _PRONOUN_RE.sub(_neutral, cleaned)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


# --- features ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkillRef:
    """A skill a job asks for: a canonical lexicon id, or `term:<stems>` for a name the
    lexicon does not know (matched when every one of its terms occurs in the resume)."""

    key: str
    name: str
    weight: float


@dataclass(frozen=True, slots=True)
class JobFeatures:
    required: tuple[SkillRef, ...]
    preferred: tuple[SkillRef, ...]
    min_years: float | None
    location: str
    remote: bool
    query: Mapping[str, float]  # lexical query: term -> weight
    role: Role | None = None  # the occupation the job's title names

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": FEATURES_VERSION,
                "r": [[s.key, s.name, s.weight] for s in self.required],
                "p": [[s.key, s.name, s.weight] for s in self.preferred],
                "y": self.min_years,
                "l": self.location,
                "m": self.remote,
                "q": self.query,
                "o": None
                if self.role is None
                else [self.role.code, self.role.title, self.role.soc],
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> JobFeatures:
        data = json.loads(raw)
        return cls(
            required=tuple(SkillRef(k, n, float(w)) for k, n, w in data["r"]),
            preferred=tuple(SkillRef(k, n, float(w)) for k, n, w in data["p"]),
            min_years=data["y"],
            location=data["l"],
            remote=bool(data["m"]),
            query=data["q"],
            role=Role(*data["o"]) if data.get("o") else None,
        )


@dataclass(frozen=True, slots=True)
class Role:
    """An occupation a resume's recent roles (or a job's title) link to, with the title as
    written, for the reason shown to people."""

    code: str  # ESCO occupation code (`ingest.occupations`)
    title: str
    soc: str | None = None  # O*NET-SOC code of the same title, when O*NET knows it


@dataclass(frozen=True, slots=True)
class ResumeFeatures:
    skill_ids: frozenset[str]
    years: float
    counts: Mapping[str, int]  # lexical term counts
    length: int  # terms in the whole text
    skill_names: Mapping[str, str] = field(default_factory=dict)  # id -> canonical name
    # Skills seen only in lists (a Skills section, a line of comma-separated names): they
    # count LISTED_SKILL_CREDIT of a skill shown in a sentence about the work.
    listed_only: frozenset[str] = frozenset()
    listed_terms: frozenset[str] = frozenset()  # lexical terms seen only in such lists
    roles: tuple[Role, ...] = ()  # most recent first

    def credit(self, skill_id: str) -> float:
        if skill_id not in self.skill_ids:
            return 0.0
        return LISTED_SKILL_CREDIT if skill_id in self.listed_only else 1.0

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": FEATURES_VERSION,
                "s": sorted(self.skill_ids),
                "y": self.years,
                "c": self.counts,
                "n": self.length,
                "l": sorted(self.listed_only),
                "t": sorted(self.listed_terms),
                "o": [[r.code, r.title, r.soc] for r in self.roles],
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> ResumeFeatures:
        data = json.loads(raw)
        return cls(
            skill_ids=frozenset(data["s"]),
            years=float(data["y"]),
            counts=data["c"],
            length=int(data["n"]),
            listed_only=frozenset(data.get("l", ())),
            listed_terms=frozenset(data.get("t", ())),
            roles=tuple(Role(*role) for role in data.get("o", ())),
        )


@dataclass(frozen=True, slots=True)
class PreparedResume:
    """A resume ready to score: the cleaned text (what gets embedded) and its features."""

    text: str
    features: ResumeFeatures

    @property
    def embed_text(self) -> str:
        return self.text[:EMBED_CHARS]


# A line that lists names rather than describing work: three or more items split by
# commas, semicolons, bars or bullets, a few words each.
_LIST_SPLIT_RE = re.compile(r"\s*[,;|•·]\s*|\s+[-–]\s+")
_LIST_ITEM_WORDS = 4
# Resume sections whose lines are lists by nature, whatever their punctuation.
_LIST_SECTIONS = frozenset({"skills", "certifications", "languages", "contact"})


def _list_items(line: str) -> list[str] | None:
    """The items of a line of three or more names, or None for anything else."""
    items = [item for item in _LIST_SPLIT_RE.split(line.strip(" \t-*•·")) if item.strip()]
    if len(items) < 3:
        return None
    short = sum(len(item.split()) for item in items) / len(items) <= _LIST_ITEM_WORDS
    return items if short else None


def is_list_line(line: str) -> bool:
    """A line of names ("Python, Docker, AWS, Kubernetes") or a bare name ("Docker"),
    rather than a sentence about the work."""
    return _list_items(line) is not None or len(line.split()) <= _LIST_ITEM_WORDS


def listed_terms(text: str) -> frozenset[str]:
    """Lexical terms the resume has only in lines of three or more names. Such a line is
    free to write or to paste from the job ad: its terms count LISTED_SKILL_CREDIT of
    terms used in sentences (`lexical.bm25`)."""
    listed: set[str] = set()
    described: set[str] = set()
    for line in text.splitlines():
        (listed if _list_items(line) is not None else described).update(lexical.terms(line))
    return frozenset(listed - described)


def described_skills(sections: Mapping[str, str], lexicon: SkillLexicon) -> set[str]:
    """Skills the resume names in a sentence about the work (not only in a list)."""
    found: set[str] = set()
    for kind, body in sections.items():
        if kind in _LIST_SECTIONS:
            continue
        for line in body.splitlines():
            if line.strip() and not is_list_line(line):
                found.update(m.skill_id for m in lexicon.extract(line))
    return found


def recent_roles(
    text: str, titles: Sequence[str | None], occupations: OccupationLexicon
) -> tuple[Role, ...]:
    """The occupations of the headline (a short first line) and of the most recent roles
    (the parser keeps the order written; resumes list the latest first)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    candidates = [first] if 0 < len(first.split()) <= HEADLINE_MAX_WORDS else []
    candidates += [t for t in titles if t][:RECENT_ROLES]
    roles: list[Role] = []
    for title in candidates:
        role = job_role(title, occupations)
        if role is not None and all(r.code != role.code for r in roles):
            roles.append(role)
    return tuple(roles)


def prepare_resume(
    text: str,
    *,
    today: date | None = None,
    lexicon: SkillLexicon | None = None,
    occupations: OccupationLexicon | None = None,
) -> PreparedResume:
    """Clean a resume and compute its features (CPU only; call it in a thread)."""
    lexicon = lexicon or get_lexicon()
    cleaned = clean_resume_text(text)
    parsed = parse_resume(cleaned, today=today, lexicon=lexicon)
    counts, length = lexical.doc_counts(cleaned)
    described = described_skills(parsed.sections, lexicon)
    return PreparedResume(
        text=cleaned,
        features=ResumeFeatures(
            skill_ids=frozenset(parsed.skill_ids),
            years=round(parsed.years_experience, 2),
            counts=counts,
            length=length,
            skill_names=dict(zip(parsed.skill_ids, parsed.skills, strict=True)),
            listed_only=frozenset(s for s in parsed.skill_ids if s not in described),
            listed_terms=listed_terms(cleaned),
            roles=recent_roles(
                cleaned, [e.title for e in parsed.experience], occupations or get_occupations()
            ),
        ),
    )


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """The fields of a job the matcher uses, detached from the ORM (safe in a thread)."""

    job_id: str
    org_id: str
    external_id: str
    title: str
    description: str
    company: str | None = None
    location: str | None = None
    remote: bool = False
    required_skills: Sequence[str] = ()
    preferred_skills: Sequence[str] = ()
    min_years: float | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    published: bool = True
    employment_type: str | None = None  # as the employer stated it

    @classmethod
    def from_row(cls, job: Job) -> JobSnapshot:
        return cls(
            job_id=job.id,
            org_id=job.org_id,
            external_id=job.external_id,
            title=job.title,
            description=job.description,
            company=job.company,
            location=job.location,
            remote=bool(job.remote),
            required_skills=tuple(job.required_skills or ()),
            preferred_skills=tuple(job.preferred_skills or ()),
            min_years=job.min_years,
            salary_min=job.salary_min,
            salary_max=job.salary_max,
            published=bool(job.published),
            employment_type=job.employment_type,
        )

    @property
    def text(self) -> str:
        """What is embedded and counted: the title, then the description."""
        return job_text(self.title, self.description)


def job_text(title: str | None, description: str) -> str:
    return f"{title}\n\n{description}" if title else description


def skill_ref(name: str, lexicon: SkillLexicon) -> SkillRef | None:
    """A skill named by a person: the lexicon's when it knows the name, else its terms;
    None for a name with no term to match (only stop words or symbols)."""
    skill = lexicon.normalise(name)
    if skill is not None:
        return SkillRef(skill.id, skill.name, max(skill.idf, MIN_SKILL_WEIGHT))
    stems = lexical.terms(name)
    if not stems:
        return None
    return SkillRef("term:" + " ".join(stems), name.strip(), UNKNOWN_SKILL_WEIGHT)


def _refs_from_ids(ids: Sequence[str], lexicon: SkillLexicon) -> list[SkillRef]:
    refs = []
    for skill_id in ids:
        skill = lexicon.get(skill_id)
        if skill is not None:
            refs.append(SkillRef(skill.id, skill.name, max(skill.idf, MIN_SKILL_WEIGHT)))
    return refs


def _named_refs(names: Sequence[str], lexicon: SkillLexicon) -> list[SkillRef]:
    return [ref for ref in (skill_ref(name, lexicon) for name in names) if ref is not None]


def _unique(refs: Sequence[SkillRef], taken: set[str]) -> tuple[SkillRef, ...]:
    out = []
    for ref in refs:
        if ref.key not in taken:
            taken.add(ref.key)
            out.append(ref)
    return tuple(out)


def job_features(
    text: str,
    *,
    title: str | None = None,
    required_skills: Sequence[str] = (),
    preferred_skills: Sequence[str] = (),
    min_years: float | None = None,
    location: str | None = None,
    remote: bool = False,
    lexicon: SkillLexicon | None = None,
) -> JobFeatures:
    """Features of a job. Explicit skill lists win; a job that lists none gets the skills
    its text names, split into required and preferred by `parse_job`. Explicit minimum
    years, location and remote flag likewise win over what the text says."""
    lexicon = lexicon or get_lexicon()
    explicit = bool(required_skills or preferred_skills)
    sections = job_sections(text)  # cut once, read by the parser and the lexical query
    parsed = None
    if not explicit or min_years is None or location is None:
        parsed = parse_job(text, title=title, lexicon=lexicon, sections=sections)
    taken: set[str] = set()
    if explicit:
        required = _unique(_named_refs(required_skills, lexicon), taken)
        preferred = _unique(_named_refs(preferred_skills, lexicon), taken)
    else:
        assert parsed is not None
        # The lexicon's skills, then those the post names in its own words (by their words)
        required = _unique(
            _refs_from_ids(parsed.required_skill_ids, lexicon)
            + _named_refs(parsed.required_terms, lexicon),
            taken,
        )
        preferred = _unique(
            _refs_from_ids(parsed.preferred_skill_ids, lexicon)
            + _named_refs(parsed.preferred_terms, lexicon),
            taken,
        )
    return JobFeatures(
        required=required,
        preferred=preferred,
        min_years=min_years if min_years is not None else (parsed.min_years if parsed else None),
        location=(location if location is not None else (parsed.location if parsed else None))
        or "",
        remote=bool(remote or (parsed is not None and parsed.remote)),
        query=lexical.query_weights(text, sections=sections),
        role=job_role(title or text.split("\n", 1)[0]),
    )


def job_role(title: str, occupations: OccupationLexicon | None = None) -> Role | None:
    """The occupation a job or resume title names, for matching and its reasons."""
    occupations = occupations or get_occupations()
    link = occupations.specific_link(title)
    if link is None:
        return None
    return Role(link.occupation.code, title.strip()[:80], occupations.soc_beside(link))


def snapshot_features(job: JobSnapshot, lexicon: SkillLexicon | None = None) -> JobFeatures:
    return job_features(
        job.text,
        title=job.title,
        required_skills=job.required_skills,
        preferred_skills=job.preferred_skills,
        min_years=job.min_years,
        location=job.location,
        remote=job.remote,
        lexicon=lexicon,
    )


def location_tokens(location: str | None) -> list[str]:
    """Lowercase words of a location ("Berlin, Germany" -> berlin, germany): how location
    filters are matched, inside the vector query."""
    return sorted({w for w in re.findall(r"[^\W\d_]{2,}", (location or "").lower())})
