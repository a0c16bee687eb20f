"""Drafts a candidate can copy: a stronger summary and a cover letter, at no model cost.

Both are composed only of the resume's facts (`api.rewrite.facts`) and, for a job, the
job's title, company and the skills it asks for; every fixed word they add is in
`OWN_WORDS`, so a test can hold them to "nothing invented". Nothing is stored: a draft is
shown, and the candidate decides what to do with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.resumes.diff import unified_diff
from api.rewrite.facts import JobTarget, ResumeFacts, listing, resume_facts
from api.rewrite.rewriter import OWN_WORDS as REWRITE_WORDS
from api.rewrite.rewriter import summary_line, tighten

# How many bullets a cover letter quotes as evidence.
LETTER_BULLETS = 3

# The words of the letter's fixed sentences (with the rewrite's own, which tighten adds).
OWN_WORDS = REWRITE_WORDS | frozenset(
    """dear hiring team i would like to apply for the role am a an with years of experience
    most recently at what bring this asks which my shows kind regards""".split()  # noqa: SIM905
)


@dataclass
class Draft:
    kind: str  # summary | cover_letter
    text: str
    before: str = ""  # the summary it would replace
    diff: str = ""
    facts_used: list[str] = field(default_factory=list)
    not_claimed: list[str] = field(default_factory=list)  # the job's skills the resume lacks
    note: str = ""


def _facts_used(facts: ResumeFacts, shown: list[str]) -> list[str]:
    used = []
    if facts.title:
        used.append(f"latest title: {facts.title}")
    if facts.employer:
        used.append(f"latest employer: {facts.employer}")
    if facts.years >= 1:
        used.append(f"years covered by your dated jobs: {facts.years}")
    if shown:
        used.append(f"skills your resume shows: {listing(shown)}")
    return used


def _lacking(facts: ResumeFacts, job: JobTarget | None) -> list[str]:
    if job is None:
        return []
    have = set(facts.skill_ids)
    return facts.skill_names([i for i in job.required_ids() if i not in have])


def stronger_summary(resume_text: str, job: JobTarget | None = None) -> Draft:
    """The resume's summary led by a line of its own facts, its sentences tightened."""
    facts = resume_facts(resume_text)
    line = summary_line(facts, job)
    before = facts.summary.strip()
    kept = [tighten(sentence) for sentence in _sentences(before)]
    if line and line.rstrip(".").lower() not in before.lower():
        kept.insert(0, line)
    text = " ".join(kept)
    shown = facts.skill_names(facts.evidenced(job) if job else list(facts.listed_ids)[:4])
    note = ""
    if text == before:
        note = (
            "your summary already leads with your title, years and skills; "
            "I only use facts your resume states, so there is nothing more to add"
            if before
            else "your resume names no title, dated job or skill to build a summary from"
        )
    return Draft(
        "summary",
        text,
        before=before,
        diff=unified_diff(_lines(before), _lines(text), "summary", "stronger summary"),
        facts_used=_facts_used(facts, shown),
        not_claimed=_lacking(facts, job),
        note=note,
    )


def cover_letter(resume_text: str, job: JobTarget) -> Draft:
    """A short letter for `job`: who the candidate is, the bullets that show the job's
    skills, and the skills both name; the skills the job wants and the resume does not
    show are listed apart, never claimed."""
    facts = resume_facts(resume_text)
    wanted = facts.evidenced(job)
    bullets = facts.bullets_showing(wanted)[:LETTER_BULLETS] or list(facts.bullets[:2])
    team = f"{job.company} hiring team" if job.company else "hiring team"
    who = _who(facts)
    paragraphs = [
        f"Dear {team},",
        f"I would like to apply for the {job.title} role." + (f" {who}" if who else ""),
    ]
    if bullets:
        paragraphs.append(
            "What I would bring:\n" + "\n".join(f"- {tighten(b).strip()}" for b in bullets)
        )
    if wanted:
        names = listing(facts.skill_names(wanted[:5]))
        paragraphs.append(f"The role asks for {names}, which my experience shows.")
    paragraphs.append("Kind regards," + (f"\n{facts.name}" if facts.name else ""))
    return Draft(
        "cover_letter",
        "\n\n".join(paragraphs) + "\n",
        facts_used=_facts_used(facts, facts.skill_names(wanted)),
        not_claimed=_lacking(facts, job),
    )


def _who(facts: ResumeFacts) -> str:
    if not facts.title:
        return f"I have {facts.years} years of experience." if facts.years >= 1 else ""
    article = "an" if facts.title[:1].lower() in "aeiou" else "a"
    years = f" with {facts.years} years of experience" if facts.years >= 1 else ""
    recent = f", most recently at {facts.employer}" if facts.employer else ""
    return f"I am {article} {facts.title}{years}{recent}."


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in text.replace("\n", " ").split(". ")]
    return [p if p.endswith((".", "!", "?")) else p + "." for p in parts if p]


def _lines(text: str) -> str:
    return text + "\n" if text else ""
