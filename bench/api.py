"""Requests/s and latency of the API next to a bare FastAPI endpoint, in the same run.

    .venv/bin/python bench/api.py [--seconds 10] [--clients 32] [--redis-url redis://...]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--no-match]
        [--py-spy PATH/py-spy --profile-out profile.svg]

Two servers run under uvicorn in subprocesses on free loopback ports: the app under test
(`clearview serve --port N --no-demo`, every service and worker in one process, on a fresh
SQLite data dir, or with `--database-url` on a fresh PostgreSQL database created on that
server, migrated, and dropped at the end) and a bare FastAPI app whose one endpoint returns
a constant. For each row, 32 keep-alive connections send requests back to back for `--seconds` after a one-second
warm-up; the load generator is a minimal HTTP/1.1 client on asyncio streams, so it costs
far less per request than the servers it measures. Rows:

- bare `GET /constant`: the ceiling of uvicorn + FastAPI on this machine;
- `GET /api/v1/jobs/{id}`: authentication, rate limiting, a SQL read, JSON out. Target:
  >= 0.5x the bare endpoint's requests/s;
- `POST /api/v1/match/jobs`: the matching engine, when its route is there (skipped with a
  note when it answers 404).

`--py-spy` records a flame graph of the app server during the read row (py-spy is not a
project dependency: install it anywhere, e.g. `pip install --target /tmp/pyspy py-spy`).

The load generator and the servers share the machine's cores, as they would on a
two-core box in embedded mode; both servers get the same conditions. Logging is at
WARNING for both, so neither writes an access log line per request.
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

BARE_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
async def constant() -> dict[str, str]:
    return {"status": "ok"}
"""

RESUME_TEXT = (
    "Data engineer, 5 years. Experience: Data Engineer, Foo Ltd (2020 - Present). "
    "Built Airflow pipelines in Python and SQL; Spark jobs on Kubernetes."
)
TARGET_READ_RATIO = 0.5


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


async def load(port: int, request: bytes, clients: int, seconds: float) -> Result:
    result = Result()
    started = time.perf_counter()
    measure_from = started + 1.0
    until = measure_from + seconds
    await asyncio.gather(
        *(_client(port, request, started, measure_from, until, result) for _ in range(clients))
    )
    result.seconds = seconds
    return result


def run_load(port: int, request: bytes, clients: int, seconds: float) -> Result:
    try:
        import uvloop

        return uvloop.run(load(port, request, clients, seconds))
    except ImportError:
        return asyncio.run(load(port, request, clients, seconds))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per row")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--redis-url", help="use this Redis instead of an embedded Valkey")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (any database on it): the app runs on a fresh database "
        "created there (default: SQLite in a temporary data dir)",
    )
    parser.add_argument("--no-match", action="store_true", help="skip the match row")
    parser.add_argument("--start-timeout", type=float, default=240, help="seconds to start")
    parser.add_argument("--py-spy", help="path of a py-spy binary: profile the read row")
    parser.add_argument("--profile-out", default="api-read-profile.svg", help="py-spy output")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cv-bench-") as tmp:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("CLEARVIEW_")  # a fresh app, whatever the shell set
        }
        env |= {
            "CLEARVIEW_DATA_DIR": str(Path(tmp) / "data"),
            "CLEARVIEW_MODE": "dev",
            "CLEARVIEW_LOG_LEVEL": "WARNING",
            # the limiter still runs on every request; it just never refuses one here
            "CLEARVIEW_RATE_LIMIT_PER_MINUTE": "1000000000",
        }
        if args.redis_url:
            env["CLEARVIEW_REDIS_URL"] = args.redis_url
        if args.database_url:
            with fresh_postgres(args.database_url) as url:
                env["CLEARVIEW_DATABASE_URL"] = url
                subprocess.run(
                    [*clearview_command(), "db", "upgrade"], env=env, check=True, timeout=300
                )
                rows = serve_and_measure(args, env, tmp)
        else:
            rows = serve_and_measure(args, env, tmp)
    print_table(rows, args.clients, args.seconds)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"database: {database}; load average (1, 5, 15 min): {os.getloadavg()}")


