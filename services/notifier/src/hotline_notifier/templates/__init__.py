"""Notification templates (jinja2), one folder: `<name>.subject.j2`, `<name>.txt.j2` and,
optionally, `<name>.html.j2` (autoescaped). `render(name, **context)` gives all three.

Every template gets `calendar_zone` and a `local(instant)` filter that shows an instant in the
support calendar's own zone (`hotline.calendar.default_calendar()`), never a hard-coded one.
A subject line is always one line of at most 250 characters, whatever the event carries (an
issue with a line break, from before intake bounded it, must not make an invalid header).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape

from hotline.calendar import default_calendar

SUBJECT_MAX = 250


def local(instant: datetime | None, fmt: str = "%a %Y-%m-%d %H:%M %Z") -> str:
    """An instant in the support calendar's zone, e.g. `Fri 2026-11-27 16:00 PST`."""
    if instant is None:
        return "-"
    return instant.astimezone(default_calendar().zone).strftime(fmt)


_env = Environment(
    loader=PackageLoader("hotline_notifier", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    auto_reload=False,  # packaged templates never change while running; no stat() per render
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False,
                                 default=False),
)
_env.filters["local"] = local


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def render(name: str, **context: object) -> Rendered:
    context.setdefault("calendar_zone", str(default_calendar().zone))
    subject = _env.get_template(f"{name}.subject.j2").render(**context)
    text = _env.get_template(f"{name}.txt.j2").render(**context)
    try:
        html: str | None = _env.get_template(f"{name}.html.j2").render(**context)
    except TemplateNotFound:
        html = None
    return Rendered(subject_line(subject), text, html)


def subject_line(text: str) -> str:
    """Control characters and line separators as spaces, whitespace runs as one, ≤ 250 chars."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())[:SUBJECT_MAX].rstrip()
