"""Worker test fixtures: those of the task tests (API on both databases, fresh Chroma, a
Redis database of the test's own)."""

from __future__ import annotations

from tests.tasks.conftest import app as app
from tests.tasks.conftest import bus_url as bus_url
from tests.tasks.conftest import client as client
from tests.tasks.conftest import fresh_index as fresh_index
from tests.tasks.conftest import make_key as make_key
