"""End-to-end pipeline benchmark: match tasks over HTTP -> results stored -> notified.

    .venv/bin/python -m bench.pipeline [--tasks 1000] [--workers 1 2] [--concurrency 1]
        [--batch-size 8] [--resumes 500] [--database-url URL] [--redis-url URL] [--profile DIR]

Set-up: a fresh PostgreSQL database (default; or SQLite with `--database-url sqlite`), a
Redis database of its own, 5 jobs and `--resumes` opted-in resumes (default 500: a
platform's candidate pool; `--resumes 5` leaves the matcher almost nothing to do, which
shows the pipeline's own overhead) indexed as every change is. Then
`clearview serve jobs` runs as a subprocess, and for 1 and then 2 worker processes
(`clearview worker match`, plus one `clearview worker notify`, each handling
`--concurrency` batches of at most `--batch-size` entries at once) the benchmark POSTs
`--tasks` candidate-match tasks (`POST /api/v1/jobs/{id}/matches`, each with its own chat
session) while a listener process of its own (as the chat UI is) takes the notifications
off the chat channels. Reported per run: tasks/s (first submit to last notification),
submit-to-notify latency p50/p95, and the notify overhead (task finished in the database
-> message received) p50/p95, with its first part (finished -> notify event on its stream:
the outbox's publish after the commit; the rest is the notify worker's push).

The baseline is the same work per task with nothing around it: the matching service's call
for one request (`match_service.match_candidates`, top_k 3, in one session) in a loop, in
as many processes as the run has match workers, measured just before and just after each
run (their mean: the load of a shared machine drifts). A match worker with a backlog
computes the entries it read together through `match_candidates_many` (one Chroma call
for the batch), which is why its CPU per task can be below the bare call's. "vs 1 bare process" compares every row with the
bare matcher's own loop in one process (measured when `--workers` includes 1): the
issue's target reads "pipeline >= 0.8x the bare matcher with 2 workers". `--profile DIR`
runs the workers under cProfile.

A second table says where the CPU went during each timed run, in milliseconds per task:
the match workers, the notify worker, the server (the submits), this benchmark's own
client, PostgreSQL and Redis (every process of that name; a PostgreSQL backend started and
gone within the run is not counted), next to the bare matcher's CPU per call. Every
process shares the same cores, so the sum against the bare matcher's share bounds the
pipeline's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench._common import cpu_seconds, pids_named, table

ROOT = Path(__file__).resolve().parents[1]
CLEARVIEW = Path(sys.executable).with_name("clearview")
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CONCURRENCY = 16
REDIS = ("redis-server", "valkey-server")
JOBS = [
    ("Python Developer", "Build APIs in Python and Django on PostgreSQL. Docker preferred.", ["Python", "Django"]),
    ("Data Engineer", "ETL pipelines with Python, SQL and Airflow; Spark a plus.", ["Python", "SQL", "Airflow"]),
    ("Registered Nurse", "Patient care in a hospital ward; BLS certification required.", ["Patient Care"]),
    ("Frontend Developer", "React and TypeScript interfaces; CSS and accessibility.", ["React", "TypeScript"]),
    ("DevOps Engineer", "Kubernetes, Terraform and AWS; Linux administration.", ["Kubernetes", "Terraform"]),
]  # fmt: skip
RESUMES = [
    "Experience\nPython Developer at Acme (2018 - 2023)\n- Built REST APIs in Python and Django\n\nSkills\nPython, Django, PostgreSQL, Docker\n",
    "Experience\nData Engineer at Globex (2019 - 2024)\n- Maintained ETL pipelines in SQL and Airflow\n\nSkills\nSQL, Airflow, Python, Spark\n",
    "Experience\nRegistered Nurse at City Hospital (2015 - 2022)\n- Patient care on a surgical ward\n\nCertifications\nBLS\n",
    "Experience\nFrontend Developer at Initech (2020 - 2024)\n- Built React and TypeScript interfaces\n\nSkills\nCSS, TypeScript, React\n",
    "Experience\nSystems Administrator at Umbrella (2016 - 2021)\n- Managed Linux servers\n\nSkills\nLinux, AWS, Terraform, Kubernetes\n",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


async def admin(sql: str) -> None:
    from sqlalchemy import text

    from core.engine import make_engine

    engine = make_engine(PG_ADMIN).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


def resume_texts(count: int) -> list[str]:
    """The five hand-written resumes, then rjdb's (matching and near-miss in turn)."""
    texts = list(RESUMES)
    if count > len(texts):
        from bench._common import load_rjdb

        for row in load_rjdb():
            texts += [row.matched, row.unmatched]
            if len(texts) >= count:
                break
    return texts[:count]


