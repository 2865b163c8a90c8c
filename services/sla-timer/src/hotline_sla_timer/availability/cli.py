"""`hotline outage record|end|show` and `hotline report availability`, through sla-timer's HTTP
API (`hotline_sla_timer.cli_client`). Instants are ISO-8601 with an offset; months `2026-12`
(calendar months in Pacific time)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from hotline_sla_timer.cli_client import AsJson, Url, call

outage = typer.Typer(no_args_is_help=True, help="Outage records: P1/P2 tickets as service outages.")
report = typer.Typer(no_args_is_help=True, help="Reports: monthly availability and SLA per customer.")

Number = Annotated[str, typer.Argument(help="the ticket, e.g. T-000042")]


def _instant(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO-8601 instant") from None
    if parsed.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} needs a UTC offset, e.g. 2026-12-09T10:00:00-08:00")
    return parsed.isoformat()


def _print_outage(record: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(record, indent=2))
        return
    customers = "all customers" if record["all_customers"] else ", ".join(record["customers"])
    typer.echo(f"{record['ticket_number']}  {record['class']}  {record['cause']}  "
               f"{record['starts_at']} – {record['ends_at'] or 'open'}  {customers}")


@outage.command("record")
def record(number: Number,
           service_class: Annotated[str, typer.Option("--class", help="core or supporting")],
           cause: Annotated[str, typer.Option("--cause", help="platform, carrier-connectivity, "
                                              "customer, third-party or maintenance")],
           start: Annotated[str | None, typer.Option("--start", help="default: the ticket's opening",
                                                     callback=_instant)] = None,
           end: Annotated[str | None, typer.Option("--end", help="default: its first work-around "
                                                   "or resolution (none yet: open)",
                                                   callback=_instant)] = None,
           customers: Annotated[str | None, typer.Option("--customers", help='"Acme Corp,Globex '
                                                         'Telecom" or all; default: the ticket\'s')] = None,
           url: Url = None, as_json: AsJson = False) -> None:
    """Mark a P1 or P2 ticket as a service outage; recorded again, it is corrected."""
    body = {"class": service_class, "cause": cause, "starts_at": start, "ends_at": end,
            "customers": [c.strip() for c in customers.split(",") if c.strip()] if customers else None}
    _print_outage(call("POST", url, f"/outages/{number}", body), as_json)


@outage.command("end")
def end(number: Number, at: Annotated[str, typer.Option("--at", help="when service was restored",
                                                        callback=_instant)],
        url: Url = None, as_json: AsJson = False) -> None:
    """End an outage that is still open."""
    _print_outage(call("POST", url, f"/outages/{number}/end", {"at": at}), as_json)


@outage.command("show")
def show(number: Number, url: Url = None, as_json: AsJson = False) -> None:
    """A ticket's outage record."""
    _print_outage(call("GET", url, f"/outages/{number}"), as_json)


@report.command("availability")
def availability(customer: Annotated[str | None, typer.Option("--customer")] = None,
                 month: Annotated[str | None, typer.Option("--month", help="e.g. 2026-12")] = None,
                 close_month: Annotated[str | None, typer.Option(
                     "--close-month", help="close this month: publish its figures, once")] = None,
                 url: Url = None, as_json: AsJson = False) -> None:
    """A month's availability per class (--customer, --month), or close a month (--close-month)."""
    if close_month:
        closed = call("POST", url, f"/availability/{close_month}/close")
        if as_json:
            typer.echo(json.dumps(closed, indent=2))
            return
        typer.echo(f"{closed['month']}: {len(closed['reported'])} reports published")
        for r in closed["reported"]:
            typer.echo(f"  {r['customer']}  {r['class']}  {r['availability']}%  "
                       f"{'met' if r['met'] else 'MISSED'}")
        return
    if not month:
        raise typer.BadParameter("--month (or --close-month) is needed")
    figures = call("GET", url, "/availability", params={"month": month, "customer": customer})
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    for f in figures:
        typer.echo(f"{f['customer']}  {f['month']}  {f['class']}: {f['availability']}% "
                   f"(target {f['target']}%) {'met' if f['met'] else 'MISSED'}  downtime "
                   f"{f['downtime_seconds']} s of {f['seconds_in_month']} s, "
                   f"{len(f['outages'])} outages")
    if figures:
        typer.echo(f"maintenance: {figures[0]['maintenance_rule']}")


from hotline_sla_timer.sla_report import cli as _sla_report_cli  # noqa: E402,F401  (adds `report sla`)
