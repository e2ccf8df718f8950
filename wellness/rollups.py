"""The session rollups: per local date and type (``SessionDay``) and per type
over all time (``SessionTotal``), added to as sessions complete; and the count
of every session a user has started (``SessionTally``), added to as sessions
start. All rebuilt from the sessions by ``manage.py rebuild_rollups``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.apps.registry import Apps
from django.db.models import Count, Q, Sum

from kaya.rollups import Expected, RollupSpec, rollup_add

if TYPE_CHECKING:
    from wellness.models import WellnessSession

SUM_FIELDS = (
    "sessions_count",
    "duration_seconds",
    "mood_pairs_count",
    "mood_before_sum",
    "mood_after_sum",
)


def session_rollups_add(*, session: WellnessSession) -> None:
    """Count a session that has just completed in its day's and its type's
    rollups. Call it in the completing transaction (two upserts)."""
    from wellness.models import SessionDay, SessionTotal

    paired = session.mood_before is not None and session.mood_after is not None
    amounts = {
        "sessions_count": 1,
        "duration_seconds": session.actual_duration_seconds or 0,
        "mood_pairs_count": int(paired),
        "mood_before_sum": (session.mood_before or 0) if paired else 0,
        "mood_after_sum": (session.mood_after or 0) if paired else 0,
    }
    rollup_add(
        SessionDay,
        keys={
            "user": session.user_id,
            "local_date": session.local_date,
            "type": session.type,
        },
        amounts=amounts,
    )
    rollup_add(
        SessionTotal,
        keys={"user": session.user_id, "type": session.type},
        amounts=amounts,
    )


def session_tally_add(*, session: WellnessSession) -> None:
    """Count a session that has just started (any status) in its user's
    ``SessionTally``. Call it in the starting transaction (one upsert)."""
    from wellness.models import SessionTally

    rollup_add(
        SessionTally, keys={"user": session.user_id}, amounts={"sessions_count": 1}
    )


def _sums(group_by: tuple[str, ...], apps: Apps, user_ids: Sequence[int]) -> Expected:
    session = apps.get_model("wellness", "WellnessSession")
    paired = Q(mood_before__isnull=False, mood_after__isnull=False)
    rows = (
        session._default_manager.filter(user_id__in=user_ids, status="completed")
        .values(*group_by)
        .annotate(
            sessions_count=Count("id"),
            duration_seconds=Sum("actual_duration_seconds"),
            mood_pairs_count=Count("id", filter=paired),
            mood_before_sum=Sum("mood_before", filter=paired),
            mood_after_sum=Sum("mood_after", filter=paired),
        )
        .order_by()
    )
    return {
        tuple(row[name] for name in group_by): {
            name: row[name] or 0 for name in SUM_FIELDS
        }
        for row in rows
    }


def _session_days_expected(apps: Apps, user_ids: Sequence[int]) -> Expected:
    return _sums(("user_id", "local_date", "type"), apps, user_ids)


def _session_totals_expected(apps: Apps, user_ids: Sequence[int]) -> Expected:
    return _sums(("user_id", "type"), apps, user_ids)


SESSION_DAYS = RollupSpec(
    label="wellness.SessionDay",
    key_fields=("user_id", "local_date", "type"),
    value_fields=SUM_FIELDS,
    expected=_session_days_expected,
)
SESSION_TOTALS = RollupSpec(
    label="wellness.SessionTotal",
    key_fields=("user_id", "type"),
    value_fields=SUM_FIELDS,
    expected=_session_totals_expected,
)


def _session_tallies_expected(apps: Apps, user_ids: Sequence[int]) -> Expected:
    session = apps.get_model("wellness", "WellnessSession")
    rows = (
        session._default_manager.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(sessions_count=Count("id"))
        .order_by()
    )
    return {
        (row["user_id"],): {"sessions_count": row["sessions_count"]} for row in rows
    }


SESSION_TALLIES = RollupSpec(
    label="wellness.SessionTally",
    key_fields=("user_id",),
    value_fields=("sessions_count",),
    expected=_session_tallies_expected,
)
