"""Identity: who calls Hotline, and what each role may do.

Bearer tokens live, hashed (SHA-256; tokens are random, so a slow hash buys nothing), in one
small schema every service reads and only admins write (`hotline_identity.tokens`, see
`tokens.py`). Each service keeps the active tokens in memory and reloads them on NOTIFY
`hotline_tokens`, so a revocation takes effect within seconds (`authenticator.py`). Every HTTP
endpoint except the health probes and the OpenAPI document requires a token; the route says
which permission it needs and the role decides (`roles.py`, `guard.py`). The caller becomes
the actor recorded on the events its command causes.
"""

from hotline.identity.roles import PERMISSIONS, ROLES, Principal, Role, allows, requires

__all__ = ["PERMISSIONS", "ROLES", "Principal", "Role", "allows", "requires"]