async def seed(resumes: int) -> tuple[str, list[str], dict[str, str]]:
    """Jobs and `resumes` opted-in resumes through the services in this process (indexed
    with their transactions); returns the employer's key, the job ids and the employer identity's fields."""
    from api.identity.service import create_api_key, identity_service
    from clearview.app import build_app
    from core.db import session_scope

    app = build_app()
    async with session_scope() as session:
        key = await create_api_key(session, "bench-org", "employer")
    async with session_scope() as session:
        who = await identity_service.authenticate(session, key)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        jobs = [
            {"external_id": f"j{n}", "title": t, "description": d, "required_skills": s}
            for n, (t, d, s) in enumerate(JOBS)
        ]
        answer = await http.post(
            "/api/v1/jobs/bulk", json={"jobs": jobs}, headers={"Authorization": f"Bearer {key}"}
        )
        answer.raise_for_status()
        job_ids = list(answer.json()["ids"].values())
        for n, text in enumerate(resume_texts(resumes)):
            async with session_scope() as session:
                ckey = await create_api_key(session, "bench-people", "candidate", f"c{n}")
            auth = {"Authorization": f"Bearer {ckey}"}
            files = {"file": ("cv.txt", text.encode(), "text/plain")}
            (await http.post("/api/v1/resumes", files=files, headers=auth)).raise_for_status()
            patch = await http.patch(
                "/api/v1/candidates/me", json={"open_to_employers": True}, headers=auth
            )
            patch.raise_for_status()
    ids = {"key_id": who.key_id, "user_id": who.user_id, "org_id": who.org_id}
    return key, job_ids, ids


async def bare_matcher(
    job_ids: list[str], identity: dict[str, str], calls: int, batch: int = 1, ready: Any = None
) -> tuple[float, float]:
    """Matches per second of the matching service itself, one call after another, and its
    CPU milliseconds per match: the same request with the same inputs as a match worker's
    (`match_candidates`, top_k 3, one session), or `batch` of them per call
    (`match_candidates_many`, as a worker with a backlog computes). `ready`, if given, is
    awaited between the warm-up and the timed loop."""
    from api.identity.schemas import Identity
    from api.matching.schemas import MatchCandidatesIn
    from api.matching.service import match_service
    from core.db import session_scope
    from core.models import Role

    who = Identity(role=Role.employer, **identity)

    async def match(first: int) -> None:
        requests = [
            (who, MatchCandidatesIn(job_id=job_ids[n % len(job_ids)], top_k=3))
            for n in range(first, first + batch)
        ]
        async with session_scope() as session:
            if batch == 1:
                await match_service.match_candidates(session, *requests[0])
            else:
                await match_service.match_candidates_many(session, requests)

    for n in range(0, 20, batch):  # warm-up: model session, Chroma caches
        await match(n)
    if ready is not None:
        await ready()
    start, cpu = time.perf_counter(), time.process_time()
    for n in range(0, calls, batch):
        await match(n)
    done = len(range(0, calls, batch)) * batch
    return done / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / done


