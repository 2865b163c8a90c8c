"""Ticket events in the SLA's terms: `hotline.sla.changes` (shared, so intake's web console
computes the same clocks from a ticket's events), re-exported where sla-timer has always
imported it from."""

from hotline.sla.changes import (  # noqa: F401
    CONTRACT_KINDS,
    SLA_EVENTS,
    Change,
    change_from_contract,
    sla_events,
    ticket_of,
)
