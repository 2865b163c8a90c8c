"""What each upstream event changes in billing: one module per topic, each a function
`apply(app, uow, event)` that loads and changes aggregates in the unit of work, which the
application saves with the event's tracking row. `CONCERNS` is the list it asks, in order."""

from __future__ import annotations

from hotline_billing.consuming import reviews, tickets

CONCERNS = [tickets.apply, reviews.apply]
