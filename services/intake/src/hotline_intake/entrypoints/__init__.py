"""Intake's edges: the SMTP listener and the HTTP API."""
