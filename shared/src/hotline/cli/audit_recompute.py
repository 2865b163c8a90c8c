"""`hotline audit recompute` (being written)."""
