"""Task test fixtures: the API fixtures (both databases), a fresh Chroma per test, a Redis
database of the test's own for the fixed stream names, and a small seeded world (a few
jobs and opted-in resumes, indexed by the real upload and job hooks)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis.asyncio as aioredis

from core import bus
from core.redis import close_clients, connect
from core.settings import reset_settings_cache
from ingest.index import reset_index_cache
from tests.api.conftest import Key, MakeKey
from tests.api.conftest import app as app
from tests.api.conftest import client as client
from tests.api.conftest import make_key as make_key

JOB_TEXTS = [
    ("Python Developer", "Build APIs in Python and Django on PostgreSQL. Docker preferred.", ["Python", "Django", "PostgreSQL"]),
    ("Data Engineer", "ETL pipelines with Python, SQL and Airflow; Spark a plus.", ["Python", "SQL", "Airflow"]),
    ("Registered Nurse", "Patient care in a hospital ward; BLS certification required.", ["Patient Care"]),
    ("Frontend Developer", "React and TypeScript interfaces; CSS and accessibility.", ["React", "TypeScript"]),
    ("DevOps Engineer", "Kubernetes, Terraform and AWS; Linux administration.", ["Kubernetes", "Terraform"]),
]  # fmt: skip

RESUME_TEXTS = [
    "Summary\nBackend developer.\n\nExperience\nPython Developer at Acme (2018 - 2023)\n- Responsible for building REST APIs in Python and Django\n- Duties included tuning PostgreSQL queries\n\nEducation\nBSc Computer Science\n\nSkills\nDocker, PostgreSQL, Python, Django\n",
    "Summary\nData engineer.\n\nExperience\nData Engineer at Globex (2019 - 2024)\n- Responsible for maintaining ETL pipelines in SQL and Airflow\n- Helped with migrating jobs to Spark\n\nSkills\nSQL, Airflow, Python, Spark\n",
    "Summary\nNurse with ward experience.\n\nExperience\nRegistered Nurse at City Hospital (2015 - 2022)\n- Responsible for patient care on a surgical ward\n\nCertifications\nBLS\n",
    "Experience\nFrontend Developer at Initech (2020 - 2024)\n- Built React and TypeScript interfaces\n- Was involved in accessibility audits\n\nSkills\nCSS, TypeScript, React\n",
    "Experience\nSystems Administrator at Umbrella (2016 - 2021)\n- Responsible for managing Linux servers\n- Utilized Terraform in order to provision AWS\n\nSkills\nLinux, AWS, Terraform, Kubernetes\n",
]


@pytest.fixture(autouse=True)
def fresh_index(isolated_settings: Path) -> Iterator[None]:
    """Each test's data dir gets its own embedded Chroma (the index is cached per process)."""
    reset_index_cache()
    yield
    reset_index_cache()


@pytest.fixture
async def bus_url(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The configured Redis for this test: a database number of its xdist worker's own,
    since stream names are fixed (`cv:match`, ...) and tests on other workers run at the
    same time (tests of one worker run one after another)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    database = 1 + int(worker) % 15 if worker.isdigit() else 15  # db 0 is the shared one
    # The embedded Valkey's URL names no database ("redis://host:port"): set the path.
    url = urlsplit(redis_url)._replace(path=f"/{database}").geturl()
    conn = connect(url)
    await _drop_streams(conn)
    monkeypatch.setenv("CLEARVIEW_REDIS_URL", url)
    reset_settings_cache()
    yield url
    await _drop_streams(conn)
    await conn.aclose()
    await close_clients()


async def _drop_streams(conn: aioredis.Redis) -> None:
    names = [*bus.STREAMS, *(bus.dead_letter_stream(s) for s in bus.STREAMS)]
    await conn.delete(*names)


@dataclass(frozen=True)
class World:
    employer: Key
    candidates: list[Key]
    job_ids: list[str]
    resume_ids: list[str]


async def seed(http: httpx.AsyncClient, new_key: MakeKey, org: str = "org-a") -> World:
    """Five jobs of `org` and five opted-in candidates of their own organisation, indexed."""
    employer = await new_key(org, "employer")
    jobs = [
        {"external_id": f"job-{n}", "title": title, "description": text, "required_skills": skills}
        for n, (title, text, skills) in enumerate(JOB_TEXTS)
    ]
    answer = await http.post("/api/v1/jobs/bulk", json={"jobs": jobs}, headers=employer.headers)
    assert answer.status_code == 200, answer.text
    job_ids = list(answer.json()["ids"].values())
    candidates, resume_ids = [], []
    for n, text in enumerate(RESUME_TEXTS):
        key = await new_key(f"{org}-people-{n}", "candidate")
        resume_ids.append(await upload(http, key, text))
        candidates.append(key)
    return World(employer, candidates, job_ids, resume_ids)


async def upload(http: httpx.AsyncClient, key: Key, text: str) -> str:
    answer = await http.post(
        "/api/v1/resumes",
        files={"file": ("cv.txt", text.encode(), "text/plain")},
        headers=key.headers,
    )
    assert answer.status_code == 201, answer.text
    profile = await http.patch(
        "/api/v1/candidates/me", json={"open_to_employers": True}, headers=key.headers
    )
    assert profile.status_code == 200, profile.text
    resume_id: str = answer.json()["id"]
    return resume_id
