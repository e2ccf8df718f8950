"""The stored streak: folded forward on each completion, rebuilt on demand."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from kaya.rollups import user_reads_changed
from wellness.models import Streak, WellnessSession
from wellness.streaks import StreakState, streak_advance, streak_fold, streak_state

if TYPE_CHECKING:
    from accounts.models import User


def _store(streak: Streak, state: StreakState) -> None:
    streak.current_length = state.current
    streak.longest_length = state.longest
    streak.last_active_date = state.last_active
    streak.freezes_banked = state.banked
    streak.freezes_used = state.used
    streak.save(
        update_fields=[
            "current_length",
            "longest_length",
            "last_active_date",
            "freezes_banked",
            "freezes_used",
            "updated_at",
        ]
    )
    user_reads_changed(streak.user_id)  # the streak in /users/me/stats


def _completed_days(user: User) -> Iterable[date]:
    # One row per distinct local date: O(days of history), not O(sessions).
    return (
        WellnessSession.objects.completed()
        .for_user(user)
        .order_by("local_date")
        .values_list("local_date", flat=True)
        .distinct()
    )


def _lock_streak(user: User) -> Streak:
    Streak.objects.get_or_create(user=user)
    # Two sessions completing at once (two devices) would both advance the
    # streak from the same state: serialise them on the user's streak row.
    return Streak.objects.select_for_update().get(user=user)


@transaction.atomic
def streak_record_activity(*, user: User, day: date) -> tuple[Streak, bool]:
    """Fold a completion on local date ``day`` into the user's stored streak.

    A day after the last active day advances the streak in O(1); the same day
    changes nothing; an earlier day (after a time-zone change westwards) refolds
    the stored history. Returns the streak and whether a freeze was earned.
    Side effects: none (the caller publishes).
    """
    streak = _lock_streak(user)
    last = streak.last_active_date
    if last is not None and day == last:
        return streak, False
    if last is not None and day < last:
        _store(streak, streak_fold(_completed_days(user)))
        return streak, False
    state, earned = streak_advance(streak_state(streak), day)
    _store(streak, state)
    return streak, earned


@transaction.atomic
def streak_recompute(*, user: User) -> Streak:
    """Rebuild the stored streak from every completed day (repair tool)."""
    streak = _lock_streak(user)
    _store(streak, streak_fold(_completed_days(user)))
    return streak
