"""kaya.output's conversions are DRF's own fields' output, value for value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.utils import timezone as dj_timezone
from rest_framework import serializers

from kaya import output

VALUES = [
    None,
    datetime(2026, 12, 4, 5, 30, tzinfo=UTC),
    datetime(2026, 12, 4, 5, 30, 0, 123456, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 6, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-7))),
    datetime(2026, 6, 1, 12, 0),  # naive: DRF makes it aware
    "2026-06-01T12:00:00Z",  # a string passes through
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Kolkata"])
def test_instants_are_drfs_datetime_output_in_the_current_time_zone(zone):
    field = serializers.DateTimeField()
    with dj_timezone.override(zone):
        assert output.instants(*VALUES) == tuple(
            field.to_representation(value) for value in VALUES
        )
        assert [output.instant(value) for value in VALUES] == [
            field.to_representation(value) for value in VALUES
        ]


def test_instants_overflow_raises_drfs_error():
    edge = datetime.max.replace(tzinfo=timezone(timedelta(hours=-14)))
    with pytest.raises(serializers.ValidationError) as drf:
        serializers.DateTimeField().to_representation(edge)
    with pytest.raises(serializers.ValidationError) as ours:
        output.instants(edge)
    assert ours.value.detail == drf.value.detail


def test_instants_follow_a_configured_datetime_format(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DATETIME_FORMAT": "%Y-%m-%d %H:%M",
    }
    value = datetime(2026, 12, 4, 5, 30, tzinfo=UTC)
    assert output.instants(value) == ("2026-12-04 05:30",)


DAYS = [None, date(2026, 12, 4), date.min, date.max, "2026-06-01"]


@pytest.mark.parametrize("shape", [None, "iso-8601", "ISO-8601", "%d/%m/%Y"])
def test_days_are_drfs_date_output_in_any_configured_format(settings, shape):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DATE_FORMAT": shape}
    field = serializers.DateField()
    assert [output.day(value) for value in DAYS] == [
        field.to_representation(value) for value in DAYS
    ]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Kolkata"])
def test_instants_in_the_zone_read_once_are_drfs_datetime_output(zone):
    field = serializers.DateTimeField()
    with dj_timezone.override(zone):
        read = output.instant_zone()
        expected = [field.to_representation(value) for value in VALUES]
        assert list(output.instants_in(read, *VALUES)) == expected
        assert [output.instant_in(read, value) for value in VALUES] == expected


@pytest.mark.parametrize(
    "changed",
    [{"USE_TZ": False}, {"REST_FRAMEWORK": {"DATETIME_FORMAT": "%Y-%m-%d %H:%M"}}],
)
def test_without_drfs_iso_path_no_zone_is_read_and_drfs_field_writes(settings, changed):
    for name, value in changed.items():
        if name == "REST_FRAMEWORK":
            value = {**settings.REST_FRAMEWORK, **value}
        setattr(settings, name, value)
    aware = [value for value in VALUES if not isinstance(value, str)]
    field = serializers.DateTimeField()
    assert output.instant_zone() is None
    assert list(output.instants_in(None, *aware)) == [
        field.to_representation(value) for value in aware
    ]


def _naive(value):
    return isinstance(value, datetime) and value.tzinfo is None


class _Row(serializers.Serializer):
    at = serializers.DateTimeField()

    class Meta:
        list_serializer_class = output.OutputList

    def to_representation(self, instance):
        return self.row(instance, output.instant_zone())

    def row(self, instance, zone):
        return {"at": output.instant_in(zone, instance["at"])}


def test_output_list_writes_each_row_reading_the_zone_once(monkeypatch):
    # Naive values aside: DRF's field reads the zone again to make them aware.
    rows = [{"at": value} for value in VALUES if not _naive(value)]
    reads = []
    current = dj_timezone.get_current_timezone

    def counted():
        reads.append(1)
        return current()

    with dj_timezone.override("Asia/Kolkata"):
        one_by_one = [_Row(row).data for row in rows]
        monkeypatch.setattr(dj_timezone, "get_current_timezone", counted)
        page = _Row(rows, many=True).data
    assert page == one_by_one
    assert page[1] == {"at": "2026-12-04T11:00:00+05:30"}
    assert len(reads) == 1
