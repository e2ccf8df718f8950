"""Two events for one user at the same moment (two devices): one unlock, one
notification, no crash. Only a real PostgreSQL shows the race."""

import threading

import pytest
from django.db import connection

from notifications.models import Notification
from wellness.events import session_completed
from wellness.models import Achievement, AchievementRule, UserAchievement
from wellness.tests.factories import completed_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(work, n):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # the test inspects what was raised
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("events", [2, 4])
def test_events_arriving_at_once_unlock_once_and_never_crash(user, events):
    # The session is stored first (with no rule yet, so nothing unlocks); then
    # the same event arrives from several workers at once.
    from datetime import UTC, datetime

    completed_session(user, datetime(2026, 4, 13, 8, tzinfo=UTC))
    achievement = Achievement.objects.create(
        code="first-steps",
        name="First steps",
        category=Achievement.Category.PRACTICE,
        rule_kind=AchievementRule.SESSIONS_COMPLETED,
        threshold=1,
    )

    def fire():
        return session_completed.send_robust(sender=None, user_id=user.pk)

    results = _race(fire, events)

    errors = [
        response
        for result in results
        for _, response in result
        if isinstance(response, Exception)
    ]
    assert errors == []
    rows = UserAchievement.objects.filter(user=user, achievement=achievement)
    assert [(row.progress, row.unlocked_at is not None) for row in rows] == [(1, True)]
    assert (
        Notification.objects.filter(
            user=user, type=Notification.Type.ACHIEVEMENT_UNLOCKED
        ).count()
        == 1
    )
