"""Maintenance notices: which `Notification`s a window's new events owe, and to whom.

The affected customers' contacts, as the customer directory lists them when the notice is
given (`all`: every customer in it then), are told when a window is scheduled, rescheduled,
cancelled or completed, and reminded before it starts; its start is published, not mailed.
A change (`kind: change`) is announced (`change-announced`), never reminded; its later notices
use the maintenance templates, which name it a change (`work`).
A contact of several affected customers gets one notice naming them all.

Each notice's kind is its template's name (`maintenance-scheduled`, `maintenance-reminder`, ...)
and its cause `<window id>:<version of the event>`, so each contact is owed each notice once,
whatever is retried.
"""

from __future__ import annotations

import logging
from datetime import datetime

from hotline.directory import Contact, Customer, Directory
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification
from hotline_notifier.maintenance.rules import MaintenanceRefused
from hotline_notifier.maintenance.window import CHANGE, MaintenanceWindow

log = logging.getLogger(__name__)

TEMPLATES = {
    MaintenanceWindow.Scheduled: "maintenance-scheduled",
    MaintenanceWindow.Rescheduled: "maintenance-rescheduled",
    MaintenanceWindow.Cancelled: "maintenance-cancelled",
    MaintenanceWindow.Reminded: "maintenance-reminder",
    MaintenanceWindow.Completed: "maintenance-completed",
}
CHANGE_ANNOUNCED = "change-announced"  # a change's `Scheduled`
SERVICES = {
    "core": "Core Services: call processing, including routing calls from your Location "
            "Addresses to PSTN termination and delivering originating calls from DID providers to "
            "your Subscribers' devices, voicemail and prompts",
    "supporting": "Supporting Services: management portals and other back-office management "
                  "systems",
}


def owed(window: MaintenanceWindow, directory: Directory, trace_context: dict[str, str],
         reminder_at: datetime | None = None) -> list[Notification]:
    """The notices the window's pending (not yet saved) events owe; `reminder_at`: when the
    reminder will go out, if one is owed (the notice says so)."""
    notices: list[Notification] = []
    for domain_event in window.pending_events:
        template = TEMPLATES.get(type(domain_event))  # type: ignore[call-overload]
        if template is None:
            continue
        if window.kind == CHANGE and isinstance(domain_event, MaintenanceWindow.Scheduled):
            template = CHANGE_ANNOUNCED
        cause = f"{window.id}:{domain_event.originator_version}"
        for contact, customers in recipients(window, directory):
            text = templates.render(template, window=window, notice=domain_event, contact=contact,
                                    customers=customers, reminder_at=reminder_at,
                                    note=getattr(domain_event, "note", None), work=window.kind,
                                    services=[SERVICES[s] for s in window.services])
            notices.append(Notification(
                cause=cause, kind=template, recipient=contact.email, subject=text.subject,
                body=text.text, html=text.html, ticket_number=None, trace_context=trace_context))
    return notices


def recipients(window: MaintenanceWindow, directory: Directory) -> list[tuple[Contact, list[str]]]:
    """Each contact of the affected customers once, with the affected customers it speaks for."""
    by_email: dict[str, tuple[Contact, list[str]]] = {}
    for customer in affected(window, directory):
        for contact in customer.contacts:
            by_email.setdefault(contact.email, (contact, []))[1].append(customer.name)
    return list(by_email.values())


def affected(window: MaintenanceWindow, directory: Directory) -> list[Customer]:
    if window.all_customers:
        return list(directory.customers)
    found: list[Customer] = []
    for name in window.customers:
        customer = directory.find_customer(name)
        if customer is None:
            log.warning("maintenance window %s: customer %r is no longer in the directory; "
                        "not told", window.id, name)
        else:
            found.append(customer)
    return found


def resolve_customers(names: list[str], directory: Directory) -> tuple[list[str], bool]:
    """(the affected customers as the directory names them, whether `all` was asked); refuses a
    name the directory does not know, and `all` beside names."""
    wanted = [n.strip() for n in names if n.strip()]
    if [n.lower() for n in wanted] == ["all"]:
        return [c.name for c in directory.customers], True
    if not wanted or "all" in (n.lower() for n in wanted):
        raise MaintenanceRefused("bad_customers", "name the affected customers, or all (not both)")
    unknown = [n for n in wanted if directory.find_customer(n) is None]
    if unknown:
        raise MaintenanceRefused("unknown_customer", "not in the customer directory: "
                                 + ", ".join(repr(n) for n in unknown))
    names = (directory.find_customer(n).name for n in wanted)  # type: ignore[union-attr]
    return list(dict.fromkeys(names)), False
