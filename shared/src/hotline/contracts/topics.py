"""Topic names of the public contract, and their dead-letter twins."""

TICKETS = "hotline.tickets.v1"
SLA = "hotline.sla.v1"
NOTIFICATIONS = "hotline.notifications.v1"
MAINTENANCE = "hotline.maintenance.v1"
REVIEWS = "hotline.reviews.v1"
BILLING = "hotline.billing.v1"
AUDIT = "hotline.audit.v1"

ALL = (TICKETS, SLA, NOTIFICATIONS, MAINTENANCE, REVIEWS, BILLING, AUDIT)


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return f"{topic}.dlq"
