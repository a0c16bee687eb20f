"""Matching test fixtures: the API fixtures (both databases) and a fresh Chroma per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.index import reset_index_cache
from tests.api.conftest import app as app
from tests.api.conftest import client as client
from tests.api.conftest import make_key as make_key


@pytest.fixture(autouse=True)
def fresh_index(isolated_settings: Path) -> Iterator[None]:
    """Each test's data dir gets its own embedded Chroma (the index is cached per process)."""
    reset_index_cache()
    yield
    reset_index_cache()
