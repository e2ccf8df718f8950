"""The analytics aggregates behind ``/analytics``.

Every analytic is computed in the database (aggregate / annotate / Trunc on the
stored local dates); Python only reshapes the few aggregated rows that come
back, so each function runs a fixed number of queries whatever the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncMonth,
    TruncWeek,
)

from journal.models import MoodEntry, MoodTag
from kaya.timeutils import local_today
from wellness.models import SessionType, WellnessSession
from wellness.selectors._shared import practice_totals, rounded, week_bounds
from wellness.selectors.achievements import achievement_unlocked_count
from wellness.selectors.events import event_next_for_user
from wellness.selectors.programs import enrollment_list
from wellness.selectors.streaks import streak_fields, streak_for_user

if TYPE_CHECKING:
    from accounts.models import User

TOP_TAGS = 3
LATEST_MOODS = 5
ACTIVE_ENROLLMENTS = 5
CORRELATION_MIN_DAYS = 3


def analytics_dashboard(*, user: User) -> dict[str, Any]:
    """Today's and this week's practice, streak, latest moods, active
    enrollments, unlocked achievements and the next event the user holds a
    seat at. Seven queries, whatever the history."""
    today = local_today(user.timezone)
    this_monday, _, _ = week_bounds(today)
    is_today = Q(local_date=today)
    totals = (
        WellnessSession.objects.completed()
        .for_user(user)
        .filter(local_date__gte=this_monday, local_date__lte=today)
        .aggregate(
            today_sessions=Count("id", filter=is_today),
            today_seconds=Coalesce(Sum("actual_duration_seconds", filter=is_today), 0),
            week_sessions=Count("id"),
            week_seconds=Coalesce(Sum("actual_duration_seconds"), 0),
        )
    )
    # Mood notes are private text and never leave the journal here.
    latest_moods = list(
        MoodEntry.objects.filter(user=user)
        .order_by("-logged_at", "-id")
        .values("id", "mood", "score", "intensity", "logged_at", "local_date")[
            :LATEST_MOODS
        ]
    )
    enrollments = list(
        enrollment_list(user=user).filter(completed_at__isnull=True)[
            :ACTIVE_ENROLLMENTS
        ]
    )
    result: dict[str, Any] = {
        "today": practice_totals(totals["today_sessions"], totals["today_seconds"]),
        "this_week": practice_totals(totals["week_sessions"], totals["week_seconds"]),
        "latest_moods": latest_moods,
        "active_enrollments": enrollments,
        "achievements_count": achievement_unlocked_count(user=user),
        "next_event": event_next_for_user(user=user),
    }
    view = streak_for_user(user=user, today=today)
    result.update(streak_fields(user=user, view=view))
    return result


def _bucket(granularity: str) -> Any:
    if granularity == "week":
        return TruncWeek("local_date")
    if granularity == "month":
        return TruncMonth("local_date")
    return F("local_date")


def analytics_mood_trends(
    *, user: User, date_from: date, date_to: date, granularity: str
) -> dict[str, Any]:
    """Per bucket of local dates (day, ISO week starting Monday, or month): the
    average mood score and intensity, the entry count and the top emotions and
    factors; plus mood before vs after sessions by session type. Three queries.
    """
    in_range = Q(local_date__gte=date_from, local_date__lte=date_to)
    buckets = list(
        MoodEntry.objects.filter(in_range, user=user)
        .annotate(bucket=_bucket(granularity))
        .values("bucket")
        .annotate(
            average_score=Avg("score"),
            average_intensity=Avg("intensity"),
            entries_count=Count("id"),
        )
        .order_by("bucket")
    )
    tag_counts = (
        MoodTag.objects.filter(in_range, user=user)
        .annotate(bucket=_bucket(granularity))
        .values("bucket", "kind", "value")
        .annotate(count=Count("id"))
        .order_by("bucket", "kind", "-count", "value")
    )
    # The rows are already grouped and ranked by the database; keep the first few.
    top: dict[tuple[date, str], list[dict[str, Any]]] = {}
    for row in tag_counts:
        ranked = top.setdefault((row["bucket"], row["kind"]), [])
        if len(ranked) < TOP_TAGS:
            ranked.append({"value": row["value"], "count": row["count"]})
    trend = [
        {
            "bucket": row["bucket"],
            "average_score": rounded(row["average_score"]),
            "average_intensity": rounded(row["average_intensity"]),
            "entries_count": row["entries_count"],
            "top_emotions": top.get((row["bucket"], MoodTag.Kind.EMOTION), []),
            "top_factors": top.get((row["bucket"], MoodTag.Kind.FACTOR), []),
        }
        for row in buckets
    ]
    by_type = [
        {
            "type": row["type"],
            "sessions_count": row["sessions"],
            "average_mood_before": rounded(row["before"]),
            "average_mood_after": rounded(row["after"]),
            "average_mood_change": rounded(row["change"]),
        }
        for row in WellnessSession.objects.completed()
        .for_user(user)
        .filter(in_range, mood_before__isnull=False, mood_after__isnull=False)
        .values("type")
        .annotate(
            sessions=Count("id"),
            before=Avg("mood_before"),
            after=Avg("mood_after"),
            change=Avg(F("mood_after") - F("mood_before")),
        )
        .order_by("type")
    ]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "granularity": granularity,
        "buckets": trend,
        "sessions_mood": by_type,
    }


def analytics_activity_breakdown(
    *, user: User, date_from: date, date_to: date
) -> dict[str, Any]:
    """Completed durations and counts by session type, by ISO weekday (1 = Monday,
    from the stored local date) and by hour of the local day (completion time in
    the user's zone). Three queries."""
    done = (
        WellnessSession.objects.completed()
        .for_user(user)
        .filter(local_date__gte=date_from, local_date__lte=date_to)
    )
    totals = {"sessions": Count("id"), "seconds": Sum("actual_duration_seconds")}
    by_type: dict[Any, Mapping[str, Any]] = {
        row["type"]: row for row in done.values("type").annotate(**totals).order_by()
    }
    by_weekday: dict[Any, Mapping[str, Any]] = {
        row["weekday"]: row
        for row in done.annotate(weekday=ExtractIsoWeekDay("local_date"))
        .values("weekday")
        .annotate(**totals)
        .order_by()
    }
    by_hour: dict[Any, Mapping[str, Any]] = {
        row["hour"]: row
        for row in done.annotate(hour=ExtractHour("completed_at", tzinfo=user.tz))
        .values("hour")
        .annotate(**totals)
        .order_by()
    }

    def cell(row: Mapping[str, Any] | None) -> dict[str, Any]:
        return (
            practice_totals(row["sessions"], row["seconds"])
            if row
            else practice_totals(0, 0)
        )

    return {
        "date_from": date_from,
        "date_to": date_to,
        "by_type": [
            {"type": value, **cell(by_type.get(value))} for value in SessionType.values
        ],
        "by_weekday": [
            {"weekday": day, **cell(by_weekday.get(day))} for day in range(1, 8)
        ],
        "by_hour": [{"hour": hour, **cell(by_hour.get(hour))} for hour in range(24)],
    }


_CORRELATIONS_SQL = """
WITH daily AS (
    SELECT local_date, AVG(score * 1.0) AS mood
    FROM {mood} WHERE user_id = %s AND local_date >= %s AND local_date <= %s
    GROUP BY local_date
),
marks AS (
    SELECT 'factor' AS kind, value, local_date
    FROM {tag}
    WHERE user_id = %s AND kind = 'factor' AND local_date >= %s AND local_date <= %s
    UNION
    SELECT 'session_type' AS kind, type AS value, local_date
    FROM {session}
    WHERE user_id = %s AND status = 'completed'
      AND local_date >= %s AND local_date <= %s
),
totals AS (SELECT COUNT(*) AS days, SUM(mood) AS mood_sum FROM daily)
SELECT m.kind, m.value, COUNT(*) AS days_with, SUM(d.mood) AS sum_with,
       totals.days, totals.mood_sum
FROM marks m
JOIN daily d ON d.local_date = m.local_date
CROSS JOIN totals
GROUP BY m.kind, m.value, totals.days, totals.mood_sum
HAVING COUNT(*) >= %s AND totals.days - COUNT(*) >= %s
ORDER BY m.kind, m.value
"""


def analytics_correlations(
    *, user: User, date_from: date, date_to: date
) -> dict[str, Any]:
    """Average daily mood on days with vs without each factor / session type.

    Only local dates with at least one mood entry count. A day's mood is the
    mean score of its entries; "with" days have the factor tagged on a mood
    entry (or a completed session of the type) that local date, "without" days
    are the other mood days of the range. A factor or type is reported only with
    at least 3 days with and 3 days without it. One query.
    """
    adapt = connection.ops.adapt_datefield_value
    span = [adapt(date_from), adapt(date_to)]
    sql = _CORRELATIONS_SQL.format(
        mood=connection.ops.quote_name(MoodEntry._meta.db_table),
        tag=connection.ops.quote_name(MoodTag._meta.db_table),
        session=connection.ops.quote_name(WellnessSession._meta.db_table),
    )
    params = [
        user.pk,
        *span,
        user.pk,
        *span,
        user.pk,
        *span,
        CORRELATION_MIN_DAYS,
        CORRELATION_MIN_DAYS,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    results = []
    for kind, value, days_with, sum_with, days, mood_sum in rows:
        with_avg = float(sum_with) / days_with
        without_avg = (float(mood_sum) - float(sum_with)) / (days - days_with)
        results.append(
            {
                "kind": kind,
                "value": value,
                "days_with_count": days_with,
                "days_without_count": days - days_with,
                "average_score_with": round(with_avg, 2),
                "average_score_without": round(without_avg, 2),
                "difference": round(with_avg - without_avg, 2),
            }
        )
    return {"date_from": date_from, "date_to": date_to, "correlations": results}
