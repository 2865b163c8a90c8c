"""sla-timer's pure model: a ticket's SLA clocks, what changes them, and which deadlines they owe."""
