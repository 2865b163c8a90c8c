"""`hotline billing ...`: quotes, invoices, closing a month, charges of a ticket and each amount
explained, through billing's HTTP API (found as `hotline_billing.cli_client` says). A refusal
prints one line with its reason and exits 1; an unreachable billing exits 2."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote as escaped

import typer

from hotline_billing.cli_client import AsJson, Url, call

app = typer.Typer(no_args_is_help=True, help="Billing: off-hours charges, P4 quotes, invoices.")
quote_app = typer.Typer(no_args_is_help=True, help="Fees quoted for Priority 4 requests.")
app.add_typer(quote_app, name="quote")

QuoteId = Annotated[str, typer.Argument(help="the quote's id")]
Month = Annotated[str, typer.Argument(help="the Pacific month, YYYY-MM")]


def _print_quote(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    typer.echo(f"{found['quote_id']}  {found['status']}  {found['ticket']}  {found['customer']}  "
               f"${found['amount']}  expires {found['expires_at']}")
    typer.echo(f"  {found['description']}")
    if found.get("charge_id"):
        typer.echo(f"  charge {found['charge_id']}")


@quote_app.command("create")
def create_quote(ticket: Annotated[str, typer.Argument(help="the P4 ticket, e.g. T-000042")],
                 amount: Annotated[str, typer.Option("--amount", help="USD, e.g. 250.00")],
                 description: Annotated[str, typer.Option("--description", help="what is quoted")],
                 url: Url = None, as_json: AsJson = False) -> None:
    """Quote a fee for a Priority 4 ticket; its contact is sent it to approve."""
    body = {"ticket": ticket, "amount": amount, "description": description}
    _print_quote(call("POST", url, "/quotes", body), as_json)


@quote_app.command("approve")
def approve(quote_id: QuoteId, url: Url = None, as_json: AsJson = False) -> None:
    """The customer approved: the quote becomes a charge."""
    _print_quote(call("POST", url, f"/quotes/{escaped(quote_id)}/approve"), as_json)


@quote_app.command("reject")
def reject(quote_id: QuoteId, url: Url = None, as_json: AsJson = False) -> None:
    """The customer rejected the quote."""
    _print_quote(call("POST", url, f"/quotes/{escaped(quote_id)}/reject"), as_json)


@quote_app.command("show")
def show(quote_id: QuoteId, url: Url = None, as_json: AsJson = False) -> None:
    """One quote."""
    _print_quote(call("GET", url, f"/quotes/{escaped(quote_id)}"), as_json)


@app.command("close-month")
def close_month(month: Month, url: Url = None, as_json: AsJson = False) -> None:
    """Issue every customer's invoice of the month; they never change again."""
    closed = call("POST", url, f"/invoices/{escaped(month)}/close")
    if as_json:
        typer.echo(json.dumps(closed, indent=2))
        return
    state = "was closed already" if closed["already_closed"] else "closed"
    typer.echo(f"{closed['month']} {state}: {len(closed['invoices'])} invoice(s) issued")
    for invoice in closed["invoices"]:
        typer.echo(f"  {invoice['customer']}  {invoice['lines']} line(s)  ${invoice['total']}")


@app.command("invoice")
def invoice(customer: Annotated[str, typer.Option("--customer", help='e.g. "Acme Corp"')],
            month: Annotated[str, typer.Option("--month", help="YYYY-MM (Pacific)")],
            format: Annotated[str, typer.Option("--format", help="json, csv or text")] = "text",
            url: Url = None) -> None:
    """A customer's invoice of a month (a draft while the month is open)."""
    if format not in ("json", "csv", "text"):
        raise typer.BadParameter("json, csv or text", param_hint="--format")
    path = f"/invoices/{escaped(customer, safe='')}/{escaped(month)}"
    found = call("GET", url, path, params={"format": format}, text=format != "json")
    typer.echo(json.dumps(found, indent=2) if format == "json" else found.rstrip("\n"))


@app.command("charges")
def charges(ticket: Annotated[str, typer.Argument(help="e.g. T-000042")], url: Url = None,
            as_json: AsJson = False) -> None:
    """Every charge, credit and no-charge decision of a ticket, oldest first."""
    found = call("GET", url, "/charges", params={"ticket": ticket})
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    if not found:
        typer.echo(f"nothing booked for {ticket} (a charge follows a recorded outage review)")
    for entry in found:
        why = entry.get("description") or entry.get("reason") or ""
        typer.echo(f"{entry['charge_id']}  {entry['kind']:<18} {entry['amount']:>10}  "
                   f"{entry.get('month', '')}  {why}")


@app.command("explain")
def explain(charge_id: Annotated[str, typer.Argument(help="a charge, credit or no-charge id")],
            url: Url = None, as_json: AsJson = False) -> None:
    """How an amount was reached: the review outcome, each work-log entry with its off-hours
    minutes, the minimum, increment, rate and rounding."""
    found = call("GET", url, f"/charges/{escaped(charge_id)}/explain")
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    _explain_text(found)


def _explain_text(found: dict[str, Any], indent: str = "") -> None:
    echo = lambda text: typer.echo(indent + text)  # noqa: E731
    echo(f"{found['kind']} {found['charge_id']}  {found['ticket']}  {found['customer']}  "
         f"${found['amount']}  booked {found['booked_at']}" +
         (f"  on {found['month']}" if found.get("month") else ""))
    if found.get("reason"):
        echo(f"  reason: {found['reason']}")
    if found.get("quote_id"):
        echo(f"  approved quote {found['quote_id']}: {found.get('description', '')}")
    review = found.get("review")
    if review:
        echo(f"  review revision {review['revision']}: {review['outcome']} "
             f"(provider at fault: {review['provider_at_fault']}): {review['reason']}")
    for entry in found.get("work_log", []):
        echo(f"    {entry['engineer']}  {entry['start']} – {entry['end']}  {entry['minutes']} min, "
             f"{entry['off_hours_minutes']} off-hours  {entry['note']}")
    pricing = found.get("pricing")
    if pricing:
        echo(f"  off-hours {pricing['off_hours_minutes']} min; minimum {pricing['minimum_minutes']} "
             f"min{' (applied)' if pricing['minimum_applied'] else ''}; increment "
             f"{pricing['increment_minutes']} min; billable {pricing['billable_minutes']} min; "
             f"rate ${pricing['hourly_rate']}/h")
        echo(f"  {pricing['computation']} ({pricing['rounding']})")
    if found.get("credited_by"):
        echo(f"  reversed by credit {found['credited_by']}")
    if found.get("reversed_charge"):
        echo("  reverses:")
        _explain_text(found["reversed_charge"], indent + "    ")
