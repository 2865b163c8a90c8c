"""`hotline audit recompute T-000042 …|--all [--policy FILE] [--grace SECONDS] [--json]`.

Asks sla-timer (`POST /audit/recompute`) to recompute every SLA outcome of the named tickets
(or all of them) from their recorded changes under the recorded policy and calendar versions,
and lists each difference from what it published: clock, run, threshold, the outcome expected
and the one published, with their due instants. A healthy system has none: exit 0 and
`no differences (N tickets)`; otherwise each difference is listed and the exit status is 1
(also when a ticket's recorded versions cannot be rebuilt).

`--policy FILE` (YAML or JSON of `HOTLINE_SLA_*` fields, `hotline.sla.policy_file`) answers
"what if this policy had been in force"; it is checked here first, and nothing is changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.cli.audit_cmd import app
from hotline.cli.service_api import AsJson, ServiceApi

API = ServiceApi("sla-timer", 8082)


@app.command("recompute")
def recompute(
    tickets: Annotated[list[str] | None, typer.Argument(help="ticket numbers, e.g. T-000042")] = None,
    every: Annotated[bool, typer.Option("--all", help="every ticket sla-timer keeps clocks for")] = False,
    policy: Annotated[Path | None, typer.Option(
        "--policy", help="what-if policy: YAML of HOTLINE_SLA_* fields (e.g. `p2_response: 4h support`)",
        exists=True, dir_okay=False)] = None,
    grace: Annotated[int, typer.Option("--grace", min=0, help="seconds a reached threshold may "
                                       "wait for the firing loop before it counts")] = 60,
    url: API.url_option = None,  # type: ignore[valid-type]
    as_json: AsJson = False,
) -> None:
    """Recompute SLA outcomes from the ticket events and recorded versions; list each difference."""
    if every == bool(tickets):
        raise typer.BadParameter("name ticket numbers or --all (not both)")
    body: dict[str, Any] = {"tickets": None if every else tickets, "grace_seconds": grace}
    if policy is not None:
        from hotline.sla.policy_file import load_policy_file

        try:
            body["policy"] = load_policy_file(policy).model_dump()
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--policy") from None
    found = API.call("POST", url, "/audit/recompute", body)
    clean = not found["differences"] and not found["unverifiable"]
    if as_json:
        typer.echo(json.dumps(found, indent=2))
    else:
        _print(found, policy)
    raise typer.Exit(0 if clean else 1)


def _print(found: dict[str, Any], policy: Path | None) -> None:
    under = f" under {policy} ({found['policy']})" if policy else ""
    owed = f", {found['owed']} owed to the firing loop" if found["owed"] else ""
    for d in found["differences"]:
        typer.echo(f"{d['ticket']}  {d['clock']} run {d['run']} at {d['threshold']:g}%: "
                   f"expected {_side(d['expected'], d['expected_due_at'])}, "
                   f"published {_side(d['published'], d['published_due_at'])}")
    for u in found["unverifiable"]:
        typer.echo(f"{u['ticket']}  cannot be recomputed: {u['reason']}")
    if not found["differences"] and not found["unverifiable"]:
        typer.echo(f"no differences ({found['tickets']} tickets{under}{owed})")
        return
    tickets = len({d["ticket"] for d in found["differences"]})
    typer.echo(f"{len(found['differences'])} differences in {tickets} of {found['tickets']} "
               f"tickets{under}{owed}")


def _side(outcome: str | None, due_at: str | None) -> str:
    due = f" (due {due_at})" if due_at else ""
    return f"{outcome or 'nothing'}{due}"
