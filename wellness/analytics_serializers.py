"""Analytics inputs (the validated date ranges) and output shapes (read-only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rest_framework import serializers

from journal.models import MoodEntry, MoodTag
from kaya.timeutils import local_today
from wellness.models import SessionType
from wellness.serializers import (
    EnrollmentOutput,
    PeriodTotals,
    StreakOutput,
    TypeTotals,
)

MAX_RANGE_DAYS = 366


class RangeInput(serializers.Serializer):
    default_days = 30

    # "from" is a Python keyword: the fields are declared under their wire names.
    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False,
            help_text=f"First local date (default: {self.default_days} days "
            "before `to`).",
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Last local date (default: today)."
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = local_today(self.context["user"].timezone)
        date_to = attrs.get("to") or today
        # Near date.min the default span would underflow (a 500): start there.
        span = min(self.default_days - 1, (date_to - date.min).days)
        date_from = attrs.get("from") or date_to - timedelta(days=span)
        if date_from > date_to:
            raise serializers.ValidationError({"from": ["Must not be after 'to'."]})
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"from": [f"The range may span at most {MAX_RANGE_DAYS} days."]}
            )
        return {"date_from": date_from, "date_to": date_to}


class MoodTrendsInput(RangeInput):
    granularity = serializers.ChoiceField(
        choices=["day", "week", "month"], default="day"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {**super().validate(attrs), "granularity": attrs["granularity"]}


class CorrelationsInput(RangeInput):
    default_days = 90


class MoodSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mood = serializers.ChoiceField(choices=MoodEntry.Mood.choices)
    score = serializers.IntegerField()
    intensity = serializers.IntegerField()
    logged_at = serializers.DateTimeField()
    local_date = serializers.DateField()


class DashboardOutput(StreakOutput):
    today = PeriodTotals()
    this_week = PeriodTotals(help_text="Monday to today, local dates.")
    latest_moods = MoodSummaryOutput(many=True)
    active_enrollments = EnrollmentOutput(many=True)
    achievements_unlocked = serializers.IntegerField(
        required=False,
        help_text="Present once achievements exist (not yet): absent, not zero.",
    )
    next_event = serializers.DictField(
        required=False,
        help_text="Next event or booking; present once events and bookings exist.",
    )


class TagCount(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class MoodBucket(serializers.Serializer):
    bucket = serializers.DateField(help_text="First local date of the bucket.")
    average_mood = serializers.FloatField()
    average_intensity = serializers.FloatField()
    entries = serializers.IntegerField()
    top_emotions = TagCount(many=True)
    top_factors = TagCount(many=True)


class SessionMood(serializers.Serializer):
    type = serializers.ChoiceField(choices=SessionType.choices)
    sessions = serializers.IntegerField()
    average_mood_before = serializers.FloatField()
    average_mood_after = serializers.FloatField()
    average_change = serializers.FloatField()


class _RangeOutput(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class MoodTrendsOutput(_RangeOutput):
    granularity = serializers.CharField()
    buckets = MoodBucket(many=True)
    sessions_mood = SessionMood(many=True)


class WeekdayCell(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="ISO weekday, 1 = Monday.")
    sessions = serializers.IntegerField()
    minutes = serializers.FloatField()


class HourCell(serializers.Serializer):
    hour = serializers.IntegerField(help_text="Hour of the user's local day.")
    sessions = serializers.IntegerField()
    minutes = serializers.FloatField()


class ActivityBreakdownOutput(_RangeOutput):
    by_type = TypeTotals(many=True)
    by_weekday = WeekdayCell(many=True)
    by_hour = HourCell(many=True)


class CorrelationOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(MoodTag.Kind.FACTOR.value, "Factor"), ("session_type", "Session")]
    )
    value = serializers.CharField()
    days_with = serializers.IntegerField()
    days_without = serializers.IntegerField()
    average_mood_with = serializers.FloatField()
    average_mood_without = serializers.FloatField()
    difference = serializers.FloatField()
