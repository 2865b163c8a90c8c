"""Composition root of intake: settings → application, edges, relay; `serve()` runs it."""

from __future__ import annotations

from hotline import wiring
from hotline.audit.anchor import anchor_task
from hotline.calendar import SupportCalendar
from hotline.clock import clock_from_settings
from hotline.contracts import topics
from hotline.directory import Directory, load_directory
from hotline.runtime import ServiceRuntime
from hotline_intake.adapters.ticket_numbers import PostgresTicketNumbers
from hotline_intake import portal
from hotline_intake.admission import SubmissionLimits
from hotline_intake.application import IntakeApplication
from hotline_intake.entrypoints.directory_api import directory_router
from hotline_intake.entrypoints.http import create_http_app
from hotline_intake.entrypoints.smtp import start_smtp
from hotline_intake.publication import to_cloud_event
from hotline_intake.review_publication import PUBLISHED as REVIEW_EVENTS
from hotline_intake.review_publication import to_cloud_event as review_to_cloud_event
from hotline_intake.settings import IntakeSettings
from hotline_intake.submissions import Submissions


def build(settings: IntakeSettings | None = None) -> ServiceRuntime:
    settings = settings or IntakeSettings()
    wired = wiring.Wiring(settings)
    app = IntakeApplication(
        env=wired.event_store_env(),
        numbers=PostgresTicketNumbers(settings.database_url, settings.schema),
        calendar=SupportCalendar.from_settings(),
        clock=clock_from_settings(settings),
        max_backdate=settings.max_backdate,
        duplicate_window=settings.duplicate_window,
    )
    directory = DirectorySource(settings)
    submissions = Submissions(
        app, directory.load(), settings.max_message_bytes,
        own_addresses=settings.own_addresses, trusted_authserv_id=settings.trusted_authserv_id,
        limits=SubmissionLimits(
            replies_per_hour=settings.replies_per_hour,
            tickets_per_customer_per_hour=settings.tickets_per_customer_per_hour),
        read_timeout=settings.read_timeout_seconds,
        reply_reopens=settings.reply_reopens,
    )
    http = create_http_app(submissions, directory_router(directory, submissions))
    runtime = wired.runtime(http)
    portal.install(runtime, submissions, settings)  # the web console: /portal and /console
    runtime.add_task("audit-anchor", anchor_task(wired, app))
    if not settings.relay_paused:
        runtime.add_task("relay", wired.relay_task(app, topics.TICKETS, to_cloud_event))
        # The same log, a second topic: outage reviews (the relays' positions are kept apart).
        runtime.add_task("relay-reviews", wired.relay_task(
            app, topics.REVIEWS, review_to_cloud_event, publishes=REVIEW_EVENTS))
    smtp_servers = []

    async def start_listener() -> None:
        smtp_servers.append(await start_smtp(
            submissions, settings.smtp_host, settings.smtp_port, settings.max_message_bytes))

    async def stop_listener() -> None:
        for server in smtp_servers:
            server.close()
            await server.wait_closed()
        submissions.close()

    runtime.on_start(start_listener)
    runtime.on_stop(stop_listener)
    return runtime


class DirectorySource:
    """The customer directory as loaded from its YAML file, reloadable at run time."""

    def __init__(self, settings: IntakeSettings) -> None:
        self.path = settings.directory_file

    def load(self) -> Directory:
        return load_directory(self.path) if self.path else Directory(customers=[])


def serve() -> None:
    settings = IntakeSettings()
    wiring.yield_cpu(settings.niceness)  # before any thread starts: each inherits it
    wiring.serve(lambda: build(settings))
