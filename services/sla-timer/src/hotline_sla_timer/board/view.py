"""`BoardView`: the board's read model, in memory, following sla-timer's own event log.

It keeps one `TicketEntry` per ticket on the board and the position of the last event it saw.
`catch_up()` reads only the notifications after that position (one query when nothing is new),
loads every `TicketClocks` they touched (those tickets' events, not the whole log, in one
query) and replaces their entries. So a request never scans the log; only the first catch-up after start reads it from
the beginning, once. PostgreSQL notification ids commit in order (the recorder takes a table
lock to insert), so reading after the last position misses nothing.

Thread-safe: catch-ups and snapshots run in worker threads (the feed's, and requests').
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from hotline.clock import SystemClock
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.board import rows

PAGE_SIZE = 500


class BoardView:
    def __init__(self, app: SlaTimerApplication) -> None:
        self.app = app
        self.position = 0
        self._entries: dict[UUID, rows.TicketEntry] = {}
        self._lock = threading.Lock()

    @property
    def flowing(self) -> bool:
        """Whether the stack's time moves by itself (not a simulated or fixed clock)."""
        return isinstance(self.app.clock, SystemClock)

    def catch_up(self) -> bool:
        """Take in what the log recorded since the last call; True if a ticket changed."""
        with self._lock:
            touched: set[UUID] = set()
            while True:
                page = self.app.recorder.select_notifications(self.position + 1, PAGE_SIZE)
                if not page:
                    break
                touched.update(n.originator_id for n in page if "TicketClocks" in n.topic)
                self.position = page[-1].id
            if not touched:
                return False
            now = self.app.clock.now()
            loaded = self.app.load_many(touched)  # one query, however many tickets moved
            for ticket_id in touched:
                clocks = loaded[ticket_id]
                entry = rows.entry_of(clocks, self.app.policy_for(clocks), now)
                if entry is None:
                    self._entries.pop(ticket_id, None)
                else:
                    self._entries[ticket_id] = entry
            return True

    def snapshot(self) -> dict[str, Any]:
        """The board as of the stack's clock now (after catching up)."""
        self.catch_up()
        with self._lock:
            entries = list(self._entries.values())
        return rows.board(entries, self.app.clock.now(), flowing=self.flowing)
