"""The analytics aggregates behind ``/analytics``.

Every analytic is computed in the database (aggregate / annotate / Trunc on the
stored local dates); Python only reshapes the few aggregated rows that come
back, so each function runs a fixed number of queries whatever the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, QuerySet, Sum, TextField
from django.db.models.functions import (
    Cast,
    ExtractHour,
    ExtractIsoWeekDay,
)
from django.utils import timezone
from orjson import loads

from journal.models import MoodDay, MoodEntry, MoodTag
from kaya.timeutils import local_today
from wellness.models import SessionDay, SessionType, WellnessSession
from wellness.selectors._shared import practice_totals, rounded, week_bounds
from wellness.selectors.dashboard import dashboard_lists
from wellness.selectors.overview import wellness_overview
from wellness.selectors.streaks import streak_fields

if TYPE_CHECKING:
    from accounts.models import User

TOP_TAGS = 3
CORRELATION_MIN_DAYS = 3
EMOTION: str = MoodTag.Kind.EMOTION.value
FACTOR: str = MoodTag.Kind.FACTOR.value


def analytics_dashboard(*, user: User) -> dict[str, Any]:
    """Today's and this week's practice (from the per-day session rollup),
    streak and unlocked achievements (``wellness_overview``: one query, none
    while its cached row is current), then the latest moods, active
    enrollments and the next event the user holds a seat at (one query,
    ``dashboard_lists``, read on every request: staff edit the programs and
    events it names, and an event leaves it when it starts). At most two
    queries, whatever the history."""
    today = local_today(user.timezone)
    overview = wellness_overview(user=user, today=today)
    result: dict[str, Any] = {
        "today": overview.today,
        "this_week": overview.this_week,
        **dashboard_lists(user=user, now=timezone.now()),
        "achievements_count": overview.achievements_count,
    }
    result.update(streak_fields(user=user, view=overview.streak))
    return result


def _bucket_of(day: date, granularity: str) -> date:
    """The first local date of ``day``'s bucket: weeks start on Monday."""
    if granularity == "week":
        return week_bounds(day)[0]
    if granularity == "month":
        return day.replace(day=1)
    return day


def _top(counts: Mapping[str, int] | None) -> list[dict[str, Any]]:
    """The most frequent values, ties by value (as the database ranked them):
    sorted by value, then stably by count, most first (no Python key call per
    tag; a year of day buckets ranks about 2,000 tags, and a day often has one
    tag, which needs no second sort)."""
    if not counts:
        return []
    ranked = sorted(counts.items())
    if len(ranked) > 1:
        ranked.sort(key=itemgetter(1), reverse=True)
    return [{"value": value, "count": count} for value, count in ranked[:TOP_TAGS]]


def _merged(days: Iterable[tuple[Any, ...]], granularity: str) -> list[tuple[Any, ...]]:
    """Day rollups summed into week or month buckets, in date order."""
    buckets: dict[date, list[Any]] = {}
    for day, entries, score, intensity, tags in days:
        key = _bucket_of(day, granularity)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = [key, 0, 0, 0, {}, {}]
        bucket[1] += entries
        bucket[2] += score
        bucket[3] += intensity
        for into, kind in ((bucket[4], EMOTION), (bucket[5], FACTOR)):
            for value, count in tags.get(kind, {}).items():
                into[value] = into.get(value, 0) + count
    return [tuple(bucket) for bucket in buckets.values()]


# The per-day mood rollup rows of the range (part 1, by date) and the session
# rollups' mood pairs summed by type (part 2, by type): the reads
# ``mood_trends_days`` and ``mood_trends_sessions`` make through the ORM, in
# one round trip and with no ORM compilation. Each part fills its own columns;
# the other part's are NULLs cast to the column's type (PostgreSQL would read
# an untyped NULL as text). The tag counts are read as text and parsed by
# orjson (through the JSONField's json.loads a year of rows was a third of the
# request).
_MOOD_TRENDS_SQL = """
SELECT 1 AS part, local_date, entries_count, score_sum, intensity_sum,
       CAST(tag_counts AS {text}) AS tags, CAST(NULL AS {type}) AS type,
       CAST(NULL AS bigint) AS pairs, CAST(NULL AS bigint) AS before_sum,
       CAST(NULL AS bigint) AS after_sum
FROM {mood_day}
WHERE user_id = %s AND local_date >= %s AND local_date <= %s
UNION ALL
SELECT 2, CAST(NULL AS {date}), NULL, NULL, NULL, NULL, type,
       SUM(mood_pairs_count), SUM(mood_before_sum), SUM(mood_after_sum)
FROM {session_day}
WHERE user_id = %s AND local_date >= %s AND local_date <= %s
  AND mood_pairs_count > 0
GROUP BY type
ORDER BY 1, 2, 7
"""


