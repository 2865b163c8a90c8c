"""Ticket events of scheduled off-hours work and P4 agreements, published by intake on
`hotline.tickets.v1` (keyed and subjected by ticket number, like every ticket event).

- Off-hours support for Priority 2–4 "is subject to availability and must be scheduled in
  advance" with the NOC: a request names a slot (`OffHoursRequested`); the NOC accepts or
  declines it (`OffHoursAccepted`, `OffHoursDeclined`); work done in an accepted slot is logged
  against it (`OffHoursWorkLogged`). None of these changes a ticket's SLA clocks.
- Priority 4 is answered "when commercially feasible based on mutual agreement": the agreed
  date (`AgreementRecorded.target`) becomes the P4's resolution deadline, with warnings and a
  breach like any clock; a later agreement supersedes it.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import UtcInstant
from hotline.contracts.registry import register
from hotline.contracts.tickets import TicketChange

REQUEST_ID = r"^OH-\d{6,}-\d{1,3}$"


class OffHoursSlot(TicketChange):
    """What every off-hours request event carries: the request and its slot."""

    request_id: str = Field(pattern=REQUEST_ID, examples=["OH-000042-1"],
                            description="`OH-<ticket digits>-<n>`: the ticket's n-th request.")
    customer: str
    start: UtcInstant = Field(description="Start of the requested slot.")
    end: UtcInstant = Field(description="End of the requested slot.")
    off_hours_minutes: int = Field(ge=0, description="The slot's part outside Standard Support "
                                   "Hours, in whole minutes.")


@register("hotline.ticket.offhours-requested.v1", topics.TICKETS)
class OffHoursRequested(OffHoursSlot):
    """Off-hours support for a Priority 2–4 ticket was requested for a slot; the NOC decides."""

    requested_by: str = Field(max_length=320, description="The customer contact's address, or "
                              "the agent's name.")
    channel: Literal["email", "http"] = Field(description="`email`: named in a customer's reply.")


@register("hotline.ticket.offhours-accepted.v1", topics.TICKETS)
class OffHoursAccepted(OffHoursSlot):
    """The NOC accepted an off-hours request: the work is scheduled (no SLA clock changes)."""

    reason: str | None = Field(None, max_length=2000)


@register("hotline.ticket.offhours-declined.v1", topics.TICKETS)
class OffHoursDeclined(OffHoursSlot):
    """The NOC declined an off-hours request (or it was refused on arrival), with the reason."""

    reason: str = Field(max_length=2000)


@register("hotline.ticket.offhours-work-logged.v1", topics.TICKETS)
class OffHoursWorkLogged(OffHoursSlot):
    """An engineer's work inside an accepted off-hours slot."""

    entry_id: str
    engineer: str = Field(max_length=320)
    work_start: UtcInstant
    work_end: UtcInstant
    minutes: int = Field(ge=0)
    work_off_hours_minutes: int = Field(ge=0, description="The entry's part outside Standard "
                                        "Support Hours.")


@register("hotline.ticket.agreement-recorded.v1", topics.TICKETS)
class AgreementRecorded(TicketChange):
    """A Priority 4 request's date agreed with the customer: it becomes the ticket's resolution
    deadline (warnings and breach as for any clock); a later agreement supersedes it."""

    customer: str
    target: UtcInstant = Field(description="The agreed date: the P4's deadline.")
    quote_id: UUID | None = Field(None, description="A fee quote from billing that the "
                                  "agreement covers.")
    revision: int = Field(ge=1, description="1 for the first agreement; each later one supersedes.")
