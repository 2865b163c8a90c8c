"""Intake's adapters: the edges that turn bytes and files into domain values (MIME parsing,
Authentication-Results, the YAML customer directory) and the PostgreSQL beside the event store
(ticket numbers, the submission log and long descriptions)."""
