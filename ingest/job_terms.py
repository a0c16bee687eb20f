"""How people and job ads say what kind of job it is: employment type and seniority.
Shared by the matcher (a job's kind, from what its employer stated and its title) and the
offline assistant (the kind a request asks for), so both read the words alike."""

from __future__ import annotations

import re

EMPLOYMENT = (
    ("part_time", re.compile(r"\bpart[- ]?time\b", re.I)),
    ("full_time", re.compile(r"\b(full[- ]?time|permanent)\b", re.I)),
    ("internship", re.compile(r"\b(internships?|interns?|placements?|traineeships?)\b", re.I)),
    ("contract", re.compile(r"\b(contract(or)?|freelance\w*)\b", re.I)),
    ("temporary", re.compile(r"\b(temp|temporary|seasonal)\b", re.I)),
)
EMPLOYMENT_TYPES = tuple(name for name, _ in EMPLOYMENT)

SENIORITY = (
    ("junior", re.compile(r"\b(junior|jr\.?|entry[- ]level|graduate|trainee)\b", re.I)),
    ("senior", re.compile(r"\b(senior|sr\.?|experienced)\b", re.I)),
    ("lead", re.compile(r"\b(lead|principal|head of|staff engineer)\b", re.I)),
)
SENIORITY_LEVELS = tuple(name for name, _ in SENIORITY)


def employment_types(stated: str | None, title: str) -> frozenset[str]:
    """A job's employment types: what its employer stated ("full_time", "Part-time",
    "permanent"), else what its title says; none when neither says (a description's
    words are not read: "contract negotiations" is a skill, not a contract)."""
    for text in (stated, title):
        if text:
            text = text.replace("_", " ")  # "part_time", as APIs and feeds write it
            found = frozenset(name for name, pattern in EMPLOYMENT if pattern.search(text))
            if found:
                return found
    return frozenset()


def seniority(title: str) -> str | None:
    """The level a job's title states ("Senior Data Engineer": senior), if it states one."""
    return next((level for level, pattern in SENIORITY if pattern.search(title)), None)
