"""Roles and the permissions each grants; routes name the permission they need.

- agent: open tickets, lifecycle commands, read tickets, the directory and SLA clocks, record
  outages (`outages:write`);
- reviewer: an agent's rights plus outage reviews;
- auditor: read everything (billing too: `billing:read`), change nothing;
- admin: everything, including the directory, tokens, policies, maintenance and billing
  (`billing:write`: quotes, closing a month);
- customer: a customer's contact, scoped to that one customer (`Principal.customer`): the
  customer portal only (`portal:use`), where every page shows that customer's tickets alone.

A route marks what it needs with `@requires("tickets:write")`; an unmarked route needs
`read:all` for GET/HEAD and `admin` otherwise, so an endpoint added later without a thought
for access is closed rather than open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar


class Role(StrEnum):
    AGENT = "agent"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"
    ADMIN = "admin"
    CUSTOMER = "customer"


ROLES = tuple(r.value for r in Role)
AGENT_PERMISSIONS = frozenset({"tickets:read", "tickets:write", "directory:read", "sla:read",
                               "outages:write"})
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.AGENT: AGENT_PERMISSIONS,
    Role.REVIEWER: AGENT_PERMISSIONS | {"reviews:write"},
    Role.AUDITOR: frozenset({"tickets:read", "directory:read", "sla:read", "reviews:read",
                             "billing:read", "read:all"}),
    Role.ADMIN: frozenset({"*"}),
    Role.CUSTOMER: frozenset({"portal:use"}),
}
PERMISSION_ATTRIBUTE = "__hotline_permission__"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's name and role."""

    name: str
    role: Role
    customer: str | None = None  # the one customer a `customer` principal may see

    def actor(self) -> dict[str, str]:
        """What events record as the actor of a command."""
        return {"name": self.name, "role": self.role.value}


def allows(role: Role, permission: str) -> bool:
    granted = PERMISSIONS[role]
    return "*" in granted or permission in granted


def default_permission(method: str) -> str:
    return "read:all" if method in ("GET", "HEAD") else "admin"


F = TypeVar("F", bound=Callable)


def requires(permission: str) -> Callable[[F], F]:
    """Mark an endpoint with the permission it needs (read by `guard.TokenGuard`)."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, PERMISSION_ATTRIBUTE, permission)
        return endpoint

    return mark
