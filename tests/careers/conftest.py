"""Careers tests: the API on both databases (tests/plugins/api.py) and a fresh Chroma per
test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_index(fresh_index: None) -> None:
    """Every test here gets an embedded Chroma of its own (`fresh_index`)."""
