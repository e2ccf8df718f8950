"""Reads scoped to a user, and the analytics aggregates.

Every analytic is computed in the database (aggregate / annotate / Trunc on the
stored local dates); Python only reshapes the few aggregated rows that come
back, so each function runs a fixed number of queries whatever the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncMonth,
    TruncWeek,
)

from journal.models import MoodEntry, MoodTag
from kaya.timeutils import local_today
from wellness.models import (
    ProgramDayProgress,
    ProgramEnrollment,
    SessionType,
    Streak,
    WellnessProgram,
    WellnessSession,
)
from wellness.streaks import StreakView, streak_state, streak_view


def _totals(sessions: int | None, seconds: int | None) -> dict[str, int]:
    """The one shape of a practice aggregate: a count and integer seconds."""
    return {"sessions_count": sessions or 0, "duration_seconds": seconds or 0}


def _round(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


# ---------------------------------------------------------------------------
# Sessions and streaks
# ---------------------------------------------------------------------------
def session_list(*, user: Any) -> QuerySet[WellnessSession]:
    return WellnessSession.objects.for_user(user).order_by("-started_at", "-id")


def session_program_day_counted(*, session: WellnessSession) -> bool | None:
    """Whether the program day a completed session was for is done: ``None``
    outside a program; ``False`` when the day was still locked, so the session
    counted for the streak but the program did not advance."""
    if session.enrollment_id is None or session.program_day_id is None:
        return None
    return ProgramDayProgress.objects.filter(
        enrollment_id=session.enrollment_id, day_id=session.program_day_id
    ).exists()


def streak_for_user(*, user: Any, today: date | None = None) -> StreakView:
    """The streak as the user sees it today (one query)."""
    state = streak_state(Streak.objects.filter(user=user).first())
    return streak_view(state, today or local_today(user.timezone))


def streak_fields(*, user: Any, view: StreakView) -> dict[str, Any]:
    """Streak fields for a response; none at all in gentle mode."""
    if user.gentle_mode:
        return {}
    return {
        "current_streak": view.current,
        "longest_streak": view.longest,
        "streak_freezes_available": view.freezes_available,
    }


def week_bounds(today: date) -> tuple[date, date, date]:
    """(this Monday, last Monday, today) of the user's local week."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday, this_monday - timedelta(days=7), today


def session_stats(*, user: Any) -> dict[str, Any]:
    """Totals, per-type durations and counts, this vs last local week, streaks and
    the average mood change (after - before, over sessions that have both).
    Three queries."""
    today = local_today(user.timezone)
    this_monday, last_monday, _ = week_bounds(today)
    done = WellnessSession.objects.for_user(user).completed()
    this_week = Q(local_date__gte=this_monday, local_date__lte=today)
    last_week = Q(local_date__gte=last_monday, local_date__lt=this_monday)
    both_moods = Q(mood_before__isnull=False, mood_after__isnull=False)
    totals = done.aggregate(
        sessions=Count("id"),
        seconds=Coalesce(Sum("actual_duration_seconds"), 0),
        this_week_sessions=Count("id", filter=this_week),
        this_week_seconds=Coalesce(Sum("actual_duration_seconds", filter=this_week), 0),
        last_week_sessions=Count("id", filter=last_week),
        last_week_seconds=Coalesce(Sum("actual_duration_seconds", filter=last_week), 0),
        mood_change=Avg(F("mood_after") - F("mood_before"), filter=both_moods),
        mood_pairs=Count("id", filter=both_moods),
    )
    per_type: dict[str, Mapping[str, Any]] = {
        row["type"]: row
        for row in done.values("type")
        .annotate(sessions=Count("id"), seconds=Sum("actual_duration_seconds"))
        .order_by()
    }
    by_type = [
        {
            "type": value,
            **_totals(
                per_type.get(value, {}).get("sessions"),
                per_type.get(value, {}).get("seconds"),
            ),
        }
        for value in SessionType.values
    ]
    result: dict[str, Any] = {
        **_totals(totals["sessions"], totals["seconds"]),
        "by_type": by_type,
        "this_week": _totals(totals["this_week_sessions"], totals["this_week_seconds"]),
        "last_week": _totals(totals["last_week_sessions"], totals["last_week_seconds"]),
        "average_mood_change": _round(totals["mood_change"]),
        "mood_change_sessions_count": totals["mood_pairs"],
    }
    view = streak_for_user(user=user, today=today)
    result.update(streak_fields(user=user, view=view))
    return result


