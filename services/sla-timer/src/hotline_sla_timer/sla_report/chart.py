"""The report's chart: each ticket's response deadline against its actual response, as SVG.

Drawn with matplotlib (object API, no pyplot state, no display) and returned as an inline
`<svg>` element: text stays text (`svg.fonttype: none`), nothing refers outside the document,
and the output is the same for the same figures (fixed hash salt, no date). One row per ticket
with a response clock; the x axis is wall-clock hours after the ticket was opened. A grey bar
reaches the deadline; the marker is the first response: a green dot in time, a red cross late,
a hollow marker at "now" for a clock still running.
"""

from __future__ import annotations

import io
import threading
from datetime import datetime

from hotline_sla_timer.sla_report.figures import TicketLine

_LOCK = threading.Lock()  # matplotlib's rcParams are process-wide
MET, LATE, OPEN, BAR = "#1b7f3b", "#c62828", "#ef6c00", "#cfd8dc"


def response_chart(tickets: list[TicketLine], as_of: datetime) -> str | None:
    """The chart as an `<svg …>…</svg>` string, or None when no ticket has a response clock."""
    rows = [(t, line) for t in tickets if (line := t.clock("response")) is not None
            and line.due_at is not None]
    if not rows:
        return None
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    with _LOCK, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hotline-sla-report",
                                       "font.size": 9}):
        figure = Figure(figsize=(8, 1.6 + 0.32 * len(rows)), layout="constrained")
        axes = figure.add_subplot()
        for y, (ticket, line) in enumerate(reversed(rows)):
            assert line.due_at is not None
            deadline = _hours(ticket.opened_at, line.due_at)
            axes.barh(y, deadline, height=0.5, color=BAR, edgecolor="#90a4ae")
            if line.actual_at is not None:
                late = line.status == "breached"
                axes.plot(_hours(ticket.opened_at, line.actual_at), y, "X" if late else "o",
                          color=LATE if late else MET, markersize=7)
            else:
                axes.plot(_hours(ticket.opened_at, max(as_of, ticket.opened_at)), y, "o",
                          markerfacecolor="none", markeredgecolor=OPEN, markersize=7)
        axes.set_yticks(range(len(rows)), [f"{t.number} (P{line.priority})" for t, line in reversed(rows)])
        axes.set_xlabel("hours after the ticket was opened")
        axes.set_title("First response: deadline (bar) against actual (marker)")
        axes.set_xlim(left=0)
        axes.grid(axis="x", color="#eceff1")
        figure.legend(handles=[
            Line2D([], [], color=BAR, linewidth=8, label="deadline"),
            Line2D([], [], color=MET, marker="o", linestyle="", label="responded in time"),
            Line2D([], [], color=LATE, marker="X", linestyle="", label="responded late"),
            Line2D([], [], color=OPEN, marker="o", markerfacecolor="none", linestyle="",
                   label="no response yet (now)"),
        ], loc="outside lower center", ncols=4, fontsize=8, frameon=False)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600
