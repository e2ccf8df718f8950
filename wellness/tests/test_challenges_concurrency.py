"""Two events for one participant at the same moment (two devices, or a
redelivery racing the first delivery): one completion, one notification, no
crash. Only a real PostgreSQL shows the race."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection

from notifications.models import Notification
from wellness.events import session_completed
from wellness.models import Challenge, ChallengeGoal, ChallengeParticipant
from wellness.services import challenge_join
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
def test_events_arriving_at_once_complete_once_and_notify_once(user, events):
    challenge = Challenge.objects.create(
        slug="one-sit",
        title="One sit",
        goal_kind=ChallengeGoal.SESSIONS_COMPLETED,
        goal_target=1,
        start_date=date(2026, 4, 13),
        end_date=date(2026, 4, 19),
    )
    with time_machine.travel(datetime(2026, 4, 14, 7, tzinfo=UTC), tick=False):
        challenge_join(user=user, challenge=challenge)
    # The session is stored with no receiver moving the challenge yet (outside
    # a transaction the events would run at once): store it, then reset.
    completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC))
    ChallengeParticipant.objects.filter(user=user).update(progress=0, completed_at=None)
    Notification.objects.filter(user=user).delete()

    def fire():
        return session_completed.send_robust(sender=None, user_id=user.pk)

    results = _race(fire, events)

    errors = [
        response
        for result in results
        for _, response in (result if isinstance(result, list) else [(None, result)])
        if isinstance(response, Exception)
    ]
    assert errors == []
    row = ChallengeParticipant.objects.get(user=user, challenge=challenge)
    assert (row.progress, row.completed_at is not None) == (1, True)
    assert (
        Notification.objects.filter(
            user=user, type=Notification.Type.CHALLENGE_COMPLETED
        ).count()
        == 1
    )


def test_two_joins_at_once_make_one_participation(user):
    challenge = Challenge.objects.create(
        slug="together",
        title="Together",
        goal_kind=ChallengeGoal.MOOD_LOGS,
        goal_target=3,
        start_date=date(2026, 4, 13),
        end_date=date(2026, 4, 19),
    )

    def join():
        with time_machine.travel(datetime(2026, 4, 14, 7, tzinfo=UTC), tick=False):
            return challenge_join(user=user, challenge=challenge)[1]

    results = _race(join, 3)

    assert sorted(results) == [False, False, True]
    assert ChallengeParticipant.objects.filter(user=user).count() == 1
