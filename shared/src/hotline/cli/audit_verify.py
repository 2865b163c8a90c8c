"""`hotline audit verify`: walk each service's event hash chain in PostgreSQL and compare it with
the anchors published to Kafka (or appended to a file).

One line per service: `intact, ...`, or the first altered, deleted, inserted or reordered event,
or the anchor a consistently rewritten chain disagrees with. Exit 0 when every chain is intact,
1 when one is not, 2 when PostgreSQL or Kafka cannot be reached (one line, no traceback).
"""

from __future__ import annotations

import asyncio
import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from hotline.audit.settings import AuditSettings
from hotline.audit.verify import SERVICES, file_anchors, kafka_anchors, verify_service
from hotline.audit.walk import Anchor
from hotline.cli import stack
from hotline.cli.audit_cmd import app
from hotline.settings import HotlineSettings

Service = Enum("Service", {name: name for name in SERVICES}, type=str)  # type: ignore[misc]


class AnchorSource(str, Enum):
    kafka = "kafka"
    file = "file"
    none = "none"


@app.command("verify")
def verify(
    service: Annotated[Service | None, typer.Option(  # type: ignore[valid-type]
        "--service", help="only this service (default: all four)")] = None,
    anchors_from: Annotated[AnchorSource, typer.Option(
        "--anchors-from", help="where the published chain heads are read from")] = AnchorSource.kafka,
    anchor_file: Annotated[Path | None, typer.Option(
        "--anchor-file", help="with --anchors-from file (default HOTLINE_AUDIT_ANCHOR_FILE)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Verify the event hash chains; name the first altered, deleted or reordered event."""
    settings = HotlineSettings()
    names = [service.value] if service is not None else list(SERVICES)
    anchors = _anchors(anchors_from, anchor_file, settings)
    try:
        with psycopg.connect(settings.database_url, connect_timeout=5) as conn:
            reports = [verify_service(conn, name, anchors.get(name, [])) for name in names]
    except psycopg.OperationalError as error:
        from hotline.cli.main import _without_password

        stack.unreachable("PostgreSQL", _without_password(settings.database_url),
                          "HOTLINE_DATABASE_URL", error)
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in reports], indent=2))
    else:
        for report in reports:
            typer.echo(report.line())
    if not all(r.intact for r in reports):
        raise typer.Exit(1)


def _anchors(source: AnchorSource, path: Path | None,
             settings: HotlineSettings) -> dict[str, list[Anchor]]:
    if source is AnchorSource.none:
        return {}
    if source is AnchorSource.file:
        file = path or AuditSettings().anchor_file
        if file is None:
            typer.echo("error: --anchors-from file needs --anchor-file or "
                       "HOTLINE_AUDIT_ANCHOR_FILE.", err=True)
            raise typer.Exit(2)
        try:
            return file_anchors(file)
        except OSError as error:
            typer.echo(f"error: cannot read the anchor file {file}: {error.strerror}.", err=True)
            raise typer.Exit(2) from None
    try:
        return asyncio.run(kafka_anchors(settings.kafka_bootstrap))
    except Exception as error:  # aiokafka: KafkaConnectionError, timeouts, ...
        stack.unreachable("Kafka", settings.kafka_bootstrap, "HOTLINE_KAFKA_BOOTSTRAP", error)
