"""kaya.output's conversions with the zone read once (``instant_zone`` then
``instant_in``/``instants_in``) and ``day`` are DRF's own fields' output, value
for value, in every kind of zone."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.utils import timezone as dj_timezone
from rest_framework import serializers

from kaya import output

INSTANTS = [
    None,
    datetime(2026, 12, 4, 5, 30, tzinfo=UTC),
    datetime(2026, 12, 4, 5, 30, 0, 123456, tzinfo=UTC),
    datetime(2026, 12, 4, 5, 30, 0, 123456, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2026, 3, 29, 1, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 6, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-7))),
    datetime(2026, 6, 1, 12, 0),  # naive: DRF makes it aware
    "2026-06-01T12:00:00Z",  # a string passes through
]
ZONES = [
    "UTC",
    "Etc/UTC",
    "Europe/Paris",
    "Asia/Kolkata",
    UTC,
    timezone(timedelta(0)),
    timezone(timedelta(hours=-3)),
]


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_instants_in_the_zone_read_once_are_drfs_datetime_output(zone):
    field = serializers.DateTimeField()
    with dj_timezone.override(zone):
        read_once = output.instant_zone()
        expected = [field.to_representation(value) for value in INSTANTS]
        assert [output.instant_in(read_once, value) for value in INSTANTS] == expected
        assert list(output.instants_in(read_once, *INSTANTS)) == expected


def test_a_zone_read_once_is_kept_by_the_values_written_in_it():
    with dj_timezone.override("Asia/Kolkata"):
        zone = output.instant_zone()
    assert output.instant_in(zone, INSTANTS[1]) == "2026-12-04T11:00:00+05:30"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_an_overflow_raises_drfs_error(zone):
    edge = datetime.max.replace(tzinfo=timezone(timedelta(hours=-14)))
    with dj_timezone.override(zone):
        with pytest.raises(serializers.ValidationError) as drf:
            serializers.DateTimeField().to_representation(edge)
        with pytest.raises(serializers.ValidationError) as ours:
            output.instant_in(output.instant_zone(), edge)
    assert ours.value.detail == drf.value.detail


def test_instants_follow_a_configured_datetime_format(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DATETIME_FORMAT": "%Y-%m-%d %H:%M",
    }
    assert output.instant_in(output.instant_zone(), INSTANTS[1]) == "2026-12-04 05:30"


DAYS = [None, date(2026, 12, 4), date.min, date.max, "2026-06-01"]


@pytest.mark.parametrize("shape", [None, "iso-8601", "ISO-8601", "%d/%m/%Y"])
def test_day_is_drfs_date_output_in_any_configured_format(settings, shape):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DATE_FORMAT": shape}
    field = serializers.DateField()
    assert [output.day(value) for value in DAYS] == [
        field.to_representation(value) for value in DAYS
    ]
