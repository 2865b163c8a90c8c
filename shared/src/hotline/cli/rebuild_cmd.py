"""`hotline rebuild <service>`: drop a service's read models and rebuild them from its event store.

Read models are views beside the events (sla-timer's due index and availability spans,
notifier's delivery index and maintenance tables, intake's submission log): after a bug in one,
rebuild it. Stop the service first (`kubectl scale deploy/<service> --replicas=0`): the command
takes the writer locks the running service holds (its relays', notifier's dispatcher's) and
refuses, with one line, while it cannot; it keeps them while it rebuilds, so a replica that
starts meanwhile waits. Each service's `rebuild` module says what it rebuilds.
"""

from __future__ import annotations

import importlib
import json
from typing import Annotated

import psycopg
import typer

from hotline.cli.service_api import AsJson
from hotline.settings import HotlineSettings

MODULES = {"intake": "hotline_intake.rebuild", "sla-timer": "hotline_sla_timer.rebuild",
           "notifier": "hotline_notifier.rebuild", "billing": "hotline_billing.rebuild"}


def rebuild(service: Annotated[str, typer.Argument(help=f"one of {', '.join(MODULES)}")],
            as_json: AsJson = False) -> None:
    """Drop a stopped service's read models and rebuild them from its event store."""
    if service not in MODULES:
        typer.echo(f"error: unknown service {service!r}; one of {', '.join(MODULES)}", err=True)
        raise SystemExit(1)
    module = importlib.import_module(MODULES[service])
    schema = service.replace("-", "_")
    with psycopg.connect(HotlineSettings().database_url, autocommit=True) as conn:
        for follower in module.FOLLOWERS:  # session locks: held until this connection closes
            key = f'"{schema}".log_positions:{follower}'
            [[free]] = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchall()
            if not free:
                typer.echo(f"error: {service} is running ({follower} holds its writer lock); stop "
                           f"it first, then rebuild", err=True)
                raise SystemExit(1)
        counts = module.rebuild()
    if as_json:
        typer.echo(json.dumps({"service": service, "rebuilt": counts}, indent=2))
        return
    if not counts:
        typer.echo(f"{service} keeps no read model beside its events: nothing to rebuild")
    for name, count in counts.items():
        typer.echo(f"{service}: {name}: {count} rebuilt from the event store")
