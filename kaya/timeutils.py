"""User-facing time: every day boundary is the user's local day."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from rest_framework.fields import DateTimeField


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_now(tz_name: str | None) -> datetime:
    return timezone.now().astimezone(zone(tz_name))


def local_date(moment: datetime, tz_name: str | None) -> date:
    """The user's calendar date at an aware instant."""
    if timezone.is_naive(moment):
        raise ValueError("naive datetimes are not allowed")
    return moment.astimezone(zone(tz_name)).date()


def local_today(tz_name: str | None) -> date:
    return local_now(tz_name).date()


def local_day_bounds(day: date, tz_name: str | None) -> tuple[datetime, datetime]:
    """[start, end) of a local day as aware datetimes (23 or 25 h across DST)."""
    tz = zone(tz_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def at_local_time(day: date, at: time, tz_name: str | None) -> datetime:
    """The aware instant of a local wall-clock time (shifted forward in a DST gap)."""
    tz = zone(tz_name)
    candidate = datetime.combine(day, at, tzinfo=tz)
    # A wall time inside a spring-forward gap does not exist; round-tripping
    # through UTC moves it to the first valid instant after the gap.
    return candidate.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(tz)


_INSTANT = DateTimeField()


def instant_text(value: datetime | None) -> str | None:
    """An instant as the REST API renders it (DRF's DateTimeField: UTC, ending in
    "Z"), for payloads built outside a serializer (websocket events, exports)."""
    return None if value is None else _INSTANT.to_representation(value)
