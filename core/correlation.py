"""The correlation id of the request or task being handled, in a context variable.

Log lines (`core.logging`) and trace spans (`core.tracing`) both read it, so one request
or task can be followed across processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


@contextmanager
def correlated(value: str | None) -> Iterator[None]:
    """Log lines inside the block carry `value` (a request or task id) as correlation_id;
    None keeps the id already set."""
    if value is None:
        yield
        return
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)
