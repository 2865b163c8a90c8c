"""`hotline rebuild intake`: intake's read model dropped and rebuilt from its event store (the
submission log behind duplicate checks and rate limits). Full descriptions beside events are
data, not a view: they stay. Run while intake is stopped."""

from __future__ import annotations

from hotline.calendar import SupportCalendar
from hotline.clock import clock_from_settings
from hotline.eventstore import postgres_env
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake.application import IntakeApplication
from hotline_intake.settings import IntakeSettings

FOLLOWERS = ("intake->hotline.tickets.v1", "intake->hotline.reviews.v1")


def rebuild() -> dict[str, int]:
    settings = IntakeSettings()
    app = IntakeApplication(env=postgres_env(settings.database_url, settings.schema),
                            numbers=InMemoryTicketNumbers(), calendar=SupportCalendar.from_settings(),
                            clock=clock_from_settings(settings), duplicate_window=settings.duplicate_window)
    try:
        return {"submission log rows": app.rebuild_submission_log()}
    finally:
        app.close()
