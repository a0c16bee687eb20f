"""Match-task throughput against the local topology with 1, 2 and 4 match worker processes.

    .venv/bin/python bench/scale.py [--tasks 300] [--workers 1,2,4] [--jobs 200]

Starts `deploy/local.sh` (jobs and resumes services, the outbox/index/notify/webhooks
workers, a private Redis with AOF, a Chroma server, a throw-away PostgreSQL database) with
NO match worker, loads synthetic jobs and resumes over HTTP, then for each worker count:
starts that many `clearview worker match` processes, submits `--tasks` match tasks over
HTTP (`POST /api/v1/resumes/{id}/matches`) and measures until every one succeeded.

Besides tasks/s it measures what one task costs each component: CPU ms of the match
workers, the Chroma server and Redis (from /proc), PostgreSQL transactions and rows read
(pg_stat_database of the bench's own database), so the projection at the end reasons from
measured per-task costs rather than guesses. Everything is stopped and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._topology import ROOT, LocalTopology, free_port_block

CLK_TCK = os.sysconf("SC_CLK_TCK")
SKILLS = [
    "Python", "SQL", "Airflow", "Spark", "Kafka", "Go", "Rust", "Java", "Kotlin", "React",
    "TypeScript", "PostgreSQL", "Redis", "Kubernetes", "Terraform", "AWS", "GCP", "Django",
    "FastAPI", "pandas", "PyTorch", "dbt", "Snowflake", "Linux",
]  # fmt: skip
TITLES = ["Data Engineer", "Backend Developer", "ML Engineer", "Platform Engineer", "Analyst"]
CITIES = ["Berlin", "Paris", "Madrid", "Lisbon", "Vienna", "Prague", "Warsaw"]


def synthetic_jobs(count: int) -> list[dict[str, object]]:
    jobs = []
    for i in range(count):
        skills = [SKILLS[(i * 7 + k * 5) % len(SKILLS)] for k in range(4)]
        title = TITLES[i % len(TITLES)]
        jobs.append(
            {
                "external_id": f"bench-{i}",
                "title": title,
                "company": f"Company {i % 40}",
                "location": CITIES[i % len(CITIES)],
                "remote": i % 3 == 0,
                "employment_type": "full_time",
                "description": f"{title} building products with {', '.join(skills)}. "
                f"You will own services end to end and mentor colleagues ({i}).",
                "required_skills": skills[:3],
                "preferred_skills": skills[3:],
                "min_years": i % 8,
                "published": True,
            }
        )
    return jobs


def synthetic_resume(i: int) -> bytes:
    skills = [SKILLS[(i * 3 + k * 7) % len(SKILLS)] for k in range(6)]
    return (
        f"Candidate {i}\n{TITLES[i % len(TITLES)]}, {3 + i % 9} years of experience.\n"
        f"Skills: {', '.join(skills)}.\nBased in {CITIES[i % len(CITIES)]}; "
        f"built data platforms and APIs with {skills[0]} and {skills[1]}.\n"
    ).encode()


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (0 for one that is gone)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


@dataclass
class Run:
    workers: int
    tasks: int
    seconds: float
    worker_cpu_ms: float  # per task
    services_cpu_ms: float
    chroma_cpu_ms: float
    redis_cpu_ms: float
    pg_xacts: float
    pg_rows_read: float

    @property
    def throughput(self) -> float:
        return self.tasks / self.seconds

    @property
    def worker_busy(self) -> float:
        """Share of the workers' wall time spent on the CPU (the rest: waiting for PostgreSQL,
        Chroma, Redis, or for a core taken by another process)."""
        return self.worker_cpu_ms * self.tasks / (1000 * self.seconds * self.workers)


class Bench:
    def __init__(self, topo: LocalTopology, database: str) -> None:
        self.topo = topo
        self.database = database
        self.pg_dsn = f"host=127.0.0.1 user=postgres dbname={database}"

    def pg_counters(self) -> tuple[int, int]:
        with psycopg.connect(self.pg_dsn, autocommit=True) as conn:
            conn.execute("select pg_stat_clear_snapshot()")
            row = conn.execute(
                "select xact_commit, tup_returned + tup_fetched from pg_stat_database "
                "where datname = %s",
                (self.database,),
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    def unfinished(self, task_ids: list[str]) -> int:
        with psycopg.connect(self.pg_dsn, autocommit=True) as conn:
            failed = conn.execute(
                "select count(*) from tasks where id = any(%s) and status in ('failed', 'cancelled')",
                (task_ids,),
            ).fetchone()
            assert failed is not None
            assert failed[0] == 0, f"{failed[0]} tasks failed"
            row = conn.execute(
                "select count(*) from tasks where id = any(%s) and status <> 'succeeded'",
                (task_ids,),
            ).fetchone()
        assert row is not None
        return int(row[0])

    async def submit(
        self, http: httpx.AsyncClient, key: str, resume_ids: list[str], count: int
    ) -> list[str]:
        url = self.topo.url("resumes")
        gate = asyncio.Semaphore(16)

        async def one(i: int) -> str:
            async with gate:
                answer = await http.post(
                    f"{url}/api/v1/resumes/{resume_ids[i % len(resume_ids)]}/matches",
                    json={"top_k": 10},
                    headers={"Authorization": f"Bearer {key}"},
                )
                answer.raise_for_status()
                return str(answer.json()["task_id"])

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    async def wait_all(self, task_ids: list[str]) -> None:
        # Polled in the bench's own database: HTTP polling would load the services measured.
        while True:
            if not await asyncio.to_thread(self.unfinished, task_ids):
                return
            await asyncio.sleep(0.2)


async def load(bench: Bench, jobs: int, resumes: int) -> tuple[str, list[str]]:
    topo = bench.topo
    employer = topo.api_key("bench-scale", "employer")
    candidate = topo.api_key("bench-scale", "candidate")
    async with httpx.AsyncClient(timeout=120) as http:
        answer = await http.post(
            f"{topo.url('jobs')}/api/v1/jobs/bulk",
            json={"jobs": synthetic_jobs(jobs)},
            headers={"Authorization": f"Bearer {employer}"},
        )
        answer.raise_for_status()
        resume_ids = []
        for i in range(resumes):
            upload = await http.post(
                f"{topo.url('resumes')}/api/v1/resumes",
                files={"file": (f"candidate-{i}.txt", synthetic_resume(i), "text/plain")},
                headers={"Authorization": f"Bearer {candidate}"},
            )
            upload.raise_for_status()
            resume_ids.append(upload.json()["id"])
    return candidate, resume_ids


async def measure(
    bench: Bench, workers: int, tasks: int, key: str, resume_ids: list[str], logs: Path
) -> Run:
    procs = [
        bench.topo.launch_worker("match", logs / f"bench-match-{i}.log") for i in range(workers)
    ]
    try:
        async with httpx.AsyncClient(timeout=120) as http:
            # Warm-up: every worker has loaded its model and joined the group before timing.
            async with asyncio.timeout(300):
                await bench.wait_all(await bench.submit(http, key, resume_ids, workers * 4))
            watched = [p.pid for p in procs]
            services = [bench.topo.pid("jobs"), bench.topo.pid("resumes")]
            chroma, redis = bench.topo.pid("chroma"), bench.topo.pid("redis")
            groups = [watched, services, [chroma], [redis]]
            cpu0 = [cpu_seconds(group) for group in groups]
            pg0 = bench.pg_counters()
            started = time.monotonic()
            task_ids = await bench.submit(http, key, resume_ids, tasks)
            async with asyncio.timeout(900):
                await bench.wait_all(task_ids)
            seconds = time.monotonic() - started
            cpu1 = [cpu_seconds(group) for group in groups]
            pg1 = bench.pg_counters()
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    worker_ms, services_ms, chroma_ms, redis_ms = (
        1000 * (after - before) / tasks for before, after in zip(cpu0, cpu1, strict=True)
    )
    return Run(
        workers,
        tasks,
        seconds,
        worker_cpu_ms=worker_ms,
        services_cpu_ms=services_ms,
        chroma_cpu_ms=chroma_ms,
        redis_cpu_ms=redis_ms,
        pg_xacts=(pg1[0] - pg0[0]) / tasks,
        pg_rows_read=(pg1[1] - pg0[1]) / tasks,
    )


def report(runs: list[Run], jobs: int) -> None:
    base = runs[0].throughput
    cores = os.cpu_count() or 1
    print(f"\nmatch tasks, {jobs} published jobs, {cores} CPU cores (CPU ms are per task)")
    print(
        f"{'workers':>7} {'tasks':>6} {'seconds':>8} {'tasks/s':>8} {'speed-up':>8} "
        f"{'busy':>5} {'worker':>7} {'api':>6} {'chroma':>7} {'redis':>6} {'pg xact':>7} "
        f"{'pg rows':>8}"
    )
    for r in runs:
        print(
            f"{r.workers:>7} {r.tasks:>6} {r.seconds:>8.1f} {r.throughput:>8.1f} "
            f"{r.throughput / base:>7.2f}x {r.worker_busy:>5.0%} {r.worker_cpu_ms:>7.1f} "
            f"{r.services_cpu_ms:>6.1f} {r.chroma_cpu_ms:>7.2f} {r.redis_cpu_ms:>6.2f} "
            f"{r.pg_xacts:>7.1f} {r.pg_rows_read:>8.0f}"
        )
    first, last = runs[0], runs[-1]
    # CPU this topology spends per task in processes we can measure; PostgreSQL's share is
    # not attributable on a shared server, so it is left out (an underestimate).
    measured_ms = last.worker_cpu_ms + last.services_cpu_ms + last.chroma_cpu_ms + last.redis_cpu_ms
    ceiling = cores * 1000 / measured_ms
    per_core = 1000 / max(last.worker_cpu_ms, 0.1)
    chroma_max = 1000 / max(last.chroma_cpu_ms, 0.01)
    pg_low, pg_high = 5000 / max(last.pg_xacts, 0.1), 10000 / max(last.pg_xacts, 0.1)
    redis_max = 1000 / max(last.redis_cpu_ms, 0.01)
    print(
        f"""
