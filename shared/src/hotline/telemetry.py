"""OpenTelemetry set-up: one tracer provider per process, OTLP export when configured, and one
meter provider whose instruments every service serves at `/metrics` (Prometheus text format).

Trace context crosses Kafka in message headers (FastStream's telemetry middleware)
and crosses the event store inside stored events (`current_trace_context` /
`use_trace_context`), so one trace follows an email from SMTP receipt to the
confirmation sent.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from opentelemetry import context, metrics, propagate, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False
_metrics_configured = False


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


def setup_metrics(service_name: str) -> None:
    """Instruments made with `meter(...)` become readable at `/metrics` (see `metrics_text`)."""
    global _metrics_configured
    if _metrics_configured:
        return
    from opentelemetry.exporter.prometheus import PrometheusMetricReader

    resource = Resource.create({"service.name": f"hotline-{service_name}"})
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[PrometheusMetricReader()]))
    _metrics_configured = True


def meter(name: str) -> metrics.Meter:
    return metrics.get_meter(name)


def metrics_text() -> bytes:
    """Every instrument's current value, in the Prometheus exposition format."""
    from prometheus_client import REGISTRY, generate_latest

    return generate_latest(REGISTRY)


@functools.cache
def tracer(name: str) -> trace.Tracer:
    """The tracer for `name`, made once per process: the SDK's `get_tracer` resets the warnings
    filters and compares instrumentation scopes on every call, which was a sixth of the
    notifier's time when every delivery asked for one. (One made before `setup_tracing` is the
    API's proxy, which follows the provider set later.)"""
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
