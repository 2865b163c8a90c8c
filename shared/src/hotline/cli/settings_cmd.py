"""`hotline settings doc`: write docs/settings.md, the table of every HOTLINE_* setting
(generated from the settings classes by `hotline.settings_doc`)."""

from __future__ import annotations

from pathlib import Path

import typer

from hotline import settings_doc

app = typer.Typer(no_args_is_help=True)


@app.command("doc")
def doc(
    path: Path = typer.Option(settings_doc.DOC_PATH, help="Where to write the table."),
    check: bool = typer.Option(False, "--check", help="Only say whether the file is current "
                               "(exit 1 when it is not)."),
) -> None:
    """Write the generated settings table (docs/settings.md)."""
    if check:
        current = path.exists() and path.read_text() == settings_doc.render()
        typer.echo(f"{path}: {'up to date' if current else 'out of date; run hotline settings doc'}")
        raise typer.Exit(0 if current else 1)
    changed = settings_doc.write(path)
    typer.echo(f"{path}: {'written' if changed else 'unchanged'}")
