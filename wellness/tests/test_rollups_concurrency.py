"""Two writers adding to one day's rollup at the same moment, on a real
PostgreSQL: neither addition is lost."""

import threading

import pytest
from django.apps import apps
from django.db import connection

from journal.models import MoodDay
from journal.services import mood_entry_create
from kaya import rollups
from wellness.models import SessionDay, SessionTotal, WellnessSession
from wellness.services import session_complete
from wellness.tests.factories import WellnessSessionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(works):
    barrier = threading.Barrier(len(works))
    errors = []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as exc:  # the test asserts there were none
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_moods_logged_at_once_on_one_day_all_count(user):
    def log(emotion):
        return lambda: mood_entry_create(
            user=user, mood="good", intensity=4, emotions=[emotion, "calm"]
        )

    errors = _race([log("happy"), log("tired"), log("happy"), log("sad")])

    assert errors == []
    day = MoodDay.objects.get(user=user)
    assert (day.entries_count, day.score_sum, day.intensity_sum) == (4, 16, 16)
    assert day.tag_counts == {"emotion": {"calm": 4, "happy": 2, "tired": 1, "sad": 1}}
    for spec in rollups.specs():
        assert spec.differences(apps, [user.pk]) == [], spec.label


def test_sessions_completed_at_once_on_one_day_all_count(user):
    sessions = [
        WellnessSessionFactory(user=user, mood_before=2, type="yoga") for _ in range(4)
    ]

    def complete(session_id, seconds):
        def work():
            fresh = WellnessSession.objects.select_related("user").get(pk=session_id)
            session_complete(
                session=fresh, actual_duration_seconds=seconds, mood_after=4
            )

        return work

    errors = _race(
        [
            complete(s.pk, seconds)
            for s, seconds in zip(sessions, [60, 120, 180, 240], strict=True)
        ]
    )

    assert errors == []
    day = SessionDay.objects.get(user=user)
    total = SessionTotal.objects.get(user=user)
    for row in (day, total):
        assert (
            row.sessions_count,
            row.duration_seconds,
            row.mood_pairs_count,
            row.mood_before_sum,
            row.mood_after_sum,
        ) == (4, 600, 4, 8, 16)
    for spec in rollups.specs():
        assert spec.differences(apps, [user.pk]) == [], spec.label
