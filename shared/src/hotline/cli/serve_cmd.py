"""`hotline serve NAME`: run one installed service (found by entry point) in the foreground."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

app = typer.Typer()

GROUP = "hotline.services"


def installed_services() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


@app.callback(invoke_without_command=True)
def serve(name: str = typer.Argument(..., help="Service to run: intake, notifier, ...")) -> None:
    services = installed_services()
    if name not in services:
        raise typer.BadParameter(
            f"no service {name!r}; installed: {', '.join(sorted(services)) or 'none'}"
        )
    services[name].load()()  # type: ignore[attr-defined]
