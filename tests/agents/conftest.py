"""Agent tests run on SQLite, each with a Chroma of its own; the live app, callers, the
seeded world and the assistant are tests/plugins/agents.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_index(fresh_index: None) -> None:
    """Every test here gets an embedded Chroma of its own (`fresh_index`)."""


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Agent flows run on SQLite; the services' own suites cover both databases."""
    return sqlite_url
