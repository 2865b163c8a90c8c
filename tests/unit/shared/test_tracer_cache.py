"""`hotline.telemetry.tracer` asks the SDK once per name: its `get_tracer` resets the warnings
filters and compares instrumentation scopes on every call (a sixth of the notifier's time when
every delivery asked)."""

from __future__ import annotations

from uuid import uuid4

from opentelemetry import trace

from hotline import telemetry


def test_a_tracer_is_made_once_per_name(monkeypatch):
    made: list[str] = []
    real = trace.get_tracer

    def counting(name, *args, **kwargs):
        made.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(trace, "get_tracer", counting)
    name, other = f"hotline.test.{uuid4().hex}", f"hotline.test.{uuid4().hex}"
    first = telemetry.tracer(name)
    assert all(telemetry.tracer(name) is first for _ in range(100))
    assert telemetry.tracer(other) is not first
    assert made == [name, other]
    with first.start_as_current_span("still works"):
        pass
