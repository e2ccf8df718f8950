"""``wellness_overview`` reads in one statement what the ORM selectors read one
query each; these tests hold it to them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from wellness.models import ProgramEnrollment, SessionDay, SessionTotal
from wellness.selectors.achievements import achievement_unlocked_count
from wellness.selectors.overview import wellness_overview
from wellness.selectors.streaks import streak_for_user
from wellness.tests.factories import (
    ProgramEnrollmentFactory,
    StreakFactory,
    UserAchievementFactory,
    completed_session,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 16, 12, tzinfo=UTC)  # a Thursday
TODAY = date(2026, 4, 16)


def _orm_totals(rows):
    totals = rows.aggregate(s=Sum("sessions_count"), d=Sum("duration_seconds"))
    return {"sessions_count": totals["s"] or 0, "duration_seconds": totals["d"] or 0}


def test_overview_of_a_user_with_no_history_is_zeros(user):
    overview = wellness_overview(user=user, today=TODAY)

    zero = {"sessions_count": 0, "duration_seconds": 0}
    assert (overview.today, overview.this_week, overview.lifetime) == (zero,) * 3
    assert (
        overview.programs_enrolled_count,
        overview.programs_completed_count,
        overview.achievements_count,
    ) == (0, 0, 0)
    assert overview.streak == streak_for_user(user=user, today=TODAY)
    assert (overview.streak.current, overview.streak.last_active) == (0, None)


def test_overview_matches_the_orm_selectors_and_ignores_other_users(user, other_user):
    for owner in (user, other_user):
        # Last week's Sunday, this Monday, and twice today.
        completed_session(owner, NOW - timedelta(days=4), seconds=60)
        completed_session(owner, NOW - timedelta(days=3), seconds=120)
        completed_session(owner, NOW - timedelta(hours=2), seconds=300)
        completed_session(owner, NOW - timedelta(hours=1), seconds=600)
        ProgramEnrollmentFactory(user=owner)
        ProgramEnrollmentFactory(user=owner, completed_at=timezone.now())
        UserAchievementFactory(user=owner, unlocked_at=timezone.now())
    UserAchievementFactory(user=user)  # still locked
    ProgramEnrollmentFactory(user=other_user)
    UserAchievementFactory(user=other_user, unlocked_at=timezone.now())

    with time_machine.travel(NOW, tick=False):
        overview = wellness_overview(user=user, today=TODAY)
        streak = streak_for_user(user=user, today=TODAY)

    days = SessionDay.objects.for_user(user)
    assert overview.today == _orm_totals(days.filter(local_date=TODAY))
    assert overview.today == {"sessions_count": 2, "duration_seconds": 900}
    assert overview.this_week == _orm_totals(
        days.filter(local_date__gte=date(2026, 4, 13), local_date__lte=TODAY)
    )
    assert overview.this_week == {"sessions_count": 3, "duration_seconds": 1020}
    assert overview.lifetime == _orm_totals(SessionTotal.objects.for_user(user))
    assert overview.lifetime == {"sessions_count": 4, "duration_seconds": 1080}
    enrollments = ProgramEnrollment.objects.for_user(user)
    assert overview.programs_enrolled_count == enrollments.count() == 2
    assert (
        overview.programs_completed_count
        == enrollments.filter(completed_at__isnull=False).count()
        == 1
    )
    assert overview.achievements_count == achievement_unlocked_count(user=user) == 1
    assert overview.streak == streak


def test_overview_streak_is_the_stored_row_seen_on_the_given_day(user):
    StreakFactory(
        user=user,
        current_length=4,
        longest_length=9,
        last_active_date=TODAY - timedelta(days=2),
        freezes_banked=1,
        freezes_used=2,
    )

    for today in (TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)):
        overview = wellness_overview(user=user, today=today)
        assert overview.streak == streak_for_user(user=user, today=today)
    # One missed day, covered by the banked freeze; two are not.
    assert wellness_overview(user=user, today=TODAY).streak.current == 4
    later = wellness_overview(user=user, today=TODAY + timedelta(days=1))
    assert (later.streak.current, later.streak.longest) == (0, 9)
    assert later.streak.last_active == TODAY - timedelta(days=2)
