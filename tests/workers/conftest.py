"""Worker test fixtures: those of the task tests (API on both databases, fresh Chroma, a
Redis database of the test's own)."""

from __future__ import annotations

from tests.tasks.conftest import app, bus_url, client, fresh_index, make_key  # noqa: F401
