"""`hotline rebuild notifier`: notifier's read models dropped and rebuilt from its event store
(the delivery index; the maintenance windows and their due reminders). Run while notifier is
stopped: the dispatcher's claims live in the delivery index."""

from __future__ import annotations

from hotline.clock import clock_from_settings
from hotline.directory import Directory
from hotline.eventstore import postgres_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.maintenance.schedule import MaintenanceSchedule, NoticeRules
from hotline_notifier.settings import NotifierSettings

FOLLOWERS = ("notifier->hotline.notifications.v1", "notifier->hotline.maintenance.v1", "dispatcher")


def rebuild() -> dict[str, int]:
    settings = NotifierSettings()
    clock = clock_from_settings(settings)
    app = NotifierApplication(env=postgres_env(settings.database_url, settings.schema), clock=clock)
    try:
        rules = NoticeRules(settings.maintenance_lead_time, settings.maintenance_reminder)
        schedule = MaintenanceSchedule(app, lambda: Directory(customers=[]), clock, rules)
        return {"notifications indexed": app.rebuild_delivery_index(replace=True),
                "maintenance windows": schedule.rebuild()}
    finally:
        app.close()
