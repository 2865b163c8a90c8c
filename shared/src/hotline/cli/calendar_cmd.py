"""`hotline calendar`: holidays and support-time arithmetic on the command line.

Instants are ISO-8601 with an offset (`2026-11-25T16:00:00-08:00` or `...Z`) and print in the
calendar's zone (America/Los_Angeles) with their offset. Durations are `8h`, `90m`, `1h30m`,
`45s` or `2d`, where a day is one support day (10 support hours, so `2d` = 20 support hours).
Human-readable by default; `--json` for machines.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from hotline.calendar import SupportCalendar, default_calendar, format_duration, parse_duration

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def parse_instant(text: str, name: str = "instant") -> dt.datetime:
    """ISO-8601 with an offset → aware datetime; typer.BadParameter otherwise."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO-8601 instant, e.g. 2026-11-25T16:00:00-08:00", param_hint=name
        ) from None
    if value.tzinfo is None:
        raise typer.BadParameter(
            f"{text!r} has no offset; add one, e.g. -08:00 or Z", param_hint=name
        )
    return value


def local_iso(value: dt.datetime | None, calendar: SupportCalendar) -> str | None:
    """An instant as ISO-8601 in the calendar's zone, with its offset."""
    return None if value is None else value.astimezone(calendar.zone).isoformat()


def emit(payload: object, as_json: bool, human: str) -> None:
    typer.echo(json.dumps(payload, indent=2) if as_json else human)


@app.command()
def holidays(
    year: Annotated[int, typer.Argument(min=1900, max=9998, help="Calendar year.")],
    as_json: JsonFlag = False,
) -> None:
    """The holidays (Off Hours all day) of YEAR."""
    calendar = default_calendar()
    rows = [{"date": h.date.isoformat(), "name": h.name} for h in calendar.holidays(year)]
    human = "\n".join(f"{r['date']}  {dt.date.fromisoformat(r['date']):%a}  {r['name']}" for r in rows)
    emit(rows, as_json, human + f"\n(calendar {calendar.version})")


@app.command()
def add(
    start: Annotated[str, typer.Argument(help="ISO-8601 instant with offset.")],
    duration: Annotated[str, typer.Argument(help="Support time: 8h, 90m, 1h30m, 2d (= 20h).")],
    as_json: JsonFlag = False,
) -> None:
    """The instant DURATION of support time after START."""
    calendar = default_calendar()
    begin = parse_instant(start, "START")
    amount = _duration(duration, calendar)
    due = calendar.add(begin, amount)
    payload = {
        "due": local_iso(due, calendar),
        "start": local_iso(begin, calendar),
        "duration": format_duration(amount),
        "support_seconds": int(amount.total_seconds()),
        "calendar_version": calendar.version,
    }
    emit(payload, as_json, f"{payload['due']}  ({payload['duration']} of support time after "
         f"{payload['start']}; calendar {calendar.version})")


@app.command()
def elapsed(
    start: Annotated[str, typer.Argument(help="ISO-8601 instant with offset.")],
    end: Annotated[str, typer.Argument(help="ISO-8601 instant with offset.")],
    as_json: JsonFlag = False,
) -> None:
    """Support time between START and END (negative if END is earlier)."""
    calendar = default_calendar()
    begin, finish = parse_instant(start, "START"), parse_instant(end, "END")
    amount = calendar.elapsed(begin, finish)
    seconds = amount.total_seconds()
    payload = {
        "support_hours": round(seconds / 3600, 6),
        "support_seconds": int(seconds) if seconds.is_integer() else seconds,
        "elapsed": format_duration(amount),
        "start": local_iso(begin, calendar),
        "end": local_iso(finish, calendar),
        "calendar_version": calendar.version,
    }
    emit(payload, as_json, f"{payload['elapsed']} of support time "
         f"({payload['support_hours']} support hours; calendar {calendar.version})")


@app.command("is-open")
def is_open(
    instant: Annotated[str, typer.Argument(help="ISO-8601 instant with offset.")],
    as_json: JsonFlag = False,
) -> None:
    """Whether INSTANT is inside Standard Support Hours, and the next opening."""
    calendar = default_calendar()
    at = parse_instant(instant, "INSTANT")
    payload = {
        "open": calendar.is_open(at),
        "next_open": local_iso(calendar.next_open(at), calendar),
        "calendar_version": calendar.version,
    }
    state = "open" if payload["open"] else f"off hours; next opening {payload['next_open']}"
    emit(payload, as_json, f"{local_iso(at, calendar)}: {state}")


def _duration(text: str, calendar: SupportCalendar) -> dt.timedelta:
    try:
        return parse_duration(text, day=calendar.support_day)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="DURATION") from None
