"""Races that only a real PostgreSQL shows: two devices at the same moment."""

import threading
import uuid

import pytest
from django.db import connection

from wellness.exceptions import SessionNotInProgressError
from wellness.models import Streak, WellnessSession
from wellness.services import session_complete, session_create
from wellness.tests.factories import WellnessSessionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(work, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # the test inspects what was raised
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_devices_completing_one_session_complete_it_once(user):
    session = WellnessSessionFactory(user=user)

    def complete():
        fresh = WellnessSession.objects.select_related("user").get(pk=session.pk)
        session_complete(session=fresh, actual_duration_seconds=60)
        return "ok"

    results = _race(complete)

    assert sorted(results) == sorted(["ok", SessionNotInProgressError.__name__])
    assert Streak.objects.get(user=user).current_length == 1


def test_two_retries_with_one_client_id_create_one_session(user):
    client_id = uuid.uuid4()

    def create():
        session, _ = session_create(
            user=user,
            type="meditation",
            title="Retry",
            planned_duration_seconds=60,
            client_id=client_id,
        )
        return session.pk

    results = _race(create)

    assert WellnessSession.objects.count() == 1
    assert results == [WellnessSession.objects.get().pk] * 2
