"""Escalations: who is told when an SLA clock nears or passes its due instant.

The escalation policy is versioned data (`policy.py`), loaded from YAML
(HOTLINE_NOTIFIER_ESCALATION_FILE, else the shipped `default_escalations.yaml`) and recorded
with the other versions the service runs with (`hotline.versions`).
"""
