"""UI test fixtures: where screenshots go, and a failed test's report carries its server's
log. Each test module starts its own `clearview serve` (tests.helpers.server); the test
process reaches the same database through `server.use_database()` to arrange data and
check what the UI did.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.server import UI_ARTIFACTS as ARTIFACTS
from tests.helpers.server import Server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed UI test's report ends with its server's log tail: what the browser could
    not show (a worker's error, a request that never came) is there."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(server, Server):
        report.sections.append(("clearview serve log (tail)", server.log_tail(6000)))
