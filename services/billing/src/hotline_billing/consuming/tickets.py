"""Ticket events (`hotline.tickets.v1`): billing keeps each ticket's customer, contact and
priority in its `TicketAccount`, to quote P4 requests and address the quotes."""

from __future__ import annotations

import logging
from typing import Any

from hotline.contracts import PriorityChanged, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline_billing.domain.account import TicketAccount
from hotline_billing.unit import UnitOfWork

log = logging.getLogger(__name__)


def apply(app: Any, uow: UnitOfWork, event: CloudEvent) -> None:
    data = event.data
    if isinstance(data, TicketOpened):
        account = uow.get(data.ticket_id)
        if account is None:
            uow.add(TicketAccount(ticket_id=data.ticket_id, number=data.ticket_number,
                                  customer=data.customer, contact=data.contact,
                                  priority=data.priority))
        elif account.priority is None:  # a review opened it first
            account.described(data.customer, data.contact, data.priority)
    elif isinstance(data, PriorityChanged):
        account = uow.get(data.ticket_id)
        if account is None:
            log.warning("priority of %s not kept: its opening was never seen here", data.ticket_number)
        elif account.priority != data.priority:
            account.reprioritised(data.priority)
