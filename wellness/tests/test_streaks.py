from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification
from wellness.models import Streak
from wellness.selectors import streak_for_user
from wellness.services import streak_recompute
from wellness.streaks import StreakState, streak_fold, streak_view
from wellness.tests.factories import completed_session

D = date(2026, 1, 1)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=o) for o in offsets]


# --- the pure rules ---------------------------------------------------------
def test_consecutive_days_count_and_a_gap_without_freezes_restarts():
    state = streak_fold(days(0, 1, 2, 4, 5))
    assert (state.current, state.longest, state.banked) == (2, 3, 0)


def test_a_freeze_is_earned_on_every_seventh_day_and_at_most_two_are_banked():
    assert streak_fold(days(*range(6))).banked == 0
    assert streak_fold(days(*range(7))).banked == 1
    assert streak_fold(days(*range(14))).banked == 2
    state = streak_fold(days(*range(21)))
    assert (state.current, state.banked) == (21, 2)


def test_a_banked_freeze_covers_a_missed_day_without_counting_it():
    # 7 days (earns one freeze), miss day 7, practise on day 8.
    state = streak_fold(days(*range(7), 8))
    assert (state.current, state.longest, state.banked, state.used) == (8, 8, 0, 1)


def test_two_missed_days_need_two_freezes():
    one = streak_fold(days(*range(7), 9))
    assert (one.current, one.banked) == (1, 1)
    two = streak_fold(days(*range(14), 16))
    assert (two.current, two.banked, two.used) == (15, 0, 2)


def test_longest_streak_is_exact_over_history():
    state = streak_fold(days(0, 1, 2, 3, 10, 11, 20, 21, 22, 23, 24, 40))
    assert (state.current, state.longest) == (1, 5)


def test_view_is_alive_today_or_yesterday_and_zero_after_an_uncovered_gap():
    state = streak_fold(days(0, 1, 2))
    assert streak_view(state, D + timedelta(days=2)).current == 3
    assert streak_view(state, D + timedelta(days=3)).current == 3
    assert streak_view(state, D + timedelta(days=4)).current == 0
    assert streak_view(state, D + timedelta(days=4)).longest == 3


def test_view_keeps_a_streak_alive_over_a_gap_covered_by_banked_freezes():
    state = streak_fold(days(*range(14)))  # two freezes
    last = D + timedelta(days=13)
    covered = streak_view(state, last + timedelta(days=3))  # missed 2 days
    assert (covered.current, covered.freezes_available) == (14, 0)
    broken = streak_view(state, last + timedelta(days=4))  # missed 3 days
    assert (broken.current, broken.freezes_available) == (0, 2)


def test_fold_ignores_order_and_duplicates():
    assert streak_fold(days(2, 0, 1, 1, 0)) == streak_fold(days(0, 1, 2))


def test_empty_history():
    assert streak_view(StreakState(), D).current == 0


# --- stored streak, time zones and DST --------------------------------------
@pytest.mark.django_db
def test_streak_across_a_month_boundary(user):
    for day in (30, 31):
        completed_session(user, datetime(2026, 1, day, 12, tzinfo=UTC))
    completed_session(user, datetime(2026, 2, 1, 12, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 2, 2, 9, tzinfo=UTC), tick=False):
        view = streak_for_user(user=user)
    assert (view.current, view.longest) == (3, 3)


@pytest.mark.django_db
def test_local_dates_follow_the_users_zone_across_the_spring_dst_change(user):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    ny = ZoneInfo("America/New_York")
    # 2026-03-08 is the spring-forward day in New York (a 23-hour day).
    late = completed_session(user, datetime(2026, 3, 8, 23, 30, tzinfo=ny))
    early = completed_session(user, datetime(2026, 3, 9, 0, 30, tzinfo=ny))
    completed_session(user, datetime(2026, 3, 10, 0, 15, tzinfo=ny))

    # 23:30 EDT on the 8th is already the 9th in UTC: the local date wins.
    assert late.completed_at.astimezone(UTC).date() == date(2026, 3, 9)
    assert (late.local_date, early.local_date) == (date(2026, 3, 8), date(2026, 3, 9))
    with time_machine.travel(datetime(2026, 3, 10, 23, 0, tzinfo=ny), tick=False):
        assert streak_for_user(user=user).current == 3


@pytest.mark.django_db
def test_autumn_dst_change_keeps_a_daily_streak(user):
    user.timezone = "Europe/Berlin"
    user.save(update_fields=["timezone"])
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-10-25 has 25 hours in Berlin.
    for day in (24, 25, 26):
        completed_session(user, datetime(2026, 10, day, 23, 45, tzinfo=berlin))
    assert Streak.objects.get(user=user).current_length == 3


@pytest.mark.django_db
def test_freeze_covers_a_missed_day_across_dst_and_months(user):
    user.timezone = "Europe/Berlin"
    user.save(update_fields=["timezone"])
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 24, 21, 0, tzinfo=berlin)
    for offset in range(7):  # Mar 24..30, across the Mar 29 change
        completed_session(user, start + timedelta(days=offset))
    # Mar 31 is missed; Apr 1 is covered by the freeze earned on day 7.
    completed_session(user, datetime(2026, 4, 1, 7, 0, tzinfo=berlin))
    streak = Streak.objects.get(user=user)
    assert (streak.current_length, streak.freezes_banked, streak.freezes_used) == (
        8,
        0,
        1,
    )


