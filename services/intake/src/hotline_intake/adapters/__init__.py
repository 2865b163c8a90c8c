"""Intake's adapters: the edges that turn bytes and files into domain values (MIME parsing, the
YAML customer directory)."""
