"""Billing's domain: pricing rules, months, and the aggregates (ticket accounts, charges,
credits, no-charge decisions, quotes, invoices)."""