async def bare_in_processes(
    processes: int, job_ids: list[str], identity: dict[str, str], calls: int, batch: int = 1
) -> tuple[float, float]:
    """The bare matcher in `processes` processes at once (as many as the pipeline has match
    workers), started together after their warm-up: their summed matches per second, and
    their mean CPU milliseconds per match."""
    argv = [
        sys.executable,
        "-m",
        "bench.pipeline",
        "--bare-worker",
        json.dumps([job_ids, identity, batch]),
    ]
    children = [
        await asyncio.create_subprocess_exec(
            *argv, "--bare-calls", str(calls), cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(processes)
    ]  # fmt: skip
    for child in children:  # each says "ready" after its warm-up
        assert child.stdout is not None
        while (await child.stdout.readline()).strip() != b"ready":
            if child.stdout.at_eof():
                sys.exit("a bare matcher process exited before its warm-up ended")
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        await child.stdin.drain()
    rates, cpu_ms = [], []
    for child in children:
        out, _ = await child.communicate()
        rate, cpu = out.decode().split()[-2:]
        rates.append(float(rate))
        cpu_ms.append(float(cpu))
    return sum(rates), statistics.mean(cpu_ms)


async def listen(redis_url: str, pattern: str, count: int) -> None:
    """`--listen`: subscribe to `pattern`, say "ready", then print as JSON when each of
    `count` notifications arrived (by task id)."""
    import redis.asyncio as aioredis

    redis = aioredis.from_url(redis_url)
    pubsub = redis.pubsub()
    await pubsub.psubscribe(pattern)
    await pubsub.get_message(timeout=10)  # the subscription is confirmed: none is missed
    print("ready", flush=True)
    received: dict[str, float] = {}
    while len(received) < count:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if message is not None:
            received[json.loads(message["data"])["task_id"]] = time.time()
    print(json.dumps(received), flush=True)
    await pubsub.aclose()
    await redis.aclose()


async def bare_worker(spec: str, calls: int) -> None:
    """One process of `bare_in_processes`: warm up, say so, wait for "go", print calls/s
    and CPU ms per call."""
    job_ids, identity, batch = json.loads(spec)

    async def ready() -> None:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)

    rate, cpu_ms = await bare_matcher(job_ids, identity, calls, batch, ready)
    print(f"{rate:.3f} {cpu_ms:.3f}", flush=True)


