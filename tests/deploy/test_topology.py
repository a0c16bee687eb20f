"""The distributed topology end to end: `deploy/local.sh` starts every service and worker
as its own process (3 match and 2 rewrite workers) on PostgreSQL, a private Redis with
AOF and a Chroma server; a candidate's match task runs through it over HTTP; `stop`
leaves no process behind.

The topology gets its own run dir, ports, Redis and database, so it collides with no
other test (the machine's shared Redis is never used: its streams belong to others).
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from bench._topology import LocalTopology, free_port_block, topology_processes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
RESUME = b"""Ada Example
Senior Python developer, 7 years. Python, SQL, Airflow, Spark, PostgreSQL.
Built ETL pipelines and data platforms in Berlin.
"""
JOB = {
    "title": "Data Engineer",
    "company": "Acme Analytics",
    "location": "Berlin",
    "remote": True,
    "employment_type": "full_time",
    "description": "Build ETL pipelines in Python and SQL. Airflow required.",
    "required_skills": ["Python", "SQL", "Airflow"],
    "min_years": 3,
    "published": True,
}


@pytest.fixture
def topology(tmp_path: Path, model_cache_dir: Path) -> Iterator[LocalTopology]:
    database = f"cv_topo_{uuid.uuid4().hex[:10]}"
    topo = LocalTopology(
        run_dir=tmp_path / "topology",
        database=database,
        base_port=free_port_block(8),
        env={**os.environ, "CLEARVIEW_MODEL_CACHE_DIR": str(model_cache_dir)},
    )
    try:
        yield topo
    finally:
        topo.stop()
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'drop database if exists "{database}" with (force)')


def test_match_task_runs_through_separate_processes(topology: LocalTopology) -> None:
    started = time.monotonic()
    topology.start("--match-workers", "3", "--rewrite-workers", "2", "--own-redis")
    status = topology.status()
    for name in ("chroma", "redis", "jobs", "resumes", "worker-match-3", "worker-rewrite-2"):
        assert f"\n{name} " in status and "stopped" not in status, status
    employer = topology.api_key("acme-topology", "employer")
    candidate = topology.api_key("acme-topology", "candidate")

    with httpx.Client(timeout=30) as http:
        jobs = topology.url("jobs")
        job = http.post(f"{jobs}/api/v1/jobs", json=JOB, headers=_auth(employer))
        assert job.status_code == 201, job.text
        resumes = topology.url("resumes")
        upload = http.post(
            f"{resumes}/api/v1/resumes",
            files={"file": ("ada.txt", RESUME, "text/plain")},
            headers=_auth(candidate),
        )
        assert upload.status_code == 201, upload.text
        resume_id = upload.json()["id"]

        submitted = http.post(
            f"{resumes}/api/v1/resumes/{resume_id}/matches",
            json={},
            headers={**_auth(candidate), "X-Request-ID": "topology-test-1"},
        )
        assert submitted.status_code == 202, submitted.text
        assert submitted.headers["x-request-id"] == "topology-test-1"
        task_id = submitted.json()["task_id"]

        # The task is read back through the other service: nothing is process-local.
        task = _wait_finished(http, f"{jobs}/api/v1/tasks/{task_id}", _auth(candidate))
        assert task["status"] == "succeeded", task
        result = http.get(f"{jobs}{task['result_url']}", headers=_auth(candidate)).json()
        assert [m["job_id"] for m in result["matches"]] == [job.json()["id"]]

    # A match worker (one of three processes) logged the task under its id, as JSON.
    match_logs = "".join(
        (topology.run_dir / "logs" / f"worker-match-{i}.log").read_text() for i in (1, 2, 3)
    )
    assert f'"correlation_id": "{task_id}"' in match_logs

    pids = topology.pids()
    assert len(pids) >= 16  # chroma, redis, 7 services, 9 worker processes
    topology.stop()
    assert topology_processes(topology.run_dir, pids) == []
    assert time.monotonic() - started < 150


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _wait_finished(http: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, object] = http.get(url, headers=headers).json()
        if body["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_local_sh_refuses_unknown_options() -> None:
    run = subprocess.run(
        [str(ROOT / "deploy" / "local.sh"), "start", "--no-such-flag"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "unknown option --no-such-flag" in run.stderr
