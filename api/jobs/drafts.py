"""A job-post draft from a title, at no model cost: what the project knows, nothing more.

The title is linked to its ESCO occupation and O*NET occupation (`ingest.occupations`);
the draft names them, the other titles the occupation goes by, and the skills that jobs
of the same occupation on ClearView ask for, each with how many ask for it. What only the
employer knows (duties, place, pay) is left as a bracketed blank to fill in. A draft is
text: creating or publishing a job stays a separate request, with its confirmation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.occupations import closeness, get_occupations, title_key
from ingest.skills import get_lexicon

# Jobs whose occupation is this close to the title's count as "of the same occupation".
SIMILAR = 0.8
MAX_SKILLS = 8
MAX_OTHER_TITLES = 4
ESCO_SOURCE = "ESCO v1.1.1 occupations (European Commission)"
ONET_SOURCE = "O*NET 29.2 occupations (USDOL/ETA, CC BY 4.0)"


@dataclass(frozen=True, slots=True)
class PlatformJob:
    """A published job's title and skills (no ORM object crosses into a thread)."""

    title: str
    required_skills: Sequence[str]
    preferred_skills: Sequence[str] = ()


@dataclass
class JobPostDraft:
    title: str
    text: str
    occupation: str | None = None  # ESCO preferred label
    esco_code: str | None = None
    onet_code: str | None = None
    onet_title: str | None = None
    other_titles: list[str] = field(default_factory=list)
    required_skills: list[str] = field(default_factory=list)
    similar_jobs: int = 0  # jobs on ClearView of the same occupation
    sources: list[str] = field(default_factory=list)


def _skills_asked(title: str, jobs: Sequence[PlatformJob]) -> tuple[list[tuple[str, int]], int]:
    """The skills jobs of the title's occupation ask for, most asked first, with counts;
    and how many such jobs there are."""
    occupations = get_occupations()
    link = occupations.link(title)
    lexicon = get_lexicon()
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    similar = 0
    for job in jobs:
        other = occupations.link(job.title)
        same = (
            closeness(link.occupation, other.occupation) >= SIMILAR
            if link is not None and other is not None
            else title_key(job.title) == title_key(title)
        )
        if not same:
            continue
        similar += 1
        seen: set[str] = set()
        for name in job.required_skills:
            skill = lexicon.normalise(name)
            if skill is not None and skill.id not in seen:
                seen.add(skill.id)
                counts[skill.id] += 1
                names.setdefault(skill.id, skill.name)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], names[pair[0]]))
    return [(names[sid], n) for sid, n in ranked[:MAX_SKILLS]], similar


def draft_job_post(title: str, jobs: Sequence[PlatformJob]) -> JobPostDraft:
    title = " ".join(title.split()).strip(" .,:;-")
    title = title[:1].upper() + title[1:]
    occupations = get_occupations()
    link = occupations.link(title)
    onet_code = occupations.onet_code(title)
    onet_title = dict(occupations.onet).get(onet_code or "")
    asked, similar = _skills_asked(title, jobs)
    draft = JobPostDraft(title=title, text="", similar_jobs=similar)
    facts = []
    if link is not None:
        draft.occupation, draft.esco_code = link.occupation.name, link.occupation.code
        asked_words = set(title_key(f"{title} {link.occupation.name}").split())
        others = [t for t in occupations.titles_of(link.occupation) if t != title_key(title)]
        # Titles sharing a word with the request read as its synonyms; the rest may be
        # a trade's jargon ("icer" for a warehouse worker).
        others.sort(key=lambda t: not set(t.split()) & asked_words)
        draft.other_titles = others[:MAX_OTHER_TITLES]
        draft.sources.append(ESCO_SOURCE)
        facts.append(f"Occupation (ESCO {link.occupation.code}): {link.occupation.name}")
    if onet_code and onet_title:
        draft.onet_code, draft.onet_title = onet_code, onet_title
        draft.sources.append(ONET_SOURCE)
        facts.append(f"O*NET {onet_code}: {onet_title}")
    if draft.other_titles:
        facts.append(f"Also advertised as: {', '.join(draft.other_titles)}")
    if similar:
        draft.sources.append(f"{similar} job(s) on ClearView")
    draft.required_skills = [name for name, _ in asked]
    requirements = [
        f"- {name} (asked for by {n} of {similar} similar jobs on ClearView)" for name, n in asked
    ]
    if not requirements:
        requirements = ["- [the skills and experience the role needs]"]
    parts = [
        title,
        *(["\n".join(facts)] if facts else []),
        "About the role\n[Two or three sentences: the team, what the work is for, where it happens.]",
        "Responsibilities\n- [main duty]\n- [second duty]\n- [third duty]",
        "Requirements\n" + "\n".join(requirements) + "\n- [years of experience, if any]",
        "Location: [city, or remote]\nSalary: [range and currency]",
    ]
    draft.text = "\n\n".join(parts) + "\n"
    return draft
