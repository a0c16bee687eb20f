"""Alert tests: the API on both databases, a fresh Chroma per test, a Redis database of
the test's own (`bus_url`); the generated jobs and candidates are tests/helpers/synthetic.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_index(fresh_index: None) -> None:
    """Every test here gets an embedded Chroma of its own (`fresh_index`)."""
