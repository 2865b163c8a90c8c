"""`hotline clock`: show, set or advance the stack-wide simulated clock.

Moving time is refused unless the stack runs with HOTLINE_SIMULATED_CLOCK=true: production
stacks run on the system clock, and nobody should be able to move their time. Beside
`make run`, the stack's own flag (from `var/stack.json`) decides; `show` then also tells a
stack on the system clock what time it is.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import typer

from hotline.calendar import parse_duration

app = typer.Typer(no_args_is_help=True)
PACIFIC = ZoneInfo("America/Los_Angeles")


def _clock(moving: bool = True):
    from hotline.clock import SimulatedClock
    from hotline.cli import stack
    from hotline.settings import HotlineSettings

    settings = HotlineSettings()
    simulated = stack.runs_simulated_clock()
    if simulated is False:
        if not moving:
            return None
        typer.echo(f"error: the stack of {stack.source} runs on the system clock; start it with "
                   "`HOTLINE_SIMULATED_CLOCK=true make run` to move time", err=True)
        raise typer.Exit(2)
    if simulated is None and not settings.simulated_clock:
        typer.echo(
            "error: the simulated clock is disabled; it can only be moved on a stack whose "
            "services run with HOTLINE_SIMULATED_CLOCK=true (tests, demos)", err=True)
        raise typer.Exit(2)
    return SimulatedClock(settings.database_url)


def _show(at: datetime) -> None:
    typer.echo(at.astimezone(PACIFIC).isoformat())


@app.command()
def show() -> None:
    """Print the stack's current time (America/Los_Angeles)."""
    clock = _clock(moving=False)
    if clock is None:
        from datetime import timezone

        _show(datetime.now(timezone.utc))
        typer.echo("(the system clock: this stack was started without HOTLINE_SIMULATED_CLOCK=true)",
                   err=True)
        return
    _show(clock.now())


@app.command("set")
def set_(at: str = typer.Argument(..., help="ISO-8601 instant with offset, e.g. 2026-11-27T15:59:00-08:00")) -> None:
    """Fix the stack's time at an instant."""
    try:
        instant = datetime.fromisoformat(at)
        if instant.tzinfo is None:
            raise ValueError("no UTC offset")
    except ValueError as exc:
        raise typer.BadParameter(f"{at!r} is not an ISO-8601 instant with offset ({exc})") from None
    _show(_clock().set(instant))


@app.command()
def advance(by: str = typer.Argument(..., help="How far: 10m, 2h, 1h30m, 3d (24 h days)")) -> None:
    """Move the stack's time forward."""
    from datetime import timedelta

    try:
        duration = parse_duration(by, day=timedelta(hours=24))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    _show(_clock().advance(duration))


@app.command()
def reset() -> None:
    """Return the stack to the system clock."""
    _clock().reset()
    typer.echo("simulated clock reset to the system clock")
