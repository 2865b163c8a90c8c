"""`hotline republish <service> --from POSITION [--to POSITION] [--topic T] [--missing]`: send a
service's public events again, with their original ids, for a subscriber or a broker that lost
data. `--missing`: only what the topic lacks (it is read back first), up to what the relay has
published: after a broker lost data, the topic ends with each event once.

It asks the running service (`POST /admin/republish`, admin role), which reads its own event
log and publishes beside its relays; subscribers ignore what they already applied.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hotline.cli.service_api import AsJson, ServiceApi
from hotline.devstack.services import DEFAULT_PORTS

SERVICES = tuple(DEFAULT_PORTS)
REPUBLISH_TIMEOUT = 900  # seconds: the service reads (with --missing, the whole topic) and resends a whole log


def republish(
    service: Annotated[str, typer.Argument(help=f"one of {', '.join(SERVICES)}")],
    from_position: Annotated[int, typer.Option("--from", min=1, help="first log position (inclusive)")],
    to_position: Annotated[int | None, typer.Option("--to", min=1, help="last log position (inclusive); default the end")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="only this topic (default: all the service publishes)")] = None,
    missing: Annotated[bool, typer.Option("--missing", help="only what the topic lacks (after the broker lost data)")] = False,
    url: Annotated[str | None, typer.Option("--url", help="the service's HTTP address")] = None,
    as_json: AsJson = False,
) -> None:
    """Send a service's public events again with their original ids (admin)."""
    if service not in SERVICES:
        typer.echo(f"error: unknown service {service!r}; one of {', '.join(SERVICES)}", err=True)
        raise SystemExit(1)
    api = ServiceApi(service, DEFAULT_PORTS[service]["HTTP_PORT"])
    done = api.call("POST", url, "/admin/republish", {
        "from_position": from_position, "to_position": to_position, "topic": topic,
        "missing": missing}, timeout=REPUBLISH_TIMEOUT)
    if as_json:
        typer.echo(json.dumps(done, indent=2))
        return
    for result in done:
        skipped = f", {result['skipped']} over the size limit left out" if result["skipped"] else ""
        if missing:
            skipped += f", {result.get('present', 0)} already on the topic"
        last = result["last_position"]
        typer.echo(f"{result['topic']}: {result['published']} events published again"
                   f"{f' (through position {last})' if last else ''}{skipped}")
