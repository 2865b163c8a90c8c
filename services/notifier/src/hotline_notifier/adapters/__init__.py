"""Notifier's adapters: outbound SMTP."""
