"""Report test fixtures: the API fixtures (both databases) and a fresh Chroma per test."""

from __future__ import annotations

from tests.api.conftest import app, client, make_key  # noqa: F401  (fixtures re-exported)
from tests.matching.conftest import fresh_index  # noqa: F401  (autouse: a Chroma per test)
