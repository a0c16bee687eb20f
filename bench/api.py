"""Requests/s and latency of the API's general path next to bare FastAPI endpoints doing
the same reads, in the same run, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.api [--seconds 6] [--rounds 3] [--clients 32]
        [--redis-url redis://...]
        [--databases sqlite,postgresql]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--job-cache]
        [--py-spy PATH/py-spy --profile-dir DIR]

For each database two servers run under uvicorn in subprocesses on free loopback ports:
the app under test (`clearview serve --port N --no-demo`, every service and worker in one
process; SQLite in a fresh data dir, or a fresh PostgreSQL database created on the server
of `--database-url`, migrated, and dropped at the end) and `bench/_bare_api.py`, a bare
FastAPI app whose endpoints run the same SQL statements through SQLAlchemy on the same
database, with an engine from the same factory, and return the same response models (no
authentication, rate limiting, middleware or metrics; like `clearview serve`, it freezes
its start-up heap out of garbage collection). The benchmark checks once that
both answer each read with the same JSON, then measures a mix of reads:

- a job (`GET /api/v1/jobs/{id}`), a page of 20 jobs (`GET /api/v1/jobs`) with an
  employer's key;
- a resume (`GET /api/v1/resumes/{id}`), a task's status (`GET /api/v1/tasks/{id}`) and
  a match score (`POST /api/v1/match/score`, resume text against a published job) with a
  candidate's key.

Target: ours >= 0.5x the bare endpoint's requests/s on each row. The job read cache
(`api/jobs/cache.py`) is off unless `--job-cache`, so the job row runs the same SQL as
the bare one and measures the general path, like every other row.

Per row, 32 keep-alive connections send requests back to back, to the bare server and
then to ours, in `--rounds` alternating rounds that share `--seconds` per app (each
round after a half-second warm-up), so a burst of load from elsewhere falls on both apps
alike. The load generator is a minimal HTTP/1.1 client on asyncio streams, so it costs
far less per request than the servers it measures. The load generator and the servers
share the machine's cores; only one server is loaded at a time. Logging is at WARNING
for both, so neither writes an access log line per request. On a busy machine compare
the ratios, not the rates; the CPU time each server spent per request (its process's
user + system time over every answer it gave while loaded) is steadier still, since
time other processes take from it does not count.

`--py-spy` records the app server during each of its rows into `--profile-dir` (collapsed
stacks, one file per database and row; py-spy is not a project dependency: install it
anywhere, e.g. `pip install --target /tmp/pyspy py-spy`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._common import table

ROOT = Path(__file__).resolve().parents[1]
RESUME_TEXT = (
    "Data engineer, 5 years. Experience: Data Engineer, Foo Ltd (2020 - Present). "
    "Built Airflow pipelines in Python and SQL; Spark jobs on Kubernetes."
)
TARGET_RATIO = 0.5
PAGE = 20
WARM_UP = 0.5  # seconds of each round not counted
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clearview_command() -> list[str]:
    script = Path(sys.executable).with_name("clearview")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from clearview.entry import main; main()"]


def http(
    method: str, url: str, key: str | None = None, body: Any = None, timeout: float = 30
) -> tuple[int, Any]:
    """One blocking request for set-up (before any load runs); status and JSON body."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful shutdown, which also stops an embedded Valkey), then SIGKILL."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load generator ----------------------------------------------------------------


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    first_error: str = ""
    # The server process's CPU time while loaded, and every answer in that time (the
    # warm-up's too): a cost per request that a busy machine does not skew.
    cpu_seconds: float = 0.0
    served: int = 0

    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.served if self.served else float("nan")

    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Nearest rank, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[max(0, int(fraction * len(ordered) + 0.999999) - 1)] * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _client(
    port: int, request: bytes, started: float, measure_from: float, until: float, result: Result
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            begin = time.perf_counter()
            if begin >= until:
                return
            writer.write(request)
            status, body = await _read_response(reader)
            end = time.perf_counter()
            result.served += 1
            if begin < measure_from:
                continue  # warm-up
            if status == 200:
                result.requests += 1
                result.latencies.append(end - begin)
            else:
                result.errors += 1
                result.first_error = result.first_error or f"{status} {body[:200]!r}"
    finally:
        writer.close()


def build_request(method: str, path: str, key: str | None, body: Any = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    if key:
        lines.append(f"Authorization: Bearer {key}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def load(port: int, request: bytes, clients: int, seconds: float, result: Result) -> None:
    """`clients` connections sending `request` for `seconds` after a warm-up, counted
    into `result`."""
    started = time.perf_counter()
    measure_from = started + WARM_UP
    until = measure_from + seconds
    await asyncio.gather(
        *(_client(port, request, started, measure_from, until, result) for _ in range(clients))
    )
    result.seconds += seconds


def run_load(port: int, request: bytes, clients: int, seconds: float, result: Result) -> None:
    try:
        import uvloop

        uvloop.run(load(port, request, clients, seconds, result))
    except ImportError:
        asyncio.run(load(port, request, clients, seconds, result))


# --- set-up and report -----------------------------------------------------------------


def create_key(env: dict[str, str], org: str, role: str) -> str:
    done = subprocess.run(
        [*clearview_command(), "apikey", "create", "--org", org, "--role", role],
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode().strip().splitlines()[-1]


async def _admin(url: str, sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`; dropped on exit."""
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url).set(drivername="postgresql+asyncpg")
    name = f"cv_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin.render_as_string(False), f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(False)
    finally:
        asyncio.run(
            _admin(admin.render_as_string(False), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


@dataclass(frozen=True)
class Read:
    """One row: the same read on our app and on the bare one."""

    name: str
    method: str
    ours: str  # path on our app
    bare: str  # path on the bare app
    key: str
    body: Any = None


@dataclass
class Row:
    database: str
    name: str
    ours: Result
    bare: Result

    def ratio(self) -> float:
        return self.ours.rate() / self.bare.rate() if self.bare.rate() else float("nan")


def upload(url: str, key: str, filename: str, text: str) -> tuple[int, Any]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def expect(status: int, answer: Any, wanted: int, what: str) -> Any:
    if status != wanted:
        raise SystemExit(f"could not {what}: {status} {answer}")
    return answer


def create_data(env: dict[str, str], app_url: str) -> tuple[dict[str, str], list[Read]]:
    """Keys, jobs, a resume and a finished task on our app; the bare app's environment
    (whose rows to read) and the rows to measure."""
    employer = create_key(env, "bench", "employer")
    candidate = create_key(env, "public", "candidate")
    employer_me = expect(*http("GET", f"{app_url}/api/v1/me", employer), 200, "read a key")
    candidate_me = expect(*http("GET", f"{app_url}/api/v1/me", candidate), 200, "read a key")
    jobs = [
        {
            "external_id": f"bench-{n}",
            "title": f"Data Engineer {n}",
            "company": "Bench Ltd",
            "description": "ETL pipelines in Python, SQL and Airflow; Spark on Kubernetes.",
            "required_skills": ["python", "sql"],
            "preferred_skills": ["airflow", "spark"],
            "remote": True,
            "published": True,
        }
        for n in range(PAGE + 5)
    ]
    expect(*http("POST", f"{app_url}/api/v1/jobs/bulk", employer, {"jobs": jobs}), 200, "import")
    page = expect(*http("GET", f"{app_url}/api/v1/jobs?limit=1", employer), 200, "list jobs")
    job_id = page["items"][0]["id"]
    resume = expect(
        *upload(f"{app_url}/api/v1/resumes", candidate, "resume.txt", RESUME_TEXT),
        201,
        "upload a resume",
    )
    accepted = expect(
        *http("POST", f"{app_url}/api/v1/resumes/{resume['id']}/matches", candidate, {}),
        202,
        "submit a match task",
    )
    task_id = accepted["task_id"]
    # The task runs in the app's worker: wait for it, so no work is left for the rows.
    deadline = time.monotonic() + 120
    while True:
        task = expect(*http("GET", f"{app_url}/api/v1/tasks/{task_id}", candidate), 200, "read")
        if task["status"] not in ("queued", "running"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"task {task_id} still {task['status']} after 120 s")
        time.sleep(0.2)
    bare_env = {
        "BARE_EMPLOYER_ORG": employer_me["org_id"],
        "BARE_CANDIDATE_ORG": candidate_me["org_id"],
        "BARE_CANDIDATE_USER": candidate_me["user_id"],
    }
    score = {"resume_text": RESUME_TEXT, "job_id": job_id}
    reads = [
        Read("job", "GET", f"/api/v1/jobs/{job_id}", f"/jobs/{job_id}", employer),
        Read(
            f"page of {PAGE} jobs",
            "GET",
            f"/api/v1/jobs?limit={PAGE}",
            f"/jobs?limit={PAGE}",
            employer,
        ),
        Read(
            "resume",
            "GET",
            f"/api/v1/resumes/{resume['id']}",
            f"/resumes/{resume['id']}",
            candidate,
        ),
        Read("task status", "GET", f"/api/v1/tasks/{task_id}", f"/tasks/{task_id}", candidate),
        Read("match score", "POST", "/api/v1/match/score", "/match/score", candidate, score),
    ]
    return bare_env, reads


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float = 120) -> None:
    """Wait until the app has finished the work its set-up queued (indexing the jobs and
    the resume in its workers): under 5% of a core over a second."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now
    print(f"the app was still busy {timeout:.0f} s after set-up; measuring anyway")


def check_same(app_url: str, bare_url: str, reads: list[Read]) -> None:
    """Both apps answer each read with the same JSON: the rows compare the same work."""
    for read in reads:
        ours = expect(*http(read.method, app_url + read.ours, read.key, read.body), 200, read.name)
        bare = expect(*http(read.method, bare_url + read.bare, None, read.body), 200, read.name)
        if ours != bare:
            raise SystemExit(f"{read.name}: the apps answer differently:\n{ours}\n{bare}")


def start_app(env: dict[str, str], port: int, cwd: str) -> subprocess.Popen[bytes]:
    command = [*clearview_command(), "serve", "--port", str(port), "--no-demo"]
    return subprocess.Popen(command, env=env, cwd=cwd)


def start_bare(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench._bare_api:app",
        "--app-dir",
        str(ROOT),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(command, env=env, cwd=str(ROOT))


def measure(
    args: argparse.Namespace, database: str, env: dict[str, str], database_url: str, tmp: Path
) -> list[Row]:
    processes: list[subprocess.Popen[bytes]] = []
    app_port, bare_port = free_port(), free_port()
    app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
    try:
        processes.append(start_app(env, app_port, str(tmp)))
        wait_ready(processes[0], f"{app_url}/healthz", args.start_timeout)
        bare_env, reads = create_data(env, app_url)
        bare_env |= {
            "BARE_DATABASE_URL": database_url,
            # the scoring functions' embedder, with a data dir of its own
            "CLEARVIEW_DATA_DIR": str(tmp / "bare-data"),
        }
        wait_idle(processes[0].pid)
        processes.append(start_bare(env | bare_env, bare_port))
        wait_ready(processes[1], f"{bare_url}/constant", args.start_timeout)
        check_same(app_url, bare_url, reads)
        rows = []
        for read in reads:
            row = Row(database, read.name, Result(), Result())
            bare_request = build_request(read.method, read.bare, None, read.body)
            request = build_request(read.method, read.ours, read.key, read.body)
            share = args.seconds / args.rounds
            profile = Path(args.profile_dir) / f"{database}-{read.name.replace(' ', '-')}.txt"
            with recording(args, processes[0].pid, profile, args.rounds * 2 * (share + WARM_UP)):
                # Alternating short rounds, so a burst of load from elsewhere on the
                # machine falls on both apps alike rather than on one row of one app.
                for _ in range(args.rounds):
                    for port, pid, wire, result in (
                        (bare_port, processes[1].pid, bare_request, row.bare),
                        (app_port, processes[0].pid, request, row.ours),
                    ):
                        cpu_before = cpu_seconds(pid)
                        run_load(port, wire, args.clients, share, result)
                        result.cpu_seconds += cpu_seconds(pid) - cpu_before
            rows.append(row)
            print(
                f"{database} {read.name}: ours {row.ours.rate():.0f} req/s ({ms(row.ours)} ms), "
                f"bare {row.bare.rate():.0f} req/s ({ms(row.bare)} ms): {row.ratio():.2f}x",
                flush=True,
            )
        return rows
    finally:
        for process in reversed(processes):
            stop(process)


@contextmanager
def recording(args: argparse.Namespace, pid: int, out: Path, seconds: float) -> Iterator[None]:
    """py-spy over the app server while one row runs (nothing without `--py-spy`)."""
    if not args.py_spy:
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = subprocess.Popen(
        [
            args.py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            "250",
            "--output",
            str(out),
            "--format",
            "raw",
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.wait(timeout=60)


def app_env(tmp: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLEARVIEW_")  # a fresh app, whatever the shell set
    }
    env |= {
        "CLEARVIEW_DATA_DIR": str(tmp / "data"),
        "CLEARVIEW_MODE": "dev",
        "CLEARVIEW_LOG_LEVEL": "WARNING",
        # the limiter still runs on every request; it just never refuses one here
        "CLEARVIEW_RATE_LIMIT_PER_MINUTE": "1000000000",
    }
    if not args.job_cache:
        env["CLEARVIEW_JOB_READ_CACHE_TTL_S"] = "0"
    if args.redis_url:
        env["CLEARVIEW_REDIS_URL"] = args.redis_url
    return env


def run_database(args: argparse.Namespace, database: str) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="cv-bench-") as name:
        tmp = Path(name)
        env = app_env(tmp, args)
        if database == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp / 'data' / 'clearview.db'}"
            return measure(args, "SQLite", env, url, tmp)
        with fresh_postgres(args.database_url) as url:
            env["CLEARVIEW_DATABASE_URL"] = url
            subprocess.run(
                [*clearview_command(), "db", "upgrade"], env=env, check=True, timeout=300
            )
            return measure(args, "PostgreSQL", env, url, tmp)


def ms(result: Result) -> str:
    return f"{result.percentile(0.5):.1f} / {result.percentile(0.99):.1f}"


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"\n{args.clients} concurrent keep-alive clients, {args.seconds:g} s per row and app in "
        f"{args.rounds} alternating rounds, "
        f"loopback; load average (1, 5, 15 min) at the end: {os.getloadavg()}\n"
    )
    lines = []
    for row in rows:
        lines.append(
            [
                row.database,
                row.name,
                f"{row.ours.rate():,.0f}",
                f"{row.bare.rate():,.0f}",
                ms(row.ours),
                ms(row.bare),
                f"{row.ours.cpu_ms_per_request():.2f} / {row.bare.cpu_ms_per_request():.2f}",
                f"{row.ratio():.2f}x",
            ]
        )
        for result, who in ((row.ours, "ours"), (row.bare, "bare")):
            if result.errors:
                lines.append(
                    ["", f"  {who}: {result.errors} errors", result.first_error, *[""] * 5]
                )
    headers = [
        "database",
        "read",
        "ours req/s",
        "bare req/s",
        "ours p50 / p99 ms",
        "bare p50 / p99 ms",
        "CPU ms / request ours / bare",
        "ours / bare",
    ]
    print(table(headers, lines))
    missed = [f"{row.database} {row.name}" for row in rows if not row.ratio() >= TARGET_RATIO]
    verdict = "met on every row" if not missed else "NOT met: " + ", ".join(missed)
    print(f"\ntarget >= {TARGET_RATIO}x bare: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="measured s per row and app")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds per row (bare, ours, ...)"
    )
    parser.add_argument("--redis-url", help="use this Redis instead of an embedded Valkey")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_POSTGRES,
        help="a PostgreSQL server (any database on it): the PostgreSQL rows run on a fresh "
        "database created there and dropped at the end",
    )
    parser.add_argument(
        "--job-cache", action="store_true", help="keep the job read cache on (default: off)"
    )
    parser.add_argument("--start-timeout", type=float, default=240, help="seconds to start")
    parser.add_argument("--py-spy", help="path of a py-spy binary: profile our app's rows")
    parser.add_argument("--profile-dir", default="api-profiles", help="py-spy output directory")
    args = parser.parse_args()
    databases = [name.strip().lower() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s) {sorted(unknown)}; choose sqlite, postgresql")
    rows = [row for database in databases for row in run_database(args, database)]
    print_table(rows, args)


if __name__ == "__main__":
    main()
