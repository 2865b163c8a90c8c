"""Hotline: event-sourced support tickets and SLAs for telecom and VoIP providers.

This package is the part every service shares: the public event contracts,
the support calendar and SLA policy kernel, time, settings and the Kafka /
PostgreSQL plumbing (relay, tracked consumers, dead-letter topics).
"""

__version__ = "0.1.0"
