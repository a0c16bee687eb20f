"""Contact request fixtures: the API on both databases, a Chroma per test (shortlists
rank with it), and a Redis database of the test's own (pushes to the chat)."""

from __future__ import annotations

from tests.reports.conftest import app, bus_url, client, fresh_index, make_key  # noqa: F401
