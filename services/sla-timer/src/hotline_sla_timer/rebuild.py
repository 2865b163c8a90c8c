"""`hotline rebuild sla-timer`: sla-timer's read models dropped and rebuilt from its event store
(the due index of pending timers; the availability spans). Run while sla-timer is stopped."""

from __future__ import annotations

from hotline.clock import clock_from_settings
from hotline.eventstore import postgres_env
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.settings import SlaTimerSettings

FOLLOWERS = ("sla-timer->hotline.sla.v1",)  # writer locks held while sla-timer runs


def rebuild() -> dict[str, int]:
    settings = SlaTimerSettings()
    app = SlaTimerApplication(env=postgres_env(settings.database_url, settings.schema),
                              clock=clock_from_settings(settings))
    try:
        return {"due timers": app.rebuild_due_index(replace=True),
                "availability spans": app.rebuild_availability()}
    finally:
        app.close()
