"""Writing at no model cost invents nothing and does something: the tailored rewrite, the
stronger summary, the cover letter and the job-post draft, on the reading corpus (every
layout) and the matching fixtures.

"Invents nothing" is checked word by word: every word and number of the output is in the
resume or the job, or is one of the writer's own fixed words (`OWN_WORDS`: the verbs it
puts for weak openers, its template words), or is the whole years the resume's dated
jobs cover. The validator (no new employer, title, date, degree, certification, skill)
must also pass.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from api.jobs.drafts import PlatformJob, draft_job_post
from api.rewrite.drafts import OWN_WORDS as DRAFT_WORDS
from api.rewrite.drafts import cover_letter, stronger_summary
from api.rewrite.facts import JobTarget, resume_facts
from api.rewrite.rewriter import OWN_WORDS, tailor
from api.rewrite.validator import validate_rewrite
from ingest.loaders import load_document
from tests.fixtures.matching import ANALYST, JOBS, NURSE_RESUME, RESUME

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "reading"
RESUME_LABELS = json.loads((CORPUS / "resumes.json").read_text(encoding="utf-8"))["resumes"]
JOB_LABELS = json.loads((CORPUS / "jobs.json").read_text(encoding="utf-8"))["jobs"]
TARGETS = [
    *(JobTarget(j["title"], "", list(j["required"])) for j in JOB_LABELS.values()),
    *(
        JobTarget(
            j["title"],
            j["description"],
            list(j.get("required_skills") or []),
            list(j.get("preferred_skills") or []),
            j["company"],
        )
        for j in JOBS
    ),
]


def tokens(text: str) -> set[str]:
    """Words and numbers, lowercase ("03/2019" is "03" and "2019")."""
    return set(re.findall(r"[^\W\d_]+|\d+", text.lower()))


def invented(output: str, *sources: str, own: frozenset[str]) -> set[str]:
    """The output's words found in none of the sources and not among the writer's own."""
    allowed = set().union(*map(tokens, sources)) | own
    return tokens(output) - allowed


@cache
def corpus_text(name: str) -> str:
    return load_document((CORPUS / "resumes" / name).read_bytes(), name).text


def closest_target(text: str) -> JobTarget:
    """The job sharing most skills with the resume: a realistic pair to tailor for."""
    have = set(resume_facts(text).skill_ids)
    return max(TARGETS, key=lambda t: len(set(t.skill_ids()) & have))


def pairs() -> list[tuple[str, JobTarget]]:
    """Every corpus resume with its closest job and with an unrelated one."""
    unrelated = TARGETS[-1]
    return [
        (name, target)
        for name in sorted(RESUME_LABELS)
        for target in (closest_target(corpus_text(name)), unrelated)
    ]


def test_tailoring_invents_nothing_and_changes_every_corpus_resume() -> None:
    checked = 0
    for name, target in pairs():
        source = corpus_text(name)
        years = str(resume_facts(source).years)
        tailored = tailor(source, target)
        assert validate_rewrite(source, tailored.text) == [], (name, target.title)
        new = invented(tailored.text, source, own=OWN_WORDS | {years})
        assert not new, (name, target.title, new)
        assert tailored.text != source, (name, target.title, tailored.unchanged)
        assert tailored.changes, (name, target.title)
        checked += 1
    assert checked == 2 * len(RESUME_LABELS) >= 130


def test_the_jobs_skills_and_their_evidence_come_first() -> None:
    source = (
        "Experience\nData Analyst, Initech (2021 - 2024)\n"
        "- Built dashboards in Tableau used by 40 managers\n"
        "- Wrote SQL models that replaced 15 spreadsheets\n"
        "- Automated reporting in Python\n"
        "Skills: Tableau, Excel, Python, SQL\n"
    )
    job = JobTarget("Data Engineer", "", ["SQL", "Python"])
    text = tailor(source, job).text
    assert "Skills: SQL, Python, Tableau, Excel" in text
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert bullets == [
        "- Wrote SQL models that replaced 15 spreadsheets",
        "- Automated reporting in Python",
        "- Built dashboards in Tableau used by 40 managers",
    ]
    # A summary made of the resume's own facts, with the job's skills it shows first.
    assert "Data Analyst with 3 years of experience, skilled in SQL, Python" in text


def test_headings_dates_and_first_person_follow_one_style() -> None:
    source = (
        "Sam Lee\nsam@example.org\n\nEXPERIENCE\nAnalyst, Globex (03/2019 - 2021)\n"
        "- I built reports in Excel for 12 teams\nEngineer, Acme (January 2021 – present)\n"
        "- Responsible for maintaining SQL pipelines\n\nEDUCATION\nBSc Physics, 2018\n\n"
        "Skills\nExcel, SQL\n"
    )
    tailored = tailor(source, JobTarget("Data Engineer", "", ["SQL"]))
    text = tailored.text
    assert "Analyst, Globex (Mar 2019 - 2021)" in text
    assert "Engineer, Acme (Jan 2021 - Present)" in text
    assert "- Built reports in Excel for 12 teams" in text
    assert "- Maintained SQL pipelines" in text
    assert "\nSKILLS\n" in text and "\nSUMMARY\n" in text  # the resume's own heading style
    assert validate_rewrite(source, text) == []


def test_when_nothing_can_change_it_says_why() -> None:
    source = "Skills\nCSS\n"
    tailored = tailor(source, JobTarget("Registered Nurse", "", ["Patient care"]))
    assert tailored.text == source and tailored.changes == []
    assert "none of the skills this job asks for" in tailored.unchanged


@pytest.mark.parametrize("resume", [RESUME, ANALYST, NURSE_RESUME])
@pytest.mark.parametrize("target", TARGETS[-len(JOBS) :], ids=lambda t: t.title)
def test_summary_and_cover_letter_use_only_the_resume_and_the_job(
    resume: str, target: JobTarget
) -> None:
    years = str(resume_facts(resume).years)
    job_text = f"{target.title} {target.company} {' '.join(target.required_skills)}"
    summary = stronger_summary(resume, target)
    assert summary.text != summary.before and summary.diff.startswith("--- summary")
    assert not invented(summary.text, resume, own=OWN_WORDS | {years})
    letter = cover_letter(resume, target)
    assert not invented(letter.text, resume, job_text, own=DRAFT_WORDS | {years})
    assert target.title in letter.text
    # The skills the job requires and the resume lacks are listed apart, never claimed.
    for skill in letter.not_claimed:
        claimed = re.search(
            rf"(?<!\w){re.escape(skill)}(?!\w)", letter.text.replace(target.title, ""), re.I
        )
        assert claimed is None, skill


def test_a_summary_already_strong_is_left_with_a_reason() -> None:
    lead = stronger_summary(ANALYST).text
    resume = ANALYST.replace("Experience\n", f"Summary\n{lead}\n\nExperience\n", 1)
    again = stronger_summary(resume)
    assert again.text == again.before and "nothing more to add" in again.note


def test_job_post_draft_names_its_sources_and_counts_similar_jobs() -> None:
    platform = [PlatformJob(j["title"], j.get("required_skills") or []) for j in JOBS]
    draft = draft_job_post("registered nurse", platform)
    assert draft.title == "Registered nurse"
    assert draft.onet_title == "Registered Nurses" and draft.occupation
    assert any("ESCO" in s for s in draft.sources) and any("O*NET" in s for s in draft.sources)
    asked = {s for j in JOBS if "Nurse" in j["title"] for s in j.get("required_skills") or []}
    assert draft.similar_jobs == 1 and set(draft.required_skills) <= asked | {"Nursing care"}
    assert "[city, or remote]" in draft.text  # what only the employer knows stays blank
    unknown = draft_job_post("warehouse worker", platform)
    assert unknown.similar_jobs == 0 and unknown.required_skills == []
    assert "[the skills and experience the role needs]" in unknown.text