@pytest.mark.django_db
def test_moving_west_stores_an_earlier_date_and_the_streak_is_refolded(user):
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    tokyo = ZoneInfo("Asia/Tokyo")
    completed_session(user, datetime(2026, 6, 1, 20, 0, tzinfo=tokyo))
    completed_session(user, datetime(2026, 6, 2, 8, 0, tzinfo=tokyo))  # Jun 2
    # The user flies to Los Angeles; it is still Jun 1 there.
    user.timezone = "America/Los_Angeles"
    user.save(update_fields=["timezone"])
    west = completed_session(user, datetime(2026, 6, 2, 10, 0, tzinfo=tokyo))
    assert west.local_date == date(2026, 6, 1)

    streak = Streak.objects.get(user=user)
    # Past dates are never rewritten: Jun 1 and Jun 2 are still the two days.
    assert (streak.current_length, streak.last_active_date) == (2, date(2026, 6, 2))


@pytest.mark.django_db
def test_a_new_earlier_date_from_moving_west_is_folded_into_the_streak(user):
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    tokyo = ZoneInfo("Asia/Tokyo")
    completed_session(user, datetime(2026, 6, 1, 20, 0, tzinfo=tokyo))  # Jun 1
    completed_session(user, datetime(2026, 6, 3, 7, 0, tzinfo=tokyo))  # Jun 3
    streak = Streak.objects.get(user=user)
    assert (streak.current_length, streak.longest_length) == (1, 1)  # Jun 2 missed

    user.timezone = "America/Los_Angeles"
    user.save(update_fields=["timezone"])
    # 09:00 on Jun 3 in Tokyo is 17:00 on Jun 2 in Los Angeles: it fills the gap.
    west = completed_session(user, datetime(2026, 6, 3, 9, 0, tzinfo=tokyo))

    assert west.local_date == date(2026, 6, 2)
    streak.refresh_from_db()
    assert (
        streak.current_length,
        streak.longest_length,
        streak.last_active_date,
    ) == (3, 3, date(2026, 6, 3))


@pytest.mark.django_db
def test_moving_east_can_skip_a_date_which_a_freeze_does_not_cover_without_one(user):
    user.timezone = "America/Los_Angeles"
    user.save(update_fields=["timezone"])
    completed_session(user, datetime(2026, 6, 1, 18, 0, tzinfo=UTC))  # Jun 1 LA
    user.timezone = "Pacific/Kiritimati"  # UTC+14
    user.save(update_fields=["timezone"])
    later = completed_session(user, datetime(2026, 6, 2, 12, 0, tzinfo=UTC))
    assert later.local_date == date(2026, 6, 3)
    assert Streak.objects.get(user=user).current_length == 1


@pytest.mark.django_db
def test_stored_streak_equals_a_full_recompute(user):
    offsets = [0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22]
    for offset in offsets:
        completed_session(
            user, datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(offset)
        )
    stored = Streak.objects.get(user=user)
    incremental = (
        stored.current_length,
        stored.longest_length,
        stored.freezes_banked,
        stored.freezes_used,
    )
    rebuilt = streak_recompute(user=user)
    assert incremental == (
        rebuilt.current_length,
        rebuilt.longest_length,
        rebuilt.freezes_banked,
        rebuilt.freezes_used,
    )
    # Hand-computed: 7 days earn a freeze that covers day 7; day 10-11 missed
    # (2 days, 0 banked) restarts; 12..20 is 9 days (freeze on the 7th); 21
    # missed and covered; 22 makes 10.
    assert incremental == (10, 10, 0, 2)


@pytest.mark.django_db
def test_completion_runs_the_same_queries_whatever_the_history(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wellness.services import session_complete, session_create

    def complete_one(at: datetime) -> int:
        with time_machine.travel(at, tick=False):
            session, _ = session_create(
                user=user, type="meditation", title="x", planned_duration_seconds=60
            )
            session.user = user
            with CaptureQueriesContext(connection) as ctx:
                session_complete(session=session, actual_duration_seconds=60)
        return len(ctx)

    base = datetime(2026, 1, 1, 12, tzinfo=UTC)
    completed_session(user, base)
    short = complete_one(base + timedelta(days=1))
    for offset in range(2, 20):
        completed_session(user, base + timedelta(days=offset))
    long = complete_one(base + timedelta(days=20))
    assert short == long
    assert Streak.objects.get(user=user).current_length == 21


@pytest.mark.django_db
def test_freeze_earned_notifies_unless_gentle_mode(user, other_user):
    other_user.gentle_mode = True
    other_user.save(update_fields=["gentle_mode"])
    base = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for person in (user, other_user):
        for offset in range(7):
            completed_session(person, base + timedelta(days=offset))
    notes = Notification.objects.filter(data__kind="streak_freeze_earned")
    assert list(notes.values_list("user_id", "data")) == [
        (user.pk, {"kind": "streak_freeze_earned", "current_streak": 7})
    ]
    assert Streak.objects.get(user=other_user).freezes_banked == 1
