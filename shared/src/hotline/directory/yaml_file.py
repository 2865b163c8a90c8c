"""The customer directory as a YAML file: reading it and turning every problem into one
`DirectoryFileError` that names the file and the offending entry.

    customers:
      - name: Acme Corp
        locations: [{address: "100 Main St, Springfield"}]   # or plain strings
        contacts: [{email: noc@acme.example, name: Acme NOC}] # or plain strings
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from hotline.directory.model import Directory


class DirectoryFileError(ValueError):
    """The directory file cannot be read or does not describe a valid directory."""


def load_directory(path: str | os.PathLike[str]) -> Directory:
    """Read and validate the YAML customer directory at `path`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DirectoryFileError(f"{path}: cannot read the customer directory: {reason}") from exc
    return directory_from_yaml(text, source=str(path))


def directory_from_yaml(text: str, *, source: str = "<string>") -> Directory:
    """Validate a YAML document as a customer directory; `source` names it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise DirectoryFileError(f"{source}: not valid YAML{where}: {problem}") from exc
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise DirectoryFileError(
            f"{source}: expected a mapping with a 'customers' list at the top level, found {found}"
        )
    try:
        return Directory.model_validate(data)
    except ValidationError as exc:
        raise DirectoryFileError(f"{source}: {_describe(exc, data)}") from exc


def _describe(exc: ValidationError, data: dict) -> str:
    problems = []
    for error in exc.errors(include_url=False):
        where = _location(error["loc"], data)
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


def _location(loc: tuple[str | int, ...], data: dict) -> str:
    """`customers[0].contacts[1].email`, with the customer's name when it has one."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    if len(loc) >= 2 and loc[0] == "customers" and isinstance(loc[1], int):
        try:
            name = data["customers"][loc[1]]["name"]
        except (KeyError, IndexError, TypeError):
            name = None
        if isinstance(name, str):
            text += f" (customer {name!r})"
    return text
