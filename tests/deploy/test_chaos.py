"""Chaos: 1,000 match tasks through the local topology while a match worker is SIGKILLed,
the topology's own Redis (AOF on) is restarted and a service process is restarted.

Tasks are submitted over HTTP at a steady rate in three windows: before the faults, during
them, and after the system drained what the faults held up. Then every task must have
succeeded exactly once (one task_finished event, the expected results with no
duplicate, one notification, one webhook delivery), no stream entry may be left pending
or dead, and the p95 task latency of the last window must be back near the first one's.

The Redis restarted here is the topology's private one (`--own-redis`: its own port, AOF
and run dir), never the machine's shared Redis.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from bench._topology import LocalTopology
from core import bus
from tests.helpers.topology import (
    DEPLOY_GROUP,
    Population,
    TopologyFactory,
    auth,
    correlation_ids,
    percentile,
    publish_report,
)
from tests.helpers.topology import populate as populate_org

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(DEPLOY_GROUP), pytest.mark.timeout(1200)]

TASKS = int(os.environ.get("CLEARVIEW_CHAOS_TASKS", "1000"))
# Submissions per second: well under what 3 match workers finish on 2 busy cores (~12/s),
# so a window's latency measures the system, not a queue the test built up.
RATE = float(os.environ.get("CLEARVIEW_CHAOS_RATE", "6"))
# A killed worker's entries are taken over after this idle time (rather than 30 s).
CLAIM_IDLE_S = 10
# p95 after recovery may be this many times the p95 before the faults, plus slack, and
# still count as recovered. The slack is a quarter of the reclaim wait: a task still held
# by a dead consumer or a lost connection waits a whole reclaim (or a restart), while a
# machine shared with other work (the suite's other worker, a load generator) stretches
# the tail by a second or two (after p95 1.95 s beside the browser tests, before 0.05 s).
RECOVERY_FACTOR = 3.0
RECOVERY_SLACK_S = CLAIM_IDLE_S / 4
# Every result row a task wrote is checked, so the pool is kept tiny: the cost per task
# is one embedding, one Chroma query and a few transactions.
JOBS, CANDIDATES, TOP_K = 5, 4, 10


@dataclass
class Submission:
    index: int
    subject: str
    task_id: str
    retries: int


@dataclass
class Run:
    """What the test submitted, by window, and what happened meanwhile."""

    warm: list[Submission] = field(default_factory=list)  # warm-ups, not counted in TASKS
    windows: dict[str, list[Submission]] = field(default_factory=dict)
    faults: list[tuple[float, str]] = field(default_factory=list)

    def all(self) -> list[Submission]:
        """The counted submissions (the warm-up is not one of them)."""
        return [s for window in self.windows.values() for s in window]


class Submitter:
    """Submits task `i`: 3 in 4 are a candidate's jobs-for-my-resume (resumes service),
    1 in 4 an employer's candidates-for-my-job (jobs service). Retried on a connection
    error or 5xx with the same Idempotency-Key, so a restarted service starts no twin."""

    def __init__(self, topo: LocalTopology, population: Population, http: httpx.AsyncClient):
        self.topo = topo
        self.population = population
        self.http = http

    def target(self, i: int) -> tuple[str, str, str]:
        """(url, key, subject id) of task i."""
        p = self.population
        if i % 4 == 3:
            job = p.job_ids[(i // 4) % len(p.job_ids)]
            return f"{self.topo.url('jobs')}/api/v1/jobs/{job}/matches", p.employer, job
        n = (i // 4 * 3 + i % 4) % len(p.resume_ids)  # the candidates take turns
        resume = p.resume_ids[n]
        url = f"{self.topo.url('resumes')}/api/v1/resumes/{resume}/matches"
        return url, p.candidates[n], resume

    async def submit(self, i: int, prefix: str = "chaos") -> Submission:
        url, key, subject = self.target(i)
        headers = {**auth(key), "Idempotency-Key": f"{prefix}-{i}", "X-Request-ID": f"{prefix}-{i}"}
        deadline = time.monotonic() + 180
        retries = 0
        while True:
            try:
                # A chat session to tell, as the chat UI sends: the notify worker pushes to it.
                body = {"top_k": TOP_K, "chat_session_id": f"{prefix}-{i}"}
                answer = await self.http.post(url, json=body, headers=headers)
                if answer.status_code == 202:
                    return Submission(i, subject, answer.json()["task_id"], retries)
                assert answer.status_code >= 500, answer.text  # a 4xx is a bug, not a fault
            except httpx.TransportError:
                pass  # the service is restarting
            retries += 1
            assert time.monotonic() < deadline, f"task {i} could not be submitted"
            await asyncio.sleep(0.5)

    async def paced(self, indices: range, prefix: str = "chaos") -> list[Submission]:
        """Submit at RATE per second; a slow answer does not delay the next submission."""
        started = time.monotonic()
        pending = []
        for n, i in enumerate(indices):
            await asyncio.sleep(max(0.0, started + n / RATE - time.monotonic()))
            pending.append(asyncio.create_task(self.submit(i, prefix)))
        return list(await asyncio.gather(*pending))


class Database:
    def __init__(self, name: str) -> None:
        self.dsn = f"host=127.0.0.1 user=postgres dbname={name}"

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute(sql, params or None).fetchall()

    def unfinished(self, task_ids: list[str]) -> int:
        (count,) = self.rows(
            "select count(*) from tasks where id = any(%s) and status in ('queued', 'running')",
            task_ids,
        )[0]
        return int(count)

    def latencies(self, task_ids: list[str]) -> list[float]:
        rows = self.rows(
            "select extract(epoch from finished_at - created_at) from tasks where id = any(%s)",
            task_ids,
        )
        return [float(latency) for (latency,) in rows]


async def wait_until(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


class _Receiver(BaseHTTPRequestHandler):
    """The organisation's webhook endpoint: counts webhook ids, answers 204."""

    received: Counter[str]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received[self.headers.get("webhook-id", "")] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, Counter[str]]]:
    received: Counter[str] = Counter()
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    finally:
        server.shutdown()
        server.server_close()


