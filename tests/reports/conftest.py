"""Report test fixtures: the API fixtures (both databases), a fresh Chroma per test, and
a Redis database of the test's own for the report stream."""

from __future__ import annotations

from tests.api.conftest import app, client, make_key  # noqa: F401  (fixtures re-exported)
from tests.matching.conftest import fresh_index  # noqa: F401  (autouse: a Chroma per test)
from tests.tasks.conftest import bus_url  # noqa: F401  (fixture re-exported)
