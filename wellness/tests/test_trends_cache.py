"""Mood trends are cached per user until the user's rollups change.

The writes run through the API and the services and really commit
(``transaction=True``), so the invalidation runs where it runs in production:
after the commit. Each test reads the trends (filling the cache), writes, and
holds the next answer to one computed with the cache emptied.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command

from journal.privacy import journal_erase
from journal.tests.factories import MoodEntryFactory
from wellness.tests.factories import frozen

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/analytics/mood-trends"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
RANGE = {"date_from": "2026-04-01", "date_to": "2026-04-15", "granularity": "day"}


def trends(client) -> dict:
    response = client.get(URL, RANGE)
    assert response.status_code == 200
    return response.json()


def uncached(client) -> dict:
    cache.clear()
    return trends(client)


def log_mood(client, mood="good", **extra) -> None:
    body = {"mood": mood, "intensity": 6, "emotions": ["calm"], **extra}
    assert client.post("/api/v1/journal/mood", body, format="json").status_code == 201


def test_a_second_read_is_served_from_the_cache(
    auth_client, user, django_assert_num_queries
):
    with frozen(auth_client, user, NOW):
        log_mood(auth_client)
        built = auth_client.get(URL, RANGE)
        # Authentication only: the rollups are not read again.
        with django_assert_num_queries(1):
            cached = auth_client.get(URL, RANGE)
    assert (built.status_code, cached.status_code) == (200, 200)
    # The same bytes as the answer built from the rollups.
    assert cached.content == built.content
    assert cached["Content-Type"] == built["Content-Type"] == "application/json"
    assert built.json()["buckets"][0]["entries_count"] == 1


def test_logging_a_mood_invalidates_the_users_trends(auth_client, user):
    with frozen(auth_client, user, NOW):
        log_mood(auth_client, "low")
        before = trends(auth_client)
        log_mood(auth_client, "great", factors=["sleep"])
        after = trends(auth_client)
        assert after != before
        assert after["buckets"][0]["entries_count"] == 2
        assert after == uncached(auth_client)


def test_completing_a_session_with_moods_invalidates_the_users_trends(
    auth_client, user
):
    with frozen(auth_client, user, NOW):
        before = trends(auth_client)
        created = auth_client.post(
            "/api/v1/sessions",
            {
                "type": "meditation",
                "title": "Breathe",
                "planned_duration_seconds": 600,
                "mood_before": 2,
            },
            format="json",
        )
        assert created.status_code == 201
        done = auth_client.patch(
            f"/api/v1/sessions/{created.json()['id']}/complete",
            {"actual_duration_seconds": 600, "mood_after": 4},
            format="json",
        )
        assert done.status_code == 200
        after = trends(auth_client)
    assert before["sessions_mood"] == []
    assert after["sessions_mood"][0]["sessions_count"] == 1
    with frozen(auth_client, user, NOW):
        assert after == uncached(auth_client)


def test_one_users_write_leaves_another_users_cached_trends(
    auth_client, other_client, user, other_user, django_assert_num_queries
):
    with frozen(other_client, other_user, NOW):
        log_mood(other_client)
        theirs = trends(other_client)
    with frozen(auth_client, user, NOW):
        log_mood(auth_client)
    with frozen(other_client, other_user, NOW), django_assert_num_queries(1):
        assert trends(other_client) == theirs


def test_a_rebuild_invalidates_the_users_trends(auth_client, user):
    with frozen(auth_client, user, NOW):
        log_mood(auth_client)
        before = trends(auth_client)
        # A source row written behind the services' back (a repair), then the
        # operator's rebuild.
        MoodEntryFactory(
            user=user,
            mood="great",
            intensity=9,
            logged_at=NOW,
            local_date=date(2026, 4, 15),
        )
        assert trends(auth_client) == before  # still cached: the rollups did not change
        call_command("rebuild_rollups", "--user-id", str(user.pk), verbosity=0)
        after = trends(auth_client)
    assert after["buckets"][0]["entries_count"] == 2
    with frozen(auth_client, user, NOW):
        assert after == uncached(auth_client)


def test_erasing_the_journal_invalidates_the_users_trends(auth_client, user):
    with frozen(auth_client, user, NOW):
        log_mood(auth_client)
        assert trends(auth_client)["buckets"]
        journal_erase(user)
        assert trends(auth_client)["buckets"] == []
