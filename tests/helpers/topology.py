"""What the topology tests share: a small population of users, jobs and resumes made over
HTTP, percentiles, correlation ids and reports (the `topology_factory` fixture is in
tests/deploy/conftest.py).

A topology test starts many processes and loads the machine: they all run in one xdist
group (`DEPLOY_GROUP`), one after another, never beside each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench._topology import LocalTopology
from bench.scale import synthetic_jobs, synthetic_resume

DEPLOY_GROUP = "deploy-topology"
ADMIN_DSN = "host=127.0.0.1 user=postgres dbname=postgres"
# Figures of the chaos and load runs; the root conftest prints the .txt files at the end of
# the session (xdist swallows a test's own output).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "deploy"

TopologyFactory = Callable[[Mapping[str, str]], LocalTopology]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Population:
    """One organisation: an admin, an employer with published jobs, and candidates who
    each uploaded one resume and opted in to employers."""

    admin: str
    employer: str
    job_ids: list[str]
    candidates: list[str] = field(default_factory=list)  # keys, one per resume below
    resume_ids: list[str] = field(default_factory=list)


def populate(
    topo: LocalTopology, http: httpx.Client, *, org: str, jobs: int, candidates: int
) -> Population:
    """Keys through the admin API, jobs in one bulk call, resumes uploaded one by one
    (each upload is parsed and indexed in its request)."""
    admin = topo.api_key(org, "admin")
    jobs_url, resumes_url = topo.url("jobs"), topo.url("resumes")

    def new_key(role: str) -> str:
        answer = http.post(f"{jobs_url}/api/v1/apikeys", json={"role": role}, headers=auth(admin))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["key"])

    employer = new_key("employer")
    answer = http.post(
        f"{jobs_url}/api/v1/jobs/bulk", json={"jobs": synthetic_jobs(jobs)}, headers=auth(employer)
    )
    assert answer.status_code == 200, answer.text
    listed = http.get(f"{jobs_url}/api/v1/jobs", params={"limit": 100}, headers=auth(employer))
    job_ids = [job["id"] for job in listed.json()["items"]]
    assert len(job_ids) == jobs, listed.text
    population = Population(admin, employer, job_ids)
    for i in range(candidates):
        key = new_key("candidate")
        optin = http.patch(
            f"{resumes_url}/api/v1/candidates/me",
            json={"open_to_employers": True},
            headers=auth(key),
        )
        assert optin.status_code == 200, optin.text
        upload = http.post(
            f"{resumes_url}/api/v1/resumes",
            files={"file": (f"candidate-{i}.txt", synthetic_resume(i), "text/plain")},
            headers=auth(key),
        )
        assert upload.status_code == 201, upload.text
        population.candidates.append(key)
        population.resume_ids.append(upload.json()["id"])
    return population


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def correlation_ids(logs: Iterable[Path]) -> set[str]:
    """The correlation ids on the JSON lines of the given log files (lines a library
    printed past the formatter are skipped)."""
    ids = set()
    for log in logs:
        for line in log.read_text().splitlines():
            if line.startswith("{"):
                ids.add(str(json.loads(line).get("correlation_id")))
    return ids


def publish_report(name: str, text: str, data: dict[str, Any]) -> Path:
    """Print `text` and keep it with `data` as test-artifacts/deploy/NAME.{txt,json}."""
    print(text)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.txt").write_text(text.strip() + "\n")
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path
