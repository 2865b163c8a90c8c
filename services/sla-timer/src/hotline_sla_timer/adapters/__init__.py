"""sla-timer's adapters: the due index in PostgreSQL."""