def serve_and_measure(args: argparse.Namespace, env: dict[str, str], tmp: str) -> list[Row]:
    processes: list[subprocess.Popen[bytes]] = []
    Path(tmp, "bare_app.py").write_text(BARE_APP)
    app_port, bare_port = free_port(), free_port()
    try:
        processes.append(
            subprocess.Popen(
                [*clearview_command(), "serve", "--port", str(app_port), "--no-demo"],
                env=env,
                cwd=tmp,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare_app:app",
                    "--app-dir",
                    tmp,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(bare_port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=env,
                cwd=tmp,
            )
        )
        app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
        wait_ready(processes[0], f"{app_url}/healthz", args.start_timeout)
        wait_ready(processes[1], f"{bare_url}/constant", args.start_timeout)
        profiler = Profiler(args.py_spy, args.profile_out, processes[0].pid, args.seconds)
        return run_rows(env, app_url, app_port, bare_port, args, profiler)
    finally:
        for process in processes:
            stop(process)


@dataclass
class Profiler:
    """py-spy over the app server for one row (or nothing, without `--py-spy`)."""

    binary: str | None
    out: str
    pid: int
    seconds: float

    @contextmanager
    def recording(self) -> Iterator[None]:
        if not self.binary:
            yield
            return
        spy = subprocess.Popen(
            [
                self.binary,
                "record",
                "--pid",
                str(self.pid),
                "--duration",
                str(int(self.seconds)),
                "--rate",
                "250",
                "--output",
                self.out,
                # collapsed stacks (one line per stack, for scripts) unless an SVG is asked
                "--format",
                "flamegraph" if self.out.endswith(".svg") else "raw",
                "--nonblocking",
            ],
        )
        try:
            yield
        finally:
            spy.wait(timeout=60)
            print(f"profile of the read row written to {self.out}")


@dataclass
class Row:
    name: str
    result: Result | None
    note: str = ""


def run_rows(
    env: dict[str, str],
    app_url: str,
    app_port: int,
    bare_port: int,
    args: argparse.Namespace,
    profiler: Profiler,
) -> list[Row]:
    clients, seconds = args.clients, args.seconds
    employer = create_key(env, "bench", "employer")
    candidate = create_key(env, "public", "candidate")
    status, job = http(
        "POST",
        f"{app_url}/api/v1/jobs",
        employer,
        {"title": "Data Engineer", "description": "Airflow, Python, SQL", "remote": True},
    )
    if status != 201:
        raise SystemExit(f"could not create a job: {status} {job}")

    rows = [
        Row(
            "bare GET /constant",
            run_load(bare_port, build_request("GET", "/constant", None), clients, seconds),
        ),
    ]
    read = build_request("GET", f"/api/v1/jobs/{job['id']}", employer)
    with profiler.recording():
        rows.append(Row("GET /api/v1/jobs/{id}", run_load(app_port, read, clients, seconds)))
    if args.no_match:
        return rows
    match_body = {"resume_text": RESUME_TEXT, "top_k": 10}
    status, answer = http("POST", f"{app_url}/api/v1/match/jobs", candidate, match_body, 120)
    if status == 404:
        rows.append(
            Row(
                "POST /api/v1/match/jobs",
                None,
                "skipped: the route answers 404 (the matching engine is not mounted yet)",
            )
        )
    elif status != 200:
        detail = answer.get("detail") if isinstance(answer, dict) else answer
        rows.append(Row("POST /api/v1/match/jobs", None, f"skipped: answered {status} {detail}"))
    else:
        request = build_request("POST", "/api/v1/match/jobs", candidate, match_body)
        rows.append(Row("POST /api/v1/match/jobs", run_load(app_port, request, clients, seconds)))
    return rows


def print_table(rows: list[Row], clients: int, seconds: float) -> None:
    bare = rows[0].result
    assert bare is not None
    print(f"\n{clients} concurrent keep-alive clients, {seconds:g} s per row, loopback\n")
    header = (
        f"{'endpoint':<26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs bare':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        if row.result is None:
            print(f"{row.name:<26} {row.note}")
            continue
        r = row.result
        ratio = r.rate() / bare.rate() if bare.rate() else float("nan")
        print(
            f"{row.name:<26} {r.rate():>9.0f} {r.percentile(0.5):>8.2f} "
            f"{r.percentile(0.99):>8.2f} {r.errors:>7} {ratio:>7.2f}x"
        )
        if r.first_error:
            print(f"{'':<26} first error: {r.first_error}")
    read = rows[1].result
    assert read is not None
    ratio = read.rate() / bare.rate() if bare.rate() else 0.0
    verdict = "met" if ratio >= TARGET_READ_RATIO else "NOT met"
    print(f"\nread target >= {TARGET_READ_RATIO}x bare: {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
