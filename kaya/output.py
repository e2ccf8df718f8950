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

A page of such an output (``many=True``) is an ``OutputList``: it reads the time
zone once for the page and has the output write each row with
``row(instance, zone)`` (its ``to_representation`` is ``row`` with the zone read
for the one instance). The zone is what ``instants_in`` takes: reading it (a
context-local lookup) cost more than a row's other conversions together.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db.models.manager import BaseManager
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

_INSTANT_FIELD = serializers.DateTimeField()
_DAY_FIELD = serializers.DateField()
_TIME_FIELD = serializers.TimeField()
_UTC_ZONE = zoneinfo.ZoneInfo("UTC")


def instant(value: Any) -> Any:
    """A DateTimeField's output."""
    return None if value is None else _INSTANT_FIELD.to_representation(value)


def instant_zone() -> Any:
    """The zone ``instants_in`` writes instants in: the current time zone, read
    once for many values (a row's, a page's); ``None`` where DRF's field is used
    as is (``USE_TZ`` off, or a ``DATETIME_FORMAT`` other than ISO 8601)."""
    shape = api_settings.DATETIME_FORMAT
    if not settings.USE_TZ or shape is None or shape.lower() != ISO_8601:
        return None
    zone = timezone.get_current_timezone()
    # The same instants, converted by the C implementation of UTC (a quarter
    # of the time of zoneinfo's).
    return UTC if zone is _UTC_ZONE else zone


def instant_in(zone: Any, value: Any) -> Any:
    """A DateTimeField's output, the same as ``instant``, given
    ``instant_zone()``."""
    if zone is None or value is None:
        return instant(value)
    return _iso(value, zone)


def instants_in(zone: Any, *values: Any) -> tuple[Any, ...]:
    """Several DateTimeField outputs, the same as ``instant`` each, given
    ``instant_zone()`` (read once by the caller)."""
    if zone is None:
        return tuple([instant(value) for value in values])
    return tuple([None if value is None else _iso(value, zone) for value in values])


def instants(*values: Any) -> tuple[Any, ...]:
    """Several DateTimeField outputs (a row's), the same as ``instant`` each,
    reading the current time zone once."""
    return instants_in(instant_zone(), *values)


def _iso(value: Any, zone: Any) -> Any:
    if zone is UTC and value.__class__ is datetime and value.tzinfo is UTC:
        # Already in UTC (as PostgreSQL's rows are read): written as it is.
        return value.isoformat()[:-6] + "Z"
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return instant(value)  # a string or a naive value: DRF's rules
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


class OutputList(serializers.ListSerializer):  # type: ignore[type-arg]
    """``many=True`` of a hot output (its ``Meta.list_serializer_class``): the
    zone read once for the page, each row written by the output's
    ``row(instance, zone)``. DRF's own list loop otherwise."""

    def to_representation(self, data: Any) -> list[Any]:
        rows = data.all() if isinstance(data, BaseManager) else data
        row = self.child.row  # type: ignore[union-attr]
        zone = instant_zone()
        return [row(instance, zone) for instance in rows]
