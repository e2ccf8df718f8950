"""Conversions for output serializers that write their dict directly.

The hot output serializers (a page of journal entries, mood history, sessions,
notifications, the profile) override ``to_representation`` and write the
declared fields themselves: DRF builds a ModelSerializer's fields on every
request (``get_fields``: about half of ``GET /users/me``'s CPU) and looks each
field up per row. These are the conversions DRF's own fields apply, used as is
(its DateTimeField, DateField and TimeField: the current time zone, ISO 8601,
``Z`` for UTC), so the JSON is the same; each such serializer has a test holding
it to DRF's generic path, byte for byte (``test_output_equivalence.py``).
A ``None`` attribute is ``None`` in the output, as in DRF.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

_INSTANT_FIELD = serializers.DateTimeField()
_DAY_FIELD = serializers.DateField()
_TIME_FIELD = serializers.TimeField()


def instant(value: Any) -> Any:
    """A DateTimeField's output."""
    return None if value is None else _INSTANT_FIELD.to_representation(value)


def instants(*values: Any) -> tuple[Any, ...]:
    """Several DateTimeField outputs (a row's), the same as ``instant`` each,
    reading the current time zone once: that read (a context-local lookup) is
    most of what a DateTimeField costs."""
    if not settings.USE_TZ or api_settings.DATETIME_FORMAT.lower() != ISO_8601:
        return tuple(instant(value) for value in values)
    zone = timezone.get_current_timezone()
    return tuple(_iso(value, zone) for value in values)


def _iso(value: Any, zone: Any) -> Any:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return instant(value)  # None, a string or a naive value: DRF's rules
    try:
        text = value.astimezone(zone).isoformat()
    except OverflowError:
        return instant(value)  # DRF's own error
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def day(value: Any) -> Any:
    """A DateField's output: a date's ISO form when that is the format (what
    DRF's field writes then, without its per-call lookups: a year of mood
    trend buckets has 365 dates), else DRF's field itself."""
    shape = api_settings.DATE_FORMAT
    if type(value) is date and shape is not None and shape.lower() == ISO_8601:
        return value.isoformat()
    return None if value is None else _DAY_FIELD.to_representation(value)


def time_of_day(value: Any) -> Any:
    """A TimeField's output."""
    return None if value is None else _TIME_FIELD.to_representation(value)


def text(value: Any) -> str | None:
    """A CharField's (EmailField's, URLField's) output."""
    return None if value is None else str(value)


def choice(value: Any) -> Any:
    """A ChoiceField's output for a model field's stored value."""
    return value if value in ("", None) else str(value)


def integer(value: Any) -> int | None:
    """An IntegerField's output."""
    return None if value is None else int(value)


def floating(value: Any) -> float | None:
    """A FloatField's output."""
    return None if value is None else float(value)


def boolean(value: Any) -> bool | None:
    """A BooleanField's output."""
    return None if value is None else bool(value)


def uuid_text(value: Any) -> str | None:
    """A UUIDField's output (hyphenated)."""
    return None if value is None else str(value)


def instant_writer() -> Callable[[Any], Any]:
    """``instant`` as a function of one value, with the current time zone and
    the format settings read once: for the instants of all of one response's
    rows (the zone's read, a context-local lookup, costs more than writing
    one). Use it within the request that made it, never across zones."""
    if not settings.USE_TZ or api_settings.DATETIME_FORMAT.lower() != ISO_8601:
        return instant
    zone = timezone.get_current_timezone()
    if zone.utcoffset(None) != timedelta(0):

        def write(value: Any) -> Any:
            return _iso(value, zone)

        return write

    # Zone UTC (a fixed zero offset): a UTC instant is written as it is, the
    # conversion being the identity (most rows: the database hands them so).
    def write_utc(value: Any) -> Any:
        if value.__class__ is datetime and value.tzinfo is UTC:
            return value.isoformat()[:-6] + "Z"
        return _iso(value, zone)

    return write_utc


def day_writer() -> Callable[[Any], Any]:
    """``day`` as a function of one value, with the format setting read once
    (the days of one response's rows)."""
    shape = api_settings.DATE_FORMAT
    if shape is None or shape.lower() != ISO_8601:
        return day

    def write(value: Any) -> Any:
        return value.isoformat() if type(value) is date else day(value)

    return write
