"""Intake's pure domain: the subject-line grammar, the customer directory and the reasons a
submission is turned away. Nothing here imports an adapter or does I/O."""
