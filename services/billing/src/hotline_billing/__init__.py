"""Hotline billing service."""
