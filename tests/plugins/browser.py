"""The browser tests' shared parts: a headless chromium (Debian's, driven by Playwright),
one per test module, and the folder their screenshots go to (a failing test's server log
is added to its report by `tests/conftest.py`).

Each browser test module starts its own `clearview serve` (tests.helpers.server) as its
`server` fixture; the test process reaches the same database through
`server.use_database()` to arrange data and check what the UI did.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.helpers.server import UI_ARTIFACTS

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
