"""`hotline audit verify` (being written)."""