async def inject_faults(topo: LocalTopology, run: Run, started: float) -> None:
    """Kill a match worker, restart Redis, restart the resumes service, a few s apart."""

    def note(what: str) -> None:
        run.faults.append((time.monotonic() - started, what))

    await asyncio.sleep(4)
    victim = topo.pid("worker-match-1")
    os.kill(victim, signal.SIGKILL)
    note(f"SIGKILL worker-match-1 (pid {victim})")
    await asyncio.sleep(3)
    await asyncio.to_thread(topo.restart, "worker-match-1")
    note("worker-match-1 started again")
    await asyncio.sleep(6)
    await asyncio.to_thread(topo.restart, "redis")
    note("redis restarted (same port, same AOF)")
    await asyncio.sleep(6)
    await asyncio.to_thread(topo.restart, "resumes")
    note("resumes service restarted")


def test_every_task_finishes_exactly_once_through_faults(
    topology_factory: TopologyFactory, webhook_receiver: tuple[str, Counter[str]]
) -> None:
    topo = topology_factory(
        {
            "CLEARVIEW_RATE_LIMIT_PER_MINUTE": "1000000",
            "CLEARVIEW_STREAM_CLAIM_IDLE_MS": str(CLAIM_IDLE_S * 1000),
            "CLEARVIEW_WEBHOOKS_ALLOW_PRIVATE": "true",
        }
    )
    begun = time.monotonic()
    topo.start(
        "--services", "jobs resumes gateway", "--match-workers", "3", "--rewrite-workers", "0",
        "--own-redis",
    )  # fmt: skip
    start_s = time.monotonic() - begun
    hook_url, received = webhook_receiver
    with httpx.Client(timeout=60) as http:
        population = populate_org(topo, http, org="chaos", jobs=JOBS, candidates=CANDIDATES)
        subscribed = http.post(
            f"{topo.url('gateway')}/api/v1/webhooks/subscriptions",
            json={"url": hook_url, "events": ["match.completed"]},
            headers=auth(population.admin),
        )
        assert subscribed.status_code == 201, subscribed.text
    db = Database(topo.database)
    run = asyncio.run(_drive(topo, population, db))
    run_s = time.monotonic() - begun - start_s

    submitted = run.all()
    assert len(submitted) == TASKS
    task_ids = [s.task_id for s in submitted]
    assert len(set(task_ids)) == TASKS, "an Idempotency-Key retry started a second task"
    expected = _expected_matches(db, population)

    # Every task succeeded, once, with exactly the results its subject gives.
    statuses = dict(db.rows("select id, status from tasks where id = any(%s)", task_ids))
    assert Counter(statuses.values()) == {"succeeded": TASKS}
    # Finishing is what the worker does once per task whatever the deliveries: one
    # task_finished event each (warm-up included; this database holds nothing else).
    (finished,) = db.rows("select count(*) from metric_events where name = 'task_finished'")[0]
    assert finished == TASKS + len(run.warm)
    results = db.rows(
        "select t.id, t.subject_id, (t.result->>'matches')::int, count(m.id),"
        " count(distinct (m.job_id, m.resume_id)), coalesce(max(m.rank), 0)"
        " from tasks t left join match_results m on m.task_id = t.id"
        " where t.id = any(%s) group by t.id",
        task_ids,
    )
    wrong = [r for r in results if not r[2] == r[3] == r[4] == r[5] == expected[r[1]]]
    assert not wrong, f"{len(wrong)} tasks with missing or duplicate results, e.g. {wrong[:3]}"

    # Side effects of each task's finish happened once: one notification (every task was
    # started by a user), one webhook delivery, delivered.
    def settled() -> bool:
        notified = db.rows("select count(*) from notifications where task_id = any(%s)", task_ids)[
            0
        ][0]
        delivered = db.rows("select count(*) from webhook_deliveries where status = 'delivered'")[
            0
        ][0]
        return bool(notified >= TASKS and delivered >= TASKS + len(run.warm) and _drained(topo))

    asyncio.run(wait_until(settled, 180, "notifications, webhooks and empty pending lists"))
    per_task = Counter(
        task_id
        for (task_id,) in db.rows(
            "select task_id from notifications where task_id = any(%s)", task_ids
        )
    )
    assert set(per_task) == set(task_ids) and set(per_task.values()) == {1}
    deliveries = db.rows("select status, count(*) from webhook_deliveries group by status")
    assert dict(deliveries) == {"delivered": TASKS + len(run.warm)}
    assert _pending(topo) == {}, "stream entries left pending or dead-lettered"

    # The task id follows one task across the processes' JSON logs.
    sample = run.windows["after"][0]
    _assert_task_in_logs(topo.run_dir / "logs", sample)

    # p95 recovers: the last window's p95 close to the first window's.
    p95 = {name: percentile(db.latencies([s.task_id for s in w]), 95) for name, w in run.windows.items()}  # fmt: skip
    p50 = {name: percentile(db.latencies([s.task_id for s in w]), 50) for name, w in run.windows.items()}  # fmt: skip
    retries = sum(s.retries for s in submitted)
    duplicates = sum(1 for count in received.values() if count > 1)
    bound = RECOVERY_FACTOR * p95["before"] + RECOVERY_SLACK_S
    load = os.getloadavg()[0]
    publish_report(
        "chaos",
        f"\nchaos: {TASKS} tasks at {RATE}/s; topology start {start_s:.0f} s, run {run_s:.0f} s;"
        f" load average {load:.1f}"
        f"\n  faults (s after the fault window opened): "
        + "; ".join(f"{at:.1f} {what}" for at, what in run.faults)
        + "\n  window   tasks   p50 s   p95 s"
        + "".join(
            f"\n  {name:<8} {len(w):>5} {p50[name]:>7.2f} {p95[name]:>7.2f}"
            for name, w in run.windows.items()
        )
        + f"\n  p95 bound after recovery {bound:.2f} s"
        + f"\n  submission retries {retries}; webhook ids received more than once {duplicates}",
        {
            "tasks": TASKS,
            "rate_per_s": RATE,
            "start_s": round(start_s, 1),
            "run_s": round(run_s, 1),
            "load_average": round(load, 2),
            "faults": [{"at_s": round(at, 1), "what": what} for at, what in run.faults],
            "p50_s": p50,
            "p95_s": p95,
            "p95_bound_s": bound,
            "submission_retries": retries,
            "webhook_ids_received_twice": duplicates,
        },
    )
    assert p95["after"] <= bound, f"p95 did not recover: {p95} (bound {bound:.2f} s)"


