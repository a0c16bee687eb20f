"""Slicing work into bounded batches (IN lists, multi-row writes, pipelines)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

# Values per IN list / rows per multi-row INSERT: far below SQLite's variable limit.
CHUNK = 500
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
