"""Hotline billing: prices outage-review outcomes, P4 quotes and monthly invoices."""
