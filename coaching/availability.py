"""The slot generator: bookable start times from weekly hours, dated exceptions
and existing bookings. Pure functions over plain values (no ORM), so every rule
and every DST edge is tested without a database.

Hours are wall-clock times in the therapist's time zone; slots are instants.
A wall time that does not exist (the spring-forward gap) is skipped; an
ambiguous one (the fall-back hour) is its first occurrence. Slots never overlap
each other or a booking, with the buffer kept after each.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

NO_GAP = timedelta(0)


@dataclass(frozen=True)
class Rules:
    timezone: str
    duration: timedelta
    buffer: timedelta
    min_notice: timedelta
    max_per_day: int


@dataclass(frozen=True)
class Window:
    weekday: int  # Monday is 0
    start: time
    end: time


@dataclass(frozen=True)
class DatedChange:
    day: date
    time_off: bool
    start: time | None = None  # None with time_off: the whole day
    end: time | None = None


@dataclass(frozen=True)
class Busy:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def _wall(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime | None:
    """The instant of a wall time (its first occurrence), or None in a gap."""
    local = datetime.combine(day, at, tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(
        tzinfo=None
    ):
        return None
    # In UTC: arithmetic and comparisons on datetimes sharing one zoneinfo run
    # on wall time, which is wrong across a DST change.
    return local.astimezone(UTC)


def _end_instant(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """The instant a window ends; midnight (00:00) as an end is the next day's."""
    if at == time.min:
        day, at = day + timedelta(days=1), time.min
    local = datetime.combine(day, at, tzinfo=tz)
    # An end inside a gap: the first valid instant after it.
    return local.astimezone(UTC)


def _day_intervals(
    day: date,
    windows: Iterable[Window],
    exceptions: Iterable[DatedChange],
    tz: zoneinfo.ZoneInfo,
) -> list[tuple[time, datetime]]:
    """(wall start, instant end) of the open hours of one local day."""
    todays = [e for e in exceptions if e.day == day]
    if any(e.time_off and e.start is None for e in todays):
        return []
    hours = [(w.start, w.end) for w in windows if w.weekday == day.weekday()]
    hours += [(e.start, e.end) for e in todays if not e.time_off and e.start and e.end]
    return [(start, _end_instant(day, end, tz)) for start, end in sorted(hours)]


def _time_off(
    day: date, exceptions: Iterable[DatedChange], tz: zoneinfo.ZoneInfo
) -> list[Busy]:
    blocked = []
    for e in exceptions:
        if e.day == day and e.time_off and e.start is not None and e.end is not None:
            start = datetime.combine(day, e.start, tzinfo=tz).astimezone(UTC)
            blocked.append(Busy(start, _end_instant(day, e.end, tz)))
    return blocked


def _overlaps(start: datetime, end: datetime, busy: Busy, buffer: timedelta) -> bool:
    return start < busy.ends_at + buffer and busy.starts_at < end + buffer


def generate_slots(
    *,
    rules: Rules,
    windows: Iterable[Window],
    exceptions: Iterable[DatedChange],
    busy: Iterable[Busy],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Slot]:
    """Bookable slots starting in [start, end) (aware), oldest first."""
    tz = zoneinfo.ZoneInfo(rules.timezone)
    windows, exceptions, busy = list(windows), list(exceptions), list(busy)
    per_day = Counter(b.starts_at.astimezone(tz).date() for b in busy)
    earliest = max(start, now + rules.min_notice)
    step = rules.duration + rules.buffer
    slots: list[Slot] = []
    for day in _days(start.astimezone(tz).date(), end.astimezone(tz).date()):
        if per_day[day] >= rules.max_per_day:
            continue
        time_off = _time_off(day, exceptions, tz)
        last_end: datetime | None = None
        for wall_start, window_end in _day_intervals(day, windows, exceptions, tz):
            for slot_start in _wall_steps(day, wall_start, step, window_end, tz):
                slot_end = slot_start + rules.duration
                if slot_end > window_end:
                    break
                # Across a spring-forward gap, wall-clock steps can be closer
                # than a session in real time; never let slots overlap.
                if last_end is not None and slot_start < last_end + rules.buffer:
                    continue
                if not (earliest <= slot_start < end):
                    continue
                if any(_overlaps(slot_start, slot_end, b, rules.buffer) for b in busy):
                    continue
                # The buffer is rest after sessions, not around time off.
                if any(_overlaps(slot_start, slot_end, b, NO_GAP) for b in time_off):
                    continue
                slots.append(Slot(slot_start, slot_end))
                last_end = slot_end
    return slots


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _wall_steps(
    day: date,
    wall_start: time,
    step: timedelta,
    window_end: datetime,
    tz: zoneinfo.ZoneInfo,
) -> Iterator[datetime]:
    naive = datetime.combine(day, wall_start)
    limit = window_end.astimezone(tz).replace(tzinfo=None)
    if window_end.astimezone(tz).date() > day:
        limit = datetime.combine(window_end.astimezone(tz).date(), time.min)
    while naive < limit:
        instant = _wall(naive.date(), naive.time(), tz)
        if instant is not None:
            yield instant
        naive += step
