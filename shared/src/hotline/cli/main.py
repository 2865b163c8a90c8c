"""Entry point of the `hotline` console command.

Each command group lives in its own module that exposes a typer app named `app`;
this module only mounts them, so adding a group is one line here.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import psycopg
import typer
from pydantic import ValidationError

from hotline.cli import stack

app = typer.Typer(
    name="hotline",
    help="Hotline: support tickets, SLA clocks and the local stack.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (group name, module holding a typer `app`, help text)
GROUPS: list[tuple[str, str, str]] = [
    ("calendar", "hotline.cli.calendar_cmd", "The support calendar: holidays, support-time arithmetic."),
    ("sla", "hotline.cli.sla_cmd", "SLA policy: deadlines and warnings for a ticket."),
    ("contracts", "hotline.cli.contracts_cmd", "Event contracts: JSON Schemas and the AsyncAPI document."),
    ("serve", "hotline.cli.serve_cmd", "Run one Hotline service in the foreground."),
    ("clock", "hotline.cli.clock_cmd", "The stack-wide simulated clock (tests and demos only)."),
    ("tokens", "hotline.cli.tokens_cmd", "Bearer tokens and roles for the HTTP APIs."),
    ("audit", "hotline.cli.audit_cmd", "Audit: verify the event hash chains, recompute SLA outcomes."),
    ("settings", "hotline.cli.settings_cmd", "Settings: the generated table of every HOTLINE_* variable."),
    ("schema", "hotline.cli.schema_cmd", "Database schemas: create every service's before it starts."),
]


def _mount() -> None:
    for name, module, help_text in GROUPS:
        sub = importlib.import_module(module).app
        app.add_typer(sub, name=name, help=help_text)
    # Services contribute their own command groups (e.g. intake's `hotline ticket`).
    for entry_point in entry_points(group="hotline.cli"):
        app.add_typer(entry_point.load(), name=entry_point.name)
    republish_module = importlib.import_module("hotline.cli.republish_cmd")
    app.command("republish", help="Send a service's public events again, with their original ids.")(
        republish_module.republish
    )
    rebuild_module = importlib.import_module("hotline.cli.rebuild_cmd")
    app.command("rebuild", help="Drop a stopped service's read models and rebuild them from its events.")(
        rebuild_module.rebuild
    )
    run_module = importlib.import_module("hotline.cli.run_cmd")
    app.command("run", help="Start the whole stack on embedded defaults; Ctrl-C stops it.")(
        run_module.run
    )


@app.callback()
def root(ctx: typer.Context) -> None:
    """Hotline: support tickets, SLA clocks and the local stack."""
    if ctx.invoked_subcommand not in ("run", "serve"):  # those set up their own environment
        stack.load()


_mount()


def main() -> None:
    try:
        app()
    except ValidationError as error:  # a setting refused: name the variable, no traceback
        from hotline.settings_doc import invalid_setting

        problem = invalid_setting(error)
        if problem is None:
            raise
        typer.echo(f"Error: {problem}", err=True)
        raise SystemExit(2) from None
    except psycopg.OperationalError as error:  # any command that reads the database directly
        from hotline.settings import HotlineSettings

        url = HotlineSettings().database_url
        stack.unreachable("PostgreSQL", _without_password(url), "HOTLINE_DATABASE_URL", error)


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


if __name__ == "__main__":
    main()
