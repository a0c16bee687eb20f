"""Optional tracing: off by default; when on, SQL spans carry the request or task id."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.correlation import correlated
from core.settings import get_settings
from core.tracing import CORRELATION_ATTRIBUTE, configure_tracing, service_name

pytest.importorskip("opentelemetry.sdk.trace")  # installed with chromadb; see core/tracing.py


def test_tracing_is_off_without_an_endpoint() -> None:
    assert get_settings().otel_endpoint is None
    assert configure_tracing(get_settings()) is None


def test_service_name_follows_the_command() -> None:
    assert service_name(["clearview", "worker", "match"]) == "clearview-worker-match"
    assert service_name(["clearview", "serve", "--port", "1"]) == "clearview-serve"


def test_sql_spans_carry_the_correlation_id(tmp_path: Path) -> None:
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = configure_tracing(get_settings(), exporter=exporter)
    try:
        engine = create_engine(f"sqlite:///{tmp_path / 'traced.db'}")
        with correlated("task-123"), engine.connect() as conn:
            conn.execute(text("select 1"))
        with engine.connect() as conn:
            conn.execute(text("select 2"))
        engine.dispose()
        provider.force_flush()
    finally:
        SQLAlchemyInstrumentor().uninstrument()
        RedisInstrumentor().uninstrument()
        provider.shutdown()
    spans = exporter.get_finished_spans()
    ids = [(span.attributes or {}).get(CORRELATION_ATTRIBUTE) for span in spans]
    assert "task-123" in ids
    assert None in ids  # the second query ran outside any request or task
