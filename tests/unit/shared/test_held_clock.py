"""`HeldClock` holds one instant per thread for a block (nested blocks keep the outer one;
other threads and later reads see the clock), and an intake admission reads its clock once
(the simulated clock is a database read), for email and HTTP alike."""

from __future__ import annotations

import threading
from datetime import timedelta

from intake_fakes import WED_1000_PT, email, make_app, make_submissions

from hotline.clock import FixedClock, HeldClock
from hotline_intake.submissions import Opened


class CountingClock(FixedClock):
    def __init__(self, at) -> None:
        super().__init__(at)
        self.reads = 0

    def now(self):
        self.reads += 1
        return super().now()


def test_a_block_holds_one_instant_in_its_own_thread() -> None:
    fixed = FixedClock(WED_1000_PT)
    clock = HeldClock(fixed)
    elsewhere = []
    with clock.held() as at:
        fixed.advance(timedelta(minutes=5))
        assert clock.now() == at == WED_1000_PT
        with clock.held(WED_1000_PT + timedelta(hours=1)) as inner:
            assert inner == at  # the outer instant stands
        assert clock.now() == at
        thread = threading.Thread(target=lambda: elsewhere.append(clock.now()))
        thread.start()
        thread.join()
    assert elsewhere == [WED_1000_PT + timedelta(minutes=5)]
    assert clock.now() == WED_1000_PT + timedelta(minutes=5)
    clock.advance(timedelta(minutes=1))  # the rest is the clock's
    assert fixed.now() == WED_1000_PT + timedelta(minutes=6)


async def test_an_admission_reads_the_clock_once() -> None:
    counting = CountingClock(WED_1000_PT)
    submissions = make_submissions(make_app(counting))
    counting.reads = 0
    assert isinstance(await submissions.receive_email(email(), "noc@acme.example"), Opened)
    assert counting.reads == 1  # received_at, held for the duplicate check, rate limit and save
    counting.reads = 0
    opened = await submissions.receive_request(
        customer="Acme Corp", location="100 Main St, Springfield", issue="No dial tone",
        description="All lines dead.", priority=2, contact="noc@acme.example",
        idempotency_key="key-1")
    assert isinstance(opened, Opened)
    assert counting.reads == 1
