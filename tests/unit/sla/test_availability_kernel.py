"""The availability kernel: seconds in Pacific months (31-day and DST months), the targets'
boundaries to the second, overlap merging, the carrier exclusion, maintenance under each rule and
the split at a month boundary; properties of merging and subtracting intervals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.sla.availability import (
    MaintenanceRule,
    MaintenanceWindow,
    Month,
    Outage,
    allowed_downtime,
    availability_percent,
    clip,
    figure,
    merge,
    seconds,
    subtract,
)

UTC = timezone.utc
NO_MAINTENANCE = MaintenanceRule()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def outage(start: str, end: str | None, cls: str = "core", cause: str = "platform",
           customers: tuple[str, ...] = ("Acme Corp",), id: str = "o1") -> Outage:
    return Outage(id=id, start=at(start), end=at(end) if end else None, service_class=cls,
                  cause=cause, customers=customers)


@pytest.mark.parametrize(("month", "seconds_in_month"), [
    ("2026-06", 30 * 86400),
    ("2026-12", 31 * 86400),
    ("2027-02", 28 * 86400),
    ("2028-02", 29 * 86400),
    ("2026-11", 30 * 86400 + 3600),  # DST ends Sunday 1 November: one hour more
    ("2027-03", 31 * 86400 - 3600),  # DST begins Sunday 14 March: one hour less
])
def test_seconds_in_a_pacific_month(month, seconds_in_month):
    assert Month.parse(month).seconds == seconds_in_month


def test_a_month_starts_at_pacific_midnight():
    assert Month.parse("2026-12").start == at("2026-12-01T08:00:00+00:00")
    assert Month.parse("2026-07").start == at("2026-07-01T07:00:00+00:00")
    assert Month.of(at("2026-12-01T07:59:59+00:00")) == Month(2026, 11)
    assert Month(2026, 1).previous() == Month(2025, 12) and Month(2026, 12).next() == Month(2027, 1)


@pytest.mark.parametrize(("target", "month", "allowed"), [
    ("99.99", "2026-06", Decimal("259.2")),
    ("99.99", "2026-12", Decimal("267.84")),
    ("98", "2026-06", Decimal(51840)),  # 14 h 24 min
    ("99.99", "2026-11", Decimal("259.56")),
])
def test_allowed_downtime(target, month, allowed):
    assert allowed_downtime(Decimal(target), Month.parse(month).seconds) == allowed


@pytest.mark.parametrize(("month", "downtime", "met", "shown"), [
    # 99.99 % of a 30-day month allows 259.2 s
    ("2026-06", 259, True, "99.9900"),
    ("2026-06", 260, False, "99.9899"),
    # of a 31-day month 267.84 s: 4 min 19 s met, 4 min 28 s missed (and 4 min 27 s met)
    ("2026-12", 259, True, "99.9903"),
    ("2026-12", 267, True, "99.9900"),
    ("2026-12", 268, False, "99.9899"),
    # of the DST months: November 30 d + 1 h allows 259.56 s, March 2027 31 d − 1 h 267.48 s
    ("2026-11", 259, True, "99.9900"),
    ("2026-11", 260, False, "99.9899"),
    ("2027-03", 267, True, "99.9900"),
    ("2027-03", 268, False, "99.9899"),
])
def test_core_target_boundaries_to_the_second(month, downtime, met, shown):
    m = Month.parse(month)
    start = m.start + timedelta(days=9)
    f = figure("Acme Corp", "core", m, [Outage("o", start, start + timedelta(seconds=downtime),
                                               "core", "platform", ("Acme Corp",))], [], NO_MAINTENANCE)
    assert (f.downtime_seconds, f.met, f"{f.availability:.4f}") == (downtime, met, shown)
    assert f.target == Decimal("99.99")


@pytest.mark.parametrize(("hours", "met"), [(timedelta(hours=14, minutes=24), True),
                                            (timedelta(hours=14, minutes=24, seconds=1), False)])
def test_supporting_target_boundary(hours, met):
    m = Month.parse("2026-06")
    f = figure("Acme Corp", "supporting", m, [Outage("o", m.start, m.start + hours, "supporting",
                                                     "platform", ("Acme Corp",))], [], NO_MAINTENANCE)
    assert f.met is met and f.target == Decimal(98)
    assert f"{f.availability:.4f}" == ("98.0000" if met else "97.9999")


def test_overlapping_outages_are_merged_not_double_counted():
    outages = [outage("2026-12-09T10:00:00-08:00", "2026-12-09T10:03:00-08:00", id="a"),
               outage("2026-12-09T10:02:00-08:00", "2026-12-09T10:05:00-08:00", id="b"),
               outage("2026-12-09T10:01:00-08:00", "2026-12-09T10:02:00-08:00", id="c"),
               outage("2026-12-09T11:00:00-08:00", "2026-12-09T11:00:30-08:00", id="d")]
    f = figure("Acme Corp", "core", Month.parse("2026-12"), outages, [], NO_MAINTENANCE)
    assert f.downtime_seconds == 330
    assert [o.outage.id for o in f.outages] == ["a", "c", "b", "d"]


def test_other_customers_and_the_other_class_do_not_count():
    outages = [outage("2026-12-09T10:00:00-08:00", "2026-12-09T10:10:00-08:00", customers=("Globex Telecom",)),
               outage("2026-12-09T10:00:00-08:00", "2026-12-09T10:10:00-08:00", cls="supporting"),
               Outage("all", at("2026-12-10T10:00:00-08:00"), at("2026-12-10T10:01:00-08:00"), "core",
                      "platform", (), all_customers=True)]
    f = figure("Acme Corp", "core", Month.parse("2026-12"), outages, [], NO_MAINTENANCE)
    assert f.downtime_seconds == 60


def test_carrier_connectivity_is_kept_out_of_the_core_figure_and_reported_beside_it():
    outages = [outage("2026-12-09T10:00:00-08:00", "2026-12-09T11:00:00-08:00", cause="carrier-connectivity"),
               outage("2026-12-09T12:00:00-08:00", "2026-12-09T12:01:00-08:00", id="p")]
    core = figure("Acme Corp", "core", Month.parse("2026-12"), outages, [], NO_MAINTENANCE)
    assert core.downtime_seconds == 60 and core.met
    assert core.not_counted_seconds == 3600 and [o.outage.id for o in core.not_counted] == ["o1"]
    assert core.as_json()["carrier_connectivity"]["downtime_seconds"] == 3600
    supporting = [Outage("s", at("2026-12-09T10:00:00-08:00"), at("2026-12-09T11:00:00-08:00"),
                         "supporting", "carrier-connectivity", ("Acme Corp",))]
    assert figure("Acme Corp", "supporting", Month.parse("2026-12"), supporting, [],
                  NO_MAINTENANCE).downtime_seconds == 3600


def test_an_outage_crossing_a_month_boundary_is_split_there():
    o = [outage("2026-11-30T23:58:00-08:00", "2026-12-01T00:03:00-08:00")]
    november = figure("Acme Corp", "core", Month.parse("2026-11"), o, [], NO_MAINTENANCE)
    december = figure("Acme Corp", "core", Month.parse("2026-12"), o, [], NO_MAINTENANCE)
    assert (november.downtime_seconds, december.downtime_seconds) == (120, 180)
    assert november.met and december.met
    assert december.outages[0].start == Month.parse("2026-12").start


def test_an_open_outage_runs_to_now_or_to_the_months_end():
    o = [outage("2026-12-31T23:50:00-08:00", None)]
    assert figure("Acme Corp", "core", Month.parse("2026-12"), o, [], NO_MAINTENANCE,
                  now=at("2026-12-31T23:51:00-08:00")).downtime_seconds == 60
    assert figure("Acme Corp", "core", Month.parse("2026-12"), o, [], NO_MAINTENANCE,
                  now=at("2027-01-04T09:00:00-08:00")).downtime_seconds == 600


def window(emergency: bool, notice_hours: float, services=("core",), cancelled=False) -> MaintenanceWindow:
    return MaintenanceWindow("w", at("2026-12-09T02:00:00-08:00"), at("2026-12-09T03:00:00-08:00"),
                             tuple(services), ("Acme Corp",), emergency=emergency,
                             notice=timedelta(hours=notice_hours), cancelled=cancelled)


OUTAGE_IN_MAINTENANCE = [outage("2026-12-09T02:30:00-08:00", "2026-12-09T03:10:00-08:00")]


@pytest.mark.parametrize(("rule", "w", "downtime"), [
    (MaintenanceRule(), window(False, 48), 600),  # planned, 48 h notice: excluded
    (MaintenanceRule(), window(False, 24), 600),  # exactly 24 h: planned
    (MaintenanceRule(), window(False, 23.9), 2400),  # short notice: not planned, counted
    (MaintenanceRule(), window(True, 48), 2400),  # emergency: counted
    (MaintenanceRule(exclude_emergency=True), window(True, 1), 600),
    (MaintenanceRule(exclude_planned=False), window(False, 48), 2400),
    (MaintenanceRule(minimum_notice=timedelta(hours=72)), window(False, 48), 2400),
    (MaintenanceRule(), window(False, 48, services=("supporting",)), 2400),  # another class
    (MaintenanceRule(), window(False, 48, cancelled=True), 2400),
])
def test_maintenance_is_excluded_as_the_rule_says(rule, w, downtime):
    f = figure("Acme Corp", "core", Month.parse("2026-12"), OUTAGE_IN_MAINTENANCE, [w], rule)
    assert f.downtime_seconds == downtime
    assert f.excluded_maintenance_seconds == 2400 - downtime
    assert f.maintenance_rule == rule.describe()


def test_each_report_names_its_rule():
    assert MaintenanceRule().describe() == ("planned maintenance (announced ≥ 24 h ahead) excluded; "
                                            "emergency maintenance counted")


def test_the_json_form():
    f = figure("Acme Corp", "core", Month.parse("2026-12"),
               [outage("2026-12-09T10:00:00-08:00", "2026-12-09T10:04:19-08:00")], [], NO_MAINTENANCE)
    shown = f.as_json()
    assert {k: shown[k] for k in ("class", "seconds_in_month", "downtime_seconds", "availability",
                                  "target", "met")} == {
        "class": "core", "seconds_in_month": 2678400, "downtime_seconds": 259,
        "availability": "99.9903", "target": "99.99", "met": True}
    assert shown["outages"][0]["seconds_in_month"] == 259


# -- properties --------------------------------------------------------------------------------
BASE = datetime(2026, 12, 1, tzinfo=UTC)
spans = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2_000)).map(
    lambda p: (BASE + timedelta(seconds=p[0]), BASE + timedelta(seconds=p[0] + p[1]))), max_size=12)


def covered(intervals) -> set[int]:
    return {s for a, b in intervals for s in range(int((a - BASE).total_seconds()),
                                                    int((b - BASE).total_seconds()))}


@given(spans)
def test_merge_covers_the_same_seconds_once(intervals):
    merged = merge(intervals)
    assert covered(merged) == covered(intervals)
    assert seconds(merged) == len(covered(intervals))
    assert all(a[1] < b[0] for a, b in zip(merged, merged[1:]))


@given(spans, spans)
def test_subtract_leaves_exactly_what_is_outside(intervals, removed):
    assert covered(subtract(intervals, removed)) == covered(intervals) - covered(removed)


@given(spans, st.integers(0, 12_000), st.integers(0, 12_000))
def test_clip_keeps_what_is_inside(intervals, a, b):
    lo, hi = BASE + timedelta(seconds=min(a, b)), BASE + timedelta(seconds=max(a, b))
    inside = set(range(min(a, b), max(a, b)))
    assert covered(clip(intervals, lo, hi)) == covered(intervals) & inside


@given(st.integers(0, 31 * 86400))
def test_shown_availability_never_reads_better_than_it_is(down):
    month = Month.parse("2026-12")
    shown = availability_percent(Decimal(down), month.seconds)
    exact = (Decimal(month.seconds) - down) * 100 / month.seconds
    assert shown <= exact < shown + Decimal("0.0001")


long_spans = st.lists(st.tuples(st.integers(0, 90 * 86400), st.integers(1, 20 * 86400)).map(
    lambda p: (Month.parse("2026-10").start + timedelta(seconds=p[0]),
               Month.parse("2026-10").start + timedelta(seconds=p[0] + p[1]))), min_size=1, max_size=8)


@given(long_spans, st.permutations(range(8)))
def test_months_split_outages_without_losing_or_double_counting_a_second(intervals, order):
    """Across the months they touch (DST's November among them), the monthly downtimes add up
    to the merged total, whatever order the records come in."""
    records = [Outage(str(i), s, e, "core", "platform", ("Acme Corp",)) for i, (s, e) in enumerate(intervals)]
    shuffled = [records[i] for i in order if i < len(records)]
    months = [Month.parse(m) for m in ("2026-10", "2026-11", "2026-12", "2027-01", "2027-02")]
    total = sum(figure("Acme Corp", "core", m, shuffled, [], NO_MAINTENANCE).downtime_seconds for m in months)
    assert total == seconds(merge(intervals))