Scaling: one worker is busy on the CPU {first.worker_busy:.0%} of the time; the rest of each
task is waiting ({1000 * first.seconds / first.tasks:.0f} ms wall per task against
{first.worker_cpu_ms:.0f} ms CPU): ~{first.pg_xacts:.0f} PostgreSQL transactions, a Chroma
query and Redis round trips, one task at a time per worker. More workers overlap those
waits, so throughput rises ({last.throughput / base:.2f}x with {last.workers}) until the
{cores} cores are full: the topology spends ~{measured_ms:.0f} CPU-ms per task in the
processes measured here (workers, API, Chroma, Redis; PostgreSQL comes on top), a ceiling
of ~{ceiling:.0f} tasks/s on this machine. Worker CPU per task grows with the worker count
({first.worker_cpu_ms:.0f} -> {last.worker_cpu_ms:.0f} ms): contention for the cores, not
more work - past {cores} workers they mostly take turns.

Projection for a larger deployment (linear in the measured per-task costs):
- match workers: ~{per_core:.0f} tasks/s per dedicated core at full use; stateless
  consumers of one group, so add processes/machines until a shared tier saturates.
- Chroma server: {last.chroma_cpu_ms:.1f} CPU-ms/task -> one node's query path saturates
  around ~{chroma_max:.0f} tasks/s per core it can use; a single Chroma node is the first
  shared component to run out (shard collections or use distributed Chroma beyond it).
