"""sla-timer's edges: the ticket-event consumer, the firing loop and the HTTP audit API."""
