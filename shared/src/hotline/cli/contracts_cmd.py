"""`hotline contracts`: generate or check the JSON Schemas and AsyncAPI document."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)

OUT = typer.Option(Path("contracts"), help="Directory holding schemas/ and asyncapi.json.")


@app.command()
def generate(out: Path = OUT) -> None:
    """Write the generated files from the event models."""
    from hotline.contracts.generate import write

    for path in write(out):
        typer.echo(f"wrote {path}")


@app.command()
def check(out: Path = OUT) -> None:
    """Fail when the checked-in files differ from the models."""
    from hotline.contracts.generate import drift

    problems = drift(out)
    if problems:
        typer.echo("contracts drifted; run `make schemas`: " + ", ".join(problems), err=True)
        raise typer.Exit(1)
    typer.echo("contracts match the models")
