"""`hotline report sla --customer "Acme Corp" --month 2026-11 [--json | --html FILE]`: a
customer's monthly SLA report from sla-timer (`GET /reports/sla`). Text lists every ticket with
each clock met, breached or running, then the percentage met per priority and per clock;
`--html FILE` writes the self-contained page with its chart. Registers on `hotline report`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline_sla_timer.availability.cli import report
from hotline_sla_timer.cli_client import AsJson, Url, call


@report.command("sla")
def sla(customer: Annotated[str, typer.Option("--customer", help='e.g. "Acme Corp"')],
        month: Annotated[str, typer.Option("--month", help="e.g. 2026-11 (Pacific time)")],
        html: Annotated[Path | None, typer.Option("--html", help="write the HTML report here",
                                                  dir_okay=False)] = None,
        url: Url = None, as_json: AsJson = False) -> None:
    """A customer's tickets opened in a month, each clock met or breached, % met per priority and clock."""
    params = {"customer": customer, "month": month}
    if html is not None:
        page = call("GET", url, "/reports/sla", params={**params, "format": "html"}, text=True)
        html.write_text(page, encoding="utf-8")
        typer.echo(f"wrote {html}")
        return
    found = call("GET", url, "/reports/sla", params=params)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    _print(found)


def _print(found: dict[str, Any]) -> None:
    typer.echo(f"{found['customer']}  {found['month']}: {len(found['tickets'])} tickets "
               f"(as of {found['as_of']})")
    for ticket in found["tickets"]:
        clocks = "  ".join(f"{name} {c['status']}" for name, c in ticket["clocks"].items())
        typer.echo(f"  {ticket['number']}  P{ticket['priority']}  {clocks or 'no clocks'}")
    for title, tallies in (("per priority", found["by_priority"]), ("per clock", found["by_clock"])):
        typer.echo(f"met {title}:")
        for name, t in tallies.items():
            percent = f"{t['percent_met']}%" if t["percent_met"] is not None else "—"
            typer.echo(f"  {name}: {percent} ({t['met']} met, {t['breached']} breached, "
                       f"{t['running']} running)")
    if found["without_customer"]:
        typer.echo(f"{found['without_customer']} tickets opened that month have no recorded "
                   "customer and are not included")
