"""The slot generator, as pure functions: every rule and both DST changes."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from coaching.availability import Busy, DatedChange, Rules, Window, generate_slots

NY = zoneinfo.ZoneInfo("America/New_York")
LONDON = zoneinfo.ZoneInfo("Europe/London")
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def _rules(tz: str = "Europe/London", **kw) -> Rules:
    values = {
        "timezone": tz,
        "duration": timedelta(minutes=50),
        "buffer": timedelta(minutes=10),
        "min_notice": timedelta(0),
        "max_per_day": 10,
    }
    values.update(kw)
    return Rules(**values)


def _slots(rules, windows, *, start, end, exceptions=(), busy=(), now=LONG_AGO):
    return generate_slots(
        rules=rules,
        windows=windows,
        exceptions=exceptions,
        busy=busy,
        start=start,
        end=end,
        now=now,
    )


def _starts(slots, tz=UTC):
    return [s.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") for s in slots]


def _day(d: date, tz=UTC):
    start = datetime.combine(d, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def test_weekly_window_gives_slots_every_duration_plus_buffer():
    start, end = _day(date(2027, 3, 1), LONDON)  # a Monday
    slots = _slots(_rules(), [Window(0, time(9), time(12))], start=start, end=end)

    assert _starts(slots) == [
        "2027-03-01 09:00 UTC",
        "2027-03-01 10:00 UTC",
        "2027-03-01 11:00 UTC",
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=50) for s in slots)
    assert all(s.starts_at.tzinfo is UTC for s in slots)


def test_a_slot_must_end_inside_its_window():
    start, end = _day(date(2027, 3, 1), LONDON)
    slots = _slots(_rules(), [Window(0, time(9), time(9, 49))], start=start, end=end)

    assert slots == []


def test_london_wall_times_move_in_utc_when_the_clocks_go_forward():
    # Sunday 2027-03-28 01:00 GMT -> 02:00 BST. Windows every day 09:00-10:00.
    windows = [Window(d, time(9), time(10)) for d in range(7)]
    start = datetime(2027, 3, 27, tzinfo=UTC)
    slots = _slots(_rules(), windows, start=start, end=start + timedelta(days=2))

    assert _starts(slots) == ["2027-03-27 09:00 UTC", "2027-03-28 08:00 UTC"]
    assert _starts(slots, LONDON) == ["2027-03-27 09:00 GMT", "2027-03-28 09:00 BST"]


def test_spring_forward_gap_is_skipped_and_slots_never_overlap():
    # New York, Sunday 2027-03-14: 02:00-03:00 does not exist.
    rules = _rules(
        "America/New_York", duration=timedelta(minutes=45), buffer=timedelta(0)
    )
    start, end = _day(date(2027, 3, 14), NY)
    slots = _slots(rules, [Window(6, time(0), time(5))], start=start, end=end)

    local = _starts(slots, NY)
    assert not any(" 02:" in s for s in local)
    assert local[:3] == [
        "2027-03-14 00:00 EST",
        "2027-03-14 00:45 EST",
        "2027-03-14 01:30 EST",  # ends 03:15 EDT in real time
    ]
    # 03:00 EDT would start before 01:30 EST's session ends: skipped.
    assert "2027-03-14 03:00 EDT" not in local
    for a, b in itertools.pairwise(slots):
        assert b.starts_at >= a.ends_at
    assert slots[-1].ends_at <= datetime(2027, 3, 14, 5, tzinfo=NY)


def test_fall_back_ambiguous_hour_uses_its_first_occurrence():
    # New York, Sunday 2026-11-01: 01:00-02:00 happens twice.
    rules = _rules("America/New_York", duration=timedelta(hours=1), buffer=timedelta(0))
    start, end = _day(date(2026, 11, 1), NY)
    slots = _slots(rules, [Window(6, time(0), time(3))], start=start, end=end)

    assert _starts(slots) == [
        "2026-11-01 04:00 UTC",  # 00:00 EDT
        "2026-11-01 05:00 UTC",  # 01:00 EDT (the first 01:00)
        "2026-11-01 07:00 UTC",  # 02:00 EST
    ]
    for a, b in itertools.pairwise(slots):
        assert b.starts_at >= a.ends_at


def test_range_in_another_zone_across_both_dst_changes():
    # A London therapist seen from New York, across New York's change (03-14)
    # and London's (03-28): the same 09:00 London wall time each Monday.
    windows = [Window(0, time(9), time(10))]
    start = datetime(2027, 3, 8, tzinfo=NY)
    slots = _slots(_rules(), windows, start=start, end=start + timedelta(days=28))

    assert _starts(slots, LONDON) == [
        "2027-03-08 09:00 GMT",
        "2027-03-15 09:00 GMT",
        "2027-03-22 09:00 GMT",
        "2027-03-29 09:00 BST",
    ]
    assert _starts(slots, NY) == [
        "2027-03-08 04:00 EST",
        "2027-03-15 05:00 EDT",
        "2027-03-22 05:00 EDT",
        "2027-03-29 04:00 EDT",
    ]


def test_minimum_notice_hides_slots_too_soon():
    start, end = _day(date(2027, 3, 1), LONDON)
    now = datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    slots = _slots(
        _rules(min_notice=timedelta(hours=24)),
        [Window(0, time(9), time(12))],
        start=start,
        end=end,
        now=now,
    )

    assert _starts(slots) == ["2027-03-01 10:00 UTC", "2027-03-01 11:00 UTC"]


def test_a_booking_blocks_its_time_and_the_buffer_around_it():
    start, end = _day(date(2027, 3, 1), LONDON)
    busy = [
        Busy(
            datetime(2027, 3, 1, 10, 5, tzinfo=UTC),
            datetime(2027, 3, 1, 10, 55, tzinfo=UTC),
        )
    ]
    slots = _slots(
        _rules(), [Window(0, time(9), time(13))], start=start, end=end, busy=busy
    )

    # 09:00-09:50 + 10 min buffer touches 10:00 < 10:05: free; 10:00 overlaps;
    # 11:00 starts 5 min after the booking ends (< 10 min buffer): blocked.
    assert _starts(slots) == ["2027-03-01 09:00 UTC", "2027-03-01 12:00 UTC"]


def test_max_bookings_per_day_closes_the_day():
    start, end = _day(date(2027, 3, 1), LONDON)
    busy = [
        Busy(
            datetime(2027, 3, 1, 9, tzinfo=UTC), datetime(2027, 3, 1, 9, 50, tzinfo=UTC)
        )
    ]
    windows = [Window(0, time(9), time(13)), Window(1, time(9), time(10))]
    slots = _slots(
        _rules(max_per_day=1),
        windows,
        start=start,
        end=end + timedelta(days=1),
        busy=busy,
    )

    assert _starts(slots) == ["2027-03-02 09:00 UTC"]


def test_whole_day_time_off_and_partial_time_off_and_extra_hours():
    windows = [Window(d, time(9), time(12)) for d in range(7)]
    start = datetime(2027, 3, 1, tzinfo=UTC)
    exceptions = [
        DatedChange(date(2027, 3, 1), time_off=True),
        DatedChange(date(2027, 3, 2), time_off=True, start=time(10), end=time(11)),
        DatedChange(date(2027, 3, 3), time_off=False, start=time(18), end=time(19)),
    ]
    slots = _slots(
        _rules(),
        windows,
        start=start,
        end=start + timedelta(days=3),
        exceptions=exceptions,
    )

    assert _starts(slots) == [
        "2027-03-02 09:00 UTC",
        "2027-03-02 11:00 UTC",
        "2027-03-03 09:00 UTC",
        "2027-03-03 10:00 UTC",
        "2027-03-03 11:00 UTC",
        "2027-03-03 18:00 UTC",
    ]


def test_only_slots_starting_inside_the_range():
    windows = [Window(0, time(9), time(12))]
    start = datetime(2027, 3, 1, 10, tzinfo=UTC)
    slots = _slots(_rules(), windows, start=start, end=start + timedelta(hours=1))

    assert _starts(slots) == ["2027-03-01 10:00 UTC"]
