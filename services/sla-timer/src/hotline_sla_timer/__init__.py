"""Hotline sla-timer service."""
