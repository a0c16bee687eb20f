"""What a resume says about its owner, read once, for writing that invents nothing.

The offline rewrite, the summary and the cover-letter drafts compose their sentences only
from these facts: the most recent title and employer as written, the years the dated
jobs cover, the skills the resume evidences (in any section), and its bullets. Aimed at a
job, the facts also say which of the job's skills the resume evidences (in the job's
order of importance) and which bullets show them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from ingest.parsing import ExperienceEntry, parse_resume
from ingest.skills import get_lexicon


@dataclass(frozen=True, slots=True)
class JobTarget:
    """The parts of a job a rewrite or a draft aims at (no ORM object crosses into a
    thread)."""

    title: str
    description: str = ""
    required_skills: list[str] = field(default_factory=list)
    preferred_skills: list[str] = field(default_factory=list)
    company: str = ""

    @classmethod
    def from_job(cls, job: Any) -> JobTarget:
        return cls(
            title=job.title,
            description=job.description or "",
            required_skills=list(job.required_skills or []),
            preferred_skills=list(job.preferred_skills or []),
            company=getattr(job, "company", None) or "",
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

    def required_ids(self) -> list[str]:
        lexicon = get_lexicon()
        found = (lexicon.normalise(name) for name in self.required_skills)
        return list(dict.fromkeys(skill.id for skill in found if skill is not None))


def skill_ids_in(text: str, *, skill_list: bool = False) -> list[str]:
    """The skills a piece of text names, first mention first."""
    mentions = get_lexicon().extract(text, skill_list=skill_list)
    return list(dict.fromkeys(m.skill_id for m in mentions))


def _entry_order(entry: ExperienceEntry) -> tuple[bool, date]:
    return entry.current, entry.end or entry.start or date.min


@dataclass(frozen=True)
class ResumeFacts:
    name: str | None  # the name line at the top, as written
    title: str | None  # the most recent job's title, as written
    employer: str | None  # and its employer
    years: int  # whole years the dated jobs cover (0: unknown or under one)
    skill_ids: tuple[str, ...]  # evidenced anywhere, first mention first
    listed_ids: tuple[str, ...]  # the skills section's, in its order
    bullets: tuple[str, ...]  # every experience bullet, as written
    summary: str

    written: dict[str, str]  # a skill's id -> the resume's own spelling of it

    @property
    def has_a_role(self) -> bool:
        """A title or dated years: enough to say who the candidate is."""
        return bool(self.title) or self.years >= 1

    def shown_ids(self) -> list[str]:
        """The skills the skills section lists or a bullet names (not a company's name
        or a heading), languages left out: what a summary may call a strength."""
        lexicon = get_lexicon()
        found = [*self.listed_ids, *(i for b in self.bullets for i in skill_ids_in(b))]
        kinds = {i: getattr(lexicon.get(i), "kind", "") for i in found}
        return [i for i in dict.fromkeys(found) if kinds[i] != "language"]

    def skill_names(self, ids: list[str] | tuple[str, ...]) -> list[str]:
        """The skills as the resume writes them ("Excel", not "Microsoft Excel")."""
        lexicon = get_lexicon()
        names = [self.written.get(i) or getattr(lexicon.get(i), "name", "") for i in ids]
        return [name for name in names if name]

    def evidenced(self, job: JobTarget) -> list[str]:
        """The job's skills this resume evidences, the job's most wanted first."""
        have = set(self.skill_ids)
        return [i for i in job.skill_ids() if i in have]

    def bullets_showing(self, skill_ids: list[str]) -> list[str]:
        """The bullets that mention any of `skill_ids`, the one naming the most wanted
        skill first (ties keep the resume's order)."""
        rank = {sid: n for n, sid in enumerate(skill_ids)}
        scored = []
        for index, bullet in enumerate(self.bullets):
            ranks = [rank[s] for s in skill_ids_in(bullet) if s in rank]
            if ranks:
                scored.append((min(ranks), -len(ranks), index, bullet))
        return [bullet for *_, bullet in sorted(scored)]


@lru_cache(maxsize=64)
def resume_facts(text: str) -> ResumeFacts:
    parsed = parse_resume(text)
    dated = [e for e in parsed.experience if e.start is not None]
    latest = max(dated, key=_entry_order) if dated else None
    if latest is None and parsed.experience:
        latest = parsed.experience[0]
    name = next((text[s.start : s.end].strip() for s in parsed.contacts if s.kind == "name"), None)
    ids = dict.fromkeys(parsed.skill_ids)
    written: dict[str, str] = {}
    for skill_list in (False, True):
        for mention in get_lexicon().extract(text, skill_list=skill_list):
            ids.setdefault(mention.skill_id, None)
            spelt = text[mention.start : mention.end]
            if "\n" not in spelt:  # "Python\n3" is a list, not a spelling
                written.setdefault(mention.skill_id, " ".join(spelt.split()))
    return ResumeFacts(
        name=name if name and not re.search(r"[@\d]", name) else None,
        title=_clean(latest.title) if latest else None,
        employer=_clean(latest.employer) if latest else None,
        years=math.floor(parsed.years_experience),
        skill_ids=tuple(ids),
        listed_ids=tuple(
            dict.fromkeys(
                s.id for s in map(get_lexicon().normalise, parsed.skills_listed) if s is not None
            )
        ),
        bullets=tuple(b for e in parsed.experience for b in e.bullets),
        written=written,
        summary=parsed.summary,
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip(" \t-–—|,:*_()")
    return value or None


def listing(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
