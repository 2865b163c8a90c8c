"""The report as one self-contained HTML page (jinja2, `sla_report.html.j2`): the figures, every
ticket's clocks, and the response chart inline as SVG. Nothing is fetched: no script, no font,
no stylesheet or image from elsewhere. Instants are shown in Pacific time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from hotline_sla_timer.sla_report.chart import response_chart
from hotline_sla_timer.sla_report.figures import CLOCKS, SlaReport

PACIFIC = ZoneInfo("America/Los_Angeles")
_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   auto_reload=False)  # packaged: no stat() per render


def _pacific(at: datetime | None) -> str:
    return "—" if at is None else at.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M %Z")


_ENV.filters["pacific"] = _pacific


def render(report: SlaReport) -> str:
    chart = response_chart(report.tickets, report.as_of)
    return _ENV.get_template("sla_report.html.j2").render(
        report=report, clocks=CLOCKS, chart=Markup(chart) if chart else None)  # our own SVG
