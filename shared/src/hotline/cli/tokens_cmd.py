"""`hotline tokens`: create, list and revoke the bearer tokens every HTTP API requires.

Tokens are written straight to the stack's database (`hotline_identity.tokens`): whoever can
reach it is an administrator. `create` prints the token once; only its hash is kept.
`current` prints the token the CLI itself sends (HOTLINE_TOKEN, exported or from the stack
file `hotline run` writes), for `curl -H "Authorization: Bearer $(hotline tokens current)"`.
"""

from __future__ import annotations

import getpass
import json
import os
from typing import Annotated

import typer

from hotline.identity import ROLES
from hotline.identity.tokens import TokenError, TokenStore
from hotline.settings import HotlineSettings

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _store() -> TokenStore:
    return TokenStore(HotlineSettings().database_url)


def _fail(error: TokenError) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


@app.command()
def create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses it, e.g. noc-dashboard.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    customer: Annotated[str | None, typer.Option("--customer", help="For --role customer: the one "
                                                 "customer it may see, e.g. 'Acme Corp'.")] = None,
) -> None:
    """Create a token and print it (once: only its hash is kept)."""
    try:
        token = _store().create(name, role, created_by=f"cli:{getpass.getuser()}", customer=customer)
    except TokenError as error:
        _fail(error)
    typer.echo(token)
    typer.echo(f"token {name!r} ({role}) created; keep it now, it cannot be shown again", err=True)


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """Every token: name, role, fingerprint, created, revoked."""
    rows = [{"name": t.name, "role": t.role, "fingerprint": t.fingerprint,
             "created_at": t.created_at.isoformat(), "created_by": t.created_by,
             "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
             "customer": t.customer} for t in _store().list()]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"revoked {row['revoked_at'][:19]}" if row["revoked_at"] else "active"
        scope = f"  ({row['customer']})" if row["customer"] else ""
        typer.echo(f"{row['name']:<24} {row['role']:<9} {row['fingerprint']}  "
                   f"created {row['created_at'][:19]} by {row['created_by']}  {state}{scope}")


@app.command()
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token; every service refuses it within seconds."""
    try:
        _store().revoke(name)
    except TokenError as error:
        _fail(error)
    typer.echo(f"token {name!r} revoked")


@app.command()
def current() -> None:
    """Print the token this CLI sends (HOTLINE_TOKEN, or the stack file's)."""
    token = os.environ.get("HOTLINE_TOKEN")
    if not token:
        typer.echo("error: no token: start the stack with `make run` (it writes one to "
                   "var/stack.json) or export HOTLINE_TOKEN", err=True)
        raise typer.Exit(2)
    typer.echo(token)