def mood_trends_days(
    *, user: User, date_from: date, date_to: date
) -> QuerySet[MoodDay, tuple[Any, ...]]:
    """The ORM form of part 1 of ``_MOOD_TRENDS_SQL`` (the tests hold the
    statement to it): the user's per-day mood rollups in the range, by date."""
    return (
        MoodDay.objects.for_user(user)
        .filter(local_date__gte=date_from, local_date__lte=date_to)
        .order_by("local_date")
        .values_list(
            "local_date",
            "entries_count",
            "score_sum",
            "intensity_sum",
            Cast("tag_counts", TextField()),
        )
    )


def mood_trends_sessions(
    *, user: User, date_from: date, date_to: date
) -> QuerySet[SessionDay, tuple[Any, ...]]:
    """The ORM form of part 2 of ``_MOOD_TRENDS_SQL``: per session type, the
    sessions with a mood before and after, and the two moods' sums."""
    return (
        SessionDay.objects.for_user(user)
        .filter(
            local_date__gte=date_from, local_date__lte=date_to, mood_pairs_count__gt=0
        )
        .values("type")
        .annotate(
            pairs=Sum("mood_pairs_count"),
            before=Sum("mood_before_sum"),
            after=Sum("mood_after_sum"),
        )
        .order_by("type")
        .values_list("type", "pairs", "before", "after")
    )


def mood_trends_rows(
    *, user: User, date_from: date, date_to: date
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """``(days, sessions)``: the rows of ``mood_trends_days`` and of
    ``mood_trends_sessions`` (the same values and order), read in one
    statement."""
    text = TextField().db_type(connection)
    local_date = MoodDay._meta.get_field("local_date")
    sql = _MOOD_TRENDS_SQL.format(
        text=text,
        type=SessionDay._meta.get_field("type").db_type(connection),
        date=local_date.db_type(connection),
        mood_day=connection.ops.quote_name(MoodDay._meta.db_table),
        session_day=connection.ops.quote_name(SessionDay._meta.db_table),
    )
    adapt = connection.ops.adapt_datefield_value
    span = [adapt(date_from), adapt(date_to)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *span, user.pk, *span])
        rows = cursor.fetchall()
    col = local_date.get_col(MoodDay._meta.db_table)
    converters = connection.ops.get_db_converters(col) + col.get_db_converters(
        connection
    )
    days, sessions = [], []
    for part, day, entries, score, intensity, tags, kind, pairs, before, after in rows:
        if part == 1:
            for converter in converters:
                day = converter(day, col, connection)
            days.append((day, entries, score, intensity, tags))
        else:
            sessions.append((kind, int(pairs), int(before), int(after)))
    return days, sessions


def analytics_mood_trends(
    *, user: User, date_from: date, date_to: date, granularity: str
) -> dict[str, Any]:
    """Per bucket of local dates (day, ISO week starting Monday, or month): the
    average mood score and intensity, the entry count and the top emotions and
    factors; plus mood before vs after sessions by session type. One query,
    on the per-day rollups (a row per day, not per entry and tag).
    """
    days, sessions = mood_trends_rows(user=user, date_from=date_from, date_to=date_to)
    if granularity == "day":
        # A bucket per day: the rollup rows are the buckets.
        trend = []
        for day, entries, score, intensity, text in days:
            tags = loads(text)
            trend.append(
                {
                    "bucket": day,
                    "average_score": round(score / entries, 2),
                    "average_intensity": round(intensity / entries, 2),
                    "entries_count": entries,
                    "top_emotions": _top(tags.get(EMOTION)),
                    "top_factors": _top(tags.get(FACTOR)),
                }
            )
    else:
        trend = [
            {
                "bucket": key,
                "average_score": rounded(score / entries),
                "average_intensity": rounded(intensity / entries),
                "entries_count": entries,
                "top_emotions": _top(emotions),
                "top_factors": _top(factors),
            }
            for key, entries, score, intensity, emotions, factors in _merged(
                [(d, e, s, i, loads(t)) for d, e, s, i, t in days], granularity
            )
        ]
    by_type = [
        {
            "type": kind,
            "sessions_count": pairs,
            "average_mood_before": rounded(before / pairs),
            "average_mood_after": rounded(after / pairs),
            "average_mood_change": rounded((after - before) / pairs),
        }
        for kind, pairs, before, after in sessions
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
