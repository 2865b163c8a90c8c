"""OpenTelemetry set-up: one tracer provider per process, OTLP export when configured.

Trace context crosses Kafka in message headers (FastStream's telemetry middleware)
and crosses the event store inside stored events (`current_trace_context` /
`use_trace_context`), so one trace follows an email from SMTP receipt to the
confirmation sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False


def setup_tracing(service_name: str, otlp_endpoint: str | None) -> TracerProvider:
    global _configured
    provider = TracerProvider(resource=Resource.create({"service.name": f"hotline-{service_name}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if not _configured:
        trace.set_tracer_provider(provider)
        _configured = True
    return trace.get_tracer_provider()  # type: ignore[return-value]


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def current_trace_context() -> dict[str, str]:
    """The active trace context as W3C headers, to store beside an event."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def use_trace_context(carrier: dict[str, str] | None) -> Iterator[None]:
    """Make a stored trace context the parent of spans started inside."""
    token = context.attach(propagate.extract(carrier or {}))
    try:
        yield
    finally:
        context.detach(token)


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
