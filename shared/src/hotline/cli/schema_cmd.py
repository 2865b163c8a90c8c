"""`hotline schema ensure`: create every service's PostgreSQL schema (idempotent), before the
services start (the Kubernetes `hotline-schema` Job runs it). Each service creates its own
tables on start; this only makes sure the schemas exist, with one clear line on failure."""

from __future__ import annotations

from typing import Annotated

import psycopg
import typer

from hotline.eventstore import ensure_schema
from hotline.settings import HotlineSettings

app = typer.Typer(no_args_is_help=True)
SCHEMAS = ("intake", "sla_timer", "notifier", "billing")


@app.command()
def ensure(schemas: Annotated[list[str] | None, typer.Argument(help="Schemas to create (default: "
                                                              "every service's).")] = None) -> None:
    """Create the services' schemas if missing; safe to run again."""
    url = HotlineSettings().database_url
    for schema in schemas or SCHEMAS:
        try:
            ensure_schema(url, schema)
        except psycopg.Error as error:
            typer.echo(f"error: cannot create schema {schema}: {str(error).strip().splitlines()[0]}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"schema {schema} present")
