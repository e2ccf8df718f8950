"""The user's wellness numbers in one round trip: what ``/analytics/dashboard``
and ``/users/me/stats`` both show (practice totals, enrollments, unlocked
achievements, the streak)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection

from kaya.db import planned_once_cursor
from kaya.rollups import USER_READS
from wellness.models import (
    ProgramEnrollment,
    SessionDay,
    SessionTotal,
    Streak,
    UserAchievement,
)
from wellness.selectors._shared import practice_totals, week_bounds
from wellness.streaks import StreakView, streak_state, streak_view

if TYPE_CHECKING:
    from accounts.models import User

# One row whatever the history: aggregates without GROUP BY always answer one
# row, and the streak (at most one per user) is joined onto it. Each part reads
# the rows its ORM selector reads (the per-day and lifetime session rollups,
# ``unlocked()`` achievements); one statement instead of five saves the round
# trips and the ORM's compilation, which were most of both pages' time.
_OVERVIEW_SQL = """
SELECT days.today_sessions, days.today_seconds, days.week_sessions,
       days.week_seconds, totals.sessions, totals.seconds,
       programs.enrolled, programs.completed, achievements.unlocked,
       streak.current_length, streak.longest_length, streak.last_active_date,
       streak.freezes_banked, streak.freezes_used
FROM (
    SELECT SUM(CASE WHEN local_date = %s THEN sessions_count END) AS today_sessions,
           SUM(CASE WHEN local_date = %s THEN duration_seconds END) AS today_seconds,
           SUM(sessions_count) AS week_sessions,
           SUM(duration_seconds) AS week_seconds
    FROM {day} WHERE user_id = %s AND local_date >= %s AND local_date <= %s
) AS days
CROSS JOIN (
    SELECT SUM(sessions_count) AS sessions, SUM(duration_seconds) AS seconds
    FROM {total} WHERE user_id = %s
) AS totals
CROSS JOIN (
    SELECT COUNT(*) AS enrolled, COUNT(completed_at) AS completed
    FROM {enrollment} WHERE user_id = %s
) AS programs
CROSS JOIN (
    SELECT COUNT(*) AS unlocked
    FROM {achievement} WHERE user_id = %s AND unlocked_at IS NOT NULL
) AS achievements
LEFT JOIN {streak} AS streak ON streak.user_id = %s
"""


@dataclass(frozen=True)
class WellnessOverview:
    today: dict[str, int]
    this_week: dict[str, int]
    lifetime: dict[str, int]
    programs_enrolled_count: int
    programs_completed_count: int
    achievements_count: int
    streak: StreakView


def wellness_overview(*, user: User, today: date) -> WellnessOverview:
    """Today's, this week's (Monday to ``today``, local dates) and lifetime
    practice, enrollments (all and completed), unlocked achievements and the
    streak as the user sees it ``today``. One query, or none: its row is cached
    per user (``kaya.rollups.USER_READS``)."""
    this_monday = week_bounds(today)[0]
    adapt = connection.ops.adapt_datefield_value
    sql = _OVERVIEW_SQL.format(
        day=SessionDay._meta.db_table,
        total=SessionTotal._meta.db_table,
        enrollment=ProgramEnrollment._meta.db_table,
        achievement=UserAchievement._meta.db_table,
        streak=Streak._meta.db_table,
    )
    params = [adapt(today), adapt(today), user.pk, adapt(this_monday), adapt(today)]
    params += [user.pk] * 4

    def read() -> tuple[Any, ...]:
        with planned_once_cursor() as cursor:
            cursor.execute(sql, params)
            return tuple(cursor.fetchone())

    # Cached per user until a write to what it reads commits (every write to
    # these tables marks the user's reads changed); the statement is part of
    # the key, so a deploy that changes it never reads a row of the old shape.
    row = USER_READS.get_or_build(f"overview?today={today}&{sql}", read, scope=user.pk)
    (
        today_sessions,
        today_seconds,
        week_sessions,
        week_seconds,
        sessions,
        seconds,
        enrolled,
        completed,
        unlocked,
        current,
        longest,
        last_active,
        banked,
        used,
    ) = row
    stored = None
    if current is not None:
        # SQLite answers a date column as text; the field reads either form.
        stored = Streak(
            current_length=current,
            longest_length=longest,
            last_active_date=Streak._meta.get_field("last_active_date").to_python(
                last_active
            ),
            freezes_banked=banked,
            freezes_used=used,
        )
    return WellnessOverview(
        today=practice_totals(today_sessions, today_seconds),
        this_week=practice_totals(week_sessions, week_seconds),
        lifetime=practice_totals(sessions, seconds),
        programs_enrolled_count=enrolled,
        programs_completed_count=completed,
        achievements_count=unlocked,
        streak=streak_view(streak_state(stored), today),
    )
