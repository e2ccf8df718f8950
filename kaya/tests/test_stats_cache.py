"""``/users/me/stats``, ``/sessions/stats`` and the dashboard's overview are
cached per user until a write to what they read commits.

The writes run through the API and the services and really commit
(``transaction=True``), so each invalidation runs where it runs in production:
after the commit. Each test reads the stats (filling the cache), writes, and
holds the next answer to the expected change and to one computed with the
cache emptied.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.models import User
from journal.privacy import journal_erase
from wellness.models import WellnessSession
from wellness.services import streak_recompute
from wellness.tests.factories import (
    AchievementFactory,
    WellnessSessionFactory,
    frozen,
    program_with_days,
)

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/users/me/stats"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)


def stats(client, url: str = URL) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


def uncached(client, url: str = URL) -> dict:
    cache.clear()
    return stats(client, url)


def changed(client, write) -> tuple[dict, dict]:
    """The stats before and after ``write()``; the answer after must be the one
    built from the database."""
    before = stats(client)
    write()
    after = stats(client)
    assert after == uncached(client)
    return before, after


def post(client, path: str, body: dict | None = None) -> dict:
    response = client.post(path, body or {}, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def complete_session(client) -> None:
    created = post(
        client,
        "/api/v1/sessions",
        {"type": "meditation", "title": "Breathe", "planned_duration_seconds": 600},
    )
    done = client.patch(
        f"/api/v1/sessions/{created['id']}/complete",
        {"actual_duration_seconds": 600},
        format="json",
    )
    assert done.status_code == 200


def test_a_second_read_is_served_from_the_cache(
    auth_client, user, django_assert_num_queries
):
    with frozen(auth_client, user, NOW):
        built = auth_client.get(URL)
        # Authentication only: the journal counts and the overview are not
        # read again.
        with django_assert_num_queries(1):
            cached = auth_client.get(URL)
    assert (built.status_code, cached.status_code) == (200, 200)
    assert cached.json() == built.json()


def test_writing_a_journal_entry_and_deleting_it_invalidate_the_stats(
    auth_client, user
):
    with frozen(auth_client, user, NOW):
        entry: dict = {}
        before, after = changed(
            auth_client,
            lambda: entry.update(post(auth_client, "/api/v1/journal", {"body": "x"})),
        )
        assert (before["journal_entries_count"], after["journal_entries_count"]) == (
            0,
            1,
        )

        def delete() -> None:
            response = auth_client.delete(f"/api/v1/journal/{entry['id']}")
            assert response.status_code == 204

        _, deleted = changed(auth_client, delete)
        assert deleted["journal_entries_count"] == 0


def test_gratitude_and_moods_invalidate_the_stats(auth_client, user):
    with frozen(auth_client, user, NOW):
        _, after = changed(
            auth_client,
            lambda: post(auth_client, "/api/v1/journal/gratitude", {"items": ["tea"]}),
        )
        assert after["gratitude_entries_count"] == 1
        _, after = changed(
            auth_client,
            lambda: post(
                auth_client, "/api/v1/journal/mood", {"mood": "good", "intensity": 5}
            ),
        )
        assert after["mood_entries_count"] == 1


def test_completing_a_session_invalidates_totals_streak_and_unlocks(auth_client, user):
    AchievementFactory(rule_kind="sessions_completed", threshold=1)
    with frozen(auth_client, user, NOW):
        before, after = changed(auth_client, lambda: complete_session(auth_client))
    assert (before["sessions_count"], after["sessions_count"]) == (0, 1)
    assert (before["duration_seconds"], after["duration_seconds"]) == (0, 600)
    assert (before["current_streak"], after["current_streak"]) == (0, 1)
    assert (before["achievements_count"], after["achievements_count"]) == (0, 1)


def test_enrolling_and_finishing_a_program_invalidate_the_stats(auth_client, user):
    program = program_with_days(1)
    with frozen(auth_client, user, NOW):
        enrollment: dict = {}
        _, enrolled = changed(
            auth_client,
            lambda: enrollment.update(
                post(auth_client, f"/api/v1/programs/{program.pk}/enroll")
            ),
        )
        assert enrolled["programs_enrolled_count"] == 1
        assert enrolled["programs_completed_count"] == 0

        def finish() -> None:
            response = auth_client.patch(
                f"/api/v1/programs/enrollments/{enrollment['id']}/progress",
                {"day_number": 1},
                format="json",
            )
            assert response.status_code == 200, response.content

        _, finished = changed(auth_client, finish)
    assert finished["programs_completed_count"] == 1


def test_gentle_mode_and_a_new_time_zone_are_seen_at_once(auth_client, user):
    with frozen(auth_client, user, NOW):
        complete_session(auth_client)
        assert stats(auth_client)["current_streak"] == 1
        # Profile fields are part of the cached answer's key, not bumped.
        User.objects.filter(pk=user.pk).update(gentle_mode=True)
        gentle = stats(auth_client)
        assert "current_streak" not in gentle
        assert gentle == uncached(auth_client)
        User.objects.filter(pk=user.pk).update(
            gentle_mode=False, timezone="Pacific/Kiritimati"
        )
        # 10:00 UTC is 00:00 the next day at UTC+14: a new local date (in the
        # key) with gentle mode off again, the streak shown from yesterday's
        # completion.
        moved = stats(auth_client)
        assert moved["current_streak"] == 1
        assert moved == uncached(auth_client)


def test_a_new_local_day_is_seen_without_a_write(auth_client, user):
    with frozen(auth_client, user, NOW):
        complete_session(auth_client)
        today = stats(auth_client)
    # Three days later, nothing written meanwhile: the streak has lapsed and
    # the membership grew, in the cached answer too.
    with frozen(auth_client, user, datetime(2026, 4, 18, 10, 0, tzinfo=UTC)):
        later = stats(auth_client)
        assert later == uncached(auth_client)
    assert later["days_as_member"] == today["days_as_member"] + 3
    assert (today["current_streak"], later["current_streak"]) == (1, 0)


def test_one_users_write_leaves_another_users_cached_stats(
    auth_client, other_client, user, other_user, django_assert_num_queries
):
    with frozen(other_client, other_user, NOW):
        theirs = stats(other_client)
    with frozen(auth_client, user, NOW):
        post(auth_client, "/api/v1/journal", {"body": "mine"})
    with frozen(other_client, other_user, NOW), django_assert_num_queries(1):
        assert stats(other_client) == theirs


def test_erasing_the_journal_invalidates_the_stats(auth_client, user):
    with frozen(auth_client, user, NOW):
        post(auth_client, "/api/v1/journal", {"body": "x"})
        assert stats(auth_client)["journal_entries_count"] == 1
        journal_erase(user)
        assert stats(auth_client)["journal_entries_count"] == 0


def test_an_achievement_unlocked_by_the_staff_recompute_invalidates_the_stats(
    auth_client, user
):
    with frozen(auth_client, user, NOW):
        complete_session(auth_client)
        # A rule added later: the staff's recompute unlocks it, outside any
        # write of the user's.
        AchievementFactory(rule_kind="sessions_completed", threshold=1)
        before, after = changed(
            auth_client,
            lambda: call_command("recompute_achievements", verbosity=0),
        )
    assert (before["achievements_count"], after["achievements_count"]) == (0, 1)


def test_a_streak_recomputed_by_an_operator_invalidates_the_stats(auth_client, user):
    with frozen(auth_client, user, NOW):
        complete_session(auth_client)
        # Yesterday's completion written behind the services' back (a repair),
        # then the operator rebuilds the streak from the sessions.
        WellnessSessionFactory(
            user=user,
            status=WellnessSession.Status.COMPLETED,
            started_at=NOW - timedelta(days=1),
            completed_at=NOW - timedelta(days=1),
            actual_duration_seconds=600,
            local_date=(NOW - timedelta(days=1)).date(),
        )
        before, after = changed(auth_client, lambda: streak_recompute(user=user))
    assert (before["current_streak"], after["current_streak"]) == (1, 2)


# The dashboard shares the overview row (practice, enrollments, unlocks,
# streak) with the stats, cached the same way; its lists are read every time.

DASHBOARD = "/api/v1/analytics/dashboard"


def test_the_dashboard_reads_its_overview_from_the_cache(
    auth_client, user, django_assert_num_queries
):
    with frozen(auth_client, user, NOW):
        built = stats(auth_client, DASHBOARD)
        # Authentication and the lists: the overview is not read again.
        with django_assert_num_queries(2):
            assert stats(auth_client, DASHBOARD) == built


def test_completing_a_session_and_a_new_day_are_seen_on_the_dashboard(
    auth_client, user
):
    AchievementFactory(rule_kind="sessions_completed", threshold=1)
    with frozen(auth_client, user, NOW):
        before = stats(auth_client, DASHBOARD)
        complete_session(auth_client)
        after = stats(auth_client, DASHBOARD)
        assert after == uncached(auth_client, DASHBOARD)
    assert (before["today"]["sessions_count"], after["today"]["sessions_count"]) == (
        0,
        1,
    )
    assert (before["achievements_count"], after["achievements_count"]) == (0, 1)
    assert (before["current_streak"], after["current_streak"]) == (0, 1)
    # The next Monday: a new day and a new week, nothing written meanwhile.
    with frozen(auth_client, user, datetime(2026, 4, 20, 10, 0, tzinfo=UTC)):
        monday = stats(auth_client, DASHBOARD)
        assert monday == uncached(auth_client, DASHBOARD)
    assert monday["today"]["sessions_count"] == 0
    assert monday["this_week"]["sessions_count"] == 0


# /sessions/stats reads only the session rollups and the streak.

SESSION_STATS = "/api/v1/sessions/stats"


def test_session_stats_are_cached_until_a_completion_a_new_week_or_gentle_mode(
    auth_client, user, django_assert_num_queries
):
    with frozen(auth_client, user, NOW):
        before = stats(auth_client, SESSION_STATS)
        with django_assert_num_queries(1):  # authentication only
            assert stats(auth_client, SESSION_STATS) == before
        complete_session(auth_client)
        after = stats(auth_client, SESSION_STATS)
        assert after == uncached(auth_client, SESSION_STATS)
    assert (before["sessions_count"], after["sessions_count"]) == (0, 1)
    assert (before["this_week"], after["this_week"]) == (
        {"sessions_count": 0, "duration_seconds": 0},
        {"sessions_count": 1, "duration_seconds": 600},
    )
    assert (before["current_streak"], after["current_streak"]) == (0, 1)
    # The next Monday, nothing written: this week's practice is last week's.
    with frozen(auth_client, user, datetime(2026, 4, 20, 10, 0, tzinfo=UTC)):
        monday = stats(auth_client, SESSION_STATS)
        User.objects.filter(pk=user.pk).update(gentle_mode=True)
        gentle = stats(auth_client, SESSION_STATS)
        assert gentle == uncached(auth_client, SESSION_STATS)
    assert monday["this_week"]["sessions_count"] == 0
    assert monday["last_week"]["sessions_count"] == 1
    assert "current_streak" in monday
    assert "current_streak" not in gentle
