"""Worker tests: the API on both databases, a fresh Chroma per test, and a Redis
database of the test's own (`bus_url`)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_index(fresh_index: None) -> None:
    """Every test here gets an embedded Chroma of its own (`fresh_index`)."""