async def _drive(topo: LocalTopology, population: Population, db: Database) -> Run:
    run = Run()
    async with httpx.AsyncClient(timeout=60) as http:
        submitter = Submitter(topo, population, http)
        # Warm-up (not counted): every subject at least twice, paced, so each worker has
        # loaded its model before the first window and each subject's result count is known.
        run.warm = await submitter.paced(range(8 * len(population.job_ids)), prefix="warm")
        await wait_until(lambda: not db.unfinished(_ids(run)), 300, "warm-up")

        before, during = int(TASKS * 0.25), int(TASKS * 0.45)
        run.windows["before"] = await submitter.paced(range(before))
        await wait_until(lambda: not db.unfinished(_ids(run)), 300, "the first window")

        started = time.monotonic()
        faults = asyncio.create_task(inject_faults(topo, run, started))
        run.windows["faults"] = await submitter.paced(range(before, before + during))
        await faults
        # Recovered: everything held up by the faults has finished, and the restarted
        # worker has loaded its model (a paced round reaches every waiting consumer).
        await wait_until(lambda: not db.unfinished(_ids(run)), 300, "recovery")
        run.warm += await submitter.paced(range(8 * len(population.job_ids)), prefix="rewarm")
        await wait_until(lambda: not db.unfinished(_ids(run)), 300, "the second warm-up")

        run.windows["after"] = await submitter.paced(range(before + during, TASKS))
        await wait_until(lambda: not db.unfinished(_ids(run)), 300, "the last window")
    return run


