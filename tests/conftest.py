"""Shared fixtures: real SQLite and PostgreSQL databases, real Redis / embedded Valkey.

Each xdist worker gets its own PostgreSQL database (migrated once) and each test starts
from empty tables, so no test depends on another's leftovers.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import migrate
from core.engine import make_engine
from core.models import Base
from core.settings import reset_settings_cache
from tests.helpers.server import ServerProcess

# Fixtures shared across folders, one definition each; a folder's conftest keeps only what
# is local to it, and no test module or conftest is ever imported (tests/test_layout.py).
pytest_plugins = [
    "tests.plugins.api",
    "tests.plugins.isolation",
    "tests.plugins.agents",
    "tests.plugins.browser",
]

POSTGRES_ADMIN_URL = os.environ.get(
    "CLEARVIEW_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _default_redis_url() -> str:
    """The machine's Redis when it answers; else "embedded" (a Valkey of each worker's own)."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return "embedded"
    return "redis://127.0.0.1:6379/0"


REDIS_URL = os.environ.get("CLEARVIEW_TEST_REDIS_URL") or _default_redis_url()


_SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the figures the topology tests wrote in this run (chaos p95, load latency):
    under xdist a test's own output is not shown, and CI should report them."""
    folder = Path(__file__).resolve().parents[1] / "test-artifacts" / "deploy"
    for report in sorted(folder.glob("*.txt")):
        if report.stat().st_mtime >= _SESSION_STARTED:
            terminalreporter.write_sep("-", f"test-artifacts/deploy/{report.name}")
            terminalreporter.write_line(report.read_text().rstrip())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test that drove a server (`clearview serve` and the like) shows the end
    of that server's log: what the service did (or refused) is most of the diagnosis, and
    CI keeps nothing else of it."""
    report: pytest.TestReport = yield
    if report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, ServerProcess):
                report.sections.append((f"server log: {name} (tail)", value.log_tail(6000)))
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `--dist loadgroup` grouping on pytest 9.2: xdist names an item's group by
    rewriting `item._nodeid`, which pytest no longer reads (pytest-xdist#1386), so every
    `xdist_group` was silently ignored and grouped tests ran side by side. Carry the
    rewritten id over to the one pytest reads; a no-op where xdist's rewrite still works."""
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # pytest < 9.2 reads `_nodeid` itself
        return
    for item in items:
        rewritten = item.__dict__.get("_nodeid")
        if isinstance(rewritten, str) and rewritten != item.nodeid:
            item._id = coerce_node_id(rewritten)


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ONNX model is converted once per test session, not once per data dir."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache_dir: Path
) -> Iterator[Path]:
    """Every test gets its own data dir and no CLEARVIEW_* leaking from the environment."""
    for name in list(os.environ):
        if name.startswith("CLEARVIEW_") and not name.startswith("CLEARVIEW_TEST_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CLEARVIEW_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CLEARVIEW_MODE", "test")
    monkeypatch.setenv("CLEARVIEW_MODEL_CACHE_DIR", str(model_cache_dir))
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    reset_settings_cache()
    yield data_dir
    reset_settings_cache()


async def _admin_execute(sql: str) -> None:
    engine = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this xdist worker's own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"cvtest_{worker}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'clearview.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


async def _empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())


@pytest.fixture
async def engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AsyncEngine]:
    """An engine on empty, migrated tables; also the configured database of the test."""
    monkeypatch.setenv("CLEARVIEW_DATABASE_URL", database_url)
    reset_settings_cache()
    engine = make_engine(database_url)
    await _empty_tables(engine)
    yield engine
    from core.db import dispose_engines

    await dispose_engines()  # first: it waits for the outbox's markings, on `engine` too
    await engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis (CI starts one when missing); isolate with `unique_name`.

    `CLEARVIEW_TEST_REDIS_URL=embedded` (a machine without redis-server) runs the suite on
    an embedded Valkey of this worker's own instead.
    """
    if REDIS_URL != "embedded":
        yield REDIS_URL
        return
    from core.redis import EmbeddedValkey

    server = EmbeddedValkey(tmp_path_factory.mktemp("valkey"))
    yield server.start()
    server.stop()


@pytest.fixture
def unique_name() -> str:
    """A fresh prefix for streams and keys, so tests share a Redis without colliding."""
    return f"t{uuid.uuid4().hex[:10]}"
