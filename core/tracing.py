"""OpenTelemetry tracing, off unless `CLEARVIEW_OTEL_ENDPOINT` names an OTLP/HTTP collector
(e.g. `http://collector:4318/v1/traces`).

No dependency of ours: the SDK, the OTLP exporter and the SQLAlchemy and Redis
instrumentations come installed with chromadb and chainlit. When they are missing the
setting is ignored with a warning, and nothing else changes.

Every span gets the `clearview.correlation_id` attribute from `core.correlation`'s context
variable, so a trace and the JSON log lines of one request or task share one id.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from core.correlation import correlation_id
from core.settings import Settings

log = logging.getLogger(__name__)

CORRELATION_ATTRIBUTE = "clearview.correlation_id"


def service_name(argv: list[str] | None = None) -> str:
    """`clearview serve jobs` -> clearview-serve-jobs; `clearview worker match` -> ..."""
    words = [w for w in (sys.argv if argv is None else argv)[1:3] if not w.startswith("-")]
    return "-".join(["clearview", *words])


def configure_tracing(settings: Settings, exporter: Any = None) -> Any:
    """Install a tracer provider exporting to the configured endpoint (or to `exporter`),
    and trace SQL and Redis calls; returns the provider, or None when tracing is off."""
    if settings.otel_endpoint is None and exporter is None:
        return None
    try:  # optional, heavy: imported only when tracing is configured
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("CLEARVIEW_OTEL_ENDPOINT is set but opentelemetry-sdk is not installed")
        return None

    class CorrelationProcessor(SpanProcessor):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            value = correlation_id.get()
            if value is not None:
                span.set_attribute(CORRELATION_ATTRIBUTE, value)

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.otel_endpoint)
    provider = TracerProvider(resource=Resource.create({"service.name": service_name()}))
    provider.add_span_processor(CorrelationProcessor())
    provider.add_span_processor(BatchSpanProcessor(exporter))
    if settings.otel_endpoint is not None:
        trace.set_tracer_provider(provider)  # once per process: only the real set-up
    _instrument(provider)
    return provider


def _instrument(provider: Any) -> None:
    """SQL and Redis spans, from the instrumentations that are installed."""
    try:  # optional, as above
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError:
        log.warning("opentelemetry instrumentations missing: only spans made by hand are sent")
        return
    SQLAlchemyInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
