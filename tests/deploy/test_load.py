"""Load: 200 concurrent clients against the local topology on loopback for 2 minutes.

The clients are async httpx tasks in this process, each a user who sends a request,
waits for the answer, thinks for a moment and goes again until the time is up:
- chat users (employers) talk to the assistant over `POST /api/v1/chat` (the offline
  model; its tools call the jobs service over HTTP, as in production);
- readers list and open jobs and their own resumes;
- candidates match their resume against the jobs (`POST /api/v1/match/jobs`);
- employers rank candidates for their jobs (`POST /api/v1/match/candidates`).

Reported: requests, error rate and p50/p95/p99 latency per kind and overall (a table,
shown at the end of the test session, and `test-artifacts/deploy/load.json`). Asserted:
fewer than 1% errors, and every client made progress.

CLEARVIEW_LOAD_SECONDS (default 120) and CLEARVIEW_LOAD_CLIENTS (default 200) scale it.
Every request goes to 127.0.0.1; the loop stops by itself at the deadline.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from bench._topology import LocalTopology
from tests.helpers.topology import (
    DEPLOY_GROUP,
    Population,
    TopologyFactory,
    auth,
    percentile,
    publish_report,
)
from tests.helpers.topology import populate as populate_org

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(DEPLOY_GROUP), pytest.mark.timeout(1200)]

SECONDS = float(os.environ.get("CLEARVIEW_LOAD_SECONDS", "120"))
CLIENTS = int(os.environ.get("CLEARVIEW_LOAD_CLIENTS", "200"))
THINK_S = 1.0  # between a user's requests
REQUEST_TIMEOUT_S = 60.0  # an answer slower than this counts as an error
MAX_ERROR_RATE = 0.01
# An employer's conversation: every tool it needs is on the jobs service, which is where
# the topology's CLEARVIEW_SERVICES_URL points (a candidate's tools also need the resumes
# service, which only a path router in front of both would give the chat service).
CHAT_MESSAGES = (
    "Show my jobs",
    "Find candidates for the Data Engineer job",
    "Who are the best candidates for the Backend Developer job?",
    "List my ML Engineer jobs",
)

# A kind of user: what one request of theirs is, given the client number and its turn.
Request = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


@dataclass
class Sample:
    kind: str
    client: int
    seconds: float
    ok: bool
    status: str  # the HTTP status, or the transport error's name


@dataclass
class Users:
    topo: LocalTopology
    population: Population
    kinds: dict[str, Request] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kinds = {
            "chat": self.chat,
            "read": self.read,
            "match-jobs": self.match_jobs,
            "match-candidates": self.match_candidates,
        }

    def kind_of(self, client: int) -> str:
        # 2 in 5 chat, 1 in 5 of each other kind.
        return ("chat", "read", "chat", "match-jobs", "match-candidates")[client % 5]

    def candidate(self, client: int) -> tuple[str, str]:
        n = client % len(self.population.candidates)
        return self.population.candidates[n], self.population.resume_ids[n]

    async def chat(self, http: httpx.AsyncClient, client: int, turn: int) -> httpx.Response:
        key = self.population.employer
        body = {
            "conversation_id": f"load-{client}",
            "message": CHAT_MESSAGES[(client + turn) % len(CHAT_MESSAGES)],
        }
        return await http.post(f"{self.topo.url('chat')}/api/v1/chat", json=body, headers=auth(key))

    async def read(self, http: httpx.AsyncClient, client: int, turn: int) -> httpx.Response:
        key, resume_id = self.candidate(client)
        jobs = self.population.job_ids
        return await http.get(
            (
                f"{self.topo.url('jobs')}/api/v1/jobs?limit=10&offset={turn % 10}",
                f"{self.topo.url('jobs')}/api/v1/jobs/{jobs[(client + turn) % len(jobs)]}",
                f"{self.topo.url('resumes')}/api/v1/resumes",
                f"{self.topo.url('resumes')}/api/v1/resumes/{resume_id}",
            )[turn % 4],
            headers=auth(key),
        )

    async def match_jobs(self, http: httpx.AsyncClient, client: int, turn: int) -> httpx.Response:
        key, resume_id = self.candidate(client)
        return await http.post(
            f"{self.topo.url('jobs')}/api/v1/match/jobs",
            json={"resume_id": resume_id, "top_k": 5},
            headers=auth(key),
        )

    async def match_candidates(
        self, http: httpx.AsyncClient, client: int, turn: int
    ) -> httpx.Response:
        jobs = self.population.job_ids
        return await http.post(
            f"{self.topo.url('jobs')}/api/v1/match/candidates",
            json={"job_id": jobs[(client + turn) % len(jobs)], "top_k": 5},
            headers=auth(self.population.employer),
        )


async def user(users: Users, http: httpx.AsyncClient, client: int, deadline: float) -> list[Sample]:
    kind = users.kind_of(client)
    request = users.kinds[kind]
    samples = []
    # Spread the first requests over the first think time, as arriving users would.
    await asyncio.sleep(THINK_S * client / CLIENTS)
    turn = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            answer = await request(http, client, turn)
            ok, status = answer.status_code < 400, str(answer.status_code)
        except httpx.TransportError as exc:
            ok, status = False, type(exc).__name__
        samples.append(Sample(kind, client, time.monotonic() - started, ok, status))
        turn += 1
        await asyncio.sleep(THINK_S)
    return samples


async def drive(users: Users) -> tuple[list[Sample], float]:
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them on
    # its side: reusing one the server is closing that moment fails as a ReadError, an
    # artifact of the client pool, not an error of the system under test.
    limits = httpx.Limits(
        max_connections=CLIENTS, max_keepalive_connections=CLIENTS, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as http:
        started = time.monotonic()
        deadline = started + SECONDS
        per_client = await asyncio.gather(*(user(users, http, c, deadline) for c in range(CLIENTS)))
        return [s for samples in per_client for s in samples], time.monotonic() - started


def summarise(samples: list[Sample], seconds: float) -> dict[str, dict[str, float]]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    by_kind["all"] = samples
    table = {}
    for kind, group in by_kind.items():
        latencies = [s.seconds for s in group]
        errors = sum(not s.ok for s in group)
        table[kind] = {
            "requests": len(group),
            "errors": errors,
            "error_rate": errors / max(len(group), 1),
            "per_s": len(group) / seconds,
            "p50_ms": 1000 * percentile(latencies, 50),
            "p95_ms": 1000 * percentile(latencies, 95),
            "p99_ms": 1000 * percentile(latencies, 99),
        }
    return table


def test_200_clients_for_2_minutes(topology_factory: TopologyFactory) -> None:
    topo = topology_factory(
        {"CLEARVIEW_RATE_LIMIT_PER_MINUTE": "1000000", "CLEARVIEW_LOG_LEVEL": "WARNING"}
    )
    topo.start(
        "--services", "jobs resumes chat", "--match-workers", "1", "--rewrite-workers", "0",
        "--own-redis",
    )  # fmt: skip
    with httpx.Client(timeout=60) as http:
        population = populate_org(topo, http, org="load", jobs=20, candidates=4)
        # The chat turns measured below are real ones: the assistant's tool reaches the
        # jobs service and the reply lists what it found.
        replies = []
        for message in CHAT_MESSAGES[:2]:
            answer = http.post(
                f"{topo.url('chat')}/api/v1/chat",
                json={"message": message},
                headers=auth(population.employer),
            )
            assert answer.status_code == 200, answer.text
            replies.append(answer.json()["reply"])
        assert "has 20 job(s)" in replies[0], replies[0]
        assert replies[1].startswith("Top candidates for Data Engineer"), replies[1]
    users = Users(topo, population)
    load_before = os.getloadavg()[0]
    samples, seconds = asyncio.run(drive(users))
    table = summarise(samples, seconds)

    statuses: dict[str, int] = defaultdict(int)
    for sample in samples:
        if not sample.ok:
            statuses[f"{sample.kind} {sample.status}"] += 1
    report = {
        "clients": CLIENTS,
        "seconds": round(seconds, 1),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "kinds": table,
        "errors_by_status": dict(statuses),
    }
    lines = [
        f"\nload: {CLIENTS} clients for {seconds:.0f} s (load average {load_before:.1f} -> "
        f"{os.getloadavg()[0]:.1f})",
        f"{'kind':<17} {'requests':>8} {'req/s':>6} {'errors':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}",
    ]
    for kind, row in table.items():
        lines.append(
            f"{kind:<17} {row['requests']:>8} {row['per_s']:>6.1f} {row['error_rate']:>7.2%} "
            f"{row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} {row['p99_ms']:>7.0f}"
        )
    if statuses:
        lines.append(f"errors: {dict(statuses)}")
    publish_report("load", "\n".join(lines), report)

    assert table["all"]["error_rate"] < MAX_ERROR_RATE, statuses
    progressed = {s.client for s in samples if s.ok}
    assert progressed == set(range(CLIENTS)), (
        f"{CLIENTS - len(progressed)} clients never got an answer"
    )
    # Every kind of user was served, chat included (its answers came from the assistant).
    assert all(table[kind]["requests"] > table[kind]["errors"] for kind in users.kinds)
