"""notifier's HTTP edges of its own (the maintenance routes live with maintenance)."""
