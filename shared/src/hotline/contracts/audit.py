"""Audit events on `hotline.audit.v1`: anchors of the services' event hash chains.

Each service publishes the head of its chain (the last chained event's notification_id and
hash) when it moved, every HOTLINE_AUDIT_ANCHOR_SECONDS and at shutdown. `hotline audit verify`
compares the chain in PostgreSQL with these: a database attacker who rewrote events and chain
alike cannot rewrite what was published. Key and `ce_subject`: the service.
"""

from __future__ import annotations

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register


@register("hotline.audit.chain-anchored.v1", topics.AUDIT)
class ChainAnchored(EventBody):
    """The head of a service's event hash chain, anchored outside its database."""

    service: str = Field(description="The service whose event log this is (e.g. `intake`).")
    notification_id: int = Field(ge=0, description="The last chained event's log position.")
    hash: str = Field(pattern="^[0-9a-f]{64}$",
                      description="Its chain hash (SHA-256, hex), covering every earlier event.")
    anchored_at: UtcInstant = Field(description="When the service read and published it.")
