"""The `hotline` command line: one typer app fronting every sub-command."""