def wellness_user_stats(user: Any) -> dict[str, Any]:
    """The wellness part of ``/users/me/stats`` (accounts' stats registry)."""
    done = WellnessSession.objects.for_user(user).completed()
    totals = done.aggregate(
        sessions=Count("id"), seconds=Coalesce(Sum("actual_duration_seconds"), 0)
    )
    programs = ProgramEnrollment.objects.for_user(user).aggregate(
        enrolled=Count("id"),
        completed=Count("id", filter=Q(completed_at__isnull=False)),
    )
    stats: dict[str, Any] = {
        # Names as documented by accounts' UserStatsSerializer.
        **_totals(totals["sessions"], totals["seconds"]),
        "programs_enrolled_count": programs["enrolled"],
        "programs_completed_count": programs["completed"],
    }
    stats.update(streak_fields(user=user, view=streak_for_user(user=user)))
    return stats


# ---------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------
def program_list() -> QuerySet[WellnessProgram]:
    return WellnessProgram.objects.published().order_by("ordering", "id")


def program_detail_queryset() -> QuerySet[WellnessProgram]:
    return WellnessProgram.objects.published().prefetch_related("days")


def program_content_visible(*, user: Any, program: WellnessProgram) -> bool:
    """Premium programs show their day content to premium users only."""
    return not program.is_premium or bool(user.is_premium)


@dataclass(frozen=True)
class DayState:
    day_number: int
    status: str  # "done" | "unlocked" | "locked"


def enrollment_day_states(
    *, enrollment: ProgramEnrollment | None, day_numbers: list[int], today: date
) -> dict[int, str]:
    """Which days are done, which one is unlocked next, which are locked."""
    if enrollment is None:
        return {}
    done = enrollment.days_completed
    next_open = enrollment.next_day_unlocked(today)
    states = {}
    for number in day_numbers:
        if number <= done:
            states[number] = "done"
        elif number == done + 1 and next_open:
            states[number] = "unlocked"
        else:
            states[number] = "locked"
    return states


def enrollment_for_program(
    *, user: Any, program: WellnessProgram
) -> ProgramEnrollment | None:
    return ProgramEnrollment.objects.for_user(user).filter(program=program).first()


def enrollment_list(*, user: Any) -> QuerySet[ProgramEnrollment]:
    return (
        ProgramEnrollment.objects.for_user(user)
        .select_related("program")
        .order_by("-enrolled_at", "-id")
    )


def enrollment_next_day(
    *, enrollment: ProgramEnrollment, today: date
) -> dict[str, Any] | None:
    """The next day to do and the local date it unlocks on (None when finished)."""
    total = enrollment.program.days_count
    number = enrollment.days_completed + 1
    if enrollment.completed_at is not None or number > total:
        return None
    last = enrollment.last_completed_local_date
    unlocks_on = today if last is None else max(today, last + timedelta(days=1))
    return {
        "day_number": number,
        "unlocked": enrollment.next_day_unlocked(today),
        "unlocks_on": unlocks_on,
    }


# ---------------------------------------------------------------------------
# Analytics
# ---------------------------------------------------------------------------
TOP_TAGS = 3
LATEST_MOODS = 5
ACTIVE_ENROLLMENTS = 5
CORRELATION_MIN_DAYS = 3


def analytics_dashboard(*, user: Any) -> dict[str, Any]:
    """Today's and this week's practice, streak, latest moods and active
    enrollments. Four queries."""
    today = local_today(user.timezone)
    this_monday, _, _ = week_bounds(today)
    is_today = Q(local_date=today)
    totals = (
        WellnessSession.objects.for_user(user)
        .completed()
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
        "today": _totals(totals["today_sessions"], totals["today_seconds"]),
        "this_week": _totals(totals["week_sessions"], totals["week_seconds"]),
        "latest_moods": latest_moods,
        "active_enrollments": enrollments,
        # achievements_count and next_event are added once achievements,
        # events and bookings exist: absent until then, never invented.
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
    *, user: Any, date_from: date, date_to: date, granularity: str
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
            "average_score": _round(row["average_score"]),
            "average_intensity": _round(row["average_intensity"]),
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
            "average_mood_before": _round(row["before"]),
            "average_mood_after": _round(row["after"]),
            "average_mood_change": _round(row["change"]),
        }
        for row in WellnessSession.objects.for_user(user)
        .completed()
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
    *, user: Any, date_from: date, date_to: date
) -> dict[str, Any]:
    """Completed durations and counts by session type, by ISO weekday (1 = Monday,
    from the stored local date) and by hour of the local day (completion time in
    the user's zone). Three queries."""
    done = (
        WellnessSession.objects.for_user(user)
        .completed()
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
        return _totals(row["sessions"], row["seconds"]) if row else _totals(0, 0)

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
    *, user: Any, date_from: date, date_to: date
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
