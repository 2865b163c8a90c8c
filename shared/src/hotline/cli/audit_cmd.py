"""`hotline audit`: what auditors prove about the record.

`verify` walks each service's event hash chain and names the first altered, deleted or
reordered event (`audit_verify`); `recompute` recomputes every SLA outcome from the ticket
events and the recorded policy and calendar versions and reports each difference from what
sla-timer published (`audit_recompute`). Each module adds its command to `app`.
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Audit: verify the event hash chains, recompute SLA outcomes.")

from hotline.cli import audit_recompute, audit_verify  # noqa: E402,F401  (they add their commands)
