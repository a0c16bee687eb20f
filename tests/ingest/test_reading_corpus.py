"""The reader on the committed corpus (tests/fixtures/reading): every layout, each label.

bench/reading.py prints the figures; this pins a sample of each layout so a change that
breaks one kind of document fails here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import load_document
from ingest.parsing import parse_job, parse_resume

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "reading"
META = json.loads((CORPUS / "resumes.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(META["as_of"])
# the first resume of each layout
SAMPLE = {label["layout"]: name for name, label in reversed(list(META["resumes"].items()))}
JOBS = json.loads((CORPUS / "jobs.json").read_text(encoding="utf-8"))["jobs"]


@pytest.mark.parametrize("name", sorted(SAMPLE.values()))
def test_sections_jobs_and_years_match_the_label(name: str) -> None:
    label = META["resumes"][name]
    doc = load_document((CORPUS / "resumes" / name).read_bytes(), name)
    parsed = parse_resume(doc.text, today=TODAY)
    kinds = {"summary", "experience", "education", "skills", "certifications", "languages"}
    assert set(parsed.sections) & kinds == set(label["sections"])
    assert len(parsed.experience) == len(label["jobs"])
    assert all(entry.start is not None for entry in parsed.experience)
    assert abs(parsed.years_experience - label["years"]) <= 1.0


@pytest.mark.parametrize("name", sorted(JOBS)[:6])
def test_job_posts_in_every_format_give_title_and_years(name: str) -> None:
    label = JOBS[name]
    doc = load_document((CORPUS / "jobs" / name).read_bytes(), name)
    job = parse_job(doc.text)
    assert (job.title or "").lower() == label["title"].lower()  # as written, capitals too
    assert job.min_years == (float(label["min_years"]) if label["min_years"] else None)
    assert job.employment_type == label["employment_type"]
