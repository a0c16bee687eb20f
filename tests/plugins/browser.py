"""The browser tests' shared parts: a headless chromium (Debian's, driven by Playwright),
one per test module; the folder their screenshots go to; and, when one fails, its
server's log in the report.

Each browser test module starts its own `clearview serve` (tests.helpers.server) as its
`server` fixture; the test process reaches the same database through
`server.use_database()` to arrange data and check what the UI did.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.helpers.server import UI_ARTIFACTS, Server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    UI_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return UI_ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test that drove a `clearview serve` ends its report with the server's log
    tail: what the browser could not show (a worker's error, a request that never came)
    is there."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(server, Server):
        report.sections.append(("clearview serve log (tail)", server.log_tail(6000)))
