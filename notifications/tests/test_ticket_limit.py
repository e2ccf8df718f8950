"""The websocket ticket limit is exact: parallel requests get no extra tickets."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from conftest import bearer
from kaya.throttles import RealtimeTicketThrottle

TICKET = "/api/v1/realtime/ticket"


def _in_parallel(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcome = work()
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db
def test_a_refused_ticket_request_says_when_the_window_ends(
    auth_client, other_client, settings
):
    settings.THROTTLE_REALTIME_TICKET = "2/m"
    # Now, not a fixed date: the clients' access tokens were minted at real time.
    with time_machine.travel(datetime.now(tz=UTC), tick=False) as traveller:
        first = [auth_client.post(TICKET).status_code for _ in "ab"]
        traveller.shift(timedelta(seconds=20))
        refused = auth_client.post(TICKET)
        # Another user's budget is their own.
        other = other_client.post(TICKET).status_code

    assert first == [201, 201]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == "40"
    assert other == 201


@pytest.mark.django_db
def test_the_ticket_window_reopens_after_its_period(auth_client, settings):
    # Real time: Redis expires the window's key on its own clock.
    settings.THROTTLE_REALTIME_TICKET = "2/s"
    first = [auth_client.post(TICKET).status_code for _ in "abc"]
    time.sleep(1.1)

    assert first == [201, 201, 429]
    assert auth_client.post(TICKET).status_code == 201


@pytest.mark.django_db
def test_parallel_threads_get_exactly_the_rate_from_the_throttle(user, settings):
    settings.THROTTLE_REALTIME_TICKET = "30/m"
    request = SimpleNamespace(user=user)

    allowed = _in_parallel(
        48, lambda: RealtimeTicketThrottle().allow_request(request, None)
    )

    assert len(allowed) == 48
    assert allowed.count(True) == 30


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_parallel_ticket_requests_on_postgres_and_redis_issue_exactly_the_rate(
    settings,
):
    settings.THROTTLE_REALTIME_TICKET = "30/m"
    user = UserFactory()
    header = bearer(user)

    def request_ticket() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        return client.post(TICKET).status_code

    statuses = _in_parallel(45, request_ticket)

    assert sorted(statuses) == [201] * 30 + [429] * 15
