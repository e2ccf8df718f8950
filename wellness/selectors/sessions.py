"""Reads of practice sessions, scoped to their user, and their statistics."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from kaya.prepared import PreparedQuery
from kaya.rollups import USER_READS
from kaya.sync import changed_since
from kaya.timeutils import local_today
from wellness.models import (
    ProgramDayProgress,
    SessionDay,
    SessionTally,
    SessionTotal,
    SessionType,
    WellnessSession,
)
from wellness.selectors._shared import practice_totals, rounded, week_bounds
from wellness.selectors.overview import wellness_overview
from wellness.selectors.streaks import streak_fields, streak_for_user

if TYPE_CHECKING:
    from accounts.models import User


def session_list(
    *,
    user: User,
    type: str = "",
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[WellnessSession]:
    """My sessions, newest first, narrowed by the list filters (local dates,
    inclusive); with ``updated_since``, the changed ones, oldest change first."""
    sessions = WellnessSession.objects.for_user(user)
    if type:
        sessions = sessions.filter(type=type)
    if status:
        sessions = sessions.filter(status=status)
    if date_from is not None:
        sessions = sessions.filter(local_date__gte=date_from)
    if date_to is not None:
        sessions = sessions.filter(local_date__lte=date_to)
    if updated_since is not None:
        return changed_since(sessions, updated_since)
    return sessions.order_by("-started_at", "-id")


# What a session's output shows (``SessionOutput``'s fields), and so the
# columns the sessions page reads.
SESSION_FIELDS = (
    "id",
    "type",
    "title",
    "status",
    "client_id",
    "planned_duration_seconds",
    "actual_duration_seconds",
    "progress_seconds",
    "enrollment_id",
    "program_day_id",
    "generated_content_id",
    "mood_before",
    "mood_after",
    "notes",
    "started_at",
    "completed_at",
    "abandoned_at",
    "local_date",
    "updated_at",
)


def session_total(*, user: User, **filters: Any) -> Coalesce | None:
    """The number of ``session_list``'s rows for the same values, read from the
    user's ``SessionTally`` when no filter of ``session_list`` is given (the
    page's usual shape: a long history is not counted on every page); ``None``,
    to count the rows, when any is (a filter added to ``session_list`` counts
    its rows until this says otherwise)."""
    if any(filters.values()):
        return None
    stored = SessionTally.objects.filter(user=user).values("sessions_count")
    return Coalesce(Subquery(stored), 0)


# The sessions page: ``session_list``'s rows as ``SessionOutput`` reads them,
# its SQL built once per combination of filters (kaya.prepared), its total the
# stored count when unfiltered.
session_rows = PreparedQuery(session_list, fields=SESSION_FIELDS, total=session_total)


def session_program_day_counted(*, session: WellnessSession) -> bool | None:
    """Whether the program day a completed session was for is done: ``None``
    outside a program; ``False`` when the day was still locked, so the session
    counted for the streak but the program did not advance."""
    if session.enrollment_id is None or session.program_day_id is None:
        return None
    return ProgramDayProgress.objects.filter(
        enrollment_id=session.enrollment_id, day_id=session.program_day_id
    ).exists()


def session_stats(*, user: User) -> dict[str, Any]:
    """Totals, per-type durations and counts, this vs last local week, streaks and
    the average mood change (after - before, over sessions that have both).
    Cached per user until the user's rollups or streak change
    (``kaya.rollups.USER_READS``); the local date and gentle mode are in the
    key. Built in three queries: the lifetime rollup by type, the per-day
    rollup of the two weeks, and the streak."""
    today = local_today(user.timezone)
    return USER_READS.get_or_build(
        f"session-stats?today={today}&gentle={user.gentle_mode}",
        lambda: _session_stats(user=user, today=today),
        scope=user.pk,
    )


def _session_stats(*, user: User, today: date) -> dict[str, Any]:
    this_monday, last_monday, _ = week_bounds(today)
    per_type = {
        row[0]: row
        for row in SessionTotal.objects.for_user(user).values_list(
            "type",
            "sessions_count",
            "duration_seconds",
            "mood_pairs_count",
            "mood_before_sum",
            "mood_after_sum",
        )
    }
    this_week = Q(local_date__gte=this_monday, local_date__lte=today)
    last_week = Q(local_date__gte=last_monday, local_date__lt=this_monday)
    weeks = (
        SessionDay.objects.for_user(user)
        .filter(local_date__gte=last_monday, local_date__lte=today)
        .aggregate(
            this_week_sessions=Sum("sessions_count", filter=this_week),
            this_week_seconds=Sum("duration_seconds", filter=this_week),
            last_week_sessions=Sum("sessions_count", filter=last_week),
            last_week_seconds=Sum("duration_seconds", filter=last_week),
        )
    )
    rows = per_type.values()
    pairs = sum(row[3] for row in rows)
    change = sum(row[5] - row[4] for row in rows)
    by_type = [
        {
            "type": value,
            **practice_totals(
                per_type[value][1] if value in per_type else 0,
                per_type[value][2] if value in per_type else 0,
            ),
        }
        for value in SessionType.values
    ]
    result: dict[str, Any] = {
        **practice_totals(sum(row[1] for row in rows), sum(row[2] for row in rows)),
        "by_type": by_type,
        "this_week": practice_totals(
            weeks["this_week_sessions"], weeks["this_week_seconds"]
        ),
        "last_week": practice_totals(
            weeks["last_week_sessions"], weeks["last_week_seconds"]
        ),
        "average_mood_change": rounded(change / pairs) if pairs else None,
        "mood_change_sessions_count": pairs,
    }
    view = streak_for_user(user=user, today=today)
    result.update(streak_fields(user=user, view=view))
    return result


def wellness_user_stats(user: User) -> dict[str, Any]:
    """The wellness part of ``/users/me/stats`` (accounts' stats registry);
    practice totals from the lifetime rollup (a row per session type), from
    ``wellness_overview`` (its cached row, or one query)."""
    overview = wellness_overview(user=user, today=local_today(user.timezone))
    stats: dict[str, Any] = {
        # Names as documented by accounts' UserStatsSerializer.
        **overview.lifetime,
        "programs_enrolled_count": overview.programs_enrolled_count,
        "programs_completed_count": overview.programs_completed_count,
        "achievements_count": overview.achievements_count,
    }
    stats.update(streak_fields(user=user, view=overview.streak))
    return stats


def session_completion_context(
    *, user: User, session: WellnessSession
) -> dict[str, Any]:
    """What ``SessionCompleteOutput`` adds to a completed session: the streak
    as the user now sees it (nothing in gentle mode) and whether its program
    day counted."""
    view = streak_for_user(user=user)
    return {
        "streak": streak_fields(user=user, view=view),
        "program_day_counted": session_program_day_counted(session=session),
    }


def session_ai_data_points(
    user: User, date_from: date, date_to: date
) -> list[dict[str, Any]]:
    """Completed sessions in the range as the AI companion's mood insights read
    them (``coaching.ai.sources``): type and duration; never notes."""
    rows = (
        WellnessSession.objects.completed()
        .for_user(user)
        .filter(local_date__range=(date_from, date_to))
        .values_list("id", "local_date", "type", "actual_duration_seconds")
    )
    return [
        {
            "ref": f"session:{pk}",
            "kind": "session",
            "local_date": day.isoformat(),
            "session_type": kind,
            "duration_seconds": seconds or 0,
        }
        for pk, day, kind, seconds in rows
    ]
