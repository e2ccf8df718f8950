"""Analytics inputs (the validated date ranges) and output shapes (read-only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rest_framework import serializers

from journal.models import MoodEntry, MoodTag
from kaya import output
from kaya.timeutils import local_today
from wellness.event_serializers import EventOutput
from wellness.models import SessionType
from wellness.serializers import (
    EnrollmentOutput,
    PeriodTotalsOutput,
    StreakOutput,
    TypeTotalsOutput,
)

MAX_RANGE_DAYS = 366


class AnalyticsRangeInput(serializers.Serializer):
    default_days = 30

    date_from = serializers.DateField(
        required=False, help_text="First local date (default: before `date_to`)."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last local date (default: today)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = local_today(self.context["user"].timezone)
        date_to = attrs.get("date_to") or today
        # Near date.min the default span would underflow (a 500): start there.
        span = min(self.default_days - 1, (date_to - date.min).days)
        date_from = attrs.get("date_from") or date_to - timedelta(days=span)
        if date_from > date_to:
            raise serializers.ValidationError(
                {"date_from": ["Must not be after 'date_to'."]}
            )
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"date_from": [f"The range may span at most {MAX_RANGE_DAYS} days."]}
            )
        return {"date_from": date_from, "date_to": date_to}


class ActivityBreakdownInput(AnalyticsRangeInput):
    default_days = 30


class MoodTrendsInput(AnalyticsRangeInput):
    granularity = serializers.ChoiceField(
        choices=["day", "week", "month"], default="day"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {**super().validate(attrs), "granularity": attrs["granularity"]}


class CorrelationsInput(AnalyticsRangeInput):
    default_days = 90


class MoodSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mood = serializers.ChoiceField(choices=MoodEntry.Mood.choices)
    score = serializers.IntegerField()
    intensity = serializers.IntegerField()
    logged_at = serializers.DateTimeField()
    local_date = serializers.DateField()


class DashboardOutput(StreakOutput):
    today = PeriodTotalsOutput()
    this_week = PeriodTotalsOutput(help_text="Monday to today, local dates.")
    latest_moods = MoodSummaryOutput(many=True)
    active_enrollments = EnrollmentOutput(many=True)
    achievements_count = serializers.IntegerField(
        help_text="Achievements the user has unlocked."
    )
    next_event = EventOutput(
        allow_null=True,
        help_text="The next event I hold a seat at (one in progress included); "
        "null without one.",
    )

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        """The declared fields written directly (``kaya.output``): DRF built
        and deep-copied this serializer's nested fields on every request. The
        enrollments and the event still go through their own serializers (with
        this one's context). Streak fields are absent when the selector leaves
        them out (gentle mode), as DRF's ``required=False`` fields are."""
        data: dict[str, Any] = {
            name: output.integer(instance[name])
            for name in _STREAK_FIELDS
            if name in instance
        }
        data["today"] = _period(instance["today"])
        data["this_week"] = _period(instance["this_week"])
        zone = output.instant_zone()
        data["latest_moods"] = [
            {
                "id": output.integer(row["id"]),
                "mood": output.choice(row["mood"]),
                "score": output.integer(row["score"]),
                "intensity": output.integer(row["intensity"]),
                "logged_at": output.instant_in(zone, row["logged_at"]),
                "local_date": output.day(row["local_date"]),
            }
            for row in instance["latest_moods"]
        ]
        enrollment = EnrollmentOutput(context=self.context)
        data["active_enrollments"] = [
            enrollment.row(each, zone) for each in instance["active_enrollments"]
        ]
        data["achievements_count"] = output.integer(instance["achievements_count"])
        event = instance["next_event"]
        data["next_event"] = (
            None
            if event is None
            else EventOutput(context=self.context).to_representation(event)
        )
        return data


_STREAK_FIELDS = ("current_streak", "longest_streak", "streak_freezes_available")


def _period(totals: dict[str, Any]) -> dict[str, Any]:
    return {
        "sessions_count": output.integer(totals["sessions_count"]),
        "duration_seconds": output.integer(totals["duration_seconds"]),
    }


class TagCountOutput(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class MoodBucketOutput(serializers.Serializer):
    bucket = serializers.DateField(help_text="First local date of the bucket.")
    average_score = serializers.FloatField(help_text="Mean mood score, 1-5.")
    average_intensity = serializers.FloatField()
    entries_count = serializers.IntegerField()
    top_emotions = TagCountOutput(many=True)
    top_factors = TagCountOutput(many=True)


class SessionMoodOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=SessionType.choices)
    sessions_count = serializers.IntegerField()
    average_mood_before = serializers.FloatField()
    average_mood_after = serializers.FloatField()
    average_mood_change = serializers.FloatField()


class AnalyticsRangeOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()


class MoodTrendsOutput(AnalyticsRangeOutput):
    granularity = serializers.CharField()
    buckets = MoodBucketOutput(many=True)
    sessions_mood = SessionMoodOutput(many=True)

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        """What the nested serializers above write, built directly: a year of
        day buckets through them was a third of the request. Same JSON, field
        for field (through kaya.output, as DRF converts)."""
        return {
            "date_from": output.day(instance["date_from"]),
            "date_to": output.day(instance["date_to"]),
            "granularity": str(instance["granularity"]),
            "buckets": [
                {
                    "bucket": output.day(row["bucket"]),
                    "average_score": output.floating(row["average_score"]),
                    "average_intensity": output.floating(row["average_intensity"]),
                    "entries_count": int(row["entries_count"]),
                    # Built once, by the selector, from the rollup's JSON:
                    # str values and int counts, the output's types already.
                    "top_emotions": row["top_emotions"],
                    "top_factors": row["top_factors"],
                }
                for row in instance["buckets"]
            ],
            "sessions_mood": [
                {
                    "type": row["type"],
                    "sessions_count": int(row["sessions_count"]),
                    "average_mood_before": output.floating(row["average_mood_before"]),
                    "average_mood_after": output.floating(row["average_mood_after"]),
                    "average_mood_change": output.floating(row["average_mood_change"]),
                }
                for row in instance["sessions_mood"]
            ],
        }


class WeekdayCellOutput(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="ISO weekday, 1 = Monday.")
    sessions_count = serializers.IntegerField()
    duration_seconds = serializers.IntegerField()


class HourCellOutput(serializers.Serializer):
    hour = serializers.IntegerField(help_text="Hour of the user's local day.")
    sessions_count = serializers.IntegerField()
    duration_seconds = serializers.IntegerField()


class ActivityBreakdownOutput(AnalyticsRangeOutput):
    by_type = TypeTotalsOutput(many=True)
    by_weekday = WeekdayCellOutput(many=True)
    by_hour = HourCellOutput(many=True)


class CorrelationOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(MoodTag.Kind.FACTOR.value, "Factor"), ("session_type", "Session")]
    )
    value = serializers.CharField()
    days_with_count = serializers.IntegerField()
    days_without_count = serializers.IntegerField()
    average_score_with = serializers.FloatField()
    average_score_without = serializers.FloatField()
    difference = serializers.FloatField()


class CorrelationsOutput(AnalyticsRangeOutput):
    correlations = CorrelationOutput(many=True)