async def wait_until_up(base: str, server: subprocess.Popen[bytes], within_s: float = 300) -> None:
    """Wait for the server's /healthz (a loaded machine takes a while to import it all)."""
    deadline = time.monotonic() + within_s
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                sys.exit(f"the server exited with {server.returncode}; see its log")
            try:
                if (await http.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    sys.exit(f"the server did not answer /healthz within {within_s:.0f}s")


def spawn(
    args: list[str], env: dict[str, str], log: Path, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    """`clearview ARGS` in its own session; under cProfile (written on SIGTERM exit) when
    `profile` names the output file."""
    prefix = [sys.executable, "-m", "cProfile", "-o", str(profile)] if profile else []
    return subprocess.Popen(
        [*prefix, str(CLEARVIEW), *args],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=60)


async def run_pipeline(
    base: str, key: str, job_ids: list[str], redis_url: str, tasks: int, tag: str
) -> dict[str, Any]:
    """Submit `tasks` match tasks over HTTP; wait for every chat notification."""
    from sqlalchemy import select

    from core import bus
    from core.db import session_scope
    from core.models import Task
    from core.redis import connect

    # The notifications are received by a process of their own, as by the chat UI: in
    # this one they would wait behind the submitting client's work.
    listener = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.pipeline", "--redis-url", redis_url,
        "--listen", f"cv:chat:{tag}-*", "--tasks", str(tasks),
        cwd=ROOT, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert listener.stdout is not None
    if (await asyncio.wait_for(listener.stdout.readline(), 60)).strip() != b"ready":
        sys.exit("the notification listener did not start")
    submitted: dict[str, float] = {}
    limit = asyncio.Semaphore(CONCURRENCY)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:

        async def submit(n: int) -> None:
            async with limit:
                sent = time.time()
                answer = await http.post(
                    f"/api/v1/jobs/{job_ids[n % len(job_ids)]}/matches",
                    json={"top_k": 3, "chat_session_id": f"{tag}-{n}"},
                )
                answer.raise_for_status()
                submitted[answer.json()["task_id"]] = sent

        start = time.time()
        await asyncio.gather(*(submit(n) for n in range(tasks)))
        submit_s = time.time() - start
    received: dict[str, float] = json.loads(await asyncio.wait_for(listener.stdout.read(), 600))
    await listener.wait()
    async with session_scope() as session:
        rows = await session.execute(
            select(Task.id, Task.finished_at).where(Task.id.in_(list(submitted)))
        )
        finished = {task_id: at.timestamp() for task_id, at in rows.all() if at is not None}
    # When each notify event reached its stream: an entry id's first part is the Redis
    # server's clock (this machine's) in milliseconds at the XADD.
    redis = connect(redis_url)
    queued = {
        json.loads(fields[bus.FIELD])["task_id"]: int(entry_id.split("-")[0]) / 1000
        for entry_id, fields in await redis.xrange(bus.NOTIFY)
    }
    await redis.aclose()
    latency = [(received[t] - submitted[t]) * 1000 for t in submitted]
    overhead = [(received[t] - finished[t]) * 1000 for t in submitted]
    to_stream = [(queued[t] - finished[t]) * 1000 for t in submitted]
    return {
        "stream_p50": statistics.median(to_stream),
        "stream_p95": pct(to_stream, 0.95),
        "tasks_s": tasks / (max(received.values()) - start),
        "submit_s": tasks / submit_s,
        "p50": statistics.median(latency),
        "p95": pct(latency, 0.95),
        "notify_p50": statistics.median(overhead),
        "notify_p95": pct(overhead, 0.95),
    }


async def main(args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="cv-bench-pipeline-"))
    database_url = args.database_url
    created_db = None
    if database_url in (None, "postgres"):
        created_db = f"cvbench_{uuid.uuid4().hex[:8]}"
        await admin(f'CREATE DATABASE "{created_db}"')
        database_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{created_db}"
    elif database_url == "sqlite":
        database_url = f"sqlite+aiosqlite:///{data / 'clearview.db'}"
    env = {
        **os.environ,
        "CLEARVIEW_DATA_DIR": str(data),
        "CLEARVIEW_DATABASE_URL": database_url,
        "CLEARVIEW_REDIS_URL": args.redis_url,
        "CLEARVIEW_LOG_LEVEL": "WARNING",
        # One client submitting a burst: the per-key rate limit would measure itself.
        "CLEARVIEW_RATE_LIMIT_PER_MINUTE": "1000000",
        "CLEARVIEW_STREAM_CONCURRENCY": str(args.concurrency),
        "CLEARVIEW_STREAM_BATCH_SIZE": str(args.batch_size),
    }
    os.environ.update(env)
    from core import bus, migrate
    from core.redis import connect
    from core.settings import reset_settings_cache

    reset_settings_cache()
    await asyncio.to_thread(migrate.upgrade, database_url)
    redis = connect(args.redis_url)
    await redis.delete(*bus.STREAMS, *(bus.dead_letter_stream(s) for s in bus.STREAMS))
    await redis.aclose()
    key, job_ids, identity = await seed(args.resumes)

    async def bare(processes: int) -> tuple[float, float]:
        return await bare_in_processes(processes, job_ids, identity, args.bare_calls)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = spawn(["serve", "jobs", "--port", str(port), "--no-demo"], env, data / "server.log")
    rows: list[list[str]] = []
    cpu_rows: list[list[str]] = []
    one_bare: dict[int, float] = {}  # the bare matcher's calls/s in one process, if run
    try:
        await wait_until_up(base, server)
        for workers in args.workers:
            # The baseline runs as many processes as the pipeline has match workers, just
            # before and just after the pipeline run (the machine's load drifts).
            before = await bare(workers)
            profile = Path(args.profile) if args.profile else None
            if profile:
                profile.mkdir(parents=True, exist_ok=True)
            procs = [
                spawn(
                    ["worker", "match"],
                    env,
                    data / "match.log",
                    profile / f"match-{workers}-{n}.prof" if profile else None,
                )
                for n in range(workers)
            ]
            procs.append(
                spawn(
                    ["worker", "notify"],
                    env,
                    data / "notify.log",
                    profile / f"notify-{workers}.prof" if profile else None,
                )
            )
            roles = {
                "match worker(s)": [p.pid for p in procs[:-1]],
                "notify worker": [procs[-1].pid],
                "server (submits)": [server.pid],
                "benchmark client": [os.getpid()],
            }
            try:
                await run_pipeline(base, key, job_ids, args.redis_url, 20, f"warm{workers}")
                services = {"PostgreSQL": pids_named("postgres"), "Redis": pids_named(*REDIS)}
                counted = {**roles, **services}
                cpu_before = {role: cpu_seconds(pids) for role, pids in counted.items()}
                result = await run_pipeline(
                    base, key, job_ids, args.redis_url, args.tasks, f"run{workers}"
                )
                cpu_after = {role: cpu_seconds(pids) for role, pids in counted.items()}
            finally:
                stop(procs)
            after = await bare(workers)
            baseline = (before[0] + after[0]) / 2
            one_bare.setdefault(workers, baseline)
            per_task = {
                role: (cpu_after[role] - cpu_before[role]) * 1000 / args.tasks for role in counted
            }
            cpu_rows.append(
                [
                    f"{workers} match worker(s)",
                    f"{(before[1] + after[1]) / 2:.1f}",
                    *(f"{per_task[role]:.1f}" for role in counted),
                    f"{sum(per_task.values()):.1f}",
                ]
            )
            rows.append(
                [
                    f"bare matcher, {workers} process(es)",
                    f"{baseline:.0f}",
                    "1.00x",
                    f"{baseline / one_bare[1]:.2f}x" if 1 in one_bare else "-",
                    "-",
                    "-",
                    "-",
                    "-",
                ]
            )
            rows.append(
                [
                    f"pipeline, {workers} match worker(s)",
                    f"{result['tasks_s']:.0f}",
                    f"{result['tasks_s'] / baseline:.2f}x",
                    f"{result['tasks_s'] / one_bare[1]:.2f}x" if 1 in one_bare else "-",
                    f"{result['p50']:.0f} / {result['p95']:.0f}",
                    f"{result['notify_p50']:.1f} / {result['notify_p95']:.1f}",
                    f"{result['stream_p50']:.1f} / {result['stream_p95']:.1f}",
                    f"{result['submit_s']:.0f}",
                ]
            )
        # How much of a worker's advantage over the bare call is the batch itself: the
        # service's batch call in a loop, in one process.
        batched, _ = await bare_in_processes(1, job_ids, identity, args.bare_calls, args.batch_size)
        rows.append(
            [
                f"bare matcher in batches of {args.batch_size}, 1 process",
                f"{batched:.0f}",
                "-",
                f"{batched / one_bare[1]:.2f}x" if 1 in one_bare else "-",
                *["-"] * 4,
            ]
        )
    finally:
        stop([server])
        if created_db:
            from core.db import dispose_engines

            await dispose_engines()
            await admin(f'DROP DATABASE IF EXISTS "{created_db}" WITH (FORCE)')
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n{args.tasks} match tasks, {os.cpu_count()} cores, load {load}, "
        f"{database_url.split(':')[0]}, {args.resumes} opted-in candidates, "
        f"{args.concurrency} batch(es) of at most {args.batch_size} in flight per worker\n"
    )
    print(
        table(
            [
                "run",
                "tasks/s",
                "vs bare",
                "vs 1 bare process",
                "submit->notify ms p50 / p95",
                "notify overhead ms p50 / p95",
                "of which to the notify stream",
                "submits/s",
            ],
            rows,
        )
    )
    # Where the CPU went: on a machine this size every process shares the same cores, so
    # the pipeline's share beside the matcher's own work is what bounds its throughput.
    print("\nCPU milliseconds per task (the bare matcher's: per call, in its own process)\n")
    print(
        table(
            [
                "run",
                "bare matcher",
                "match worker(s)",
                "notify worker",
                "server (submits)",
                "benchmark client",
                "PostgreSQL",
                "Redis",
                "all",
            ],
            cpu_rows,
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--bare-calls", type=int, default=300)
    parser.add_argument(
        "--resumes",
        type=int,
        default=500,
        help="opted-in candidates to rank (5 hand-written, then rjdb's); 5 measures the "
        "pipeline's overhead against an almost free matcher",
    )
    parser.add_argument("--database-url", default=None, help="postgres (default), sqlite or a URL")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="match worker processes per run"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="CLEARVIEW_STREAM_CONCURRENCY of the workers (default: the product's, 1; more "
        "entries in flight only add GIL contention to CPU-bound matching)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=8,
        help="CLEARVIEW_STREAM_BATCH_SIZE of the match and notify workers (default: the "
        "product's, 8; 1 finishes each task in a transaction of its own)",
    )
    parser.add_argument("--profile", default=None, help="a directory for the workers' cProfile")
    parser.add_argument("--bare-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--listen", default=None, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.listen is not None:
        asyncio.run(listen(parsed.redis_url, parsed.listen, parsed.tasks))
    elif parsed.bare_worker is not None:
        asyncio.run(bare_worker(parsed.bare_worker, parsed.bare_calls))
    else:
        asyncio.run(main(parsed))
