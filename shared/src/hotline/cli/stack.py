"""Where CLI commands find the running stack: the environment first, then `hotline run`'s file.

`hotline run` writes `<var>/stack.json` once everything is up (and removes it when it stops):
the database URL, the broker, the simulated-clock flag, every service's address and an admin
token (the file is readable by its owner only), as the `HOTLINE_*` variables a command would
otherwise need exported. `load()` puts each one the
environment does not already set into `os.environ`, so a newcomer's second terminal needs
nothing exported. The file is looked for under `HOTLINE_VAR_DIR` (default `./var`) if that
directory exists, else under the `var/` beside the virtual environment `hotline` runs from.

`unreachable(...)` is how a command that cannot connect says so: one line naming what it tried,
where that address came from and how to point elsewhere, then exit status 2; `refused(...)` says
what a service answered instead, with its reason (exit 1). `auth_headers()` carries the token.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import typer

FILE_NAME = "stack.json"
loaded: dict[str, str] = {}
"""The settings taken from the stack file (empty when none was found or all were set)."""
found: dict[str, str] = {}
"""Everything the stack file says, whether or not the environment overrides it."""
source: Path | None = None


def candidates() -> list[Path]:
    """The var directory of where the command runs, or else the checkout's (beside `.venv`)."""
    here = Path(os.environ.get("HOTLINE_VAR_DIR", "var"))
    if here.is_dir():
        return [here / FILE_NAME]
    return [Path(sys.prefix).parent / "var" / FILE_NAME]


def write(var_dir: Path, settings: dict[str, str]) -> Path:
    path = var_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.touch(mode=0o600)  # it holds the admin token
    tmp.chmod(0o600)
    tmp.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


def remove(var_dir: Path) -> None:
    (var_dir / FILE_NAME).unlink(missing_ok=True)


def load() -> Path | None:
    """Fill unset `HOTLINE_*` variables from the first stack file found; returns its path."""
    global source
    for path in candidates():
        try:
            settings = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        source = path
        found.update({k: str(v) for k, v in settings.items()})
        for key, value in settings.items():
            if key.startswith("HOTLINE_") and key not in os.environ:
                os.environ[key] = loaded[key] = str(value)
        return path
    return None


def origin(variable: str) -> str:
    """Where the value of `variable` came from, for error messages."""
    if variable in loaded:
        return f"from {source}, written by `hotline run`"
    if variable in os.environ:
        return f"from {variable}"
    return "the default"


def unreachable(what: str, target: str, variable: str, error: object) -> NoReturn:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    typer.echo(f"error: cannot reach {what} at {target} ({origin(variable)}): {reason}. "
               f"Start the stack with `make run`, or point {variable} at yours.", err=True)
    raise SystemExit(2)


def runs_simulated_clock() -> bool | None:
    """Whether the stack the CLI talks to moves on the simulated clock; None if unknown (no
    stack file, or the database was pointed elsewhere)."""
    if "HOTLINE_DATABASE_URL" not in loaded or "HOTLINE_SIMULATED_CLOCK" not in found:
        return None
    return found["HOTLINE_SIMULATED_CLOCK"].lower() == "true"


def auth_headers() -> dict[str, str]:
    """The bearer token the CLI sends: HOTLINE_TOKEN, exported or from the stack file."""
    token = os.environ.get("HOTLINE_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def refused(what: str, status: int, body: object) -> NoReturn:
    """One line for a 4xx/5xx answer, with the reason the service gave."""
    detail: object = body
    if isinstance(body, dict):
        detail = body.get("detail", body)
        if isinstance(detail, dict):
            detail = f"{detail.get('detail')} ({detail.get('reason')})"
    hint = ""
    if status == 401:
        hint = (" Export HOTLINE_TOKEN, or start the stack with `make run`, which writes one to "
                "var/stack.json.")
    typer.echo(f"error: {what} answered {status}: {detail}.{hint}", err=True)
    raise SystemExit(1)
