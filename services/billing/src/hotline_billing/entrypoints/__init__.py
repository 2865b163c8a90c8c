"""Billing's edges: the HTTP API."""
