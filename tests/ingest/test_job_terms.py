"""A job's kind as its employer and its title state it, read alike by the matcher and the
offline assistant; never guessed from the description's words."""

from __future__ import annotations

from typing import get_args

from api.matching.schemas import EmploymentType, Seniority
from ingest.job_terms import EMPLOYMENT_TYPES, SENIORITY_LEVELS, employment_types, seniority


def test_the_stated_type_first_then_the_title() -> None:
    assert employment_types("Full-time", "Nurse") == {"full_time"}
    assert employment_types("permanent", "Nurse") == {"full_time"}
    assert employment_types("full_time", "Temporary Nurse") == {"full_time"}
    assert employment_types(None, "Part-time Care Assistant") == {"part_time"}
    assert employment_types("", "Summer Internship, Data") == {"internship"}
    assert employment_types(None, "Accountant") == frozenset()


def test_the_level_comes_from_the_title() -> None:
    assert seniority("Senior Data Engineer") == "senior"
    assert seniority("Graduate Nurse") == "junior"
    assert seniority("Head of Finance") == "lead"
    assert seniority("Data Engineer") is None


def test_the_api_accepts_exactly_the_kinds_the_reader_knows() -> None:
    assert set(get_args(EmploymentType)) == set(EMPLOYMENT_TYPES)
    assert set(get_args(Seniority)) == set(SENIORITY_LEVELS)
