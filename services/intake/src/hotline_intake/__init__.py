"""Hotline intake service."""