def _ids(run: Run) -> list[str]:
    return [s.task_id for s in [*run.warm, *run.all()]]


def _expected_matches(db: Database, population: Population) -> dict[str, int]:
    """Results per subject, from the warm-up tasks (matching is deterministic)."""
    rows = db.rows(
        "select subject_id, (result->>'matches')::int from tasks"
        " where idempotency_key like 'warm-%%' and status = 'succeeded'"
    )
    counts: dict[str, set[int]] = {}
    for subject, matches in rows:
        counts.setdefault(subject, set()).add(matches)
    subjects = set(population.resume_ids) | set(population.job_ids)
    assert set(counts) == subjects, "a warm-up subject did not succeed"
    assert all(len(c) == 1 and min(c) > 0 for c in counts.values()), counts
    return {subject: c.pop() for subject, c in counts.items()}


def _pending(topo: LocalTopology) -> dict[str, int]:
    """Entries pending in any consumer group, unread, or dead-lettered, by stream/group."""
    client = redis.Redis.from_url(topo.redis_url(), decode_responses=True)
    left: dict[str, int] = {}
    try:
        for stream in bus.STREAMS:
            if client.exists(stream):
                for group in client.xinfo_groups(stream):
                    for what in ("pending", "lag"):
                        if group.get(what):
                            left[f"{stream}/{group['name']} {what}"] = int(group[what])
            dead = client.xlen(bus.dead_letter_stream(stream))
            if dead:
                left[f"{stream} dead"] = dead
    finally:
        client.close()
    return left


def _drained(topo: LocalTopology) -> bool:
    return not _pending(topo)


def _assert_task_in_logs(logs: Path, submission: Submission) -> None:
    """Submitted with X-Request-ID chaos-<i> (the service's access log line), then handled
    under the task id by a match worker, the notify worker and the webhooks worker."""
    service = "jobs" if submission.index % 4 == 3 else "resumes"
    assert f"chaos-{submission.index}" in correlation_ids([logs / f"{service}.log"])
    for processes in ("worker-match-*", "worker-notify-*", "worker-webhooks-*"):
        assert submission.task_id in correlation_ids(logs.glob(f"{processes}.log")), processes
