"""The streak as the user sees it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kaya.timeutils import local_today
from wellness.models import Streak
from wellness.streaks import StreakView, streak_state, streak_view

if TYPE_CHECKING:
    from accounts.models import User


def streak_for_user(*, user: User, today: date | None = None) -> StreakView:
    """The streak as the user sees it today (one query)."""
    state = streak_state(Streak.objects.for_user(user).first())
    return streak_view(state, today or local_today(user.timezone))


def streak_fields(*, user: User, view: StreakView) -> dict[str, Any]:
    """Streak fields for a response; none at all in gentle mode."""
    if user.gentle_mode:
        return {}
    return {
        "current_streak": view.current,
        "longest_streak": view.longest,
        "streak_freezes_available": view.freezes_available,
    }
