"""The monthly SLA report of one customer: every ticket opened in a Pacific month with each
clock met, breached or still running (`figures`), the percentage met per priority and per clock,
as JSON or a self-contained HTML page (`page`) with a chart of deadline against actual response
(`chart`, matplotlib SVG inline); `hotline report sla` (`cli`)."""
