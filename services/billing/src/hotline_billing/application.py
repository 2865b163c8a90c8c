"""BillingApplication: prices review outcomes and keeps ticket accounts, exactly once; P4
quotes; invoices.

`take(event)` applies an upstream event (`hotline_billing.consuming`) and saves what it changed
together with the tracking row of the event's (source, position) in one transaction: a
redelivered event changes nothing. `take_batch(events)` does the same for a batch of ticket
events in one transaction. The same outcome under another position, or taken by two
instances at once, names the same aggregates (ids derive from ticket and revision) and appends
to the same ticket account: optimistic concurrency lets one win, and the other, trying again
on fresh state, finds the revision priced already. Commands (quotes, closing a month) save
their unit of work the same way, tried again when a concurrent write got there first.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking

from hotline.clock import Clock, SystemClock
from hotline.contracts import TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.contracts.tickets import ticket_id_for
from hotline.processing import TrackedApplication
from hotline_billing import explain, invoices, quotes
from hotline_billing.consuming import CONCERNS
from hotline_billing.domain.account import TicketAccount
from hotline_billing.domain.invoice import Invoice
from hotline_billing.domain.pricing import Tariff
from hotline_billing.domain.quote import OpenQuotes
from hotline_billing.refusals import BillingRefusal
from hotline_billing.unit import UnitOfWork

ATTEMPTS = 5
T = TypeVar("T")


class BillingApplication(TrackedApplication):
    name = "billing"
    snapshotting_intervals = {OpenQuotes: 100}

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None,
                 tariff: Tariff | None = None, quote_days: int = 30) -> None:
        super().__init__(env=env)
        self.clock = clock or SystemClock()
        self.tariff = tariff or Tariff()
        self.quote_days = quote_days

    # -- upstream events ----------------------------------------------------------------------
    def take(self, event: CloudEvent) -> bool:
        """Apply one upstream event. Returns False if it had been applied before."""
        tracking = Tracking(event.source_service, event.position)
        for attempt in range(ATTEMPTS):
            if self.already_processed(tracking):
                return False
            uow = UnitOfWork(self)
            for concern in CONCERNS:
                concern(self, uow, event)
            try:
                return self.save_tracked(tracking, *uow.changed())
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise
        return False  # pragma: no cover

    def take_batch(self, events: list[CloudEvent]) -> int:
        """What `take` does for each event, in one unit of work and one transaction: a later
        event sees what an earlier one changed (the unit of work hands out one instance per
        aggregate), the positions applied before are found with one query, and so are the
        ticket accounts a batch of openings would look for and not find. A batch that fails
        on the store's keys is taken event by event. Returns how many were new."""
        fresh = dict(self.unprocessed(events))
        if not fresh:
            return 0
        uow = UnitOfWork(self)
        opened = {e.data.ticket_id for e in fresh.values() if isinstance(e.data, TicketOpened)}
        uow.absent(opened - self.existing(opened))
        for event in fresh.values():
            for concern in CONCERNS:
                concern(self, uow, event)
        try:
            self.save_tracked_many(list(fresh), *uow.changed())
        except IntegrityError:
            return sum(self.take(event) for event in fresh.values())
        return len(fresh)

    # -- commands -----------------------------------------------------------------------------
    def create_quote(self, ticket_number: str, amount: Decimal, description: str,
                     actor: dict[str, str] | None = None) -> dict[str, Any]:
        return self._command(lambda uow: quotes.view(quotes.create(
            uow, ticket_number, amount, description, now=self.clock.now(), days=self.quote_days,
            actor=actor)))

    def decide_quote(self, quote_id: UUID, decision: str,
                     actor: dict[str, str] | None = None) -> dict[str, Any]:
        def work(uow: UnitOfWork) -> Any:
            decided = quotes.decide(uow, UUID(str(quote_id)), decision, now=self.clock.now(), actor=actor)
            return decided if isinstance(decided, BillingRefusal) else quotes.view(decided)
        return self._command(work)

    def expire_quotes(self) -> int:
        """Record `expired` on open quotes past their expiry; how many."""
        return self._command(lambda uow: len(quotes.expire_due(uow, self.clock.now())))

    def close_month(self, month: str, actor: dict[str, str] | None = None) -> dict[str, Any]:
        def work(uow: UnitOfWork) -> dict[str, Any]:
            issued, before = invoices.close_month(uow, month, now=self.clock.now(), actor=actor)
            return {"month": month, "already_closed": before,
                    "invoices": [invoices.summary(i) for i in issued]}
        return self._command(work)

    def _command(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` on a fresh unit of work and save it; again if a concurrent write won. A
        refusal `work` returns (rather than raises) is raised once its changes are saved."""
        for attempt in range(ATTEMPTS):
            uow = UnitOfWork(self)
            result = work(uow)
            try:
                self.save(*uow.changed())
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            if isinstance(result, BillingRefusal):
                raise result
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    # -- queries ------------------------------------------------------------------------------
    def quote(self, quote_id: UUID) -> dict[str, Any]:
        return quotes.view(quotes.get(UnitOfWork(self), UUID(str(quote_id))))

    def explain(self, entry_id: UUID) -> dict[str, Any]:
        return explain.explain(UnitOfWork(self), UUID(str(entry_id)))

    def invoice(self, customer: str, month: str) -> Invoice:
        return invoices.find(UnitOfWork(self), customer, month)

    def entries_of_ticket(self, ticket_number: str) -> list[dict[str, Any]]:
        """Every charge, credit and no-charge decision of a ticket, oldest first."""
        uow = UnitOfWork(self)
        account: TicketAccount | None = uow.get(ticket_id_for(ticket_number))
        return [_listed(explain.explain(uow, UUID(entry))) for entry, _ in
                (account.entries if account else [])]


def _listed(explained: dict[str, Any]) -> dict[str, Any]:
    keep = ("charge_id", "kind", "ticket", "customer", "amount", "currency", "month", "booked_at",
            "description", "reason", "reverses", "credited_by", "quote_id")
    return {k: explained[k] for k in keep if k in explained}
