"""The bulk scorer against the matcher's own score, pair by pair (no database, no model:
features are computed by the matcher, embeddings are seeded random unit vectors).

If the matcher's formula changes and `api.alerts.scoring` does not follow, the first test
fails here, and at run time `_verified` falls back to exact scoring (second test)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import numpy as np
import pytest

from api.alerts import scoring
from api.alerts.repository import AlertCandidate
from api.alerts.scoring import JobInput, ResumeInput, approximate, exact_score, select
from api.matching.features import JobSnapshot, prepare_resume, snapshot_features
from tests.helpers.synthetic import job_rows, resume_text


def unit_vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def world() -> tuple[list[ResumeInput], list[JobInput]]:
    resume_vectors = unit_vectors(30, 1)
    resumes = [
        ResumeInput(prepare_resume(resume_text(n)).features, resume_vectors[n]) for n in range(30)
    ]
    rows = job_rows(40, seed=21)
    rows[0]["required_skills"] = rows[0]["preferred_skills"] = []  # a job naming no skills
    rows[1]["required_skills"] = ["Underwater basket weaving"]  # a skill the lexicon lacks
    rows[2]["min_years"] = None
    job_vectors = unit_vectors(40, 2)
    jobs = []
    for n, row in enumerate(rows):
        fields = {k: v for k, v in row.items() if k != "url"}
        snapshot = JobSnapshot(job_id=f"job{n:02d}", org_id="org", **fields)
        # Some jobs close to some resumes, so dense similarity spans its range.
        vector = job_vectors[n] * 0.4 + resume_vectors[n % 30] * 0.6
        vector /= np.linalg.norm(vector)
        jobs.append(
            JobInput(
                snapshot.job_id,
                snapshot_features(snapshot),
                vector,
                row["location"],
                row["remote"],
                row["title"],
            )
        )
    return resumes, jobs


def candidate(n: int, **settings: object) -> AlertCandidate:
    values: dict[str, object] = {
        "min_score": 0.3, "location": None, "remote": None, "max_per_day": 5, **settings,
    }  # fmt: skip
    return AlertCandidate(
        candidate_id=f"c{n:02d}", user_id=f"u{n:02d}", org_id="org", resume_id=f"r{n}",
        version_id=f"v{n}", updated_at=datetime.now(UTC), **values,  # type: ignore[arg-type]
    )  # fmt: skip


def test_approximation_is_within_eps_of_the_matchers_score(
    world: tuple[list[ResumeInput], list[JobInput]],
) -> None:
    resumes, jobs = world
    approx = approximate(jobs, resumes)
    exact = np.array([[exact_score(job, resume).score for job in jobs] for resume in resumes])
    assert exact.max() > 0.5 and exact.min() < 0.2  # the data spans the range
    assert np.abs(approx - exact).max() < scoring.EPS / 10


def test_selection_equals_brute_force_over_every_pair(
    world: tuple[list[ResumeInput], list[JobInput]],
) -> None:
    resumes, jobs = world
    settings: list[dict[str, object]] = [
        {"min_score": 0.3, "max_per_day": 3},
        {"min_score": 0.25, "max_per_day": 50, "location": "Berlin"},
        {"min_score": 0.3, "max_per_day": 4, "remote": True},
        {"min_score": 0.2, "max_per_day": 2, "remote": False, "location": "London"},
        {"min_score": 0.2, "max_per_day": 5, "query": "engineers"},
    ]
    candidates = [candidate(n, **settings[n % 5]) for n in range(len(resumes))]
    announced = {("c00", jobs[0].job_id), ("c05", jobs[5].job_id)}
    quota = {"c01": 0, "c02": 1}
    picks = select(candidates, resumes, jobs, quota=quota, announced=announced)

    want = []
    for c, resume in zip(candidates, resumes, strict=True):
        passing = sorted(
            (
                (-exact_score(job, resume).score, job.job_id)
                for job in jobs
                if (c.candidate_id, job.job_id) not in announced
                and scoring.passes_filter(
                    c.location, c.remote, job.location, job.remote, c.query, job.title
                )
                and exact_score(job, resume).score >= c.min_score
            ),
        )
        limit = quota.get(c.candidate_id, c.max_per_day)
        want += [(c.candidate_id, job_id, -neg) for neg, job_id in passing[:limit]]
    got = [(p.candidate.candidate_id, p.job_id, p.result.score) for p in picks]
    assert got == want
    assert len(got) > 20 and not [g for g in got if g[0] == "c01"]


def test_a_formula_the_matcher_no_longer_has_falls_back_to_exact_scores(
    world: tuple[list[ResumeInput], list[JobInput]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    resumes, jobs = world
    candidates = [candidate(n, max_per_day=50) for n in range(len(resumes))]
    right = select(candidates, resumes, jobs, quota={}, announced=set())
    # Stale approximation: it says every pair scores nothing, so pruning would drop all.
    monkeypatch.setattr(scoring, "_approximate", lambda m, r, o: np.zeros((len(r), len(jobs))))
    with caplog.at_level(logging.ERROR, logger="api.alerts.scoring"):
        fallback = select(candidates, resumes, jobs, quota={}, announced=set())
    assert fallback == right and right
    assert "differs from the matcher's" in caplog.text


@pytest.mark.parametrize(
    ("location", "remote", "job_location", "job_remote", "passes"),
    [
        (None, None, "Berlin", False, True),
        ("Berlin", None, "Berlin, Germany", False, True),
        ("Berlin", None, "London", False, False),
        ("Berlin", None, "Remote", True, True),
        ("Berlin", False, "Remote", True, False),
        (None, True, "Berlin", False, False),
        (None, True, "Remote", True, True),
        (None, False, "London", False, True),
    ],
)
def test_place_filter(
    location: str | None, remote: bool | None, job_location: str, job_remote: bool, passes: bool
) -> None:
    assert scoring.passes_filter(location, remote, job_location, job_remote) is passes


@pytest.mark.parametrize(
    ("title", "query", "passes"),
    [
        ("Staff Nurse", "nursing", True),
        ("Barista", "baristas", True),
        ("Warehouse Team Supervisor", "warehouse supervisor", True),
        ("Warehouse Operative", "warehouse supervisor", False),
        ("Care Assistant", "care", True),
        ("Careers Adviser", "care", False),  # a longer word is not the word
        ("Data Engineer", None, True),
    ],
)
def test_title_filter(title: str, query: str | None, passes: bool) -> None:
    assert scoring.passes_filter(None, None, "Leeds", False, query, title) is passes
