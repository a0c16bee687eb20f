"""Generated jobs and candidates for the alert tests and benchmarks.

The texts are generated (short, varied, built from skills the lexicon knows), so that
scores spread over the thresholds and featurising stays cheap; jobs set their location
and minimum years explicitly (the parser has nothing to guess)."""

from __future__ import annotations

import random
from typing import Any

SKILLS = [
    "Python", "SQL", "Django", "PostgreSQL", "Docker", "Kubernetes", "AWS", "Terraform",
    "React", "TypeScript", "Java", "Spark", "Airflow", "Linux", "Excel", "Tableau",
]  # fmt: skip
TITLES = [
    "Backend Developer", "Data Engineer", "Platform Engineer", "Frontend Developer",
    "Data Analyst", "Software Engineer", "DevOps Engineer", "Analytics Engineer",
]  # fmt: skip
PLACES = ["Berlin", "London", "Austin, TX"]


def job_rows(count: int, seed: int = 0, prefix: str = "job") -> list[dict[str, Any]]:
    """`count` importable jobs; every fourth is remote."""
    rows = []
    for n in range(count):
        rng = random.Random(seed * 100_003 + n)
        title = TITLES[rng.randrange(len(TITLES))]
        picked = rng.sample(SKILLS, 5)
        required, preferred = picked[:3], picked[3:]
        rows.append(
            {
                "external_id": f"{prefix}-{seed}-{n}",
                "title": title,
                "description": (
                    f"We are hiring a {title}. You build and run services with "
                    f"{', '.join(required)}. Experience with {' and '.join(preferred)} "
                    "is a plus."
                ),
                "required_skills": required,
                "preferred_skills": preferred,
                "location": "Remote" if n % 4 == 3 else PLACES[n % 3],
                "remote": n % 4 == 3,
                "min_years": float(rng.choice([0, 2, 5])),
                "url": f"https://jobs.example.org/{prefix}-{seed}-{n}",
            }
        )
    return rows


def resume_text(n: int) -> str:
    rng = random.Random(7_919 * n + 1)
    title = TITLES[rng.randrange(len(TITLES))]
    skills = rng.sample(SKILLS, rng.randint(3, 7))
    start = rng.randint(2010, 2021)
    return (
        f"Experience\n{title} at Company {n} ({start} - 2024)\n"
        f"- Built and ran services with {', '.join(skills[:3])}\n"
        f"- Worked with {', '.join(skills[3:]) or 'the team'}\n\n"
        f"Skills\n{', '.join(skills)}\n"
    )