- PostgreSQL: {last.pg_xacts:.1f} transactions and {last.pg_rows_read:.0f} rows read per
  task; one primary doing 5,000-10,000 small write transactions/s carries
  ~{pg_low:.0f}-{pg_high:.0f} tasks/s (add PgBouncer: every process holds a pool).
- Redis: {last.redis_cpu_ms:.2f} CPU-ms/task -> ~{redis_max:.0f} tasks/s on its single
  thread: the last to saturate.
Order: embedding/scoring CPU in the workers first (cheapest to add), then Chroma at
~{chroma_max:.0f} tasks/s, then PostgreSQL at ~{pg_low:.0f} tasks/s, then Redis."""
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--resumes", type=int, default=20)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    run_dir = Path(tempfile.mkdtemp(prefix="cv-scale-"))
    database = f"cv_scale_{uuid.uuid4().hex[:8]}"
    topo = LocalTopology(
        run_dir=run_dir,
        database=database,
        base_port=free_port_block(8),
        settings={"CLEARVIEW_RATE_LIMIT_PER_MINUTE": "1000000", "CLEARVIEW_LOG_LEVEL": "WARNING"},
    )
    env_cache = os.environ.get("CLEARVIEW_MODEL_CACHE_DIR", str(ROOT / "data" / "models"))
    topo.env = {**os.environ, "CLEARVIEW_MODEL_CACHE_DIR": env_cache}
    bench = Bench(topo, database)
    try:
        print(f"starting the topology in {run_dir} ...", flush=True)
        topo.start("--services", "jobs resumes", "--match-workers", "0", "--rewrite-workers", "0",
                   "--own-redis")  # fmt: skip
        key, resume_ids = await load(bench, args.jobs, args.resumes)
        runs = []
        for workers in counts:
            print(f"{workers} match worker(s): {args.tasks} tasks ...", flush=True)
            runs.append(
                await measure(bench, workers, args.tasks, key, resume_ids, run_dir / "logs")
            )
        report(runs, args.jobs)
    finally:
        topo.stop()
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'drop database if exists "{database}" with (force)')


if __name__ == "__main__":
    asyncio.run(main())
