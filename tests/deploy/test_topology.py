"""The distributed topology end to end: `deploy/local.sh` starts every service and worker
as its own process (3 match and 2 rewrite workers) on PostgreSQL, a private Redis with
AOF and a Chroma server; a candidate's match task runs through it over HTTP; `stop`
leaves no process behind.

The topology gets its own run dir, ports, Redis and database, so it collides with no
other test (the machine's shared Redis is never used: its streams belong to others).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bench._topology import LocalTopology, topology_processes
from tests.helpers.topology import DEPLOY_GROUP, TopologyFactory, auth, correlation_ids

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(DEPLOY_GROUP)]

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
def topology(topology_factory: TopologyFactory) -> LocalTopology:
    return topology_factory({})


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
        job = http.post(f"{jobs}/api/v1/jobs", json=JOB, headers=auth(employer))
        assert job.status_code == 201, job.text
        resumes = topology.url("resumes")
        upload = http.post(
            f"{resumes}/api/v1/resumes",
            files={"file": ("ada.txt", RESUME, "text/plain")},
            headers=auth(candidate),
        )
        assert upload.status_code == 201, upload.text
        resume_id = upload.json()["id"]

        submitted = http.post(
            f"{resumes}/api/v1/resumes/{resume_id}/matches",
            json={"chat_session_id": "topology-chat"},  # the notify worker pushes to it
            headers={**auth(candidate), "X-Request-ID": "topology-test-1"},
        )
        assert submitted.status_code == 202, submitted.text
        assert submitted.headers["x-request-id"] == "topology-test-1"
        task_id = submitted.json()["task_id"]

        # The task is read back through the other service: nothing is process-local.
        task = _wait_finished(http, f"{jobs}/api/v1/tasks/{task_id}", auth(candidate))
        assert task["status"] == "succeeded", task
        result = http.get(f"{jobs}{task['result_url']}", headers=auth(candidate)).json()
        assert [m["job_id"] for m in result["matches"]] == [job.json()["id"]]

    # The request id names the submission in the service's log; the task id then follows
    # the task through a match worker (one of three processes) and the notify worker.
    logs = topology.run_dir / "logs"
    assert "topology-test-1" in correlation_ids(logs.glob("resumes.log"))
    assert task_id in correlation_ids(logs.glob("worker-match-*.log"))
    deadline = time.monotonic() + 60
    while task_id not in correlation_ids(logs.glob("worker-notify-*.log")):
        assert time.monotonic() < deadline, "the notify worker never logged the task"
        time.sleep(0.3)

    pids = topology.pids()
    assert len(pids) >= 16  # chroma, redis, 7 services, 9 worker processes
    topology.stop()
    assert topology_processes(topology.run_dir, pids) == []
    # Generous: the machine this runs on may be shared (a start takes ~70 s on a busy one).
    assert time.monotonic() - started < 400


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
