"""Report test fixtures: the API fixtures (both databases), a fresh Chroma per test, and
a Redis database of the test's own for the report stream."""

from __future__ import annotations

from tests.api.conftest import app as app
from tests.api.conftest import client as client
from tests.api.conftest import make_key as make_key
from tests.matching.conftest import fresh_index as fresh_index
from tests.tasks.conftest import bus_url as bus_url
