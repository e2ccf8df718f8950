"""Two parallel refreshes of one token on PostgreSQL: exactly one succeeds.

Real threads with their own database connections, so the row lock taken by
``token_refresh`` is what decides, not the test's ordering.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import TokenFamily
from accounts.tests.conftest import REFRESH, login
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 6


def test_parallel_refreshes_of_one_token_let_exactly_one_through():
    user = UserFactory()
    session = login(APIClient(), user.email).json()
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def refresh() -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            response = client.post(REFRESH, {"refresh": session["refresh"]})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] + [401] * (PARALLEL - 1)
    # The losers presented an already-rotated token: the family is revoked.
    family = TokenFamily.objects.get(user=user)
    assert family.revoked_reason == "reuse"
