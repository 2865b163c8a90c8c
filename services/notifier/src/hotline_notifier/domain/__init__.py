"""Notifier's domain: notifications and their delivery attempts."""
